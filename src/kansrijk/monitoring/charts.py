"""Charts as data: a ``Chart`` holds a Vega-Lite spec *and* the table with the same figures,
rendered together by ``monitoring/includes/chart.html`` (title and description for screen readers,
the chart, a button to switch to the table, the table that works without JavaScript, and CSV /
.xlsx downloads). Other apps (the coalition workspace) build their charts the same way.

Only values that passed the suppression module go into a spec: a suppressed value is left out
of the chart (a gap) and shown as "< 10" in the table. Demo values are marked in the title,
the description and every table row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from kansrijk.monitoring.models import Unit

#: The Vega-Lite version every chart of the app is written for (``monitoring/charts.js``
#: embeds them).
VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"

#: Colours of the NL Design System example theme, with enough contrast on white (WCAG 1.4.11).
SERIES_COLOURS = ["#00689e", "#b3005b", "#3b3b3b"]


@dataclass(frozen=True)
class Download:
    label: str
    url: str


@dataclass(frozen=True)
class Link:
    """A table cell that links somewhere (a municipality's page)."""

    text: str
    url: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Table:
    caption: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]  # cells: text, or a Link
    numeric: Sequence[bool] = ()  # per column: right-aligned numbers
    #: What a download holds (numbers as numbers, "< 10" where suppressed); the shown rows when empty.
    export_columns: Sequence[str] = ()
    export_rows: Sequence[Sequence[Any]] = ()


@dataclass(frozen=True)
class Chart:
    """One chart with its table. ``key`` makes the element ids unique on the page."""

    key: str
    title: str
    description: str
    spec: dict[str, Any]
    table: Table
    downloads: Sequence[Download] = field(default_factory=tuple)
    is_demo: bool = False
    source: str = ""
    #: Where the figures shown were published, when they have sources of their own
    #: (``selectors.figure_sources``); ``source`` is the indicator's.
    figure_sources: str = ""
    #: False: the indicator's exact definition is not (completely) public (said in the notes).
    definition_complete: bool = True
    #: What the table's marks mean, when not the monitor's small-number rule ("< 10").
    notes: str = ""


def _axis_title(unit: str) -> str:
    titles: dict[str, str] = {
        Unit.PERCENTAGE: _("percentage"),
        Unit.RATE_PER_1000: _("per 1,000"),
        Unit.DAYS: _("days"),
        Unit.COUNT: _("number"),
    }
    return titles.get(unit, "")


def _base(title: str, description: str, is_demo: bool) -> dict[str, Any]:
    """What every chart shares. The title is the figure's heading on the page, so the chart itself
    repeats only the demo mark (inside the picture, so that a screenshot keeps it)."""
    spec: dict[str, Any] = {
        "$schema": VEGA_LITE_SCHEMA,
        "description": f"{title}. {description}",
        "width": "container",
        "background": "#ffffff",
        "config": {
            "font": "system-ui, sans-serif",
            "axis": {"labelFontSize": 12, "titleFontSize": 12},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom"},
            "title": {"fontSize": 13, "color": "#b3005b", "anchor": "start"},
        },
    }
    if is_demo:
        spec["title"] = _("Demo: generated values, not real figures")
    return spec


def trend_spec(
    *,
    title: str,
    description: str,
    unit: str,
    points: Sequence[dict[str, Any]],
    series: Sequence[str],
    is_demo: bool,
) -> dict[str, Any]:
    """A line chart over periods. ``points``: ``{"period", "area", "value", "shown"}`` with only
    published values; ``series``: the area names in legend order."""
    spec = _base(title, description, is_demo)
    spec.update(
        {
            "height": 260,
            "data": {"values": list(points)},
            "mark": {"type": "line", "point": {"size": 60, "filled": True}, "strokeWidth": 2.5},
            "encoding": {
                "x": {"field": "period", "type": "ordinal", "title": _("Period"), "sort": None},
                "y": {
                    "field": "value",
                    "type": "quantitative",
                    "title": _axis_title(unit),
                    "scale": {"zero": unit != Unit.DAYS},
                },
                "color": _by_area(series, SERIES_COLOURS),
                # The same field as the colour: one legend with both (a "legend": None here took
                # the merged legend away, and the lines were unnamed).
                "strokeDash": _by_area(series, [[1, 0], [6, 3], [2, 2]]),
                "tooltip": [
                    {"field": "area", "title": _("Area")},
                    {"field": "period", "title": _("Period")},
                    {"field": "shown", "title": _("Value")},
                ],
            },
        }
    )
    return spec


def _by_area(series: Sequence[str], styles: Sequence[Any]) -> dict[str, Any]:
    """An encoding of a line chart's areas (``series``, in legend order) by one style each, the
    first of ``styles`` for the first area."""
    return {
        "field": "area",
        "type": "nominal",
        "title": None,
        "sort": list(series),
        "scale": {"domain": list(series), "range": list(styles[: len(series)])},
    }


def _municipality_links() -> dict[str, Any]:
    """The encodings of a chart with a mark per municipality (``values`` with ``"name"``,
    ``"shown"`` and ``"url"``): each links to its page and names itself and its value."""
    return {
        "href": {"field": "url", "type": "nominal"},
        "tooltip": [
            {"field": "name", "title": _("Municipality")},
            {"field": "shown", "title": _("Value")},
        ],
    }


def map_spec(
    *,
    title: str,
    description: str,
    boundaries_url: str,
    values: Sequence[dict[str, Any]],
    is_demo: bool,
) -> dict[str, Any]:
    """A choropleth of all municipalities. ``values``: ``{"code", "name", "value", "shown",
    "url"}``; municipalities without a shown value are grey; each links to its page."""
    spec = _base(title, description, is_demo)
    spec.update(
        {
            "height": 520,
            "projection": {"type": "mercator"},
            "data": {"url": boundaries_url, "format": {"type": "json", "property": "features"}},
            "transform": [
                {
                    "lookup": "id",
                    "from": {
                        "data": {"values": list(values)},
                        "key": "code",
                        "fields": ["name", "value", "shown", "url"],
                    },
                },
            ],
            "mark": {
                "type": "geoshape",
                "stroke": "#ffffff",
                "strokeWidth": 0.4,
                "cursor": "pointer",
            },
            "encoding": {
                "color": {
                    "condition": {
                        "test": "isValid(datum.value)",
                        "field": "value",
                        "type": "quantitative",
                        "scale": {"scheme": "blues"},
                        "title": None,
                        "legend": {"orient": "bottom-left", "direction": "vertical"},
                    },
                    "value": "#d9d9d9",
                },
                **_municipality_links(),
            },
        }
    )
    return spec


def strip_spec(
    *,
    title: str,
    description: str,
    unit: str,
    values: Sequence[dict[str, Any]],
    is_demo: bool,
) -> dict[str, Any]:
    """The municipalities of a comparison as dots on one axis, the selected one highlighted.
    ``values``: ``{"name", "value", "shown", "selected", "url"}``."""
    spec = _base(title, description, is_demo)
    spec.update(
        {
            "height": 70,
            "data": {"values": list(values)},
            "mark": {"type": "tick", "thickness": 2, "size": 30},
            "encoding": {
                "x": {"field": "value", "type": "quantitative", "title": _axis_title(unit)},
                "color": {
                    "condition": {"test": "datum.selected", "value": "#b3005b"},
                    "value": "#7a9cbf",
                },
                "size": {"condition": {"test": "datum.selected", "value": 50}, "value": 25},
                **_municipality_links(),
            },
        }
    )
    return spec
