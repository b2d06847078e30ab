"""Values written to spreadsheets (.csv and .xlsx) never run as formulas.

A text that starts with ``=``, ``+``, ``-`` or ``@`` — or with a tab or carriage return, which
spreadsheet programs skip before such a sign — is a formula to Excel and LibreOffice. A
coalition named ``=HYPERLINK("https://…")`` in an export would run on the computer of whoever
opens it (CSV or formula injection, OWASP). Every spreadsheet the app writes goes through this
module, and the importers flag such values in what they read (``formula_warning``):

- CSV (``csv_value``, ``csv_row``): such a text gets a leading apostrophe, OWASP's advice;
  spreadsheet programs show it as text.
- .xlsx with openpyxl (``xlsx_row``, ``set_xlsx_cell``): such a text is stored as a text cell
  with Excel's quote prefix: shown and edited as text, the value itself unchanged. (openpyxl
  stores any string starting with ``=`` as a formula unless told otherwise.)

Numbers, dates and booleans pass unchanged: a negative number is a number, not a formula.
An importer flags a formula-like text unless it is only a number or a phone number
("+31 6 1234 5678", "-5"): those are common and run nothing; they are still written as text.
"""

from __future__ import annotations

import datetime
import decimal
import re
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

#: The first characters that make a cell's text a formula (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


#: What a cell holds as it is; any other value (a UUID, a lazy translation) is written as text.
_PLAIN = (bool, int, float, decimal.Decimal, datetime.date, datetime.time, datetime.timedelta)


def looks_like_formula(value: object) -> bool:
    """Whether ``value`` is a text a spreadsheet program would run as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


#: A signed number or phone number: formula-like, but nothing to warn an importer about.
_NUMBER_LIKE = re.compile(r"[+-][\d\s().,/+-]*")


def formula_to_flag(value: object) -> bool:
    """Whether an importer should flag ``value``: formula-like and more than a number."""
    return looks_like_formula(value) and not _NUMBER_LIKE.fullmatch(str(value))


def formula_warning(value: object) -> str | None:
    """The importers' warning for a value ``formula_to_flag`` flags, else ``None``."""
    if not formula_to_flag(value):
        return None
    return _(
        "Starts with %(sign)r, so a spreadsheet program would run it as a formula. It is "
        "imported and shown as text, and written as text in every export; check that it is "
        "what you meant."
    ) % {"sign": str(value)[:1]}


def _cell_value(value: object) -> object:
    if value is None or isinstance(value, _PLAIN):
        return value
    return str(value)


def csv_value(value: object) -> object:
    """``value`` for a CSV cell: a formula-like text with a leading apostrophe, ``None`` as
    an empty cell, numbers and dates unchanged (``csv.writer`` writes them with ``str``)."""
    value = _cell_value(value)
    if value is None:
        return ""
    if looks_like_formula(value):
        return f"'{value}"
    return value


def csv_row(values: Iterable[object]) -> list[object]:
    """A row for ``csv.writer.writerow`` with every cell through ``csv_value``."""
    return [csv_value(value) for value in values]


def _text_cell(cell: Any) -> Any:
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def xlsx_row(sheet: Any, values: Iterable[object]) -> list[object]:
    """A row for ``sheet.append`` (openpyxl, normal or write-only): a formula-like text
    becomes a text cell with the quote prefix, anything else is passed as it is."""
    from openpyxl.cell import WriteOnlyCell

    row: list[object] = []
    for value in values:
        value = _cell_value(value)
        row.append(
            _text_cell(WriteOnlyCell(sheet, value=value)) if looks_like_formula(value) else value
        )
    return row


def append_xlsx_row(sheet: Any, values: Iterable[object]) -> None:
    """``sheet.append(values)`` with formula-like texts written as text."""
    sheet.append(xlsx_row(sheet, values))


def set_xlsx_cell(sheet: Any, *, row: int, column: int, value: object) -> Any:
    """``sheet.cell(row, column, value)`` with a formula-like text written as text; returns
    the cell (to style it)."""
    value = _cell_value(value)
    cell = sheet.cell(row=row, column=column, value=value)
    if looks_like_formula(value):
        _text_cell(cell)
    return cell
