"""core.templatetags.kansrijk_tables: the head of a data table."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation


def _render(source: str) -> str:
    html = Template("{% load kansrijk_tables %}" + source).render(Context({"label": "<b>"}))
    return html.strip()


def test_table_header_gives_a_column_header_a_label_in_order() -> None:
    assert _render('{% table_header "What" label "Sent" "Received" numeric=2 %}') == (
        '<thead class="utrecht-table__header"><tr class="utrecht-table__row">'
        '<th class="utrecht-table__header-cell" scope="col">What</th>'
        '<th class="utrecht-table__header-cell" scope="col">&lt;b&gt;</th>'
        '<th class="utrecht-table__header-cell kr-num" scope="col">Sent</th>'
        '<th class="utrecht-table__header-cell kr-num" scope="col">Received</th>'
        "</tr></thead>"
    )


def test_table_header_translates_its_labels() -> None:
    with translation.override("nl"):
        html = _render('{% table_header _("Organisation") _("Received") numeric=1 %}')
    assert '<th class="utrecht-table__header-cell" scope="col">Organisatie</th>' in html
    assert '<th class="utrecht-table__header-cell kr-num" scope="col">Ontvangen</th>' in html


def test_the_head_of_a_stacking_table_keeps_its_roles() -> None:
    assert _render('{% table_header "When" "Count" numeric=1 stack=True %}') == (
        '<thead class="utrecht-table__header" role="rowgroup">'
        '<tr class="utrecht-table__row" role="row">'
        '<th class="utrecht-table__header-cell" scope="col" role="columnheader">When</th>'
        '<th class="utrecht-table__header-cell kr-num" scope="col" role="columnheader">Count</th>'
        "</tr></thead>"
    )


def test_a_column_of_numbers_for_each_of_a_list() -> None:
    html = Template(
        "{% load kansrijk_tables %}{% table_header 'Indicator' numbers=years stack=True %}"
    ).render(Context({"years": [2024, 2025]}))
    assert html.strip() == (
        '<thead class="utrecht-table__header" role="rowgroup">'
        '<tr class="utrecht-table__row" role="row">'
        '<th class="utrecht-table__header-cell" scope="col" role="columnheader">Indicator</th>'
        '<th class="utrecht-table__header-cell kr-num" scope="col" role="columnheader">2024</th>'
        '<th class="utrecht-table__header-cell kr-num" scope="col" role="columnheader">2025</th>'
        "</tr></thead>"
    )


def test_a_column_of_numbers_marked_by_its_label() -> None:
    assert _render('{% table_header "Situation" "Count"|numeric "Pathway" stack=True %}') == (
        '<thead class="utrecht-table__header" role="rowgroup">'
        '<tr class="utrecht-table__row" role="row">'
        '<th class="utrecht-table__header-cell" scope="col" role="columnheader">Situation</th>'
        '<th class="utrecht-table__header-cell kr-num" scope="col" role="columnheader">Count</th>'
        '<th class="utrecht-table__header-cell" scope="col" role="columnheader">Pathway</th>'
        "</tr></thead>"
    )
