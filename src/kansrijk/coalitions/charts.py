"""The referral network's Vega-Lite specification. The workspace's charts are
``kansrijk.monitoring.charts.Chart`` (a chart with its table, ``monitoring/includes/chart.html``),
the one convention for charts in the app."""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext as _

from kansrijk.coalitions.models import MemberDomain
from kansrijk.coalitions.network import OUTSIDE, Network
from kansrijk.monitoring.charts import VEGA_LITE_SCHEMA

DOMAIN_COLOURS = {
    MemberDomain.MEDICAL: "#00487a",
    MemberDomain.SOCIAL: "#8a4b00",
    MemberDomain.INFORMAL: "#2e6b30",
    MemberDomain.MUNICIPALITY: "#6b2e6b",
    OUTSIDE: "#5c5c5c",
}


def network_spec(network: Network) -> dict[str, Any]:
    """The organisations on a circle, an arrow per (sending, receiving) pair: thicker for more
    referrals, thin and dashed where the count is not shown (under 10, or withheld)."""
    labels = {str(v): str(label) for v, label in MemberDomain.choices}
    labels[OUTSIDE] = _("Not a member")
    nodes = [
        {
            "name": node.name,
            "x": node.x,
            "y": node.y,
            "lx": round(node.x * 1.13, 4),
            "ly": round(node.y * 1.13, 4),
            "side": "right" if node.x > 0.15 else ("left" if node.x < -0.15 else "center"),
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
    axis = {"scale": {"domain": [-1.9, 1.9], "nice": False, "zero": False}, "axis": None}
    tooltip = [
        {"field": "from", "title": _("From")},
        {"field": "to", "title": _("To")},
        {"field": "shown", "title": _("Referrals")},
    ]
    arrows = [
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
    ]
    first = {} if edges else axis
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "width": 520,
        "height": 520,
        "config": {"view": {"stroke": None}},
        "layer": [
            # Vega gives the mark group of an empty layer the role of a graphic without a name
            # (axe-core: svg-img-alt), so a period without referrals draws no arrow layers.
            *(arrows if edges else []),
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
                    # The scale and axis are set in the first layer (Vega-Lite fails when a
                    # later layer sets them): here when there are no arrows.
                    "x": {"field": "x", "type": "quantitative", **first},
                    "y": {"field": "y", "type": "quantitative", **first},
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
            *[
                {
                    "data": {"values": nodes},
                    "transform": [{"filter": f"datum.side == '{side}'"}],
                    "mark": {
                        "type": "text",
                        "fontSize": 11,
                        "color": "#1a1a1a",
                        "limit": 170,
                        "align": align,
                        "baseline": "middle",
                    },
                    "encoding": {
                        "x": {"field": "lx", "type": "quantitative"},
                        "y": {"field": "ly", "type": "quantitative"},
                        "text": {"field": "name"},
                    },
                }
                for side, align in (("right", "left"), ("left", "right"), ("center", "center"))
            ],
        ],
    }
