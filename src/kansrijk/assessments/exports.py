"""A round's results as an .xlsx workbook: the same figures as the results page (suppressed
ones are not in it), texts written through ``kansrijk.core.spreadsheets`` so that no cell runs
as a formula."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from kansrijk.assessments.selectors import RoundResults
from kansrijk.core.spreadsheets import append_xlsx_row

__all__ = ["filename", "workbook"]


def _number(value: float | None, digits: int = 2) -> float | str:
    return "" if value is None else round(value, digits)


def filename(view: RoundResults) -> str:
    return f"resultaten-ronde-{view.round.pk}-{timezone.localdate():%Y%m%d}.xlsx"


def workbook(view: RoundResults) -> bytes:
    round_ = view.round
    version = view.version
    results = view.results
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = _("Summary")[:31]
    rows: list[list[object]] = [
        [_("Round"), round_.title],
        [_("Coalition"), round_.coalition.name],
        [_("Instrument"), f"{version.name} ({_('version')} {version.version})"],
        [_("Opened on"), round_.opened_on],
        [_("Closes on"), round_.closes_on],
        [_("Respondents"), results.respondents],
        [_("Threshold"), results.threshold],
        [_("Exported on"), timezone.localdate()],
    ]
    if version.is_example:
        rows.append(
            [
                _("Example text"),
                _("The statements are example text written for Kansrijk, not the official text."),
            ]
        )
    if round_.is_demo or round_.coalition.is_demo:
        rows.append([_("Demo"), _("Made-up answers of a demo coalition, not real figures.")])
    if results.suppressed:
        rows.append(
            [
                _("Not shown"),
                _("Fewer than %(n)s respondents (or the round is still open): no results yet.")
                % {"n": results.threshold},
            ]
        )
    if view.held_back and view.answers is not None:
        rows.append(
            [
                _("Held back"),
                _(
                    "%(answered)s respondents have sent in answers by now; answers sent in or "
                    "changed since the results were last updated are not in them, so that "
                    "nobody's answers can be worked out by comparing."
                )
                % {"answered": view.answers.answered},
            ]
        )
    if version.source:
        rows.append([_("Source"), version.source])
    for row in rows:
        append_xlsx_row(summary, row)
    for cell in summary["A"]:
        cell.font = Font(bold=True)
    summary.column_dimensions["A"].width = 18
    summary.column_dimensions["B"].width = 90
    if results.suppressed:
        return _save(book)

    parts = book.create_sheet(_("Parts")[:31])
    append_xlsx_row(
        parts,
        [_("Part"), _("Scores"), _("Respondents"), _("Mean"), _("Previous round"), _("Difference")],
    )
    for part in view.parts:
        append_xlsx_row(
            parts,
            [
                part.part.name,
                part.result.n,
                part.result.respondents,
                _number(part.result.mean),
                _number(part.change.previous) if part.change else "",
                _number(part.change.difference) if part.change else "",
            ],
        )
    scale = [value for value, _label in view.scale]
    statements = book.create_sheet(_("Statements")[:31])
    append_xlsx_row(
        statements,
        [
            _("Part"),
            _("Code"),
            _("Statement"),
            _("Scores"),
            _("Don't know"),
            _("Mean"),
            _("Median"),
            _("Spread (sd)"),
            *[f"{value}: {label}" for value, label in view.scale],
            _("Previous round"),
            _("Difference"),
        ],
    )
    comments = book.create_sheet(_("Comments")[:31])
    append_xlsx_row(comments, [_("Code"), _("Statement"), _("Comment")])
    for part in view.parts:
        for line in part.statements:
            result = line.result
            distribution = result.distribution or {}
            append_xlsx_row(
                statements,
                [
                    part.part.name,
                    line.statement.code,
                    line.statement.text,
                    result.n,
                    result.unknown,
                    _number(result.mean),
                    _number(result.median),
                    _number(result.spread),
                    *[distribution.get(value, "") if distribution else "" for value in scale],
                    _number(line.change.previous) if line.change else "",
                    _number(line.change.difference) if line.change else "",
                ],
            )
            for comment in line.comments:
                append_xlsx_row(comments, [line.statement.code, line.statement.text, comment])
    for sheet in (parts, statements, comments):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    return _save(book)


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
