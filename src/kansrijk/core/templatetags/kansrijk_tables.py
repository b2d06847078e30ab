"""The head of a data table in NL Design System markup, written once for the tables of the pages.

``{% table_header _("Organisation") _("Domain") _("Sent") _("Received") numeric=2 %}`` gives the
``<thead>`` with one column header a label, in the order given; ``numeric=2``: the last two
columns hold numbers (``kr-num``: aligned to the end, as their cells); a column of numbers
elsewhere is marked by its label, ``times|numeric`` (a variable: Django does not read a filter after
``_("…")`` in a tag; ``{% translate "Times" as times %}`` first). ``numbers=loop.years``: after
the labels, one more column of numbers headed by each of these (a table of a row per indicator and
a column per year). ``stack=True`` for a table
that stacks its rows on a narrow screen (``kr-table--stack``): the CSS that stacks them takes away
the table's semantics, so the head gives its roles back (``rowgroup``, ``row``, ``columnheader``).
The markup is ``includes/table_header.html``; the body of each table stays in its template: what
a cell shows is the table's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import template

register = template.Library()


@dataclass(frozen=True)
class NumericLabel:
    """The label of a column of numbers (``|numeric``)."""

    label: str


@register.filter(name="numeric")
def numeric_label(label: str) -> NumericLabel:
    """Mark ``label`` as the head of a column of numbers, wherever it stands in the table."""
    return NumericLabel(label)


@register.inclusion_tag("includes/table_header.html")
def table_header(
    *labels: str | NumericLabel, numeric: int = 0, stack: bool = False, numbers: Sequence[Any] = ()
) -> dict[str, Any]:
    first_numeric = len(labels) - numeric
    columns = [
        {"label": label.label, "numeric": True}
        if isinstance(label, NumericLabel)
        else {"label": label, "numeric": index >= first_numeric}
        for index, label in enumerate(labels)
    ]
    columns += [{"label": label, "numeric": True} for label in numbers]
    return {"columns": columns, "stack": stack}
