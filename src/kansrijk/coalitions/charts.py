"""A chart with its data table, as the workspace's pages show them
(``coalitions/includes/chart.html``, drawn by ``static/coalitions/charts.js``), and the
referral network's Vega-Lite specification."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from kansrijk.coalitions.models import MemberDomain
from kansrijk.coalitions.network import OUTSIDE, Network

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"


@dataclass(frozen=True)
class Table:
    caption: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    numeric: Sequence[bool] = ()


@dataclass(frozen=True)
class Chart:
    """One chart and its table. ``key`` makes the element ids unique on the page."""

    key: str
    title: str
    description: str
    spec: dict[str, Any] | None
    table: Table
    is_demo: bool = False
    #: A line under the chart that helps to read the table (e.g. what the columns mean).
    note: str = ""


DOMAIN_COLOURS = {
    MemberDomain.MEDICAL: "#00487a",
    MemberDomain.SOCIAL: "#8a4b00",
    MemberDomain.INFORMAL: "#2e6b30",
    MemberDomain.MUNICIPALITY: "#6b2e6b",
    OUTSIDE: "#5c5c5c",
}


def network_spec(network: Network) -> dict[str, Any] | None:
    """The organisations on a circle, an arrow per (sending, receiving) pair: thicker for more
    referrals, thin and dashed where the count is under 10 (not shown)."""
    if not network.nodes:
        return None
    labels = {str(v): str(label) for v, label in MemberDomain.choices}
    labels[OUTSIDE] = _("Not a member")
    nodes = [
        {
            "name": node.name,
            "x": node.x,
            "y": node.y,
            "lx": round(node.x * 1.12, 4),
            "ly": round(node.y * 1.12 - 0.06, 4),
            "domain": labels[node.domain],
            "sent": node.sent,
            "received": node.received,
        }
        for node in network.nodes
    ]
    edges = []
    for edge in network.edges:
        sx, sy, tx, ty = edge.source.x, edge.source.y, edge.target.x, edge.target.y
        if (sx, sy) == (tx, ty):
            continue  # an organisation referring to itself: in the table only
        dx, dy = tx - sx, ty - sy
        length = (dx * dx + dy * dy) ** 0.5
        # Stop short of the target's dot and put the arrowhead there.
        ex, ey = tx - dx / length * 0.09, ty - dy / length * 0.09
        angle = math.degrees(math.atan2(dx, dy)) % 360  # clockwise from "up"
        edges.append(
            {
                "from": edge.source.name,
                "to": edge.target.name,
                "x": sx,
                "y": sy,
                "x2": round(ex, 4),
                "y2": round(ey, 4),
                "angle": round(angle, 1),
                "count": edge.count,
                "shown": edge.shown,
                "width": 1 if edge.count is None else min(8, 1.5 + edge.count / 10),
                "small": edge.count is None,
            }
        )
    domain = [labels[d] for d in DOMAIN_COLOURS]
    colours = list(DOMAIN_COLOURS.values())
    axis = {"scale": {"domain": [-1.5, 1.5]}, "axis": None}
    tooltip = [
        {"field": "from", "title": _("From")},
        {"field": "to", "title": _("To")},
        {"field": "shown", "title": _("Referrals")},
    ]
    return {
        "$schema": SCHEMA,
        "width": 520,
        "height": 520,
        "autosize": {"type": "fit", "contains": "padding"},
        "config": {"view": {"stroke": None}},
        "layer": [
            {
                "data": {"values": edges},
                "mark": {"type": "rule", "color": "#4b4b4b"},
                "encoding": {
                    "x": {"field": "x", "type": "quantitative", **axis},
                    "y": {"field": "y", "type": "quantitative", **axis},
                    "x2": {"field": "x2"},
                    "y2": {"field": "y2"},
                    "strokeWidth": {"field": "width", "type": "quantitative", "scale": None},
                    "strokeDash": {
                        "field": "small",
                        "type": "nominal",
                        "scale": {"domain": [False, True], "range": [[1, 0], [4, 3]]},
                        "legend": None,
                    },
                    "tooltip": tooltip,
                },
            },
            {
                "data": {"values": edges},
                "mark": {
                    "type": "point",
                    "shape": "triangle-up",
                    "filled": True,
                    "color": "#4b4b4b",
                    "size": 70,
                },
                "encoding": {
                    "x": {"field": "x2", "type": "quantitative"},
                    "y": {"field": "y2", "type": "quantitative"},
                    "angle": {"field": "angle", "type": "quantitative", "scale": None},
                    "tooltip": tooltip,
                },
            },
            {
                "data": {"values": nodes},
                "mark": {
                    "type": "circle",
                    "size": 420,
                    "stroke": "#ffffff",
                    "strokeWidth": 2,
                    "opacity": 1,
                },
                "encoding": {
                    "x": {"field": "x", "type": "quantitative"},
                    "y": {"field": "y", "type": "quantitative"},
                    "color": {
                        "field": "domain",
                        "type": "nominal",
                        "title": _("Domain"),
                        "scale": {"domain": domain, "range": colours},
                        "legend": {"orient": "bottom", "columns": 3},
                    },
                    "tooltip": [
                        {"field": "name", "title": _("Organisation")},
                        {"field": "domain", "title": _("Domain")},
                        {"field": "sent", "title": _("Sent")},
                        {"field": "received", "title": _("Received")},
                    ],
                },
            },
            {
                "data": {"values": nodes},
                "mark": {"type": "text", "fontSize": 11, "color": "#1a1a1a", "limit": 150},
                "encoding": {
                    "x": {"field": "lx", "type": "quantitative"},
                    "y": {"field": "ly", "type": "quantitative"},
                    "text": {"field": "name"},
                },
            },
        ],
    }
