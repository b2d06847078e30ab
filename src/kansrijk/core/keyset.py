"""Keyset pages: a list ordered by a date-time and an id continues after the position of the
last row of the page before (``kansrijk.core.cursors`` writes that position in a cursor). The
access log's search and the referral lists page this way; no page counts or skips rows."""

from __future__ import annotations

import datetime
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

M = TypeVar("M", bound=Model)
QS = TypeVar("QS", bound=QuerySet[Any])


def beyond(queryset: QS, by: str, at: datetime.datetime, pk: Any, *, newest_first: bool) -> QS:
    """The rows of ``queryset`` (ordered by ``by`` and id, newest or oldest first) that come
    after the row at (``at``, ``pk``). The range on ``by`` is written out on its own, so that
    an index on (``by``, id) serves it."""
    after, at_or_after = ("lt", "lte") if newest_first else ("gt", "gte")
    return queryset.filter(**{f"{by}__{at_or_after}": at}).filter(
        Q(**{f"{by}__{after}": at}) | Q(**{f"id__{after}": pk})
    )


def first_rows(queryset: QuerySet[M], size: int) -> tuple[list[M], bool]:
    """The first ``size`` rows of ``queryset`` and whether more follow, in one query: one row
    more than the page is fetched, nothing is counted."""
    rows = list(queryset[: size + 1])
    return rows[:size], len(rows) > size
