"""Reads of the monitor. Every value comes out as a ``Figure``: through
``suppression.publish``, so a suppressed or withheld number never reaches a page, chart, map,
API response or export."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kansrijk.monitoring.models import (
    COUNTRY_CODE,
    AreaLevel,
    Direction,
    Indicator,
    IndicatorPhase,
    IndicatorValue,
    Unit,
    period_label,
)
from kansrijk.monitoring.suppression import SUPPRESSED_TEXT, Published, Reason, publish
from kansrijk.places.models import GGDRegion, Municipality, Province, YouthCareRegion

__all__ = [
    "Figure",
    "area_names",
    "figure",
    "format_value",
    "indicator_or_none",
    "map_figures",
    "municipality_overview",
    "size_class",
    "size_class_figures",
    "trend",
]


def format_value(unit: str, value: float | None) -> str:
    """A value as shown in Dutch or English (``12,3%``, ``4,5 per 1.000``, ``1.234``).
    Rounded half away from zero first: ``number_format`` cuts decimals off."""
    if value is None:
        return ""
    digits = 0 if unit == Unit.COUNT else 1
    rounded = float(Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP))
    if unit == Unit.PERCENTAGE:
        return f"{number_format(rounded, 1, force_grouping=True)}%"
    if unit == Unit.RATE_PER_1000:
        return _("%(value)s per 1,000") % {"value": number_format(rounded, 1, force_grouping=True)}
    if unit == Unit.DAYS:
        return _("%(value)s days") % {"value": number_format(rounded, 1)}
    return number_format(rounded, 0, force_grouping=True)


@dataclass(frozen=True)
class Figure:
    """One value as it may leave the app."""

    indicator: str
    unit: str
    area_code: str
    area_name: str
    period_start: int
    period_end: int
    published: Published
    is_demo: bool
    source_note: str

    @property
    def period(self) -> str:
        return period_label(self.period_start, self.period_end)

    @property
    def suppressed(self) -> bool:
        return self.published.suppressed

    @property
    def withheld(self) -> bool:
        return self.published.reason == Reason.SECONDARY

    @property
    def value(self) -> float | None:
        return self.published.value

    @property
    def numerator(self) -> float | None:
        return self.published.numerator

    @property
    def denominator(self) -> float | None:
        return self.published.denominator

    @property
    def display(self) -> str:
        """What a page shows: the formatted value, "< 10", or "not shown"."""
        if self.withheld:
            return _("not shown")
        if self.suppressed:
            return SUPPRESSED_TEXT
        return format_value(self.unit, self.value)


def figure(indicator: Indicator, row: IndicatorValue, names: dict[str, str]) -> Figure:
    """``row`` as it may leave the app (through the suppression module)."""
    published = (
        publish(
            unit=indicator.unit,
            numerator=row.numerator,
            denominator=row.denominator,
            value=row.value,
            withheld=row.withheld,
        )
        if indicator.about_people
        else Published(row.value, row.numerator, row.denominator, False, None, True)
    )
    return Figure(
        indicator=indicator.code,
        unit=indicator.unit,
        area_code=row.area_code,
        area_name=names.get(row.area_code, row.area_code),
        period_start=row.period_start,
        period_end=row.period_end,
        published=published,
        is_demo=row.is_demo,
        source_note=row.source_note,
    )


def area_names(codes: Iterable[str] | None = None) -> dict[str, str]:
    """Names of areas by CBS code (all of them when ``codes`` is ``None``)."""
    wanted = set(codes) if codes is not None else None
    names: dict[str, str] = {COUNTRY_CODE: str(_("the Netherlands"))}
    for model in (Municipality, GGDRegion, YouthCareRegion, Province):
        queryset = model.objects.all()
        if wanted is not None:
            queryset = queryset.filter(code__in=wanted)
        names.update(dict(queryset.values_list("code", "name")))
    return names


def indicator_or_none(code: str, *, public_only: bool = True) -> Indicator | None:
    queryset = Indicator.objects.public() if public_only else Indicator.objects.all()
    return queryset.filter(code=code).first()


def _values(indicator_ids: Iterable[int], areas: Iterable[str]) -> list[IndicatorValue]:
    return list(
        IndicatorValue.objects.filter(
            indicator_id__in=list(indicator_ids), area_code__in=list(areas)
        )
        .order_by("indicator_id", "period_end", "period_start")
        .only(
            "indicator_id",
            "area_code",
            "period_start",
            "period_end",
            "numerator",
            "denominator",
            "value",
            "withheld",
            "is_demo",
            "source_note",
        )
    )


# --- The municipality's overview -----------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """Direction of change of the municipality's value since its previous period."""

    arrow: str  # ↑ ↓ →
    label: str
    judgement: str  # "better", "worse", "" (neutral or unknown)


@dataclass(frozen=True)
class OverviewRow:
    indicator: Indicator
    latest: Figure | None
    region: Figure | None
    country: Figure | None
    previous: Figure | None
    change: Change | None
    is_demo: bool


@dataclass(frozen=True)
class PhaseGroup:
    phase: str
    label: str
    rows: list[OverviewRow]


def _change(indicator: Indicator, latest: Figure | None, previous: Figure | None) -> Change | None:
    if latest is None or previous is None or latest.value is None or previous.value is None:
        return None
    if abs(latest.value - previous.value) < 1e-9:
        return Change("→", _("the same as in %(period)s") % {"period": previous.period}, "")
    up = latest.value > previous.value
    judgement = ""
    if indicator.direction != Direction.NEUTRAL:
        better = up == (indicator.direction == Direction.HIGHER_IS_BETTER)
        judgement = "better" if better else "worse"
    label = (_("higher than in %(period)s") if up else _("lower than in %(period)s")) % {
        "period": previous.period
    }
    if judgement:
        label += " (" + (_("better") if judgement == "better" else _("worse")) + ")"
    return Change("↑" if up else "↓", label, judgement)


def _same_period(
    indicator: Indicator, found: list[IndicatorValue], latest: Figure | None, names: dict[str, str]
) -> Figure | None:
    """The value of the same period as ``latest``; without ``latest`` (no municipal value) the
    area's latest."""
    if latest is None:
        return figure(indicator, found[-1], names) if found else None
    period = (latest.period_start, latest.period_end)
    for row in found:
        if (row.period_start, row.period_end) == period:
            return figure(indicator, row, names)
    return None


def municipality_overview(municipality: Municipality) -> list[PhaseGroup]:
    """Per phase the public indicators with the municipality's latest value, the GGD region's
    and the country's value of the same period, and the direction of change."""
    indicators = list(Indicator.objects.public())
    areas = [municipality.code, municipality.ggd_region_id, COUNTRY_CODE]
    names = {
        municipality.code: municipality.name,
        municipality.ggd_region_id: municipality.ggd_region.name,
        COUNTRY_CODE: str(_("the Netherlands")),
    }
    by_indicator: dict[int, dict[str, list[IndicatorValue]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in _values((i.pk for i in indicators), areas):
        by_indicator[row.indicator_id][row.area_code].append(row)
    groups: dict[str, list[OverviewRow]] = defaultdict(list)
    for indicator in indicators:
        rows = by_indicator.get(indicator.pk, {})
        own = rows.get(municipality.code, [])
        latest = figure(indicator, own[-1], names) if own else None
        previous = None
        if latest is not None:
            length = latest.period_end - latest.period_start
            earlier = [
                r
                for r in own[:-1]
                if r.period_end - r.period_start == length and r.period_end < latest.period_end
            ]
            previous = figure(indicator, earlier[-1], names) if earlier else None

        region = _same_period(indicator, rows.get(municipality.ggd_region_id, []), latest, names)
        country = _same_period(indicator, rows.get(COUNTRY_CODE, []), latest, names)
        groups[indicator.phase].append(
            OverviewRow(
                indicator=indicator,
                latest=latest,
                region=region,
                country=country,
                previous=previous,
                change=_change(indicator, latest, previous),
                is_demo=any(f is not None and f.is_demo for f in (latest, region, country)),
            )
        )
    return [
        PhaseGroup(phase, str(label), groups[phase])
        for phase, label in IndicatorPhase.choices
        if groups.get(phase)
    ]


# --- One indicator ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendRow:
    period: str
    municipality: Figure | None
    region: Figure | None
    country: Figure | None


def trend(indicator: Indicator, municipality: Municipality) -> list[TrendRow]:
    """Per period (oldest first) the municipality's, GGD region's and country's values."""
    areas = [municipality.code, municipality.ggd_region_id, COUNTRY_CODE]
    names = area_names(areas)
    cells: dict[tuple[int, int], dict[str, Figure]] = defaultdict(dict)
    for row in _values([indicator.pk], areas):
        cells[(row.period_start, row.period_end)][row.area_code] = figure(indicator, row, names)
    return [
        TrendRow(
            period_label(*period),
            cells[period].get(municipality.code),
            cells[period].get(municipality.ggd_region_id),
            cells[period].get(COUNTRY_CODE),
        )
        for period in sorted(cells, key=lambda p: (p[1], p[0]))
    ]


def periods(indicator: Indicator) -> list[tuple[int, int]]:
    """The periods with municipal values, newest first."""
    return sorted(
        set(
            IndicatorValue.objects.filter(
                indicator=indicator, area_level=AreaLevel.MUNICIPALITY
            ).values_list("period_start", "period_end")
        ),
        key=lambda p: (-p[1], -p[0]),
    )


def map_figures(indicator: Indicator, period: tuple[int, int]) -> list[Figure]:
    """Every municipality's value of one period (municipalities without one are left out)."""
    names = dict(Municipality.objects.values_list("code", "name"))
    rows = (
        IndicatorValue.objects.filter(
            indicator=indicator,
            area_level=AreaLevel.MUNICIPALITY,
            period_start=period[0],
            period_end=period[1],
        )
        .order_by("area_code")
        .only(
            "area_code",
            "period_start",
            "period_end",
            "numerator",
            "denominator",
            "value",
            "withheld",
            "is_demo",
            "source_note",
        )
    )
    figures = [figure(indicator, row, names) for row in rows]
    figures.sort(key=lambda f: f.area_name)
    return figures


# --- Size classes ----------------------------------------------------------------------------

#: CBS size classes of municipalities by number of inhabitants (gemeentegrootteklassen).
SIZE_CLASSES: tuple[tuple[int, int | None], ...] = (
    (0, 5_000),
    (5_000, 10_000),
    (10_000, 20_000),
    (20_000, 50_000),
    (50_000, 100_000),
    (100_000, 150_000),
    (150_000, 250_000),
    (250_000, None),
)


def size_class(population: int | None) -> tuple[int, int | None] | None:
    if population is None:
        return None
    for low, high in SIZE_CLASSES:
        if population >= low and (high is None or population < high):
            return low, high
    return None


def size_class_label(bounds: tuple[int, int | None]) -> str:
    low, high = bounds
    if high is None:
        return _("%(low)s inhabitants or more") % {
            "low": number_format(low, 0, force_grouping=True)
        }
    return _("%(low)s to %(high)s inhabitants") % {
        "low": number_format(low, 0, force_grouping=True),
        "high": number_format(high, 0, force_grouping=True),
    }


@dataclass(frozen=True)
class Comparison:
    label: str
    period: str
    figures: list[Figure]  # the municipalities of the class, the selected one included
    median: float | None


def size_class_figures(
    indicator: Indicator, municipality: Municipality, period: tuple[int, int]
) -> Comparison | None:
    """The municipalities of the same size class (CBS population 2021) and their values."""
    bounds = size_class(municipality.population_2021)
    if bounds is None:
        return None
    low, high = bounds
    members = Municipality.objects.filter(population_2021__gte=low)
    if high is not None:
        members = members.filter(population_2021__lt=high)
    codes = set(members.values_list("code", flat=True))
    figures = [f for f in map_figures(indicator, period) if f.area_code in codes]
    shown = [f.value for f in figures if f.value is not None]
    return Comparison(
        size_class_label(bounds),
        period_label(*period),
        figures,
        median(shown) if shown else None,
    )
