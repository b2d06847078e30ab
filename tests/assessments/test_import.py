"""`kansrijk import-instrument`: the shipped instruments, versions, and precise all-or-nothing
reports of bad documents."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from kansrijk.assessments.documents import SCHEMA, schema_json, validate
from kansrijk.assessments.importing import (
    INSTRUMENT_DIR,
    InstrumentImportFailed,
    import_instrument,
    load_shipped,
)
from kansrijk.assessments.models import Instrument, InstrumentVersion, Statement

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "assessments.md"


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def document(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "code": "proef",
        "name": "Proefinstrument",
        "version": "1",
        "kind": "coalition",
        "scale": {"min": 1, "max": 3, "labels": ["laag", "midden", "hoog"], "allow_unknown": True},
        "parts": [
            {
                "code": "a",
                "name": "Deel A",
                "statements": [{"code": "A1", "text": "Stelling een."}],
            },
            {
                "code": "b",
                "name": "Deel B",
                "statements": [{"code": "B1", "text": "Stelling twee."}],
            },
        ],
    }
    doc.update(changes)
    return doc


def write(tmp_path: Path, doc: Any, name: str = "instrument.json") -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


def test_the_shipped_instruments_load_and_load_again_without_change() -> None:
    first = load_shipped()
    assert [r.created for r in first] == [True, True, True]
    again = load_shipped()
    assert [r.created for r in again] == [False, False, False]
    assert InstrumentVersion.objects.count() == 3
    analysetool = Instrument.objects.get(code="analysetool")
    version = analysetool.current_version
    assert version is not None
    # The structure the programme publishes: three parts on a five-point scale.
    assert [p.name for p in version.parts.order_by("position")] == [
        "Problematiek",
        "Opgaven & aanpak",
        "Samenwerking lokale coalities & het palet van interventies",
    ]
    assert (version.scale_min, version.scale_max) == (1, 5)
    assert version.allow_unknown
    checklist = Instrument.objects.get(code="checklist-regionale-samenwerking").current_version
    assert checklist is not None
    assert checklist.scale_labels == ["nee", "deels", "ja"]
    assert Instrument.objects.get(code="zelfscan").kind == "professional"


def test_shipped_statements_are_labelled_as_example_text() -> None:
    load_shipped()
    for version in InstrumentVersion.objects.all():
        assert version.is_example
        assert "VOORBEELDTEKST" in version.source


def test_a_changed_text_is_a_new_version_and_earlier_rounds_keep_theirs() -> None:
    import_instrument(document())
    changed = document(version="2")
    changed["parts"][0]["statements"][0]["text"] = "Een andere stelling."
    result = import_instrument(changed)
    assert result.created
    instrument = Instrument.objects.get(code="proef")
    assert instrument.versions.count() == 2
    assert instrument.current_version == result.version
    assert result.version.number == 2
    old = instrument.versions.get(number=1)
    assert old.statements.get(code="A1").text == "Stelling een."
    assert result.version.statements.get(code="A1").text == "Een andere stelling."


def test_the_same_version_with_other_text_is_refused_and_changes_nothing() -> None:
    import_instrument(document())
    changed = document()
    changed["parts"][1]["statements"][0]["text"] = "Anders."
    with pytest.raises(InstrumentImportFailed) as failure:
        import_instrument(changed)
    assert [p.path for p in failure.value.problems] == ["version"]
    assert "imported before with other content" in failure.value.problems[0].message
    assert InstrumentVersion.objects.count() == 1
    assert Statement.objects.get(code="B1").text == "Stelling twee."


def test_layout_and_spacing_do_not_make_a_new_version() -> None:
    import_instrument(document())
    spaced = copy.deepcopy(document())
    spaced["parts"][0]["statements"][0]["text"] = "  Stelling   een. "
    assert not import_instrument(spaced).created


def test_kind_cannot_change() -> None:
    import_instrument(document())
    with pytest.raises(InstrumentImportFailed) as failure:
        import_instrument(document(version="2", kind="regional"))
    assert failure.value.problems[0].path == "kind"


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ([], [("$", "must be a JSON object")]),
        (document(extra=1), [("$", "Unknown key(s): extra.")]),
        ({k: v for k, v in document().items() if k != "parts"}, [("$", "parts is missing.")]),
        (document(kind="lokaal"), [("kind", "Must be one of")]),
        (document(code="Met Spatie"), [("code", "is not a valid code")]),
        (
            document(scale={"min": 1, "max": 5, "labels": ["a", "b"], "allow_unknown": True}),
            [("scale.labels", "5 labels for 1 to 5, not 2")],
        ),
        (
            document(scale={"min": 3, "max": 3, "labels": ["a", "b"], "allow_unknown": True}),
            [("scale.max", "higher than scale.min")],
        ),
        (
            document(
                parts=[
                    {"code": "a", "name": "A", "statements": [{"code": "S", "text": "x"}]},
                    {"code": "a", "name": "B", "statements": [{"code": "S", "text": " "}]},
                ]
            ),
            [
                ("parts[1].code", "Part code 'a' occurs twice (also parts[0])"),
                ("parts[1].statements[0].code", "occurs twice (also parts[0].statements[0])"),
                ("parts[1].statements[0].text", "Must not be empty"),
            ],
        ),
        (
            document(parts=[{"code": "a", "name": "A", "statements": []}]),
            [("parts[0].statements", "Must not be empty")],
        ),
        (
            document(parts=[{"code": "a", "name": "A", "statements": [{"code": "S", "text": 5}]}]),
            [("parts[0].statements[0].text", "Must be of type string")],
        ),
    ],
)
def test_problems_name_the_place_and_the_reason(doc: Any, expected: list[tuple[str, str]]) -> None:
    problems = validate(doc)
    assert len(problems) == len(expected), problems
    for problem, (path, text) in zip(problems, expected, strict=True):
        assert problem.path == path
        assert text in problem.message


def test_the_command_reports_every_problem_and_writes_nothing(tmp_path: Path, capsys: Any) -> None:
    good = write(tmp_path, document(), "good.json")
    bad = document(code="tweede")
    bad["parts"][0]["statements"].append({"code": "A1", "text": "Dubbel."})
    bad_path = write(tmp_path, bad, "bad.json")
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_instrument", str(good), str(bad_path))
    err = capsys.readouterr().err
    assert f"{bad_path}: parts[0].statements[1].code: Statement code 'A1' occurs twice" in err
    # All or nothing over the files: the good one was not imported either.
    assert not Instrument.objects.exists()


def test_the_command_imports_and_says_what_it_did(tmp_path: Path, capsys: Any) -> None:
    path = write(tmp_path, document())
    call_command("import_instrument", str(path))
    assert "proef 1 (new version; 2 parts, 2 statements)" in capsys.readouterr().out
    call_command("import_instrument", str(path))
    assert "already loaded, unchanged" in capsys.readouterr().out
    call_command("import_instrument", str(write(tmp_path, document(version="2"))), "--dry-run")
    assert Instrument.objects.get().versions.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "{not json",
            "Not valid JSON: Expecting property name enclosed in double quotes (line 1, column 2)",
        ),
        ("[" * 5000 + "]" * 5000, "nested more than 64 levels deep"),
    ],
)
def test_files_that_are_not_json(tmp_path: Path, capsys: Any, content: str, message: str) -> None:
    with pytest.raises(CommandError):
        call_command("import_instrument", str(write(tmp_path, content)))
    assert message in capsys.readouterr().err


def test_files_that_cannot_be_read(tmp_path: Path, capsys: Any, settings: Any) -> None:
    settings.IMPORT_MAX_FILE_MB = 1
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"name": "Coöperatie"}'.encode("latin-1"))
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (1024 * 1024 + 1))
    for path, message in [
        (latin, "not UTF-8"),
        (big, "at most 1.0 MB can be imported"),
        (tmp_path / "missing.json", "Cannot read the file"),
    ]:
        with pytest.raises(CommandError):
            call_command("import_instrument", str(path))
        assert message in capsys.readouterr().err


def test_the_shipped_files_and_the_docs_follow_the_schema(capsys: Any) -> None:
    for path in INSTRUMENT_DIR.glob("*.json"):
        assert validate(json.loads(path.read_text(encoding="utf-8"))) == [], path
    call_command("import_instrument", "--schema")
    assert json.loads(capsys.readouterr().out) == SCHEMA
    # docs/assessments.md shows the schema exactly as the importer uses it.
    assert schema_json() in DOCS.read_text(encoding="utf-8")
