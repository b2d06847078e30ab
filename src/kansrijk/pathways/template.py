"""The Excel import template, generated from the importer's column list so the two always match.

Sheets: *Uitleg* (what each column means), *Zorgpaden* (one row per pathway), *Stappen* (one row
per step) and *Keuzelijsten* (situation codes, kinds of step, phases, scopes and coalitions, also
used for the drop-down lists).
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kansrijk.coalitions.models import Coalition
from kansrijk.core.phases import Phase
from kansrijk.core.spreadsheets import append_xlsx_row, set_xlsx_cell
from kansrijk.pathways.importing import (
    PATHWAY_COLUMNS,
    PATHWAY_SHEET,
    STEP_COLUMNS,
    STEP_SHEET,
    Column,
)
from kansrijk.pathways.models import StepKind
from kansrijk.situations.models import FactorKind, Situation

TEMPLATE_FILENAME = "kansrijk-zorgpaden-sjabloon.xlsx"
LISTS_SHEET = "Keuzelijsten"
HELP_SHEET = "Uitleg"
DATA_ROWS = 2000

KIND_WORDS = {
    StepKind.DISCUSS: "bespreken",
    StepKind.CONSENT: "toestemming",
    StepKind.REFER: "verwijzen",
    StepKind.HANDOVER: "warme_overdracht",
    StepKind.FOLLOW_UP: "terugkoppeling",
    StepKind.URGENT_SAFETY: "veiligheid",
}
SCOPE_WORDS = ["gemeentelijk", "regionaal", "landelijk"]
PHASE_WORDS = {
    Phase.PRECONCEPTION: "voor de zwangerschap",
    Phase.PREGNANCY: "tijdens de zwangerschap",
    Phase.POSTNATAL: "na de geboorte",
}

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="00487A")
_REQUIRED_FILL = PatternFill("solid", fgColor="7A0019")


def _data_sheet(workbook: Workbook, title: str, columns: list[Column]) -> None:
    sheet = workbook.create_sheet(title)
    for index, column in enumerate(columns, start=1):
        cell = set_xlsx_cell(sheet, row=1, column=index, value=column.header)
        cell.font = _HEADER_FONT
        cell.fill = _REQUIRED_FILL if column.required else _HEADER_FILL
        cell.comment = Comment(
            f"{'Verplicht. ' if column.required else ''}{column.description}\nVoorbeeld: {column.example}",
            "Kansrijk",
        )
        sheet.column_dimensions[get_column_letter(index)].width = max(
            14, min(40, len(column.example) + 6)
        )
    sheet.freeze_panes = "A2"


def _column_letter(columns: list[Column], name: str) -> str:
    return get_column_letter(next(i for i, c in enumerate(columns, start=1) if c.name == name))


def _list_validation(sheet: object, formula: str, column: str, prompt: str) -> None:
    validation = DataValidation(type="list", formula1=formula, allow_blank=True)
    validation.prompt = prompt
    validation.showInputMessage = True
    validation.showErrorMessage = False  # several values in one cell are allowed for some columns
    validation.add(f"{column}2:{column}{DATA_ROWS}")
    sheet.add_data_validation(validation)  # type: ignore[attr-defined]


def build_template(*, coalitions: Iterable[Coalition] | None = None) -> bytes:
    """The template as .xlsx bytes. ``coalitions`` fills the coalition list (default: all)."""
    workbook = Workbook()
    help_sheet = workbook.active
    help_sheet.title = HELP_SHEET
    append_xlsx_row(help_sheet, ["Kansrijk: sjabloon voor het importeren van zorgpaden"])
    help_sheet["A1"].font = Font(bold=True, size=14)
    append_xlsx_row(
        help_sheet,
        [
            "Vul het blad Zorgpaden (een rij per zorgpad) en het blad Stappen (een rij per stap). "
            "Importeren: uv run kansrijk import-pathways BESTAND.xlsx. Bij een fout wordt niets "
            "ingelezen en krijgt u per rij te zien wat er mis is. Opnieuw importeren met dezelfde "
            "sleutels werkt de zorgpaden bij; een gepubliceerde versie verandert nooit (er komt een "
            "nieuwe versie bij)."
        ],
    )
    help_sheet["A2"].alignment = Alignment(wrap_text=True)
    append_xlsx_row(help_sheet, [])
    append_xlsx_row(help_sheet, ["blad", "kolom", "verplicht", "uitleg", "voorbeeld"])
    for cell in help_sheet[4]:
        cell.font = Font(bold=True)
    for sheet_name, columns in ((PATHWAY_SHEET, PATHWAY_COLUMNS), (STEP_SHEET, STEP_COLUMNS)):
        for column in columns:
            append_xlsx_row(
                help_sheet,
                [
                    sheet_name,
                    column.header,
                    "ja" if column.required else "nee",
                    column.description,
                    column.example,
                ],
            )
    for letter, width in zip("ABCDE", (12, 16, 10, 90, 36), strict=True):
        help_sheet.column_dimensions[letter].width = width

    _data_sheet(workbook, PATHWAY_SHEET, PATHWAY_COLUMNS)
    _data_sheet(workbook, STEP_SHEET, STEP_COLUMNS)

    lists = workbook.create_sheet(LISTS_SHEET)
    situations = list(
        Situation.objects.filter(is_active=True, kind=FactorKind.RISK)
        .order_by("domain__position", "position", "name")
        .values_list("code", "name")
    )
    coalition_names = [
        c.name
        for c in (coalitions if coalitions is not None else Coalition.objects.order_by("name"))
    ]
    choice_lists: list[tuple[str, list[str]]] = [
        ("situatie", [code for code, _name in situations]),
        ("naam situatie", [name for _code, name in situations]),
        ("soort", list(KIND_WORDS.values())),
        ("niveau", SCOPE_WORDS),
        ("fase", [str(phase) for phase in PHASE_WORDS]),
        ("fase (uitleg)", list(PHASE_WORDS.values())),
        ("publiceren", ["ja", "nee"]),
        ("coalitie", coalition_names),
    ]
    for index, (header, values) in enumerate(choice_lists, start=1):
        letter = get_column_letter(index)
        set_xlsx_cell(lists, row=1, column=index, value=header).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            # Coalition and situation names are typed by people: never a live formula.
            set_xlsx_cell(lists, row=row, column=index, value=value)
        lists.column_dimensions[letter].width = 28

    def ref(index: int, count: int) -> str:
        letter = get_column_letter(index)
        return f"={LISTS_SHEET}!${letter}$2:${letter}${max(2, count + 1)}"

    pathways = workbook[PATHWAY_SHEET]
    _list_validation(
        pathways,
        ref(1, len(situations)),
        _column_letter(PATHWAY_COLUMNS, "situation"),
        "Kies een situatie.",
    )
    _list_validation(
        pathways,
        ref(4, len(SCOPE_WORDS)),
        _column_letter(PATHWAY_COLUMNS, "scope"),
        "gemeentelijk, regionaal of landelijk",
    )
    _list_validation(
        pathways,
        ref(5, len(PHASE_WORDS)),
        _column_letter(PATHWAY_COLUMNS, "phases"),
        "Een of meer fasen, gescheiden door komma's.",
    )
    _list_validation(pathways, ref(7, 2), _column_letter(PATHWAY_COLUMNS, "publish"), "ja of nee")
    if coalition_names:
        _list_validation(
            pathways,
            ref(8, len(coalition_names)),
            _column_letter(PATHWAY_COLUMNS, "coalition"),
            "Kies de coalitie.",
        )
    steps = workbook[STEP_SHEET]
    _list_validation(
        steps, ref(3, len(KIND_WORDS)), _column_letter(STEP_COLUMNS, "kind"), "Kies de soort stap."
    )

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
