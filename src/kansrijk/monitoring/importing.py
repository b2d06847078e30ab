"""Importing indicator values and definitions (``kansrijk import-indicators PATH``, and the upload
page for analysts).

``PATH`` is a CSV file of values, or a folder with ``values.csv`` and optionally ``indicators.csv``.

- ``values.csv``: ``indicator,area,period,numerator,denominator,value``. ``area`` a CBS code
  (``GM0090``, ``GG3112``, ``JZ01``, ``PV21`` or ``NL01``); ``period`` a year (``2023``) or a
  pooled range (``2019-2023``); ``value`` optional when numerator and denominator are given.
- ``indicators.csv``: ``code,name,unit,direction,phase,source,definition``; adds or updates
  definitions by code.

Comma or semicolon separated, decimal point or comma (Dutch Excel exports), UTF-8 with or
without BOM. All or nothing: every row is checked first; one problem and nothing is written,
and the report names every bad row (file, row, column, reason). Re-importing updates by
(indicator, area, period). After a write the regional totals of the indicators and periods
that changed are computed again (``kansrijk.monitoring.totals``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from kansrijk.core.import_limits import MB, field_problem, limits
from kansrijk.core.spreadsheets import formula_to_flag
from kansrijk.monitoring import totals
from kansrijk.monitoring.cache import forget_token
from kansrijk.monitoring.models import (
    AreaLevel,
    Direction,
    Indicator,
    IndicatorPhase,
    IndicatorSet,
    IndicatorValue,
    Source,
    Unit,
    area_level,
)
from kansrijk.monitoring.suppression import SHARE_UNITS
from kansrijk.places.models import GGDRegion, Municipality, Province, YouthCareRegion

VALUES_FILE = "values.csv"
INDICATORS_FILE = "indicators.csv"
VALUE_COLUMNS = ("indicator", "area", "period", "numerator", "denominator", "value")
INDICATOR_COLUMNS = ("code", "name", "unit", "direction", "phase", "source", "definition")
#: Rows between two calls of the progress callback.
PROGRESS_EVERY = 5000

_PERIOD = re.compile(r"(\d{4})(?:\s*-\s*(\d{4}))?")
_CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")
_NUMBER_POINT = re.compile(r"-?\d+(?:\.\d+)?")
_NUMBER_COMMA = re.compile(r"-?\d{1,3}(?:\.\d{3})*(?:,\d+)?|-?\d+(?:,\d+)?")
_FIRST_YEAR, _LAST_YEAR = 1900, 2100


@dataclass(frozen=True)
class Problem:
    file: str
    row: int  # the line in the file (the header is line 1); 0 for the file as a whole
    column: str
    reason: str


@dataclass
class ImportReport:
    files: list[str] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    indicators_created: int = 0
    indicators_updated: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class ImportFailed(Exception):
    """Nothing was written; ``report.problems`` says why."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{len(report.problems)} problem(s)")
        self.report = report


@dataclass(frozen=True)
class Scope:
    """What the importing user may change: ``areas`` the area codes values may be for (``None``:
    all); ``catalogue`` whether definitions of the public catalogue may be changed (new
    indicators are always of the set "own")."""

    areas: frozenset[str] | None = None
    catalogue: bool = True


@dataclass(frozen=True)
class _Source:
    name: str
    text: str


Progress = Callable[[int, int], None]


# --- Reading ---------------------------------------------------------------------------------


def _decode(name: str, raw: bytes, problems: list[Problem]) -> str | None:
    maximum = limits().max_file_bytes
    if len(raw) > maximum:
        problems.append(
            Problem(
                name,
                0,
                "",
                _("The file is larger than %(mb)s MB (IMPORT_MAX_FILE_MB).")
                % {"mb": maximum // MB},
            )
        )
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(
            Problem(
                name,
                raw[: exc.start].count(b"\n") + 1,
                "",
                _("The file is not UTF-8 text (byte %(position)s).") % {"position": exc.start},
            )
        )
        return None


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _rows(
    source: _Source, columns: tuple[str, ...], required: tuple[str, ...], problems: list[Problem]
) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line, row)`` per data row, with cells stripped; a missing column or an overlong cell is
    reported once and ends the file."""
    delimiter = _delimiter(source.text)
    reader = csv.reader(io.StringIO(source.text, newline=""), delimiter=delimiter)
    try:
        header = [cell.strip().lower() for cell in next(reader)]
    except StopIteration:
        problems.append(Problem(source.name, 0, "", _("The file is empty.")))
        return
    except csv.Error as exc:
        problems.append(Problem(source.name, 1, "", str(exc)))
        return
    missing = [column for column in required if column not in header]
    if missing:
        problems.append(
            Problem(
                source.name,
                1,
                ", ".join(missing),
                _("Missing column(s): %(columns)s. Expected: %(expected)s.")
                % {"columns": ", ".join(missing), "expected": ",".join(columns)},
            )
        )
        return
    index = {column: header.index(column) for column in columns if column in header}
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            row = {}
            for column, position in index.items():
                cell = cells[position].strip() if position < len(cells) else ""
                too_long = field_problem(cell)
                if too_long:
                    problems.append(Problem(source.name, line, column, too_long))
                    cell = ""
                row[column] = cell
            yield line, row
    except csv.Error as exc:
        problems.append(Problem(source.name, reader.line_num, "", str(exc)))


def parse_number(text: str, *, dutch: bool = False) -> float | None:
    """A number as spreadsheets write it; ``None`` when empty; ``ValueError`` for anything else.

    ``12.5`` and ``12,5`` are twelve and a half. In a semicolon-separated file (a Dutch Excel
    export, ``dutch``) a dot groups thousands: ``56.130`` is 56130 and ``1.234,5`` is 1234.5;
    elsewhere a dot is the decimal point.
    """
    text = text.replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if (dutch or "," in text) and _NUMBER_COMMA.fullmatch(text):
        return float(text.replace(".", "").replace(",", "."))
    if _NUMBER_POINT.fullmatch(text):
        return float(text)
    raise ValueError(text)


def parse_period(text: str) -> tuple[int, int] | None:
    match = _PERIOD.fullmatch(text.strip())
    if match is None:
        return None
    start = int(match.group(1))
    end = int(match.group(2) or start)
    if not (_FIRST_YEAR <= start <= end <= _LAST_YEAR):
        return None
    return start, end


def computed_value(unit: str, numerator: float, denominator: float) -> float:
    scales: dict[str, float] = {Unit.PERCENTAGE: 100.0, Unit.RATE_PER_1000: 1000.0}
    scale = scales.get(unit, 1.0)
    return numerator / denominator * scale


def _decimals(text: str, *, dutch: bool) -> int:
    mark = "," if dutch or "," in text else "."
    digits = text.rsplit(mark, 1)
    return len(digits[1]) if len(digits) == 2 else 0


# --- Indicators ------------------------------------------------------------------------------


@dataclass
class _IndicatorRow:
    code: str
    fields: dict[str, object]


def _check_indicators(
    source: _Source, scope: Scope, problems: list[Problem]
) -> dict[str, _IndicatorRow]:
    existing = {i.code: i for i in Indicator.objects.all()}
    checked: dict[str, _IndicatorRow] = {}
    choices = {
        "unit": Unit.values,
        "direction": Direction.values,
        "phase": IndicatorPhase.values,
    }
    sources = {value.lower(): value for value in Source.values}
    for line, row in _rows(source, INDICATOR_COLUMNS, INDICATOR_COLUMNS, problems):

        def bad(column: str, reason: str, line: int = line) -> None:
            problems.append(Problem(source.name, line, column, reason))

        code = row["code"].lower()
        if not _CODE.fullmatch(code):
            bad("code", _("A code has lower-case letters, digits and hyphens, e.g. late-start."))
            continue
        if code in checked:
            bad("code", _("Indicator %(code)s appears twice.") % {"code": code})
            continue
        for column in ("name", "definition"):
            if not row[column]:
                bad(column, _("This column is required."))
            elif formula_to_flag(row[column]):
                bad(column, _("Starts with =, +, - or @: a spreadsheet formula is not accepted."))
        for column, allowed in choices.items():
            if row[column] not in allowed:
                bad(
                    column,
                    _("%(value)r is not one of: %(allowed)s.")
                    % {"value": row[column], "allowed": ", ".join(allowed)},
                )
        source_value = sources.get(row["source"].lower())
        if source_value is None:
            bad(
                "source",
                _("%(value)r is not one of: %(allowed)s.")
                % {"value": row["source"], "allowed": ", ".join(Source.values)},
            )
        current = existing.get(code)
        if current is not None and current.is_loop:
            bad(
                "code",
                _("%(code)s is computed by Kansrijk; it cannot be changed.") % {"code": code},
            )
        elif (
            current is not None
            and not scope.catalogue
            and current.indicator_set != IndicatorSet.OWN
        ):
            bad(
                "code",
                _("%(code)s is in the public catalogue; only an administrator can change it.")
                % {"code": code},
            )
        checked[code] = _IndicatorRow(
            code,
            {
                "name_nl": row["name"],
                "unit": row["unit"],
                "direction": row["direction"],
                "phase": row["phase"],
                "source": source_value or Source.OTHER,
                "definition": row["definition"],
            },
        )
    return checked


# --- Values ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _IndicatorFacts:
    id: int | None
    unit: str
    levels: frozenset[str]
    is_loop: bool


@dataclass(frozen=True)
class _ValueRow:
    code: str
    area: str
    level: str
    start: int
    end: int
    numerator: float | None
    denominator: float | None
    value: float


def _known_areas() -> dict[str, frozenset[str]]:
    return {
        AreaLevel.MUNICIPALITY: frozenset(Municipality.objects.values_list("code", flat=True)),
        AreaLevel.GGD_REGION: frozenset(GGDRegion.objects.values_list("code", flat=True)),
        AreaLevel.YOUTH_CARE_REGION: frozenset(
            YouthCareRegion.objects.values_list("code", flat=True)
        ),
        AreaLevel.PROVINCE: frozenset(Province.objects.values_list("code", flat=True)),
        AreaLevel.COUNTRY: frozenset({"NL01"}),
    }


def _check_values(
    source: _Source,
    indicators: dict[str, _IndicatorFacts],
    scope: Scope,
    problems: list[Problem],
    progress: Progress | None,
) -> list[_ValueRow]:
    areas = _known_areas()
    checked: list[_ValueRow] = []
    seen: dict[tuple[str, str, int, int], int] = {}
    total_lines = source.text.count("\n")
    dutch = _delimiter(source.text) == ";"
    for count, (line, row) in enumerate(
        _rows(source, VALUE_COLUMNS, VALUE_COLUMNS[:3], problems), 1
    ):
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(line, total_lines)
        before = len(problems)

        def bad(column: str, reason: str, line: int = line) -> None:
            problems.append(Problem(source.name, line, column, reason))

        code = row["indicator"].lower()
        facts = indicators.get(code)
        if facts is None:
            bad("indicator", _("Unknown indicator %(code)r.") % {"code": row["indicator"]})
        elif facts.is_loop:
            bad(
                "indicator",
                _("%(code)s is computed by Kansrijk from the referrals.") % {"code": code},
            )
        area = row["area"].upper()
        level = area_level(area)
        if level is None or area not in areas[level]:
            bad(
                "area",
                _(
                    "Unknown area %(area)r: use a CBS code such as GM0090, GG7206, JZ02, PV21 or NL01."
                )
                % {"area": row["area"]},
            )
        elif facts is not None and facts.levels and level not in facts.levels:
            bad(
                "area",
                _("This indicator is not given for a %(level)s.")
                % {"level": AreaLevel(level).label},
            )
        elif scope.areas is not None and area not in scope.areas:
            bad("area", _("You may only import values for your own municipalities."))
        period = parse_period(row["period"])
        if period is None:
            bad("period", _("A period is a year (2023) or a range of years (2019-2023)."))
        numbers: dict[str, float | None] = {}
        for column in ("numerator", "denominator", "value"):
            try:
                numbers[column] = parse_number(row.get(column, ""), dutch=dutch)
            except ValueError:
                bad(column, _("%(value)r is not a number.") % {"value": row[column]})
                numbers[column] = None
                continue
            number = numbers[column]
            if number is not None and number < 0 and column != "value":
                bad(column, _("A count cannot be negative."))
        numerator, denominator, value = (
            numbers["numerator"],
            numbers["denominator"],
            numbers["value"],
        )
        unit = facts.unit if facts is not None else ""
        if (
            numerator is not None
            and denominator is not None
            and numerator > denominator
            and unit in SHARE_UNITS
        ):
            bad("numerator", _("The numerator is larger than the denominator."))
        if denominator == 0 and unit in SHARE_UNITS:
            bad("denominator", _("The denominator is 0."))
        if unit == Unit.COUNT:
            if numerator is None:
                numerator = value
            elif value is not None and abs(value - numerator) > 1e-9:
                bad("value", _("For a count the value is the numerator."))
            value = numerator
            if value is not None and value < 0:
                bad("value", _("A count cannot be negative."))
            elif value is not None and value != int(value):
                bad("value", _("A count is a whole number."))
        elif unit in SHARE_UNITS and numerator is not None and denominator:
            expected = computed_value(unit, numerator, denominator)
            if value is None:
                value = expected
            elif abs(expected - value) > 0.5 * 10 ** -_decimals(row["value"], dutch=dutch) + 1e-9:
                bad(
                    "value",
                    _("The value %(value)s does not match numerator/denominator (%(expected)s).")
                    % {"value": row["value"], "expected": f"{expected:.2f}".replace(".", ",")},
                )
        # An indicator whose unit is bad in indicators.csv is reported there, not here.
        if value is None and unit in Unit.values and len(problems) == before:
            bad("value", _("Give a value, or a numerator and a denominator."))
        if (
            len(problems) != before
            or facts is None
            or level is None
            or period is None
            or value is None
        ):
            continue
        key = (code, area, *period)
        if key in seen:
            bad(
                "period",
                _("This indicator, area and period are also on row %(row)s.") % {"row": seen[key]},
            )
            continue
        seen[key] = line
        checked.append(_ValueRow(code, area, level, *period, numerator, denominator, value))
    if progress is not None:
        progress(total_lines, total_lines)
    return checked


# --- The import ------------------------------------------------------------------------------


def _sources_from_path(
    path: Path, problems: list[Problem]
) -> tuple[_Source | None, _Source | None]:
    def read(file: Path) -> _Source | None:
        try:
            raw = file.read_bytes()
        except OSError as exc:
            problems.append(Problem(file.name, 0, "", str(exc.strerror or exc)))
            return None
        text = _decode(file.name, raw, problems)
        return _Source(file.name, text) if text is not None else None

    if path.is_dir():
        values_file = path / VALUES_FILE
        indicators_file = path / INDICATORS_FILE
        if not values_file.exists() and not indicators_file.exists():
            problems.append(
                Problem(path.name, 0, "", _("The folder has no values.csv or indicators.csv."))
            )
            return None, None
        return (
            read(values_file) if values_file.exists() else None,
            read(indicators_file) if indicators_file.exists() else None,
        )
    return read(path), None


def import_path(
    path: Path | str, *, scope: Scope = Scope(), progress: Progress | None = None
) -> ImportReport:
    """Import a values CSV file or a folder (see the module docstring). Raises ``ImportFailed``
    with every problem when anything is wrong; writes nothing then."""
    problems: list[Problem] = []
    values, indicators = _sources_from_path(Path(path), problems)
    return _import(values, indicators, problems=problems, scope=scope, progress=progress)


def import_uploads(
    *,
    values: tuple[str, bytes] | None,
    indicators: tuple[str, bytes] | None = None,
    scope: Scope = Scope(),
) -> ImportReport:
    """The same as ``import_path`` for uploaded files (``(name, content)``)."""
    problems: list[Problem] = []
    sources: list[_Source | None] = []
    for upload in (values, indicators):
        if upload is None:
            sources.append(None)
            continue
        text = _decode(upload[0], upload[1], problems)
        sources.append(_Source(upload[0], text) if text is not None else None)
    return _import(sources[0], sources[1], problems=problems, scope=scope, progress=None)


def _import(
    values: _Source | None,
    indicators: _Source | None,
    *,
    problems: list[Problem],
    scope: Scope,
    progress: Progress | None,
) -> ImportReport:
    report = ImportReport(problems=problems)
    report.files = [s.name for s in (indicators, values) if s is not None]
    definitions = _check_indicators(indicators, scope, problems) if indicators else {}
    facts = {
        i.code: _IndicatorFacts(i.pk, i.unit, frozenset(i.area_levels), i.is_loop)
        for i in Indicator.objects.all()
    }
    for code, row in definitions.items():
        known = facts.get(code)
        facts[code] = _IndicatorFacts(
            known.id if known else None,
            str(row.fields["unit"]),
            known.levels if known else frozenset(),
            known.is_loop if known else False,
        )
    rows = _check_values(values, facts, scope, problems, progress) if values else []
    report.rows = len(rows)
    if problems:
        raise ImportFailed(report)
    _write(report, definitions, rows)
    return report


@transaction.atomic
def _write(
    report: ImportReport, definitions: dict[str, _IndicatorRow], rows: list[_ValueRow]
) -> None:
    for code, row in definitions.items():
        indicator = Indicator.objects.filter(code=code).first()
        if indicator is None:
            Indicator.objects.create(
                code=code,
                indicator_set=IndicatorSet.OWN,
                area_levels=list(AreaLevel.values),
                position=1000,
                **row.fields,
            )
            report.indicators_created += 1
            continue
        changed = [name for name, value in row.fields.items() if getattr(indicator, name) != value]
        if changed:
            for name in changed:
                setattr(indicator, name, row.fields[name])
            indicator.save()
            report.indicators_updated += 1
    forget_token()
    if not rows:
        return
    ids = dict(Indicator.objects.filter(code__in={r.code for r in rows}).values_list("code", "id"))
    existing = set(
        IndicatorValue.objects.filter(
            indicator_id__in=ids.values(), area_code__in={r.area for r in rows}
        ).values_list("indicator_id", "area_code", "period_start", "period_end")
    )
    objects = [
        IndicatorValue(
            indicator_id=ids[r.code],
            area_code=r.area,
            area_level=r.level,
            period_start=r.start,
            period_end=r.end,
            numerator=r.numerator,
            denominator=r.denominator,
            value=r.value,
            is_demo=False,
            source_note="",
        )
        for r in rows
    ]
    report.updated = sum(
        (o.indicator_id, o.area_code, o.period_start, o.period_end) in existing for o in objects
    )
    report.created = len(objects) - report.updated
    IndicatorValue.objects.upsert(objects)
    totals.recompute({(ids[r.code], r.start, r.end) for r in rows})
