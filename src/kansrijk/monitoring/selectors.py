"""Reads of the monitor. Every value comes out as a ``Figure``: through
``suppression.publish``, so a suppressed or withheld number never reaches a page, chart, map,
API response or export.

**Kept per data version.** What the pages and the API read is a function of the values and the
catalogue, which change only through an import, the demo loader or the admin (each raises the
``monitoring`` token of ``kansrijk.core.freshness``). So each process keeps, per indicator,
every value already published (``indicator_figures``: one query fills it, for every area and
period), the public catalogue (``public_indicators``) and the names of the areas
(``area_names``), and forgets them when the token of their kinds changes. A page or an answer
then needs no query of values at all; at national scale (342 municipalities and their regions x
40 indicators x 10 years) one indicator is about 4,200 figures, all 40 about 40 MB per process.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from statistics import median
from typing import cast

from django.utils.formats import get_format, number_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from kansrijk.core.freshness import Kept, memo
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
    "IndicatorFigures",
    "all_figures",
    "area_names",
    "format_value",
    "indicator_figures",
    "indicator_or_none",
    "map_figures",
    "municipality_or_none",
    "municipality_overview",
    "periods",
    "public_indicators",
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
        return f"{grouped(rounded, 1)}%"
    if unit == Unit.RATE_PER_1000:
        return _("%(value)s per 1,000") % {"value": grouped(rounded, 1)}
    if unit == Unit.DAYS:
        return _("%(value)s days") % {"value": number_format(rounded, 1)}
    return grouped(rounded, 0)


@memo("monitoring.separators", size=8)
def _separators(language: str | None) -> tuple[str, str]:
    return str(get_format("DECIMAL_SEPARATOR")), str(get_format("THOUSAND_SEPARATOR"))


def grouped(value: float, digits: int) -> str:
    """``number_format(value, digits, force_grouping=True)`` (groups of three, as in Dutch and
    English), without its look-ups per number: a dashboard page shows 120 numbers."""
    decimal, thousands = _separators(get_language())
    return f"{value:,.{digits}f}".translate({44: thousands, 46: decimal})


@dataclass(frozen=True, slots=True)
class Figure:
    """One value as it may leave the app. ``area_name``: for the Netherlands a lazy translation
    (kept figures serve every language); ``str()`` it where it leaves as data."""

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
    def own_source(self) -> str:
        """Where this figure was published, with its year, when it has a source of its own (a
        national figure from a programme document, the CBS reference data); empty for demo,
        computed and imported values, which the indicator's source covers."""
        return "" if self.is_demo else self.source_note

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


def figure_sources(figures: Iterable[Figure | None]) -> str:
    """The own sources (``Figure.own_source``) of ``figures``, each once, in order: shown beside
    the indicator's source wherever the figures leave the app."""
    sources = dict.fromkeys(f.own_source for f in figures if f is not None and f.own_source)
    return "; ".join(sources)


#: Seconds what a process keeps may be used at most (a change the token misses: SQL by hand).
KEPT_SECONDS = 600.0
_names: Kept[str, dict[str, str]] = Kept(
    "monitoring.area-names", seconds=KEPT_SECONDS, size=1, kinds=("places",)
)
_catalogue: Kept[str, dict[str, Indicator]] = Kept(
    "monitoring.public-indicators", seconds=KEPT_SECONDS, size=1, kinds=("monitoring",)
)


def _all_names() -> dict[str, str]:
    """Every area's name by CBS code; the Netherlands' as a lazy translation."""

    def make() -> dict[str, str]:
        names: dict[str, str] = {COUNTRY_CODE: cast(str, gettext_lazy("the Netherlands"))}
        for model in (Municipality, GGDRegion, YouthCareRegion, Province):
            names.update(dict(model.objects.values_list("code", "name")))
        return names

    return _names.get_or_make("all", make)


def area_names(codes: Iterable[str] | None = None) -> dict[str, str]:
    """Names of areas by CBS code (all of them when ``codes`` is ``None``); unknown codes are
    left out."""
    names = _all_names()
    if codes is None:
        return {code: str(name) for code, name in names.items()}
    return {code: str(names[code]) for code in codes if code in names}


_municipalities: Kept[str, dict[str, Municipality]] = Kept(
    "monitoring.municipalities", seconds=KEPT_SECONDS, size=1, kinds=("places",)
)


def municipality_or_none(code: str) -> Municipality | None:
    """The municipality with its regions (kept per version of the places)."""
    found = _municipalities.get_or_make(
        "all",
        lambda: {
            m.code: m
            for m in Municipality.objects.select_related(
                "ggd_region", "province", "youth_care_region"
            )
        },
    )
    return found.get(code.strip().upper())


def public_indicators() -> list[Indicator]:
    """The public catalogue in its order (kept per data version)."""
    return list(_public_by_code().values())


def _public_by_code() -> dict[str, Indicator]:
    return _catalogue.get_or_make("public", lambda: {i.code: i for i in Indicator.objects.public()})


def indicator_or_none(code: str, *, public_only: bool = True) -> Indicator | None:
    if public_only:
        return _public_by_code().get(code)
    return Indicator.objects.filter(code=code).first()


@dataclass(frozen=True)
class IndicatorFigures:
    """Every published value of one indicator: per area oldest first, and per period the
    municipalities' (sorted by name)."""

    by_area: dict[str, tuple[Figure, ...]]
    periods: tuple[tuple[int, int], ...]  # with municipal values, newest first
    municipal: dict[tuple[int, int], tuple[Figure, ...]]


_FIELDS = (
    "area_code",
    "area_level",
    "period_start",
    "period_end",
    "numerator",
    "denominator",
    "value",
    "withheld",
    "is_demo",
    "source_note",
)
#: Indicators whose figures a process keeps at most (the catalogue and own indicators).
_FIGURES_MAX = 200
_figures: Kept[int, IndicatorFigures] = Kept(
    "monitoring.indicator-figures",
    seconds=KEPT_SECONDS,
    size=_FIGURES_MAX,
    kinds=("monitoring", "places"),
)


def indicator_figures(indicator: Indicator) -> IndicatorFigures:
    """Every value of ``indicator``, published, kept in this process per data version (one
    query to fill)."""
    return all_figures([indicator])[indicator.pk]


def all_figures(indicators: list[Indicator]) -> dict[int, IndicatorFigures]:
    """``indicator_figures`` of each of ``indicators`` by id; those not kept yet are filled
    together, in one query."""
    found = _figures.get_many(i.pk for i in indicators)
    missing = {i.pk: i for i in indicators if i.pk not in found}
    if missing:
        loaded = _load_figures(missing)
        _figures.put_many(loaded)
        found.update(loaded)
    return found


def _load_figures(indicators: dict[int, Indicator]) -> dict[int, IndicatorFigures]:
    names = _all_names()
    by_area: dict[int, dict[str, list[Figure]]] = {pk: defaultdict(list) for pk in indicators}
    municipal: dict[int, dict[tuple[int, int], list[Figure]]] = {
        pk: defaultdict(list) for pk in indicators
    }
    rows = (
        IndicatorValue.objects.filter(indicator_id__in=list(indicators))
        .order_by("indicator_id", "area_code", "period_end", "period_start")
        .values_list("indicator_id", *_FIELDS)
    )
    for pk, code, level, start, end, numerator, denominator, value, withheld, demo, note in rows:
        indicator = indicators[pk]
        published = (
            publish(
                unit=indicator.unit,
                numerator=numerator,
                denominator=denominator,
                value=value,
                withheld=withheld,
            )
            if indicator.about_people
            else Published(value, numerator, denominator, False, None, True)
        )
        item = Figure(
            indicator=indicator.code,
            unit=indicator.unit,
            area_code=code,
            area_name=names.get(code, code),
            period_start=start,
            period_end=end,
            published=published,
            is_demo=demo,
            source_note=note,
        )
        by_area[pk][code].append(item)
        if level == AreaLevel.MUNICIPALITY:
            municipal[pk][(start, end)].append(item)
    return {
        pk: IndicatorFigures(
            by_area={code: tuple(items) for code, items in by_area[pk].items()},
            periods=tuple(sorted(municipal[pk], key=lambda p: (-p[1], -p[0]))),
            municipal={
                period: tuple(sorted(items, key=lambda f: f.area_name))
                for period, items in municipal[pk].items()
            },
        )
        for pk in indicators
    }


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


def _same_period(found: tuple[Figure, ...], latest: Figure | None) -> Figure | None:
    """The figure of the same period as ``latest``; without ``latest`` (no municipal value) the
    area's latest."""
    if latest is None:
        return found[-1] if found else None
    for item in found:
        if item.period_start == latest.period_start and item.period_end == latest.period_end:
            return item
    return None


def municipality_overview(municipality: Municipality) -> list[PhaseGroup]:
    """Per phase the public indicators with the municipality's latest value, the GGD region's
    and the country's value of the same period, and the direction of change (from the kept
    figures: no query once they are kept)."""
    groups: dict[str, list[OverviewRow]] = defaultdict(list)
    indicators = public_indicators()
    kept = all_figures(indicators)
    for indicator in indicators:
        by_area = kept[indicator.pk].by_area
        own = by_area.get(municipality.code, ())
        latest = own[-1] if own else None
        previous = None
        if latest is not None:
            length = latest.period_end - latest.period_start
            for item in reversed(own[:-1]):
                if (
                    item.period_end - item.period_start == length
                    and item.period_end < latest.period_end
                ):
                    previous = item
                    break
        region = _same_period(by_area.get(municipality.ggd_region_id, ()), latest)
        country = _same_period(by_area.get(COUNTRY_CODE, ()), latest)
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
    by_area = indicator_figures(indicator).by_area
    areas = [municipality.code, municipality.ggd_region_id, COUNTRY_CODE]
    cells: dict[tuple[int, int], dict[str, Figure]] = defaultdict(dict)
    for area in areas:
        for item in by_area.get(area, ()):
            cells[(item.period_start, item.period_end)][area] = item
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
    return list(indicator_figures(indicator).periods)


def map_figures(indicator: Indicator, period: tuple[int, int]) -> list[Figure]:
    """Every municipality's value of one period, by name (municipalities without one are left
    out)."""
    return list(indicator_figures(indicator).municipal.get(period, ()))


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


_classes: Kept[str, dict[tuple[int, int | None], frozenset[str]]] = Kept(
    "monitoring.size-classes", seconds=KEPT_SECONDS, size=1, kinds=("places",)
)


def _size_classes() -> dict[tuple[int, int | None], frozenset[str]]:
    """The municipalities of each size class (kept per version of the places)."""

    def make() -> dict[tuple[int, int | None], frozenset[str]]:
        found: dict[tuple[int, int | None], set[str]] = defaultdict(set)
        for code, population in Municipality.objects.values_list("code", "population_2021"):
            bounds = size_class(population)
            if bounds is not None:
                found[bounds].add(code)
        return {bounds: frozenset(codes) for bounds, codes in found.items()}

    return _classes.get_or_make("all", make)


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
    codes = _size_classes().get(bounds, frozenset())
    figures = [f for f in map_figures(indicator, period) if f.area_code in codes]
    shown = [f.value for f in figures if f.value is not None]
    return Comparison(
        size_class_label(bounds),
        period_label(*period),
        figures,
        median(shown) if shown else None,
    )
