"""The rule set as versioned data: loading, immutability once published, new versions, the
in-process cache, and the page that shows the rules in plain Dutch."""

from __future__ import annotations

import copy
import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from kansrijk.signalling.exceptions import (
    InvalidRuleSet,
    NoPublishedRules,
    NotADraft,
    PublishedVersionImmutable,
)
from kansrijk.signalling.grading import grade
from kansrijk.signalling.models import (
    FactorWeight,
    GradeThreshold,
    GradingRuleSet,
    ReinforcementRule,
    VersionStatus,
)
from kansrijk.signalling.selectors import current_rule_set, current_rules, published_rule_set
from kansrijk.signalling.services import (
    DEFAULT_RULES_FILE,
    load_default_rules,
    load_rule_set,
    new_rule_set_draft,
    publish_rule_set,
)

pytestmark = pytest.mark.django_db

DEFAULT_DATA = json.loads(DEFAULT_RULES_FILE.read_text(encoding="utf-8"))


def _counts() -> tuple[int, int, int, int]:
    return (
        GradingRuleSet.objects.count(),
        FactorWeight.objects.count(),
        GradeThreshold.objects.count(),
        ReinforcementRule.objects.count(),
    )


def test_default_rules_load_published_and_twice_changes_nothing(catalogue):
    first = load_default_rules()
    assert first == {"version": 1, "status": "published", "created": True}
    counts = _counts()
    assert counts == (1, len(DEFAULT_DATA["factors"]), 3, 2)
    second = load_default_rules()
    assert second["created"] is False
    assert _counts() == counts
    rule_set = GradingRuleSet.objects.get()
    assert rule_set.is_published
    assert rule_set.published_at is not None
    assert rule_set.sources
    assert all(s["title"] for s in rule_set.sources)


def test_a_published_rule_set_cannot_change(default_rules):
    rule_set = GradingRuleSet.objects.get(version=1)
    rule_set.description = "anders"
    with pytest.raises(PublishedVersionImmutable):
        rule_set.save()
    with pytest.raises(PublishedVersionImmutable):
        rule_set.delete()
    weight = rule_set.factor_weights.first()
    weight.weight = 9
    with pytest.raises(PublishedVersionImmutable):
        weight.save()
    with pytest.raises(PublishedVersionImmutable):
        weight.delete()
    with pytest.raises(PublishedVersionImmutable):
        FactorWeight.objects.filter(rule_set=rule_set).delete()
    with pytest.raises(PublishedVersionImmutable):
        GradingRuleSet.objects.all().delete()
    with pytest.raises(PublishedVersionImmutable):
        GradeThreshold.objects.create(rule_set=rule_set, grade="kwetsbaar", min_balance=9)
    with pytest.raises(PublishedVersionImmutable):
        FactorWeight.objects.filter(rule_set=rule_set).update(weight=9)
    with pytest.raises(PublishedVersionImmutable):
        GradingRuleSet.objects.filter(pk=rule_set.pk).update(description="anders")
    with pytest.raises(PublishedVersionImmutable):
        FactorWeight.objects.bulk_create([FactorWeight(rule_set=rule_set, factor_code="roken")])
    rule_set.refresh_from_db()
    assert rule_set.description != "anders"
    assert FactorWeight.objects.filter(rule_set=rule_set).count() == len(DEFAULT_DATA["factors"])


def test_publishing_twice_is_refused(default_rules):
    with pytest.raises(NotADraft):
        publish_rule_set(rule_set=GradingRuleSet.objects.get(version=1))


def test_a_new_version_becomes_current_and_the_old_stays_readable(default_rules):
    before = grade({"roken"}, current_rules())
    assert before.grade == "potentieel-kwetsbaar"
    assert current_rule_set().version == 1  # now cached

    draft = new_rule_set_draft(source=GradingRuleSet.objects.get(version=1))
    assert draft.version == 2
    assert draft.status == VersionStatus.DRAFT
    assert draft.factor_weights.count() == len(DEFAULT_DATA["factors"])
    # Drafts can be edited; here smoking becomes heavier.
    FactorWeight.objects.create(rule_set=draft, factor_code="roken", weight=3)
    assert current_rule_set().version == 1, "a draft is not current"

    publish_rule_set(rule_set=draft)
    assert current_rule_set().version == 2
    after = grade({"roken"}, current_rules())
    assert after.rules_version == 2
    assert after.grade == "kwetsbaar"
    # The earlier version is still there, unchanged.
    assert published_rule_set(1).weights.get("roken") is None
    assert grade({"roken"}, current_rules()).grade == "kwetsbaar"


def test_a_version_valid_from_a_later_date_is_not_current_yet(default_rules):
    draft = new_rule_set_draft(source=GradingRuleSet.objects.get(version=1))
    later = timezone.localdate() + datetime.timedelta(days=30)
    publish_rule_set(rule_set=draft, valid_from=later)
    assert current_rule_set().version == 1
    assert current_rule_set(today=later).version == 2


def test_no_published_rules(catalogue):
    with pytest.raises(NoPublishedRules):
        current_rule_set()


def test_publishing_inconsistent_rules_is_refused_and_nothing_changes(default_rules):
    draft = new_rule_set_draft(source=GradingRuleSet.objects.get(version=1))
    GradeThreshold.objects.filter(rule_set=draft, grade="zeer-kwetsbaar").update(min_balance=0)
    with pytest.raises(InvalidRuleSet):
        publish_rule_set(rule_set=draft)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
    assert current_rule_set().version == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["thresholds"].append({"grade": "heel-erg", "min_balance": 9}),
        lambda d: d["factors"].append({"code": "geldzorgen", "weight": 1}),
        lambda d: d["factors"].append({"code": "x", "weight": -1}),
        lambda d: d.update(version="een"),
        lambda d: d["reinforcements"].append({"min_domains": 0, "grade": "kwetsbaar"}),
    ],
)
def test_loading_bad_rules_writes_nothing(catalogue, change):
    data = copy.deepcopy(DEFAULT_DATA)
    change(data)
    with pytest.raises(InvalidRuleSet):
        load_rule_set(data)
    assert _counts() == (0, 0, 0, 0)


def test_a_draft_in_a_file_is_loaded_as_draft_and_rewritten(catalogue):
    data = copy.deepcopy(DEFAULT_DATA) | {"version": 7, "status": "draft"}
    rule_set, created = load_rule_set(data)
    assert created
    assert rule_set.status == VersionStatus.DRAFT
    data["factors"] = data["factors"][:1]
    load_rule_set(data)
    assert GradingRuleSet.objects.get(version=7).factor_weights.count() == 1


def test_a_deactivated_factor_drops_out_of_the_rules(client, default_rules):
    """Rules refer to catalogue codes, not rows: the catalogue can change on its own."""
    from kansrijk.situations.models import Situation

    Situation.objects.filter(code="geldzorgen").update(is_active=False)
    assert "geldzorgen" not in current_rules().factors
    text = client.get(reverse("signalling:rules")).content.decode()
    assert "niet (meer) in de catalogus" in text
    assert "geldzorgen" in text


# --- The page ------------------------------------------------------------------------------------


def test_rules_page_shows_the_published_rules_in_dutch(
    client, default_rules, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = client.get(reverse("signalling:rules"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Zo wordt de kwetsbaarheidsgraad bepaald" in text
    for name in ("zelfredzaam", "potentieel kwetsbaar", "kwetsbaar", "zeer kwetsbaar"):
        assert name in text.lower()
    assert "Geldzorgen en schulden" in text
    assert "Huiselijk geweld" in text
    assert "altijd minstens" in text
    assert "Definitie kwetsbaarheid" in text
    assert "Versie" in text


def test_rules_page_shows_an_earlier_version_and_links_to_current(client, default_rules):
    draft = new_rule_set_draft(source=GradingRuleSet.objects.get(version=1))
    publish_rule_set(rule_set=draft)
    response = client.get(reverse("signalling:rules") + "?version=1")
    assert response.status_code == 200
    assert "niet de geldende versie" in response.content.decode()
    assert client.get(reverse("signalling:rules") + "?version=9").status_code == 404
    assert client.get(reverse("signalling:rules") + "?version=abc").status_code == 404
    # A digit that int() refuses (a 500 before) and a number too long for the database.
    assert client.get(reverse("signalling:rules") + "?version=²").status_code == 404
    assert client.get(reverse("signalling:rules") + "?version=" + "9" * 40).status_code == 404


def test_rules_page_without_rules_says_so(client, catalogue):
    response = client.get(reverse("signalling:rules"))
    assert response.status_code == 200
    assert "nog geen gepubliceerde" in response.content.decode()


def test_the_load_command(catalogue):
    import io

    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("load_signalling", stdout=out)
    assert "grading rules version 1: loaded" in out.getvalue()
    call_command("load_signalling", stdout=out)
    assert "already there, left alone" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("load_signalling", rules="/does/not/exist.json", stdout=out)
