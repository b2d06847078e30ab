"""Values written to spreadsheets never run as formulas (kansrijk.core.spreadsheets)."""

from __future__ import annotations

import ast
import csv
import datetime
import io
import uuid
import zipfile
from pathlib import Path

import pytest
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook

from kansrijk.core.spreadsheets import (
    append_xlsx_row,
    csv_row,
    csv_value,
    looks_like_formula,
    set_xlsx_cell,
)

FORMULAS = ["=1+1", "+31 6 1234", "-2+3", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("x")']


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_like_texts_are_recognised(text):
    assert looks_like_formula(text)


@pytest.mark.parametrize("value", ["Kansrijk", " =1", "", None, -5, 3.5, datetime.date.today()])
def test_other_values_are_not(value):
    assert not looks_like_formula(value)


def test_csv_cells_get_an_apostrophe_and_numbers_stay_numbers():
    day = datetime.date(2026, 12, 5)
    ident = uuid.UUID(int=1)
    assert csv_row(["=1+1", "gewoon", -5, None, day, ident, gettext_lazy("-x")]) == [
        "'=1+1",
        "gewoon",
        -5,
        "",
        day,
        str(ident),
        "'-x",
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerow(csv_row(['=HYPERLINK("https://example.org")', "@a"]))
    assert buffer.getvalue() == '"\'=HYPERLINK(""https://example.org"")",\'@a\r\n'
    assert csv_value("+") == "'+"


def _saved(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("write_only", [False, True])
def test_xlsx_rows_store_formula_like_texts_as_quoted_text(write_only):
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("Blad")
    append_xlsx_row(sheet, [*FORMULAS, "gewoon", -5, None])
    content = _saved(workbook)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        xml = "".join(archive.read(name).decode() for name in names)
    assert "<f>" not in xml  # no formula anywhere
    read = load_workbook(io.BytesIO(content))["Blad"]
    cells = next(read.iter_rows(min_row=1, max_row=1))
    # (XML stores a carriage return as a line feed.)
    expected = [text.replace("\r", "\n") for text in FORMULAS]
    assert [c.value for c in cells[: len(FORMULAS) + 2]] == [*expected, "gewoon", -5]
    assert all(c.data_type == "s" and c.quotePrefix for c in cells[: len(FORMULAS)])
    assert cells[len(FORMULAS) + 1].data_type == "n"


def test_single_xlsx_cells_too():
    workbook = Workbook()
    sheet = workbook.active
    set_xlsx_cell(sheet, row=2, column=3, value="=cmd|' /C calc'!A0")
    set_xlsx_cell(sheet, row=2, column=4, value=7)
    read = load_workbook(io.BytesIO(_saved(workbook))).active
    assert (read["C2"].value, read["C2"].data_type) == ("=cmd|' /C calc'!A0", "s")
    assert (read["D2"].value, read["D2"].data_type) == (7, "n")


# --- Every writer in src/ goes through this module ---------------------------------------------

SRC = Path(__file__).resolve().parents[2] / "src" / "kansrijk"
SHARED = SRC / "core" / "spreadsheets.py"
WRITERS = {"writer", "DictWriter", "Workbook"}


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _calls(node: ast.AST, name: str) -> bool:
    return any(isinstance(sub, ast.Call) and _name(sub.func) == name for sub in ast.walk(node))


def _safe_csv_row(arg: ast.AST, neutralisers: set[str]) -> bool:
    """A row for ``writerow``: ``csv_row(...)``, a constant header, or cells each made by a
    function that neutralises (``csv_value`` or a function of the module that calls it)."""
    if isinstance(arg, ast.Call) and _name(arg.func) == "csv_row":
        return True
    if isinstance(arg, ast.Name) and arg.id.isupper():
        return True
    if isinstance(arg, (ast.List, ast.Tuple)):
        return all(
            isinstance(item, ast.Constant)
            or (isinstance(item, ast.Call) and _name(item.func) in neutralisers)
            for item in arg.elts
        )
    if isinstance(arg, (ast.ListComp, ast.GeneratorExp)):
        return isinstance(arg.elt, ast.Call) and _name(arg.elt.func) in neutralisers
    return False


def spreadsheet_writer_problems(path: Path, root: Path = SRC.parent) -> list[str]:
    """Where a module writes CSV or .xlsx cells without ``kansrijk.core.spreadsheets``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    if not any(_name(call.func) in WRITERS for call in calls):
        return []
    where = path.relative_to(root)
    problems = []
    if not any(
        isinstance(node, ast.ImportFrom) and node.module == "kansrijk.core.spreadsheets"
        for node in ast.walk(tree)
    ):
        problems.append(f"{where}: writes a spreadsheet without kansrijk.core.spreadsheets")
    neutralisers = {"csv_value"} | {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and _calls(node, "csv_value")
    }
    sheets = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and (
            (isinstance(node.value, ast.Call) and _name(node.value.func) == "create_sheet")
            or (isinstance(node.value, ast.Attribute) and node.value.attr == "active")
        )
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    for call in calls:
        method = _name(call.func)
        owner = call.func.value if isinstance(call.func, ast.Attribute) else None
        line = f"{where}:{call.lineno}"
        if method == "writerows":
            problems.append(f"{line}: writerows; write each row with csv_row")
        elif method == "writerow" and not (call.args and _safe_csv_row(call.args[0], neutralisers)):
            problems.append(f"{line}: a CSV row not made by csv_row or csv_value")
        elif method == "append" and isinstance(owner, ast.Name) and owner.id in sheets:
            problems.append(f"{line}: {owner.id}.append; use append_xlsx_row")
        elif (
            method == "cell"
            and owner is not None
            and (len(call.args) > 2 or any(keyword.arg == "value" for keyword in call.keywords))
        ):
            problems.append(f"{line}: a cell value set directly; use set_xlsx_cell")
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Attribute) and target.attr == "value" for target in node.targets
        ):
            problems.append(f"{where}:{node.lineno}: a cell value set directly; use set_xlsx_cell")
    return problems


def test_every_spreadsheet_writer_goes_through_the_shared_module():
    """Every .csv and .xlsx the app writes neutralises formulas: a module that makes a
    ``csv.writer``/``DictWriter`` or an openpyxl ``Workbook`` imports this module and writes its
    rows and cells through it (new exports included: this fails until they do)."""
    modules = [path for path in SRC.rglob("*.py") if path != SHARED]
    problems = [problem for path in modules for problem in spreadsheet_writer_problems(path)]
    assert problems == []
    writers = [path for path in modules if _writes(path)]
    assert len(writers) >= 4  # the check sees the known writers (audit, monitoring, ...)


def _writes(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.Call) and _name(node.func) in WRITERS for node in ast.walk(tree)
    )


def test_the_writer_check_catches_a_raw_write(tmp_path):
    module = tmp_path / "export.py"
    source = (
        "import csv\nfrom openpyxl import Workbook\n"
        "def export(rows, out):\n"
        "    writer = csv.writer(out)\n"
        "    writer.writerow(rows[0])\n"
        "    book = Workbook()\n"
        "    sheet = book.active\n"
        "    sheet.append(rows[1])\n"
        "    sheet.cell(1, 1, rows[2])\n"
        "    sheet['A2'].value = rows[3]\n"
    )
    module.write_text(source, encoding="utf-8")
    problems = spreadsheet_writer_problems(module, root=tmp_path)
    assert [problem.split(": ", 1)[1] for problem in problems] == [
        "writes a spreadsheet without kansrijk.core.spreadsheets",
        "a CSV row not made by csv_row or csv_value",
        "sheet.append; use append_xlsx_row",
        "a cell value set directly; use set_xlsx_cell",
        "a cell value set directly; use set_xlsx_cell",
    ]
