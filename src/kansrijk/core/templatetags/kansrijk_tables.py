"""The head of a data table in NL Design System markup, written once for the tables of the pages.

``{% table_header _("Organisation") _("Domain") _("Sent") _("Received") numeric=2 %}`` gives the
``<thead>`` with one column header a label, in the order given; ``numeric=2``: the last two
columns hold numbers (``kr-num``: aligned to the end, as their cells). ``stack=True`` for a table
that stacks its rows on a narrow screen (``kr-table--stack``): the CSS that stacks them takes away
the table's semantics, so the head gives its roles back (``rowgroup``, ``row``, ``columnheader``).
The body of each table stays in its template: what a cell shows is the table's own.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

#: The head and a column header, of a table and of a table that stacks (``stack``).
_MARKUP = {
    False: (
        '<thead class="utrecht-table__header"><tr class="utrecht-table__row">{}</tr></thead>',
        '<th class="utrecht-table__header-cell{}" scope="col">{}</th>',
    ),
    True: (
        '<thead class="utrecht-table__header" role="rowgroup">'
        '<tr class="utrecht-table__row" role="row">{}</tr></thead>',
        '<th class="utrecht-table__header-cell{}" scope="col" role="columnheader">{}</th>',
    ),
}


@register.simple_tag
def table_header(*labels: str, numeric: int = 0, stack: bool = False) -> SafeString:
    head, column = _MARKUP[stack]
    first_numeric = len(labels) - numeric
    cells = format_html_join(
        "",
        column,
        (
            (" kr-num" if index >= first_numeric else "", label)
            for index, label in enumerate(labels)
        ),
    )
    return format_html(head, cells)
