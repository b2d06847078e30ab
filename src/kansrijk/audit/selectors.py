"""Reading the access log: filtered searches for verified administrators.

The table can hold millions of rows, so nothing here counts the whole table: pages are
found with a keyset on ``(occurred_at, id)`` (newest first) and every filter matches one
of the indexes in ``models.AccessEvent.Meta.indexes``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from kansrijk.audit.models import AccessEvent, AccessEventQuerySet
from kansrijk.core import cursors, keyset

#: Rows on one page of the search page.
PAGE_SIZE = 50
#: At most this many rows go into one CSV export.
EXPORT_LIMIT = 100_000

_CURSOR = re.compile(r"^(\d{1,19})-(\d{1,19})$")


@dataclass(frozen=True)
class Cursor:
    """A position in the log, newest first: the page continues after this event."""

    occurred_at: datetime.datetime
    id: int

    @classmethod
    def of(cls, event: AccessEvent) -> Cursor:
        return cls(event.occurred_at, event.id)

    @classmethod
    def parse(cls, value: str) -> Cursor | None:
        """``<microseconds since 1970>-<id>``; ``None`` when it is not one."""
        match = _CURSOR.match(value or "")
        if not match:
            return None
        occurred_at = cursors.moment(int(match[1]))
        event_id = int(match[2])
        if occurred_at is None or event_id >= 2**63:
            return None
        return cls(occurred_at, event_id)

    def __str__(self) -> str:
        return f"{cursors.microseconds(self.occurred_at)}-{self.id}"


@dataclass(frozen=True)
class EventFilter:
    """What to look for. Empty values do not filter."""

    username: str = ""
    object_type: str = ""
    object_id: str = ""
    client_ref: str = ""
    action: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None  # inclusive


@dataclass(frozen=True)
class EventPage:
    events: list[AccessEvent]
    next_cursor: Cursor | None

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None


def _start_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in the site's time zone (Europe/Amsterdam)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def filtered_events(viewer: Any, filters: EventFilter) -> AccessEventQuerySet:
    """The events ``viewer`` may see that match ``filters``, newest first."""
    qs = AccessEvent.objects.for_user(viewer)
    if filters.username:
        # The user as they are now (indexed on user, occurred_at); a user that no longer
        # exists by the name they were recorded under (indexed on user_display, occurred_at).
        user_id = (
            get_user_model()
            .objects.filter(username=filters.username)
            .values_list("id", flat=True)
            .first()
        )
        if user_id is not None:
            qs = qs.filter(user_id=user_id)
        else:
            qs = qs.filter(user_display=filters.username)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
        if filters.object_id:
            qs = qs.filter(object_id=filters.object_id)
    if filters.client_ref:
        qs = qs.filter(client_ref=filters.client_ref)
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.date_from:
        qs = qs.filter(occurred_at__gte=_start_of_day(filters.date_from))
    if filters.date_to:
        qs = qs.filter(occurred_at__lt=_start_of_day(filters.date_to + datetime.timedelta(days=1)))
    return qs.order_by("-occurred_at", "-id")


def search_events(
    viewer: Any,
    filters: EventFilter,
    *,
    after: Cursor | None = None,
    page_size: int = PAGE_SIZE,
) -> EventPage:
    """One page of matching events (newest first), starting after ``after``.

    One query: it fetches one row more than the page to know whether there is a next
    page, so nothing is ever counted.
    """
    qs = filtered_events(viewer, filters)
    if after is not None:
        qs = keyset.beyond(qs, "occurred_at", after.occurred_at, after.id, newest_first=True)
    rows, more = keyset.first_rows(qs, page_size)
    return EventPage(rows, Cursor.of(rows[-1]) if more else None)


def export_events(
    viewer: Any,
    filters: EventFilter,
    *,
    limit: int = EXPORT_LIMIT,
    exclude_id: int | None = None,
) -> Iterator[AccessEvent]:
    """At most ``limit`` matching events, newest first, fetched in chunks (for streaming).

    ``exclude_id`` leaves out one event: the export's own entry in the log.
    """
    qs = filtered_events(viewer, filters)
    if exclude_id is not None:
        qs = qs.exclude(id=exclude_id)
    return qs[:limit].iterator(chunk_size=2_000)
