"""Values written to spreadsheets never run as formulas (kansrijk.core.spreadsheets)."""

from __future__ import annotations

import csv
import datetime
import io
import uuid
import zipfile

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
