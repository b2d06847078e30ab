"""Importing pathways from JSON or from the Excel template (``kansrijk import-pathways FILE``).

The columns are defined once, here (``PATHWAY_COLUMNS``, ``STEP_COLUMNS``): the importer reads
them, ``kansrijk.pathways.template`` writes the Excel template from them and
docs/pathways-import.md describes them. Excel headers are Dutch (``sleutel``, ``situatie``);
JSON keys are the English names (``key``, ``situation``); either is accepted in both.

The import is all or nothing: every row is checked first, and a single problem means nothing is
written and the report lists each problem with file, sheet, row, field and reason. Files, cells
and JSON nesting are held to the import limits (``kansrijk.core.import_limits``; an .xlsx is
measured unpacked before openpyxl opens it, then read in read-only mode); a value that a
spreadsheet would run as a formula is imported as text with a warning. A pathway is
identified by its ``key``: importing the same file again changes nothing, and a changed file
updates the pathways it names (a new version when the content differs; published versions are
never overwritten).

Why openpyxl: coalitions keep their pathways in Excel today (the real Zorgpadentool was a
spreadsheet), so the template must be a real .xlsx with drop-down lists and explanations, and the
importer must read what Excel writes. openpyxl is the maintained, pure-Python reader and writer of
.xlsx (no Excel, LibreOffice or C extension needed), and it reads large sheets in streaming mode.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kansrijk.audit.models import Action
from kansrijk.audit.services import record_event
from kansrijk.coalitions.models import Coalition
from kansrijk.core.choices import VersionStatus
from kansrijk.core.import_limits import (
    InputRefused,
    check_file_size,
    check_xlsx_archive,
    field_problem,
    load_json,
)
from kansrijk.core.phases import PHASE_FIELDS
from kansrijk.core.spreadsheets import formula_warning
from kansrijk.directory.models import Service
from kansrijk.pathways.models import Pathway, PathwayScope, PathwayVersion, StepKind
from kansrijk.pathways.references import ServiceNotFound, find_service
from kansrijk.pathways.services import (
    StepInput,
    _apply_coverage,
    _create_pathway_row,
    _new_draft,
    publish_version,
    validate_coverage,
    validate_steps,
    write_version_content,
)
from kansrijk.places.models import Municipality
from kansrijk.situations.models import Situation

PATHWAY_SHEET = "Zorgpaden"
STEP_SHEET = "Stappen"
MAX_ROWS = 20_000


@dataclass(frozen=True)
class Column:
    name: str  # the JSON key
    header: str  # the Excel header
    required: bool
    description: str  # Dutch, for the template and the docs
    example: str


PATHWAY_COLUMNS: list[Column] = [
    Column(
        "key",
        "sleutel",
        True,
        "Vaste sleutel van het zorgpad in dit bestand (letters, cijfers, - en _). Opnieuw "
        "importeren met dezelfde sleutel werkt hetzelfde zorgpad bij.",
        "smallingerland-geldzorgen",
    ),
    Column(
        "coalition",
        "coalitie",
        True,
        "Naam (precies zoals in Kansrijk) of nummer van de coalitie die het zorgpad beheert.",
        "Kansrijke Start Smallingerland",
    ),
    Column(
        "situation",
        "situatie",
        True,
        "Code van de kwetsbare situatie uit de catalogus (zie Keuzelijsten).",
        "geldzorgen",
    ),
    Column(
        "scope",
        "niveau",
        False,
        "gemeentelijk (standaard), regionaal (regionale standaard) of landelijk "
        "(landelijke standaard).",
        "gemeentelijk",
    ),
    Column(
        "municipalities",
        "gemeenten",
        False,
        "CBS-codes of namen van de gemeenten, gescheiden door komma's. Een GGD-regiocode "
        "(GG….) staat voor alle gemeenten van die regio. Leeg bij een landelijke standaard.",
        "GM0090",
    ),
    Column(
        "phases",
        "fasen",
        True,
        "Een of meer van: preconception (voor de zwangerschap), pregnancy (zwangerschap), "
        "postnatal (na de geboorte), gescheiden door komma's.",
        "pregnancy, postnatal",
    ),
    Column("title", "titel", True, "De titel die professionals zien.", "Geldzorgen"),
    Column(
        "introduction",
        "inleiding",
        False,
        "Wanneer gebruik je dit zorgpad, in een paar zinnen.",
        "Voor zwangeren met geldzorgen of schulden.",
    ),
    Column(
        "owner",
        "eigenaar",
        False,
        "Gebruikersnaam of e-mailadres van de eigenaar in Kansrijk.",
        "redacteur.smallingerland",
    ),
    Column(
        "last_reviewed",
        "laatst_herzien",
        False,
        "Datum van de laatste inhoudelijke controle (JJJJ-MM-DD). Leeg: de datum van publicatie.",
        "2026-01-15",
    ),
    Column(
        "publish",
        "publiceren",
        False,
        "ja (standaard): direct publiceren; nee: als concept klaarzetten.",
        "ja",
    ),
    Column(
        "change_note",
        "wijziging",
        False,
        "Wat er anders is dan de vorige versie (voor de versiegeschiedenis).",
        "Nieuwe verwijzing naar de schuldhulp.",
    ),
]

STEP_COLUMNS: list[Column] = [
    Column(
        "pathway",
        "zorgpad",
        True,
        "De sleutel van het zorgpad (blad Zorgpaden).",
        "smallingerland-geldzorgen",
    ),
    Column(
        "position", "volgorde", True, "Volgnummer van de stap binnen het zorgpad (1, 2, 3 …).", "1"
    ),
    Column(
        "kind",
        "soort",
        True,
        "Soort stap: bespreken, toestemming, verwijzen, warme_overdracht, terugkoppeling of "
        "veiligheid (urgent; wordt altijd als eerste getoond).",
        "bespreken",
    ),
    Column("title", "titel", True, "Korte titel van de stap.", "Bespreek de geldzorgen"),
    Column("text", "wat_te_doen", False, "Wat de professional doet.", "Vraag door naar schulden."),
    Column(
        "tips",
        "gesprekstips",
        False,
        "Tips voor het gesprek met het gezin.",
        "Vraag: lukt het om rond te komen?",
    ),
    Column(
        "service",
        "dienst",
        False,
        "Bij verwijzen, warme overdracht, veiligheid en terugkoppeling: het id of de precieze "
        "naam van de dienst op de sociale kaart.",
        "Schuldhulpverlening Smallingerland",
    ),
]

SCOPE_ALIASES = {
    "municipal": PathwayScope.MUNICIPAL,
    "gemeentelijk": PathwayScope.MUNICIPAL,
    "gemeente": PathwayScope.MUNICIPAL,
    "lokaal": PathwayScope.MUNICIPAL,
    "regional": PathwayScope.REGIONAL,
    "regionaal": PathwayScope.REGIONAL,
    "regio": PathwayScope.REGIONAL,
    "national": PathwayScope.NATIONAL,
    "landelijk": PathwayScope.NATIONAL,
}
KIND_ALIASES = {
    **{kind: kind for kind in StepKind.values},
    "bespreken": StepKind.DISCUSS,
    "toestemming": StepKind.CONSENT,
    "verwijzen": StepKind.REFER,
    "warme_overdracht": StepKind.HANDOVER,
    "warme overdracht": StepKind.HANDOVER,
    "overdracht": StepKind.HANDOVER,
    "terugkoppeling": StepKind.FOLLOW_UP,
    "nazorg": StepKind.FOLLOW_UP,
    "veiligheid": StepKind.URGENT_SAFETY,
    "urgent": StepKind.URGENT_SAFETY,
}
PHASE_ALIASES = {
    **{phase: phase for phase in PHASE_FIELDS},
    "preconceptie": "preconception",
    "voor de zwangerschap": "preconception",
    "voor": "preconception",
    "zwangerschap": "pregnancy",
    "tijdens de zwangerschap": "pregnancy",
    "tijdens": "pregnancy",
    "na de geboorte": "postnatal",
    "na": "postnatal",
    "postnataal": "postnatal",
}
YES = {"ja", "yes", "true", "1", "j", "y", "waar"}
NO = {"nee", "no", "false", "0", "n", "onwaar"}
KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$")


# --- Reports --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportProblem:
    file: str
    sheet: str
    row: int | str
    field: str
    reason: str
    level: str = "error"  # or "warning": reported, but it does not stop the import

    def __str__(self) -> str:
        where = (
            f"{self.file}, {self.sheet}, rij {self.row}"
            if self.row != ""
            else f"{self.file}, {self.sheet}"
        )
        return f"{where}, {self.field or '-'}: {self.reason}"


class ImportFailed(Exception):
    """Raised with every problem found (and the warnings); nothing has been written."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = problems
        super().__init__(f"{len(self.errors)} problem(s) in the import file")

    @property
    def errors(self) -> list[ImportProblem]:
        return _errors(self.problems)


def _errors(problems: Iterable[ImportProblem]) -> list[ImportProblem]:
    return [problem for problem in problems if problem.level == "error"]


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    published: int = 0
    drafts: int = 0
    keys: list[str] = field(default_factory=list)
    warnings: list[ImportProblem] = field(default_factory=list)


# --- Reading ----------------------------------------------------------------------------------------


@dataclass
class RawRow:
    """One row as read, with where it came from (for the report)."""

    sheet: str
    row: int | str
    values: dict[str, Any]
    labels: dict[str, str]  # field name -> the header or key as written in the file


@dataclass
class RawPathway:
    row: RawRow
    steps: list[RawRow] = field(default_factory=list)


def _screened(row: RawRow, filename: str, problems: list[ImportProblem]) -> RawRow:
    """``row`` without values over the length limit (each a problem), with a warning for each
    value a spreadsheet would run as a formula."""
    for name, value in list(row.values.items()):
        label = row.labels.get(name) or name
        problem = field_problem(value)
        if problem is not None:
            problems.append(ImportProblem(filename, row.sheet, row.row, label, problem))
            del row.values[name]
            continue
        warning = formula_warning(value)
        if warning is not None:
            problems.append(
                ImportProblem(filename, row.sheet, row.row, label, warning, level="warning")
            )
    return row


def _header_map(columns: list[Column]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for column in columns:
        mapping[column.name.lower()] = column.name
        mapping[column.header.lower()] = column.name
    return mapping


def read_json(
    stream: IO[bytes] | IO[str], filename: str
) -> tuple[list[RawPathway], list[ImportProblem]]:
    problems: list[ImportProblem] = []
    try:
        data = load_json(stream)
    except InputRefused as refused:
        return [], [ImportProblem(filename, "-", "", "", refused.message)]
    except (ValueError, UnicodeDecodeError) as error:
        return [], [ImportProblem(filename, "-", "", "", f"Geen geldige JSON: {error}")]
    items = data.get("pathways") if isinstance(data, dict) else data
    if not isinstance(items, list):
        return [], [
            ImportProblem(
                filename, "-", "", "pathways", "Verwacht een lijst 'pathways' met zorgpaden."
            )
        ]
    pathway_map = _header_map(PATHWAY_COLUMNS)
    step_map = _header_map(STEP_COLUMNS)
    result: list[RawPathway] = []
    for index, item in enumerate(items[:MAX_ROWS], start=1):
        if not isinstance(item, dict):
            problems.append(ImportProblem(filename, "pathways", index, "", "Verwacht een object."))
            continue
        values, labels = _map_keys(item, pathway_map, skip={"steps"})
        for unknown in sorted(set(item) - set(pathway_map) - {"steps"}):
            problems.append(
                ImportProblem(filename, "pathways", index, str(unknown), "Onbekend veld.")
            )
        raw = RawPathway(_screened(RawRow("pathways", index, values, labels), filename, problems))
        steps = item.get("steps", [])
        if not isinstance(steps, list):
            problems.append(
                ImportProblem(filename, "pathways", index, "steps", "Verwacht een lijst stappen.")
            )
            steps = []
        for position, step in enumerate(steps, start=1):
            sheet = f"pathways[{index}].steps"
            if not isinstance(step, dict):
                problems.append(
                    ImportProblem(filename, sheet, position, "", "Verwacht een object.")
                )
                continue
            step_values, step_labels = _map_keys(step, step_map)
            for unknown in sorted(set(step) - set(step_map)):
                problems.append(
                    ImportProblem(filename, sheet, position, str(unknown), "Onbekend veld.")
                )
            step_values.setdefault("position", position)
            step_values.setdefault("pathway", values.get("key"))
            raw.steps.append(
                _screened(RawRow(sheet, position, step_values, step_labels), filename, problems)
            )
        result.append(raw)
    if len(items) > MAX_ROWS:
        problems.append(
            ImportProblem(filename, "pathways", "", "", f"Meer dan {MAX_ROWS} zorgpaden.")
        )
    return result, problems


def _map_keys(
    item: dict[str, Any], mapping: dict[str, str], skip: Iterable[str] = ()
) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {}
    labels: dict[str, str] = {}
    for key, value in item.items():
        if key in skip:
            continue
        name = mapping.get(str(key).strip().lower())
        if name:
            values[name] = value
            labels[name] = str(key)
    return values, labels


def read_xlsx(stream: IO[bytes], filename: str) -> tuple[list[RawPathway], list[ImportProblem]]:
    from openpyxl import load_workbook

    try:
        check_xlsx_archive(stream)
    except InputRefused as refused:
        return [], [ImportProblem(filename, "-", "", "", refused.message)]
    try:
        # Read-only: rows are streamed, not held as cell objects.
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not .xlsx
        return [], [
            ImportProblem(filename, "-", "", "", f"Geen geldig Excel-bestand (.xlsx): {error}")
        ]
    problems: list[ImportProblem] = []
    try:
        for sheet in (PATHWAY_SHEET, STEP_SHEET):
            if sheet not in workbook.sheetnames:
                problems.append(
                    ImportProblem(filename, sheet, "", "", f"Het blad '{sheet}' ontbreekt.")
                )
        if problems:
            return [], problems
        pathway_rows = list(
            _sheet_rows(workbook[PATHWAY_SHEET], PATHWAY_SHEET, PATHWAY_COLUMNS, filename, problems)
        )
        step_rows = list(
            _sheet_rows(workbook[STEP_SHEET], STEP_SHEET, STEP_COLUMNS, filename, problems)
        )
    finally:
        workbook.close()
    _flag_formula_cells(stream, filename, pathway_rows + step_rows, problems)
    by_key: dict[str, RawPathway] = {}
    result: list[RawPathway] = []
    for row in pathway_rows:
        raw = RawPathway(row)
        result.append(raw)
        key = _text(row.values.get("key"))
        if key and key not in by_key:
            by_key[key] = raw
    for row in step_rows:
        key = _text(row.values.get("pathway"))
        if key in by_key:
            by_key[key].steps.append(row)
            continue
        reason = (
            f"Geen zorgpad met sleutel '{key}' op het blad {PATHWAY_SHEET}."
            if key
            else "Vul de sleutel van het zorgpad in."
        )
        label = row.labels.get("pathway", "zorgpad")
        problems.append(ImportProblem(filename, row.sheet, row.row, label, reason))
    return result, problems


def _flag_formula_cells(
    stream: IO[bytes], filename: str, rows: list[RawRow], problems: list[ImportProblem]
) -> None:
    """A warning for each cell of ``rows`` that is a live formula. The rows hold what the
    spreadsheet program last computed (the workbook is read with ``data_only``), never the
    formula, so a formula is not imported; but it is flagged, as a text that starts with '='
    is. A second streaming pass finds the formulas: openpyxl reads either values or formulas."""
    from openpyxl import load_workbook

    by_place = {(row.sheet, row.row): row for row in rows}
    stream.seek(0)
    workbook = load_workbook(stream, read_only=True, data_only=False)
    try:
        for sheet, columns in ((PATHWAY_SHEET, PATHWAY_COLUMNS), (STEP_SHEET, STEP_COLUMNS)):
            mapping = _header_map(columns)
            header: list[str | None] = []
            for number, cells in enumerate(workbook[sheet].iter_rows(), start=1):
                if number == 1:
                    header = [mapping.get(_text(cell.value).lower()) for cell in cells]
                    continue
                row = by_place.get((sheet, number))
                if row is None:
                    continue
                for name, cell in zip(header, cells, strict=False):
                    if name and getattr(cell, "data_type", None) == "f":
                        problems.append(
                            ImportProblem(
                                filename,
                                sheet,
                                number,
                                row.labels.get(name) or name,
                                "Deze cel is een formule; de waarde die het spreadsheetprogramma "
                                "het laatst berekende is ingelezen, de formule niet. "
                                "Controleer of dat klopt.",
                                level="warning",
                            )
                        )
    finally:
        workbook.close()


def _sheet_rows(
    worksheet: Any, sheet: str, columns: list[Column], filename: str, problems: list[ImportProblem]
) -> Iterator[RawRow]:
    mapping = _header_map(columns)
    rows = worksheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        problems.append(
            ImportProblem(filename, sheet, 1, "", "Het blad is leeg: de kopregel ontbreekt.")
        )
        return
    names: list[str | None] = []
    labels: dict[str, str] = {}
    for cell in header:
        text = _text(cell)
        name = mapping.get(text.lower()) if text else None
        if text and not name:
            problems.append(ImportProblem(filename, sheet, 1, text, "Onbekende kolom."))
        names.append(name)
        if name:
            labels[name] = text
    for column in columns:
        if column.required and column.name not in labels:
            problems.append(
                ImportProblem(filename, sheet, 1, column.header, "Deze kolom ontbreekt.")
            )
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            problems.append(
                ImportProblem(filename, sheet, number, "", f"Meer dan {MAX_ROWS} rijen.")
            )
            return
        row = {name: value for name, value in zip(names, values, strict=False) if name}
        if all(_text(value) == "" for value in row.values()):
            continue
        yield _screened(RawRow(sheet, number, row, labels), filename, problems)


def read_file(path: Path | str) -> tuple[list[RawPathway], list[ImportProblem]]:
    path = Path(path)
    filename = path.name
    if not path.exists():
        return [], [ImportProblem(filename, "-", "", "", "Het bestand bestaat niet.")]
    suffix = path.suffix.lower()
    try:
        check_file_size(path)
    except InputRefused as refused:
        return [], [ImportProblem(filename, "-", "", "", refused.message)]
    with path.open("rb") as stream:
        if suffix == ".json":
            return read_json(stream, filename)
        if suffix in {".xlsx", ".xlsm"}:
            return read_xlsx(stream, filename)
    return [], [ImportProblem(filename, "-", "", "", "Gebruik een .json- of .xlsx-bestand.")]


# --- Checking ---------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _split(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [_text(v) for v in value if _text(v)]
    return [part.strip() for part in re.split(r"[,;\n]", _text(value)) if part.strip()]


@dataclass
class CheckedStep:
    position: int
    step: StepInput
    row: RawRow


@dataclass
class CheckedPathway:
    row: RawRow
    key: str
    coalition: Coalition
    situation: Situation
    scope: str
    municipalities: list[Municipality]
    phases: list[str]
    title: str
    introduction: str
    owner: Any
    owner_given: bool
    last_reviewed: datetime.date | None
    publish: bool
    change_note: str
    steps: list[CheckedStep]
    existing: Pathway | None


class _Lookups:
    """Everything the check needs from the database, loaded once."""

    def __init__(self) -> None:
        self.coalitions = list(Coalition.objects.all())
        self.situations = {s.code: s for s in Situation.objects.all()}
        self.municipalities = {m.code: m for m in Municipality.objects.all()}
        self.by_name = {m.name.lower(): m for m in self.municipalities.values()}
        self.by_region: dict[str, list[Municipality]] = {}
        for municipality in self.municipalities.values():
            self.by_region.setdefault(municipality.ggd_region_id, []).append(municipality)

    def coalition(self, value: str) -> Coalition | None:
        for coalition in self.coalitions:
            if coalition.name == value or str(coalition.pk) == value:
                return coalition
        lowered = value.lower()
        matches = [c for c in self.coalitions if c.name.lower() == lowered]
        return matches[0] if len(matches) == 1 else None


class _Checker:
    def __init__(self, filename: str, reported: Iterable[ImportProblem] = ()) -> None:
        self.filename = filename
        self.problems: list[ImportProblem] = []
        self.lookups = _Lookups()
        # Cells already reported while reading (a value over the length limit): one message
        # per cell, not a second "required field is empty" for the value that was dropped.
        self._reported = {
            (p.sheet, p.row, p.field) for p in reported if p.level == "error" and p.field
        }

    def problem(self, row: RawRow, name: str, reason: str) -> None:
        label = row.labels.get(name) or name
        if (row.sheet, row.row, label) in self._reported:
            return
        self.problems.append(ImportProblem(self.filename, row.sheet, row.row, label, reason))

    def required(self, row: RawRow, name: str) -> str:
        value = _text(row.values.get(name))
        if not value:
            self.problem(row, name, "Verplicht veld is leeg.")
        return value

    def pathway(self, raw: RawPathway, existing: dict[str, Pathway]) -> CheckedPathway | None:
        row = raw.row
        before = len(self.problems)
        key = self.required(row, "key")
        if key and not KEY_RE.match(key):
            self.problem(
                row, "key", "Gebruik letters, cijfers, '-', '_' of '.' (hoogstens 100 tekens)."
            )
        coalition_value = self.required(row, "coalition")
        coalition = self.lookups.coalition(coalition_value) if coalition_value else None
        if coalition_value and coalition is None:
            self.problem(row, "coalition", f"Onbekende coalitie '{coalition_value}'.")
        situation_value = self.required(row, "situation")
        situation = (
            self.lookups.situations.get(situation_value.lower()) if situation_value else None
        )
        if situation_value and situation is None:
            self.problem(
                row,
                "situation",
                f"Onbekende situatie '{situation_value}'. Zie het blad Keuzelijsten.",
            )
        scope_value = _text(row.values.get("scope")).lower() or "municipal"
        scope = SCOPE_ALIASES.get(scope_value)
        if scope is None:
            self.problem(
                row,
                "scope",
                f"Onbekend niveau '{scope_value}'. Kies gemeentelijk, regionaal of landelijk.",
            )
        municipalities: dict[str, Municipality] = {}
        for part in _split(row.values.get("municipalities")):
            upper = part.upper()
            if upper in self.lookups.municipalities:
                municipalities[upper] = self.lookups.municipalities[upper]
            elif upper in self.lookups.by_region:
                for m in self.lookups.by_region[upper]:
                    municipalities[m.code] = m
            elif part.lower() in self.lookups.by_name:
                m = self.lookups.by_name[part.lower()]
                municipalities[m.code] = m
            else:
                self.problem(
                    row,
                    "municipalities",
                    f"Onbekende gemeente '{part}'. Gebruik een CBS-code zoals GM0090.",
                )
        phases: list[str] = []
        for part in _split(row.values.get("phases")):
            phase = PHASE_ALIASES.get(part.lower())
            if phase is None:
                self.problem(
                    row,
                    "phases",
                    f"Onbekende fase '{part}'. Kies preconception, pregnancy of postnatal.",
                )
            elif phase not in phases:
                phases.append(phase)
        if not _split(row.values.get("phases")):
            self.problem(row, "phases", "Verplicht veld is leeg.")
        title = self.required(row, "title")
        if len(title) > 200:
            self.problem(row, "title", "Hoogstens 200 tekens.")
        owner, owner_given = None, False
        owner_value = _text(row.values.get("owner"))
        if owner_value:
            owner_given = True
            owner = (
                get_user_model()
                .objects.filter(Q(username=owner_value) | Q(email__iexact=owner_value))
                .first()
            )
            if owner is None:
                self.problem(row, "owner", f"Geen gebruiker '{owner_value}'.")
        last_reviewed = self.date(row, "last_reviewed")
        publish_value = _text(row.values.get("publish")).lower()
        if isinstance(row.values.get("publish"), bool):
            publish = bool(row.values["publish"])
        elif not publish_value or publish_value in YES:
            publish = True
        elif publish_value in NO:
            publish = False
        else:
            self.problem(row, "publish", "Vul ja of nee in.")
            publish = True
        change_note = _text(row.values.get("change_note"))[:500]
        current = existing.get(key) if key else None
        if current is not None:
            if coalition is not None and current.coalition_id != coalition.pk:
                self.problem(
                    row, "coalition", "Deze sleutel hoort bij een zorgpad van een andere coalitie."
                )
            if situation is not None and current.situation_id != situation.pk:
                self.problem(
                    row,
                    "situation",
                    "Deze sleutel hoort bij een zorgpad voor een andere situatie; gebruik een nieuwe sleutel.",
                )
        area = list(municipalities)
        steps = self.steps(raw.steps, area)
        if len(self.problems) > before or coalition is None or situation is None or scope is None:
            return None
        ordered = sorted(municipalities.values(), key=lambda m: m.code)
        for name, messages in validate_coverage(
            coalition=coalition,
            situation=situation,
            scope=scope,
            municipalities=ordered,
            phases=phases,
            exclude_pk=current.pk if current else None,
        ).items():
            for message in messages:
                self.problem(row, name, str(message))
        inputs = [checked.step for checked in steps]
        for name, messages in validate_steps(inputs, scope=scope, complete=publish).items():
            parts = name.split(".")
            target = steps[int(parts[1])].row if len(parts) == 3 else row
            for message in messages:
                self.problem(target, parts[2] if len(parts) == 3 else name, str(message))
        if len(self.problems) > before:
            return None
        return CheckedPathway(
            row=row,
            key=key,
            coalition=coalition,
            situation=situation,
            scope=scope,
            municipalities=ordered,
            phases=phases,
            title=title,
            introduction=_text(row.values.get("introduction")),
            owner=owner,
            owner_given=owner_given,
            last_reviewed=last_reviewed,
            publish=publish,
            change_note=change_note,
            steps=steps,
            existing=current,
        )

    def date(self, row: RawRow, name: str) -> datetime.date | None:
        value = row.values.get(name)
        if value in (None, ""):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            parsed = datetime.date.fromisoformat(_text(value))
        except ValueError:
            self.problem(row, name, "Gebruik een datum als JJJJ-MM-DD.")
            return None
        if parsed > timezone.localdate():
            self.problem(row, name, "Deze datum ligt in de toekomst.")
        return parsed

    def steps(self, rows: list[RawRow], area: list[str]) -> list[CheckedStep]:
        checked: list[CheckedStep] = []
        seen: dict[int, RawRow] = {}
        for row in rows:
            position_value = row.values.get("position")
            try:
                position = int(_text(position_value))
                if position < 1:
                    raise ValueError
            except ValueError:
                self.problem(row, "position", "Vul een volgnummer in (1, 2, 3 …).")
                continue
            if position in seen:
                self.problem(
                    row, "position", f"Volgnummer {position} komt twee keer voor in dit zorgpad."
                )
                continue
            seen[position] = row
            kind_value = _text(row.values.get("kind")).lower()
            kind = KIND_ALIASES.get(kind_value)
            if kind is None:
                self.problem(
                    row,
                    "kind",
                    f"Onbekende soort '{kind_value}'." if kind_value else "Verplicht veld is leeg.",
                )
            title = self.required(row, "title")
            service: Service | None = None
            service_value = _text(row.values.get("service"))
            if service_value:
                try:
                    service = find_service(service_value, municipalities=area)
                except ServiceNotFound as error:
                    self.problem(row, "service", str(error))
            if kind is None:
                continue
            checked.append(
                CheckedStep(
                    position,
                    StepInput(
                        kind=kind,
                        title=title,
                        text=_text(row.values.get("text")),
                        tips=_text(row.values.get("tips")),
                        service=service,
                    ),
                    row,
                )
            )
        checked.sort(key=lambda c: c.position)
        return checked


def check(
    raw: list[RawPathway], filename: str, reported: Iterable[ImportProblem] = ()
) -> tuple[list[CheckedPathway], list[ImportProblem]]:
    """Check every row; returns the checked pathways and the problems (nothing is written).
    ``reported``: the problems found while reading, so a cell is not reported twice."""
    checker = _Checker(filename, reported)
    keys = [_text(p.row.values.get("key")) for p in raw]
    existing = {
        p.external_key: p
        for p in Pathway.objects.filter(external_key__in=[k for k in keys if k]).select_related(
            "current_version"
        )
    }
    result: list[CheckedPathway] = []
    seen: dict[str, RawRow] = {}
    claimed: dict[tuple[str, str, str, str], str] = {}
    for item in raw:
        key = _text(item.row.values.get("key"))
        if key and key in seen:
            checker.problem(
                item.row, "key", f"De sleutel '{key}' komt al voor in rij {seen[key].row}."
            )
            continue
        if key:
            seen[key] = item.row
        checked = checker.pathway(item, existing)
        if checked is None:
            continue
        # Two rows of the same file must not claim the same municipality, situation and phase.
        areas = [m.code for m in checked.municipalities] or ["*"]
        clash = None
        for phase in checked.phases:
            for code in areas:
                slot = (checked.scope, checked.situation.code, phase, code)
                if slot in claimed and claimed[slot] != checked.key:
                    clash = claimed[slot]
                claimed.setdefault(slot, checked.key)
        if clash:
            checker.problem(
                item.row,
                "municipalities",
                f"Zorgpad '{clash}' in dit bestand geldt al voor deze situatie, fase en gemeente.",
            )
            continue
        result.append(checked)
    if not raw and not checker.problems:
        checker.problems.append(
            ImportProblem(filename, "-", "", "", "Het bestand bevat geen zorgpaden.")
        )
    return result, checker.problems


# --- Writing ---------------------------------------------------------------------------------------


def _content(title: str, introduction: str, steps: Iterable[StepInput]) -> tuple[Any, ...]:
    return (title.strip(), introduction.strip(), tuple(step.content() for step in steps))


def _version_content(version: PathwayVersion | None) -> tuple[Any, ...] | None:
    if version is None:
        return None
    steps = [StepInput.from_step(s) for s in version.steps.order_by("position")]
    return _content(version.title, version.introduction, steps)


def _with_keys(steps: list[StepInput], previous: PathwayVersion | None) -> list[StepInput]:
    """Give imported steps the keys of the matching steps of the previous version (same kind and
    title, else same kind and position), so that comparing versions shows edits as edits."""
    if previous is None:
        return steps
    old = list(previous.steps.order_by("position"))
    used: set[uuid.UUID] = set()
    result: list[StepInput] = []
    for index, step in enumerate(steps):
        match = next(
            (
                s
                for s in old
                if s.key not in used and s.kind == step.kind and s.title == step.title.strip()
            ),
            None,
        )
        if (
            match is None
            and index < len(old)
            and old[index].kind == step.kind
            and old[index].key not in used
        ):
            match = old[index]
        if match is not None:
            used.add(match.key)
        result.append(replace(step, key=match.key if match else None))
    return result


def _write(checked: CheckedPathway, result: ImportResult, is_demo: bool) -> None:
    steps = [c.step for c in checked.steps]
    pathway = checked.existing
    changed = False
    if pathway is None:
        pathway = _create_pathway_row(
            coalition=checked.coalition,
            situation=checked.situation,
            scope=checked.scope,
            municipalities=checked.municipalities,
            phases=checked.phases,
            owner=checked.owner,
            is_demo=is_demo,
            external_key=checked.key,
            last_reviewed_on=checked.last_reviewed,
        )
        result.created += 1
        changed = True
    else:
        pathway = (
            Pathway.objects.select_for_update(of=("self",))
            .select_related("current_version")
            .get(pk=pathway.pk)
        )
        owner = checked.owner if checked.owner_given else pathway.owner
        changed = _apply_coverage(
            pathway,
            scope=checked.scope,
            municipalities=checked.municipalities,
            phases=checked.phases,
            owner=owner,
        )
    draft = pathway.versions.filter(status=VersionStatus.DRAFT).first()
    published = pathway.current_version
    wanted = _content(checked.title, checked.introduction, steps)
    target = published if checked.publish else (draft or published)
    if _version_content(target) != wanted:
        if draft is None:
            draft = _new_draft(pathway, user=None)
        write_version_content(
            draft,
            title=checked.title,
            introduction=checked.introduction,
            change_note=checked.change_note,
            steps=_with_keys(steps, published),
        )
        changed = True
        if checked.publish:
            publish_version(draft, user=None, reviewed_on=checked.last_reviewed)
            result.published += 1
        else:
            result.drafts += 1
    if checked.last_reviewed and pathway.last_reviewed_on != checked.last_reviewed:
        pathway.last_reviewed_on = checked.last_reviewed
        pathway.updated_at = timezone.now()
        pathway.save(update_fields=["last_reviewed_on", "updated_at"])
        changed = True
    if checked.existing is not None:
        if changed:
            result.updated += 1
        else:
            result.unchanged += 1
    if changed:
        record_event(
            event_type="pathways.import",
            action=Action.CREATE if checked.existing is None else Action.UPDATE,
            object_type="pathways.pathway",
            object_id=str(pathway.pk),
        )
    result.keys.append(checked.key)


def import_pathways(
    path: Path | str, *, dry_run: bool = False, is_demo: bool = False
) -> ImportResult:
    """Import a JSON or .xlsx file. Raises ``ImportFailed`` (nothing written) on any problem;
    the report covers reading and checking, so one run shows everything to fix."""
    raw, problems = read_file(path)
    if _errors(problems) and not raw:
        raise ImportFailed(problems)
    return import_rows(
        raw, filename=Path(path).name, dry_run=dry_run, is_demo=is_demo, problems=problems
    )


def import_rows(
    raw: list[RawPathway],
    *,
    filename: str,
    dry_run: bool = False,
    is_demo: bool = False,
    problems: list[ImportProblem] | None = None,
) -> ImportResult:
    """Check and write already-read rows in one transaction (see ``import_pathways``)."""
    with transaction.atomic():
        checked, found = check(raw, filename, problems or ())
        found = [*(problems or []), *found]
        if _errors(found):
            raise ImportFailed(found)
        result = ImportResult(warnings=found)
        for item in checked:
            _write(item, result, is_demo)
        if dry_run:
            transaction.set_rollback(True)
    return result
