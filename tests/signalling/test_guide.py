"""The Wegwijzer preconceptie: the tree as data, every path to an outcome, the local services at
each outcome, errors, nothing stored, and a query cap."""

from __future__ import annotations

import copy
import json
import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from kansrijk.signalling.exceptions import InvalidRuleSet, PublishedVersionImmutable
from kansrijk.signalling.models import DecisionAnswer, DecisionNode, DecisionTree
from kansrijk.signalling.services import DEFAULT_GUIDE_FILE, load_default_guide, load_tree
from tests.signalling.conftest import SMALLINGERLAND, row_counts

pytestmark = pytest.mark.django_db

URL = reverse("signalling:guide")
GUIDE = json.loads(DEFAULT_GUIDE_FILE.read_text(encoding="utf-8"))


def _get(client, *answers, **params):
    """The page for these answers, as the browser asks for it: the answers posted."""
    data = {"answer": list(answers), **params}
    return client.post(URL, data).content.decode()


@pytest.fixture
def services(default_guide):
    from tests.directory.factories import ServiceFactory

    return {
        "consult": ServiceFactory(
            name="Kinderwensspreekuur De Wieken",
            municipalities=[SMALLINGERLAND],
            categories=["preconceptiezorg"],
            postcode="9203",
            referral_methods=["zorgdomein"],
        ),
        "nnz": ServiceFactory(
            name="Nu Niet Zwanger GGD Fryslân",
            description="Nu Niet Zwanger: begeleiding bij kinderwens en anticonceptie.",
            municipalities=[SMALLINGERLAND],
            categories=["onbedoelde-zwangerschap"],
            postcode="9203",
            referral_methods=["secure_mail"],
        ),
        "anticonceptie": ServiceFactory(
            name="Anticonceptiespreekuur Drachten",
            municipalities=[SMALLINGERLAND],
            categories=["onbedoelde-zwangerschap"],
            postcode="9203",
        ),
        "elsewhere": ServiceFactory(
            name="Kinderwensspreekuur Rotterdam",
            municipalities=["GM0599"],
            categories=["preconceptiezorg"],
            postcode=None,
        ),
    }


def test_the_guide_loads_once(places):
    assert load_default_guide() == {"slug": "wegwijzer-preconceptie", "version": 1, "created": True}
    counts = (
        DecisionTree.objects.count(),
        DecisionNode.objects.count(),
        DecisionAnswer.objects.count(),
    )
    assert counts == (1, 6, 5)
    assert load_default_guide()["created"] is False
    assert (
        DecisionTree.objects.count(),
        DecisionNode.objects.count(),
        DecisionAnswer.objects.count(),
    ) == counts


def test_a_published_guide_cannot_change(default_guide):
    node = DecisionNode.objects.get(code="kinderwens")
    node.title = "Anders"
    with pytest.raises(PublishedVersionImmutable):
        node.save()
    with pytest.raises(PublishedVersionImmutable):
        DecisionAnswer.objects.all().delete()
    with pytest.raises(PublishedVersionImmutable):
        DecisionTree.objects.get().delete()


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(root="bestaat-niet"),
        lambda d: d["nodes"].append({"code": "los", "title": "Niet bereikbaar"}),
        lambda d: d["nodes"][0]["answers"].append({"code": "x", "label": "X", "to": "nergens"}),
        lambda d: d["nodes"].append(copy.deepcopy(d["nodes"][2])),
    ],
)
def test_a_broken_tree_is_refused_and_nothing_is_written(places, change):
    data = copy.deepcopy(GUIDE)
    change(data)
    with pytest.raises(InvalidRuleSet):
        load_tree(data)
    assert not DecisionTree.objects.exists()
    assert not DecisionNode.objects.exists()


def test_the_first_question(client, default_guide):
    text = _get(client)
    assert "Wegwijzer preconceptie" in text
    assert re.search(r"<legend[^>]*>Wil je het komende jaar zwanger worden\?</legend>", text)
    assert text.count('type="radio" id="answer-') == 3
    for label in ("Ja", "Misschien, of weet ik nog niet", "Nee"):
        assert f'">{label}</label>' in text
    assert '<input type="hidden" name="asked" value="kinderwens">' in text
    assert "Volgende" in text


@pytest.mark.parametrize(
    ("answers", "title", "expected"),
    [
        (["ja"], "Individuele preconceptiezorg", "https://www.zwangerwijzer.nl/"),
        (
            ["misschien"],
            "Informatie over gezond zwanger worden",
            "https://www.strakszwangerworden.nl/",
        ),
        (["nee", "nee"], "Onbedoelde zwangerschap voorkomen", "anticonceptie"),
        (["nee", "ja"], "Nu Niet Zwanger bij de GGD", "https://www.nunietzwanger.nl/"),
    ],
)
def test_every_path_ends_in_an_outcome(client, default_guide, answers, title, expected):
    text = _get(client, *answers)
    assert f'<h2 class="utrecht-heading-2" id="outcome-heading">{title}</h2>' in text
    assert expected in text
    assert "Uw antwoorden" in text
    # Without a place the outcome asks for one.
    assert "Toon hulp in de buurt" in text
    for answer in answers:
        assert f'<input type="hidden" name="answer" value="{answer}">' in text


def test_no_leads_to_the_question_about_complex_problems(client, default_guide):
    text = _get(client, "nee")
    assert "Spelen er meerdere complexe problemen tegelijk?" in text
    # The way back to the first question posts the answers before it: none.
    change = re.search(r'<form[^>]*class="kr-sig-change"[^>]*>(.*?)</form>', text, re.S)
    assert change
    assert "Wijzigen" in change.group(1)
    assert 'name="answer"' not in change.group(1)


def test_the_answers_never_travel_in_an_address(client, services):
    """The answers (a wish to become pregnant, "several complex problems at once") and the
    place are posted: in an address they would land in server and proxy logs and the browser
    history. Answers in an address are not read, and the address is cleaned."""
    response = client.get(URL + "?" + urlencode([("answer", "nee"), ("answer", "ja")]))
    assert (response.status_code, response["Location"]) == (302, URL)
    for answers, params in [
        ([], {}),
        (["nee"], {"postcode": "9203"}),
        (["nee", "ja"], {}),
        (["nee", "ja"], {"municipality": SMALLINGERLAND}),
    ]:
        text = _get(client, *answers, **params)
        main = text[text.index("<main") : text.index("</main>")]
        assert not re.search(r"href=\"[^\"]*\?[^\"]*(answer|postcode|municipality)=", main)
        forms = re.findall(r"<form[^>]*>", main)
        assert forms
        assert all('method="post"' in form for form in forms), forms


@pytest.mark.parametrize(
    ("answers", "params", "shown", "not_shown"),
    [
        (
            ["ja"],
            {"municipality": SMALLINGERLAND},
            ["Kinderwensspreekuur De Wieken"],
            ["Rotterdam"],
        ),
        (
            ["misschien"],
            {"postcode": "9203"},
            ["Kinderwensspreekuur De Wieken"],
            ["Nu Niet Zwanger GGD"],
        ),
        (
            ["nee", "nee"],
            {"municipality": SMALLINGERLAND},
            ["Anticonceptiespreekuur Drachten"],
            ["Kinderwensspreekuur"],
        ),
        (
            ["nee", "ja"],
            {"municipality": SMALLINGERLAND},
            ["Nu Niet Zwanger GGD Fryslân"],
            ["Anticonceptiespreekuur"],
        ),
    ],
)
def test_each_outcome_shows_the_local_services(client, services, answers, params, shown, not_shown):
    text = _get(client, *answers, **params)
    assert "Hulp in Smallingerland" in text
    for name in shown:
        assert name in text
    for name in not_shown:
        assert name not in text
    # Each service says how to refer (its referral methods from the social map).
    cards = text.count('<article class="kr-card kr-sig-service"')
    assert cards >= len(shown)
    assert text.count('class="utrecht-paragraph kr-sig-subhead"') == cards


def test_no_local_service_says_so(client, default_guide):
    text = _get(client, "ja", municipality="GM0599")
    assert "De sociale kaart heeft hiervoor nog geen aanbod in Rotterdam." in text


def test_the_place_travels_along_the_questions(client, services):
    text = _get(client, "nee", municipality=SMALLINGERLAND)
    assert '<input type="hidden" name="municipality" value="GM0090">' in text
    text = _get(client, "nee", postcode="9203 AB")
    assert '<input type="hidden" name="postcode" value="9203">' in text


@pytest.mark.parametrize(
    ("answers", "params", "message"),
    [
        (["later"], {}, "Dat antwoord hoort niet bij deze vraag."),
        (["nee", "misschien"], {}, "Dat antwoord hoort niet bij deze vraag."),
        ([], {"asked": "kinderwens"}, "Kies een antwoord."),
        (["ja"], {"postcode": "12"}, "Vul een postcode in van vier cijfers"),
        (["ja"], {"municipality": "GM9999"}, "Kies een gemeente uit de lijst."),
    ],
)
def test_bad_input_gives_a_clear_dutch_error(client, default_guide, answers, params, message):
    text = _get(client, *answers, **params)
    assert message in text


def test_an_answer_that_does_not_fit_stops_at_the_last_good_question(client, default_guide):
    text = _get(client, "nee", "misschien")
    assert "Spelen er meerdere complexe problemen tegelijk?" in text
    assert "<title>Fout:" in text


def test_nothing_is_stored(client, services):
    before = row_counts()
    _get(client)
    _get(client, "nee", "ja", municipality=SMALLINGERLAND)
    _get(client, "ja", postcode="12")
    assert row_counts() == before


def test_query_cap(client, services, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        _get(client, "nee")
    with django_assert_max_num_queries(14):
        _get(client, "nee", "ja", postcode="9203")


def test_without_a_published_guide(client, places):
    assert "De wegwijzer preconceptie is nog niet gepubliceerd." in _get(client)
