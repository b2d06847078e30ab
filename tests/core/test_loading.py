"""The shared parts of the loads of reference data (``core.loading``): the report line, the
names of a list's objects, the checks of an identifying slug, the reading of a source file."""

from __future__ import annotations

from pathlib import Path

import pytest

from kansrijk.core.loading import LoadCounts, read_source, slug_problems, source_objects


def test_report_names_the_counts_of_one_table() -> None:
    counts = LoadCounts(total=41, created=2, updated=1, unchanged=38, not_in_source=0)
    assert counts.report("situations") == (
        "situations: 41 in the file, 2 created, 1 updated, 38 unchanged"
    )


def test_report_names_the_rows_the_source_no_longer_has() -> None:
    counts = LoadCounts(total=342, created=0, updated=0, unchanged=342, not_in_source=3)
    assert counts.report("municipalities", "the files") == (
        "municipalities: 342 in the files, 0 created, 0 updated, 342 unchanged, "
        "3 in the database but not in the files (kept)"
    )


def test_source_objects_are_named_by_key_or_place_and_skip_what_is_no_object() -> None:
    problems: list[str] = []
    items = [{"code": "roken"}, "roken", {"code": 7}, {"name": "Stress"}]
    named = list(
        source_objects(items, problems, list_name="situations", kind="situation", key="code")
    )
    assert named == [
        ("situation 'roken'", {"code": "roken"}),
        ("situations[2]", {"code": 7}),
        ("situations[3]", {"name": "Stress"}),
    ]
    assert problems == ["situations[1]: must be an object."]
    assert [where for where, _ in source_objects(items[:1], [], list_name="life_domains")] == [
        "life_domains[0]"
    ]


def test_slug_problems_accepts_a_new_slug_once() -> None:
    seen: set[str] = set()
    assert slug_problems("situation 'a'", "code", "geld-zorgen", seen, 60) == []
    assert seen == {"geld-zorgen"}
    assert slug_problems("situation 'b'", "code", "geld-zorgen", seen, 60) == [
        "situation 'b': duplicate code 'geld-zorgen'."
    ]


@pytest.mark.parametrize("value", ["Geld Zorgen", "geld--zorgen", "-geld", 7, None, "a" * 61])
def test_slug_problems_refuses_what_is_not_a_slug(value: object) -> None:
    seen: set[str] = set()
    assert slug_problems("x", "code", value, seen, 60) == [
        f"x: code {value!r} is not a slug (a-z, 0-9, hyphens)."
    ]
    assert seen == set()


class SourceError(Exception):
    pass


def test_read_source_names_a_missing_or_broken_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="Catalogue file not found"):
        read_source(tmp_path / "missing.json", SourceError, "Catalogue")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(SourceError, match=r"Catalogue file broken\.json is not valid JSON"):
        read_source(broken, SourceError, "Catalogue")
    good = tmp_path / "good.json"
    good.write_text('{"a": [1]}', encoding="utf-8")
    assert read_source(good, SourceError, "Catalogue") == {"a": [1]}
