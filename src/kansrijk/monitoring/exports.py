"""Downloads of a chart's table as CSV or .xlsx. The table holds only published values (the
suppression module ran before), so an export shows "< 10" where the page does. Every cell goes
through ``kansrijk.core.spreadsheets`` so no text runs as a formula; demo values are marked in
the rows and in the notes; the notes name the source and the suppression rule, and say so when
the indicator's definition is incomplete."""

from __future__ import annotations

import csv
import io
import re

from django.http import HttpResponse
from django.utils.translation import gettext as _

from kansrijk.core.downloads import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, attachment
from kansrijk.core.spreadsheets import append_xlsx_row, csv_row
from kansrijk.monitoring.charts import Link, Table


def _plain(cell: object) -> object:
    return cell.text if isinstance(cell, Link) else cell


def notes(
    *, source: str, is_demo: bool, definition_complete: bool = True, figure_sources: str = ""
) -> list[str]:
    lines = [
        _(
            "Numbers under 10 about people are shown as “< 10”; “not shown”: would give such a number away."
        ),
    ]
    if source:
        lines.append(_("Source: %(source)s") % {"source": source})
    if figure_sources:
        lines.append(_("Source of the figures: %(sources)s") % {"sources": figure_sources})
    if not definition_complete:
        lines.append(
            _(
                "Definition incomplete: the exact numerator or denominator is not in Kansrijk's "
                "catalogue; see the source."
            )
        )
    if is_demo:
        lines.append(_("Demo: generated values, not real figures"))
    return lines


def _filename(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "export"


def table_response(
    table: Table,
    *,
    name: str,
    fmt: str,
    source: str = "",
    is_demo: bool = False,
    definition_complete: bool = True,
    figure_sources: str = "",
) -> HttpResponse:
    """The table as a CSV (``fmt="csv"``, with a UTF-8 BOM so Excel reads the accents) or .xlsx
    download."""
    filename = _filename(name)
    columns = table.export_columns or table.columns
    rows = table.export_rows or table.rows
    footer = notes(
        source=source,
        is_demo=is_demo,
        definition_complete=definition_complete,
        figure_sources=figure_sources,
    )
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(csv_row(columns))
        for row in rows:
            writer.writerow(csv_row(_plain(cell) for cell in row))
        writer.writerow([])
        for line in footer:
            writer.writerow(csv_row([line]))
        return attachment(
            buffer.getvalue(), content_type=CSV_CONTENT_TYPE, filename=f"{filename}.csv"
        )
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Figures")[:31])
    append_xlsx_row(sheet, [table.caption])
    append_xlsx_row(sheet, columns)
    for row in rows:
        append_xlsx_row(sheet, [_plain(cell) for cell in row])
    append_xlsx_row(sheet, [])
    for line in footer:
        append_xlsx_row(sheet, [line])
    out = io.BytesIO()
    workbook.save(out)
    return attachment(out.getvalue(), content_type=XLSX_CONTENT_TYPE, filename=f"{filename}.xlsx")
