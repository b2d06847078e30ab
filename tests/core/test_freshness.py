"""The one freshness mechanism (``kansrijk.core.freshness``): version tokens, kept values, markup
versions."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from kansrijk.core import freshness
from kansrijk.core.models import DataVersion


@pytest.fixture
def kept() -> Iterator[freshness.Kept[str, str]]:
    made = freshness.Kept("tests.kept", seconds=60.0, size=3, kinds=("directory",))
    yield made
    freshness._registry.pop("tests.kept")


# --- Kept values ---------------------------------------------------------------------------------


def test_a_kept_value_expires(kept: freshness.Kept[str, str], db: None) -> None:
    kept.put("a", "1")
    assert kept.get("a") == "1"
    kept.seconds = 0.0
    time.sleep(0.001)
    assert kept.get("a") is None
    assert kept.get_many(["a"]) == {}


def test_the_longest_kept_go_first(kept: freshness.Kept[str, str], db: None) -> None:
    for key in "abcd":
        kept.put(key, key.upper())
    assert len(kept) == 3
    assert kept.get("a") is None
    kept.put("b", "B2")  # stored again: the youngest now
    kept.put("e", "E")
    assert kept.as_dict() == {"d": "D", "b": "B2", "e": "E"}


def test_get_or_make_makes_once(kept: freshness.Kept[str, str], db: None) -> None:
    made = []
    for _ in range(3):
        kept.get_or_make("x", lambda: made.append(1) or "value")
    assert made == [1]


def test_forget_all_empties_every_kept_cache(kept: freshness.Kept[str, str], db: None) -> None:
    import kansrijk.directory.page_selectors  # noqa: F401

    kept.put("a", "1")
    other = freshness.registered()["directory.search-choices"]
    other.put("municipalities", [("GM0090", "Smallingerland")])
    freshness.forget_all()
    assert len(kept) == 0
    assert len(other) == 0


def test_every_cache_of_the_app_is_registered() -> None:
    """The caches that issue 13 counted, each under its name (the test fixture forgets them
    all with one call)."""
    import kansrijk.accounts.signed_in
    import kansrijk.directory.views
    import kansrijk.parents.readability
    import kansrijk.pathways.steps
    import kansrijk.referrals.templatetags.referrals_tags
    import kansrijk.referrals.workdays
    import kansrijk.signalling.api  # noqa: F401

    names = set(freshness.registered())
    assert {
        "accounts.signed-in-users",
        "accounts.signed-in-devices",
        "directory.cards",
        "directory.search-index",
        "directory.search-choices",
        "directory.search-skeletons",
        "places.postcode-areas",
        "pathways.municipality-tables",
        "pathways.version-steps",
        "pathways.step-services",
        "signalling.rules",
        "signalling.offers",
        "referrals.form-fields",
        "referrals.holidays",
        "parents.word-frequencies",
    } <= names


def test_names_and_kinds_are_checked() -> None:
    import kansrijk.directory.search.cards  # noqa: F401

    with pytest.raises(ValueError, match="exists already"):
        freshness.Kept("directory.cards", seconds=1.0, size=1)
    with pytest.raises(KeyError, match="unknown kind"):
        freshness.Kept("tests.unknown", seconds=1.0, size=1, kinds=("weather",))
    with pytest.raises(KeyError, match="unknown kind"):
        freshness.bump("weather")


# --- Version tokens ------------------------------------------------------------------------------


def test_a_write_in_this_process_empties_what_was_kept_at_once(
    kept: freshness.Kept[str, str], db: None
) -> None:
    from tests.directory.factories import DirectoryOrganizationFactory

    kept.put("a", "1")
    before = freshness.token(["directory"])
    DirectoryOrganizationFactory()  # a save of the social map: its signal bumps the token
    assert freshness.token(["directory"]) != before
    assert kept.get("a") is None


def test_another_process_s_write_shows_within_the_token_time(
    kept: freshness.Kept[str, str],
    monkeypatch: pytest.MonkeyPatch,
    written_elsewhere: Callable[[str], None],
) -> None:
    kept.put("a", "1")
    before = freshness.token(["directory"])
    written_elsewhere("directory")
    with CaptureQueriesContext(connection) as queries:
        assert kept.get("a") == "1"  # the numbers read less than TOKEN_SECONDS ago still hold
        assert freshness.token(["directory"]) == before
    assert not queries.captured_queries
    monkeypatch.setattr(freshness, "TOKEN_SECONDS", 0.0)
    assert kept.get("a") is None
    assert freshness.token(["directory"]) != before


def test_a_kind_s_token_does_not_follow_other_kinds(
    kept: freshness.Kept[str, str], db: None
) -> None:
    kept.put("a", "1")
    directory = freshness.token(["directory"])
    freshness.bump("pathways")
    assert freshness.token(["directory"]) == directory
    assert kept.get("a") == "1"


def test_on_change_is_told_instead_of_forgetting(db: None) -> None:
    told: list[tuple[str, str]] = []
    kept = freshness.Kept(
        "tests.told",
        seconds=60.0,
        size=5,
        kinds=("pathways",),
        on_change=lambda cache, old, new: told.append((old, new)),
    )
    try:
        kept.put("a", "1")
        assert kept.get("a") == "1"
        freshness.bump("pathways")
        assert kept.get("a") == "1"
        assert len(told) == 1
        assert told[0][0] != told[0][1]
    finally:
        freshness._registry.pop("tests.told")


@pytest.mark.django_db(transaction=True)
def test_a_commit_raises_the_number_once_per_kind() -> None:
    """Thousands of saves in one transaction raise the number once, after the commit; a
    rolled-back transaction raises nothing."""
    from kansrijk.places.models import Province

    def number() -> int:
        row = DataVersion.objects.filter(kind="places").first()
        return row.version if row else 0

    start = number()
    with transaction.atomic():
        for index in range(20):
            Province.objects.create(code=f"Q{index:03d}", name=f"Provincie {index}")
        assert number() == start  # not before the commit
    assert number() == start + 1

    def rolled_back() -> None:
        with transaction.atomic():
            Province.objects.create(code="Q999", name="Teruggedraaid")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        rolled_back()
    assert number() == start + 1
    Province.objects.filter(code__startswith="Q").delete()  # outside a transaction: at once
    assert number() == start + 2


def test_a_delete_bumps_its_kind_and_other_models_delete_without_reading_rows(
    places: None,
) -> None:
    """Deleting a watched model's rows raises its kind. The receivers listen to the models of
    ``KINDS`` only: rows of any other model are deleted in one statement, not read first to
    be sent to a receiver (a purge of the access log or of old referrals reads nothing)."""
    from kansrijk.places.models import Province
    from kansrijk.referrals.models import IdempotencyRecord
    from tests.factories import UserFactory

    Province.objects.create(code="Q001", name="Weg te halen")
    before = freshness.token(["places"])
    Province.objects.filter(code="Q001").delete()
    assert freshness.token(["places"]) != before

    user = UserFactory()
    IdempotencyRecord.objects.bulk_create(
        IdempotencyRecord(
            user=user,
            key=f"key-{index}",
            request_hash="0" * 64,
            response_status=201,
            response_type="Task",
            response_id=str(index),
        )
        for index in range(5)
    )
    with CaptureQueriesContext(connection) as queries:
        assert IdempotencyRecord.objects.filter(user=user).delete()[0] == 5
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) == 1, statements
    assert statements[0].startswith("DELETE"), statements


def test_a_link_of_a_model_named_alone_bumps_its_kind(places: None) -> None:
    """``coalitions`` names one model (``coalitions.Coalition``): its own many-to-many links
    (the municipalities) count as its writes too."""
    from kansrijk.coalitions.models import Coalition
    from kansrijk.places.models import Municipality

    coalition = Coalition.objects.create(name="Kansrijke Start Opsterland")
    before = freshness.token(["coalitions"])
    coalition.municipalities.set(Municipality.objects.filter(code="GM0086"))
    assert freshness.token(["coalitions"]) != before


def test_bulk_writes_bump_their_kind(places: None) -> None:
    from kansrijk.places.models import Municipality
    from kansrijk.places.services import load_reference_data

    Municipality.objects.filter(code="GM0090").update(name="Drachten e.o.")  # no signal
    before = freshness.token(["places"])
    load_reference_data()  # puts the name back with bulk_update, which sends no signals
    assert freshness.token(["places"]) != before


# --- Markup versions -----------------------------------------------------------------------------


def _templates_in(folder: Path) -> dict[str, object]:
    from django.conf import settings

    engine = dict(settings.TEMPLATES[0])
    engine["DIRS"] = [str(folder), *engine.get("DIRS", [])]
    return {"TEMPLATES": [engine, *settings.TEMPLATES[1:]]}


def test_the_markup_version_follows_the_templates_it_includes(tmp_path: Path) -> None:
    card = freshness.markup_version("directory/_card.html")
    assert card == freshness.markup_version("directory/_card.html")
    assert len(card) == 12
    # ``_card.html`` includes ``_badges.html``: a change there is a new version of the card.
    folder = tmp_path / "directory"
    folder.mkdir()
    (folder / "_badges.html").write_text("<p>nieuw</p>")
    with override_settings(**_templates_in(tmp_path)):
        assert freshness.markup_version("directory/_card.html") != card
        assert freshness.markup_version("directory/_search_update.html") != card
    assert freshness.markup_version("directory/_card.html") == card


#: Module-level caches that stay outside ``freshness``, and why.
OUTSIDE_FRESHNESS = {
    # The HSDS JSON Schemas shipped inside the app: files that never change while a process runs
    # and take long to parse; forgetting them between tests would only cost time.
    "directory/hsds/schemas.py",
}


def test_no_module_level_cache_outside_freshness() -> None:
    """Every cache a module keeps is a ``Kept`` or a ``memo`` (issue 13, point 1): no
    ``functools.lru_cache`` / ``functools.cache`` anywhere else, so ``forget_all`` empties them
    all and docs/development.md's list stays complete."""
    import ast

    source = Path(freshness.__file__).resolve().parents[1]
    found = []
    for path in sorted(source.rglob("*.py")):
        relative = path.relative_to(source).as_posix()
        if relative in OUTSIDE_FRESHNESS or relative == "core/freshness.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in {"lru_cache", "cache"}
                and isinstance(node.value, ast.Name)
                and node.value.id == "functools"
            ):
                found.append(f"{relative}:{node.lineno}")
            if isinstance(node, ast.ImportFrom) and node.module == "functools":
                names = {alias.name for alias in node.names}
                if names & {"lru_cache", "cache"}:
                    found.append(f"{relative}:{node.lineno}")
    assert not found, f"use kansrijk.core.freshness.Kept or memo instead: {found}"


def test_changed_kinds_names_the_kinds_whose_number_or_mark_moved() -> None:
    old = "directory=4,interventions=2,situations=7"
    assert freshness.changed_kinds(old, old) == set()
    assert freshness.changed_kinds(old, "directory=5,interventions=2,situations=7") == {"directory"}
    # This process's own write, before the committed number is read, carries its mark.
    own = "directory=4~123.abcd1234.1,interventions=3,situations=7"
    assert freshness.changed_kinds(old, own) == {"directory", "interventions"}
    assert freshness.changed_kinds("", "places=1") == {"places"}
