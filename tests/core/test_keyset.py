"""Keyset pages (``core.keyset``): a page continues after the last row of the one before,
also among rows at the same moment, newest or oldest first."""

from __future__ import annotations

import pytest

from kansrijk.audit.models import AccessEvent
from kansrijk.core.keyset import beyond, first_rows
from tests.audit.helpers import at, make_event

pytestmark = pytest.mark.django_db


def _pages(newest_first: bool, size: int) -> list[list[int]]:
    order = ("-occurred_at", "-id") if newest_first else ("occurred_at", "id")
    events = AccessEvent.objects.order_by(*order)
    pages: list[list[int]] = []
    queryset = events
    while True:
        rows, more = first_rows(queryset, size)
        pages.append([row.id for row in rows])
        if not more:
            return pages
        last = rows[-1]
        queryset = beyond(
            events, "occurred_at", last.occurred_at, last.id, newest_first=newest_first
        )


@pytest.mark.parametrize("newest_first", [True, False])
def test_pages_hold_every_row_once_in_order_also_at_one_moment(newest_first: bool) -> None:
    moments = [at(2026, 1, 1), at(2026, 1, 2), at(2026, 1, 2), at(2026, 1, 2), at(2026, 1, 3)]
    ids = [make_event(occurred_at=moment).id for moment in moments]
    expected = sorted(ids, key=lambda pk: (moments[ids.index(pk)], pk), reverse=newest_first)

    pages = _pages(newest_first, size=2)

    assert pages == [expected[0:2], expected[2:4], expected[4:5]]


def test_a_full_last_page_says_that_nothing_follows() -> None:
    for day in (1, 2):
        make_event(occurred_at=at(2026, 1, day))

    rows, more = first_rows(AccessEvent.objects.order_by("id"), 2)

    assert len(rows) == 2
    assert not more
