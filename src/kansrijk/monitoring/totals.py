"""Regional totals computed from the municipal values, and which of them must be withheld.

For an indicator whose numbers add up (every unit but ``days``) and a period, the total of a GGD
region, youth care region, province and the Netherlands is the sum of its municipalities'
numerators and denominators — when every municipality of the region has them. Such totals are
stored as ``IndicatorValue`` rows with ``origin = computed``. Then ``suppression.protect_regions``
decides, over all regional values of that indicator and period (computed and imported alike),
which would give a suppressed municipal value away; those get ``withheld``
(docs/monitoring.md, "Regional totals"). A pooled period (2019-2023) is a total over its years:
after the years, each pooled value is withheld when it minus the years shown would give a
hidden year away (``_withhold_pooled``; docs/monitoring.md, "Pooled periods").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils.timezone import now

from kansrijk.monitoring.cache import forget_token
from kansrijk.monitoring.models import (
    COUNTRY_CODE,
    AreaLevel,
    Indicator,
    IndicatorValue,
    Origin,
)
from kansrijk.monitoring.suppression import (
    SHARE_UNITS,
    THRESHOLD,
    Cell,
    Region,
    primary_reason,
    protect_regions,
)
from kansrijk.places.models import Municipality


@dataclass(frozen=True)
class Membership:
    """Which regions each municipality belongs to, and the members of each region."""

    regions: dict[str, tuple[str, ...]]  # region code -> municipality codes
    levels: dict[str, str]  # region code -> area level

    @classmethod
    def load(cls) -> Membership:
        regions: dict[str, list[str]] = defaultdict(list)
        levels: dict[str, str] = {}
        for code, ggd, youth, province in Municipality.objects.order_by("code").values_list(
            "code", "ggd_region_id", "youth_care_region_id", "province_id"
        ):
            for region, level in (
                (ggd, AreaLevel.GGD_REGION),
                (youth, AreaLevel.YOUTH_CARE_REGION),
                (province, AreaLevel.PROVINCE),
                (COUNTRY_CODE, AreaLevel.COUNTRY),
            ):
                regions[region].append(code)
                levels[region] = level
        return cls({k: tuple(v) for k, v in regions.items()}, levels)


def _value(unit: str, numerator: float, denominator: float | None) -> float | None:
    if unit == "count":
        return numerator
    if not denominator:
        return None
    scale = 100.0 if unit == "percentage" else 1000.0
    return numerator / denominator * scale


@transaction.atomic
def recompute(pairs: Iterable[tuple[int, int, int]], membership: Membership | None = None) -> int:
    """Compute the regional totals of the given (indicator id, first year, last year) again and
    decide what is withheld. Returns the number of regional values written."""
    wanted: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for indicator_id, start, end in pairs:
        wanted[indicator_id].add((start, end))
    if not wanted:
        return 0
    membership = membership or Membership.load()
    forget_token()
    indicators = {i.pk: i for i in Indicator.objects.filter(pk__in=wanted)}
    written = 0
    for indicator_id, periods in wanted.items():
        indicator = indicators.get(indicator_id)
        if indicator is None:
            continue
        by_period = _rows_by_period(indicator_id)
        # A pooled period (2019-2023) is a total over its years: it is checked again whenever
        # one of its years changes, after the years (see _withhold_pooled).
        pooled = {
            p
            for p in by_period
            if p[0] < p[1] and any(p[0] <= end and start <= p[1] for start, end in periods)
        }
        todo = set(periods) | pooled
        ranges = sorted((p for p in todo if p[0] < p[1]), key=lambda p: (p[1] - p[0], p))
        for period in sorted(p for p in todo if p[0] == p[1]):
            written += _recompute_one(indicator, period, by_period.get(period, []), membership)
        if not ranges or not (indicator.about_people and indicator.is_additive):
            for period in ranges:
                written += _recompute_one(indicator, period, by_period.get(period, []), membership)
            continue
        by_period = _rows_by_period(indicator_id)  # the years' regional totals as now stored
        for period in ranges:
            rows = by_period.get(period, [])
            _withhold_pooled(
                indicator,
                period,
                [r for r in rows if r.area_level == AreaLevel.MUNICIPALITY],
                by_period,
            )
            written += _recompute_one(indicator, period, rows, membership)
        by_period = _rows_by_period(indicator_id)  # the pooled regional totals as now stored
        for period in ranges:
            rows = by_period.get(period, [])
            _withhold_pooled(
                indicator,
                period,
                [r for r in rows if r.area_level != AreaLevel.MUNICIPALITY],
                by_period,
                keep_withheld=True,
            )
    forget_token()
    return written


def _rows_by_period(indicator_id: int) -> dict[tuple[int, int], list[IndicatorValue]]:
    by_period: dict[tuple[int, int], list[IndicatorValue]] = defaultdict(list)
    for row in (
        IndicatorValue.objects.filter(indicator_id=indicator_id)
        .order_by()
        .only(
            "id",
            "area_code",
            "area_level",
            "period_start",
            "period_end",
            "numerator",
            "denominator",
            "value",
            "origin",
            "withheld",
            "is_demo",
        )
    ):
        by_period[(row.period_start, row.period_end)].append(row)
    return by_period


def _hidden(unit: str, row: IndicatorValue) -> bool:
    """Whether ``row`` is not shown (suppressed or withheld)."""
    reason = primary_reason(
        unit=unit, numerator=row.numerator, denominator=row.denominator, value=row.value
    )
    return reason is not None or row.withheld


def _withhold_pooled(
    indicator: Indicator,
    period: tuple[int, int],
    rows: list[IndicatorValue],
    by_period: dict[tuple[int, int], list[IndicatorValue]],
    *,
    keep_withheld: bool = False,
) -> None:
    """Withhold each pooled value of ``rows`` that, minus the years of its area that are shown,
    would give a hidden year away: when one year of the period is hidden, when a hidden year was
    withheld to protect another value, or when the hidden years add up to less than 10 (or, for
    a share, their complement does). Years without a value count as known (the cautious
    assumption). ``keep_withheld``: never clear a withheld flag (a regional total's, set by
    ``protect_regions``); otherwise this decides the flag (a municipality's pooled value)."""
    unit = indicator.unit
    years: dict[str, list[IndicatorValue]] = defaultdict(list)
    for year in range(period[0], period[1] + 1):
        for row in by_period.get((year, year), []):
            years[row.area_code].append(row)
    for row in rows:
        hidden = [y for y in years.get(row.area_code, []) if _hidden(unit, y)]
        flag = bool(hidden) and (
            len(hidden) == 1 or any(y.withheld for y in hidden) or _small_sum(unit, hidden)
        )
        if keep_withheld:
            flag = flag or row.withheld
        if row.withheld != flag:
            row.withheld = flag
            IndicatorValue.objects.filter(pk=row.pk).update(withheld=flag, updated_at=now())


def _small_sum(unit: str, rows: list[IndicatorValue]) -> bool:
    """Whether what ``rows`` add up to is a small number (rule 5)."""
    numerator = sum(r.numerator if r.numerator is not None else (r.value or 0.0) for r in rows)
    if numerator < THRESHOLD:
        return True
    if unit in SHARE_UNITS and all(r.denominator is not None for r in rows):
        return sum(r.denominator or 0.0 for r in rows) - numerator < THRESHOLD
    return False


def _recompute_one(
    indicator: Indicator,
    period: tuple[int, int],
    rows: list[IndicatorValue],
    membership: Membership,
) -> int:
    unit = indicator.unit
    municipal = {r.area_code: r for r in rows if r.area_level == AreaLevel.MUNICIPALITY}
    imported_regions = {
        r.area_code: r
        for r in rows
        if r.area_level != AreaLevel.MUNICIPALITY and r.origin == Origin.IMPORTED
    }
    computed: list[IndicatorValue] = []
    if indicator.is_additive:
        for region, members in membership.regions.items():
            if region in imported_regions:
                continue
            values = [municipal.get(code) for code in members]
            if any(v is None or v.numerator is None for v in values):
                continue
            present = [v for v in values if v is not None]
            numerator = sum(v.numerator or 0.0 for v in present)
            denominator: float | None = None
            if unit in SHARE_UNITS:
                if any(v.denominator is None for v in present):
                    continue
                denominator = sum(v.denominator or 0.0 for v in present)
            value = _value(unit, numerator, denominator)
            if value is None:
                continue
            computed.append(
                IndicatorValue(
                    indicator=indicator,
                    area_code=region,
                    area_level=membership.levels[region],
                    period_start=period[0],
                    period_end=period[1],
                    numerator=numerator,
                    denominator=denominator,
                    value=value,
                    origin=Origin.COMPUTED,
                    is_demo=any(v.is_demo for v in present),
                )
            )
    withheld: dict[str, object] = {}
    if indicator.about_people:
        cells = {
            code: Cell(
                row.numerator if row.numerator is not None else 0.0,
                row.denominator,
                _hidden(unit, row),
            )
            for code, row in municipal.items()
            if row.numerator is not None or unit not in SHARE_UNITS
        }
        regions = [
            Region(r.area_code, membership.regions.get(r.area_code, ()), r.numerator, r.denominator)
            for r in [*computed, *imported_regions.values()]
        ]
        withheld = dict(protect_regions(unit=unit, cells=cells, regions=regions))
    for row in computed:
        row.withheld = row.area_code in withheld
    written = _store_computed(computed, [r for r in rows if r.origin == Origin.COMPUTED])
    for code, row in imported_regions.items():
        flag = code in withheld
        if row.withheld != flag:
            IndicatorValue.objects.filter(pk=row.pk).update(withheld=flag, updated_at=now())
    return written


#: What a computed total is made of: a stored total that has these as computed is kept as it is.
_COMPUTED_FIELDS = ("area_level", "numerator", "denominator", "value", "withheld", "is_demo")


def _store_computed(computed: list[IndicatorValue], stored: list[IndicatorValue]) -> int:
    """Make the stored totals of one indicator and period the ``computed`` ones, writing only
    where they differ: a total that came out the same keeps its row (its id and its time of
    change); one that changed is written anew, one no longer computed is deleted. Returns how
    many were written."""
    kept = {row.area_code: row for row in stored}  # one per area (monitoring_value_unique)
    gone: list[int] = []
    new: list[IndicatorValue] = []
    for row in computed:
        old = kept.pop(row.area_code, None)
        if old is not None:
            if all(getattr(old, field) == getattr(row, field) for field in _COMPUTED_FIELDS):
                continue
            gone.append(old.pk)
        new.append(row)
    gone.extend(old.pk for old in kept.values())
    if gone:
        IndicatorValue.objects.filter(pk__in=gone).delete()
    IndicatorValue.objects.bulk_create(new, batch_size=500)
    return len(new)
