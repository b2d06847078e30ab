"""Vega-Lite specifications of a round's charts: a radar of the parts and a bar chart per part.

Positions are worked out here (a radar is a polygon on a circle), so the charts are plain
Vega-Lite layers that ``static/kansrijk/charts.js`` embeds with ``{ast: true}`` under the strict
CSP. Every chart is shown with its data table; the numbers come from the same ``RoundResults``
as the table, so a suppressed figure is in neither.
"""

from __future__ import annotations

import math
import textwrap
from typing import Any

from django.utils.translation import gettext as _

from kansrijk.assessments.selectors import RoundResults
from kansrijk.monitoring.charts import VEGA_LITE_SCHEMA

BRAND = "#00487a"
PREVIOUS = "#8a4b00"
GRID = "#b0b0b0"


def _lines(text: str, width: int = 22) -> list[str]:
    return textwrap.wrap(text, width) or [text]


def _radius(value: float, low: int, high: int) -> float:
    return (value - low) / (high - low) if high > low else 0.0


def radar(view: RoundResults) -> dict[str, Any] | None:
    """The parts' means on a radar (with the previous round's, when both are shown); ``None``
    when fewer than two parts have a mean."""
    low, high = view.version.scale_min, view.version.scale_max
    parts = [p for p in view.parts if p.result.mean is not None]
    count = len(view.parts)
    if len(parts) < 2 or count < 3:
        return None
    # The first part at the top, the others clockwise (the y axis points up).
    angles = {p.part.code: math.pi / 2 - 2 * math.pi * i / count for i, p in enumerate(view.parts)}

    def point(code: str, value: float) -> tuple[float, float]:
        r = _radius(value, low, high)
        return round(r * math.cos(angles[code]), 4), round(r * math.sin(angles[code]), 4)

    grid = []
    for ring, value in enumerate(range(low, high + 1)):
        for order, p in enumerate([*view.parts, view.parts[0]]):
            x, y = point(p.part.code, value)
            grid.append({"ring": ring, "order": order, "x": x, "y": y})
    spokes = []
    labels = []
    for p in view.parts:
        x, y = point(p.part.code, high)
        spokes.append({"x": 0, "y": 0, "x2": x, "y2": y})
        labels.append(
            {"x": round(x * 1.22, 4), "y": round(y * 1.22, 4), "label": _lines(p.part.name)}
        )
    series = []
    current = _("This round")
    previous = _("Previous round")
    for order, p in enumerate([*parts, parts[0]]):
        mean = p.result.mean
        assert mean is not None
        x, y = point(p.part.code, mean)
        series.append(
            {
                "round": current,
                "order": order,
                "x": x,
                "y": y,
                "part": p.part.name,
                "mean": round(mean, 2),
            }
        )
    compared = [p for p in parts if p.change is not None]
    if len(compared) == len(parts):
        for order, p in enumerate([*parts, parts[0]]):
            assert p.change is not None
            x, y = point(p.part.code, p.change.previous)
            series.append(
                {
                    "round": previous,
                    "order": order,
                    "x": x,
                    "y": y,
                    "part": p.part.name,
                    "mean": round(p.change.previous, 2),
                }
            )
    axis = {"scale": {"domain": [-1.5, 1.5], "nice": False, "zero": False}, "axis": None}
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "width": 420,
        "height": 420,
        "config": {"view": {"stroke": None}},
        "layer": [
            {
                "data": {"values": grid},
                "mark": {"type": "line", "color": GRID, "strokeWidth": 0.75},
                "encoding": {
                    "x": {"field": "x", "type": "quantitative", **axis},
                    "y": {"field": "y", "type": "quantitative", **axis},
                    "detail": {"field": "ring"},
                    "order": {"field": "order"},
                },
            },
            {
                "data": {"values": spokes},
                "mark": {"type": "rule", "color": GRID, "strokeWidth": 0.75},
                "encoding": {
                    "x": {"field": "x", "type": "quantitative"},
                    "y": {"field": "y", "type": "quantitative"},
                    "x2": {"field": "x2"},
                    "y2": {"field": "y2"},
                },
            },
            {
                "data": {"values": labels},
                "mark": {"type": "text", "fontSize": 12, "color": "#1a1a1a"},
                "encoding": {
                    "x": {"field": "x", "type": "quantitative"},
                    "y": {"field": "y", "type": "quantitative"},
                    "text": {"field": "label"},
                },
            },
            {
                "data": {"values": series},
                "mark": {"type": "line", "point": {"size": 60, "filled": True}, "strokeWidth": 2.5},
                "encoding": {
                    "x": {"field": "x", "type": "quantitative"},
                    "y": {"field": "y", "type": "quantitative"},
                    "order": {"field": "order"},
                    "color": {
                        "field": "round",
                        "type": "nominal",
                        "title": None,
                        "scale": {"domain": [current, previous], "range": [BRAND, PREVIOUS]},
                        "legend": {"orient": "bottom"},
                    },
                    "strokeDash": {
                        "field": "round",
                        "type": "nominal",
                        "scale": {"domain": [current, previous], "range": [[1, 0], [5, 3]]},
                        "legend": None,
                    },
                    "tooltip": [
                        {"field": "part", "title": _("Part")},
                        {"field": "round", "title": _("Round")},
                        {"field": "mean", "title": _("Mean"), "format": ".1f"},
                    ],
                },
            },
        ],
    }


def part_bars(view: RoundResults) -> dict[str, Any]:
    """The parts' means as bars: instead of the radar where it cannot be drawn."""
    low, high = view.version.scale_min, view.version.scale_max
    rows = [
        {"part": p.part.name, "mean": round(p.result.mean, 2)}
        for p in view.parts
        if p.result.mean is not None
    ]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "width": "container",
        "height": {"step": 32},
        "data": {"values": rows},
        "mark": {"type": "bar", "color": BRAND},
        "encoding": {
            "y": {"field": "part", "type": "nominal", "sort": None, "title": _("Part")},
            "x": {
                "field": "mean",
                "type": "quantitative",
                "title": _("Mean (%(low)s to %(high)s)") % {"low": low, "high": high},
                "scale": {"domain": [low, high], "nice": False},
            },
            "x2": {"datum": low},
            "tooltip": [
                {"field": "part", "title": _("Part")},
                {"field": "mean", "title": _("Mean"), "format": ".1f"},
            ],
        },
    }


def bars(view: RoundResults, part_code: str) -> dict[str, Any]:
    """The statements of one part: the mean as a bar, the spread (one standard deviation each
    side) as a line, the previous round's mean as a tick. Statements without a mean (too few
    scores) are left out of the chart; the table says so."""
    part = next(p for p in view.parts if p.part.code == part_code)
    low, high = view.version.scale_min, view.version.scale_max
    rows = []
    for row in part.statements:
        result = row.result
        if result.mean is None:
            continue
        spread = result.spread or 0.0
        rows.append(
            {
                "code": row.statement.code,
                "text": row.statement.text,
                "mean": round(result.mean, 2),
                "low": round(max(low, result.mean - spread), 2),
                "high": round(min(high, result.mean + spread), 2),
                "n": result.n,
                "previous": round(row.change.previous, 2) if row.change else None,
            }
        )
    order = [r["code"] for r in rows]
    y = {"field": "code", "type": "nominal", "sort": order, "title": _("Statement")}
    x_scale = {"domain": [low, high], "nice": False}
    tooltip = [
        {"field": "code", "title": _("Statement")},
        {"field": "text", "title": _("Text")},
        {"field": "mean", "title": _("Mean"), "format": ".1f"},
        {"field": "n", "title": _("Answers")},
    ]
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "bar", "color": BRAND, "height": {"band": 0.6}},
            "encoding": {
                "y": y,
                "x": {
                    "field": "mean",
                    "type": "quantitative",
                    "title": _("Mean (%(low)s to %(high)s)") % {"low": low, "high": high},
                    "scale": x_scale,
                    "axis": {"tickMinStep": 1},
                },
                "x2": {"datum": low},
                "tooltip": tooltip,
            },
        },
        {
            "mark": {"type": "rule", "color": "#1a1a1a", "strokeWidth": 1.5},
            "encoding": {
                "y": y,
                "x": {"field": "low", "type": "quantitative", "scale": x_scale},
                "x2": {"field": "high"},
            },
        },
    ]
    if any(r["previous"] is not None for r in rows):
        layers.append(
            {
                "transform": [{"filter": "datum.previous != null"}],
                "mark": {"type": "tick", "color": PREVIOUS, "thickness": 3, "bandSize": 18},
                "encoding": {
                    "y": y,
                    "x": {"field": "previous", "type": "quantitative", "scale": x_scale},
                    "tooltip": [
                        {"field": "code", "title": _("Statement")},
                        {"field": "previous", "title": _("Previous round"), "format": ".1f"},
                    ],
                },
            }
        )
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "width": "container",
        "height": {"step": 28},
        "data": {"values": rows},
        "layer": layers,
    }


#: The colours of a distribution, each at least 4.5:1 on white (the counts are written on the
#: segments in white), from the middle of the scale outwards: the low scores in reds, the middle
#: grey, the high scores in blues, darker towards the ends (neighbouring shades differ by at
#: least 2:1 from each other; white lines separate the segments).
LOW_COLOURS = ["#c0392b", "#9c1c1c", "#6b0d0d"]
MIDDLE_COLOUR = "#5c5c5c"
HIGH_COLOURS = ["#1f6fb2", "#155a93", "#0a2f57"]


def _shades(count: int, colours: list[str]) -> list[str]:
    """``count`` shades of ``colours`` (ordered from the middle outwards), spread over the
    palette so that the end of the scale gets the darkest; the darkest repeats where a scale is
    longer than the palette."""
    if count <= 1:
        return colours[:count]
    last = len(colours) - 1
    if count > len(colours):
        return [colours[min(i, last)] for i in range(count)]
    return [colours[round(i * last / (count - 1))] for i in range(count)]


def distribution_colours(values: list[int]) -> list[str]:
    """One colour per scale value, low to high."""
    half = len(values) // 2
    low = list(reversed(_shades(half, LOW_COLOURS)))
    high = _shades(half, HIGH_COLOURS)
    middle = [MIDDLE_COLOUR] if len(values) % 2 else []
    return low + middle + high


def distribution(view: RoundResults, part_code: str) -> dict[str, Any]:
    """The statements of one part: how many gave each score, as a bar per statement that
    diverges from the middle of the scale (the low scores to the left, the high ones to the
    right, the middle score straddling the centre), so that a statement on which partners
    disagree shows long bars on both sides. "Don't know" is in no segment: it is counted in
    the statement's label. Statements without a distribution (too few scores) are left out;
    the table says so."""
    part = next(p for p in view.parts if p.part.code == part_code)
    values = [value for value, _label in view.scale]
    labels = dict(view.scale)
    names = [f"{value}: {labels[value]}" for value in values]
    colours = distribution_colours(values)
    half = len(values) // 2
    middle = values[half] if len(values) % 2 else None
    rows: list[dict[str, Any]] = []
    order: list[str] = []
    extent = 1.0
    for row in part.statements:
        result = row.result
        if result.distribution is None:
            continue
        counts = result.distribution
        unknown = result.unknown or 0
        label = row.statement.code
        if unknown:
            label = _("%(code)s (don't know: %(n)s)") % {"code": label, "n": unknown}
        order.append(label)
        below = sum(counts[v] for v in values[:half])
        start = -(below + (counts[middle] / 2 if middle is not None else 0))
        for value, name in zip(values, names, strict=True):
            count = counts[value]
            rows.append(
                {
                    "statement": label,
                    "code": row.statement.code,
                    "text": row.statement.text,
                    "value": value,
                    "answer": name,
                    "count": count,
                    "start": start,
                    "end": start + count,
                    "centre": start + count / 2,
                    "scores": result.n,
                    "unknown": unknown,
                }
            )
            start += count
        extent = max(extent, -rows[-len(values)]["start"], start)
    y = {
        "field": "statement",
        "type": "nominal",
        "sort": order,
        "title": _("Statement"),
        "axis": {"labelLimit": 220},
    }
    domain = [-extent, extent]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": _(
            "How many gave each score per statement: low scores to the left, high ones to the "
            "right of the centre."
        ),
        "width": "container",
        "height": {"step": 30},
        "data": {"values": rows},
        "layer": [
            {
                # The centre line: drawn for the eye only (it has no data to read out).
                "mark": {"type": "rule", "color": "#1a1a1a", "strokeWidth": 1, "aria": False},
                "encoding": {
                    "x": {"datum": 0, "type": "quantitative", "scale": {"domain": domain}}
                },
            },
            {
                "mark": {
                    "type": "bar",
                    "stroke": "#ffffff",
                    "strokeWidth": 1,
                    "height": {"band": 0.7},
                },
                "encoding": {
                    "y": y,
                    "x": {
                        "field": "start",
                        "type": "quantitative",
                        "title": _("Number of respondents (low scores to the left)"),
                        "scale": {"domain": domain, "nice": False},
                        "axis": {"tickMinStep": 1, "labelExpr": "abs(datum.value)"},
                    },
                    "x2": {"field": "end"},
                    "color": {
                        "field": "answer",
                        "type": "nominal",
                        "title": _("Score"),
                        "scale": {"domain": names, "range": colours},
                        "legend": {"orient": "bottom", "columns": 2, "labelLimit": 260},
                    },
                    "tooltip": [
                        {"field": "code", "title": _("Statement")},
                        {"field": "text", "title": _("Text")},
                        {"field": "answer", "title": _("Score")},
                        {"field": "count", "title": _("Respondents")},
                        {"field": "unknown", "title": _("Don't know")},
                    ],
                },
            },
            {
                "transform": [{"filter": "datum.count > 0"}],
                "mark": {"type": "text", "color": "#ffffff", "fontSize": 11, "fontWeight": "bold"},
                "encoding": {
                    "y": y,
                    "x": {"field": "centre", "type": "quantitative", "scale": {"domain": domain}},
                    "text": {"field": "count"},
                },
            },
        ],
    }
