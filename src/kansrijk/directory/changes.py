"""What changed in the social map since a moment: for what a process keeps of it.

Every write path of the directory sets ``last_modified`` on the service it changes (or on the
location or organisation it hangs on), before its transaction commits and by the clock of the
server that wrote. Whatever a process keeps per service (the search index, the services a
pathway page shows) finds the changes since it last looked with ``recent_changes``: a margin of
``CHANGE_MARGIN_SECONDS`` catches late commits and clocks that run behind, so each change is
found again for that long, and a keeper remembers the ones it has applied (``Change`` is
hashable) to act on each once.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any, NamedTuple

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kansrijk.directory.models import Service, ServiceAtLocation

__all__ = [
    "CHANGE_MARGIN_SECONDS",
    "MANY_CHANGES",
    "Change",
    "ChangeWatch",
    "as_datetime",
    "as_uuid",
    "recent_changes",
]

#: Seconds before the last look from which changes are looked for: a write's ``last_modified``
#: is set before its transaction commits, and by the clock of the server that made it.
CHANGE_MARGIN_SECONDS = 60.0
#: More changed services than this at one look (an import): a keeper forgets all it keeps
#: rather than each of them (and no list of their ids passes the databases' limits on the
#: parameters of a query: 32,766 on SQLite, 65,535 on PostgreSQL).
MANY_CHANGES = 500


class Change(NamedTuple):
    """One change: the service it concerns, the row whose ``last_modified`` moved (the service,
    one of its locations or its organisation) and that ``last_modified``."""

    service_id: uuid.UUID
    row_id: uuid.UUID
    stamp: datetime.datetime | None


def as_uuid(value: Any) -> uuid.UUID:
    """Ids as ``uuid.UUID`` (PostgreSQL gives those; SQLite gives 32 hex digits)."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def as_datetime(value: Any) -> datetime.datetime | None:
    """A timestamp from a raw query: aware on PostgreSQL, naive UTC (or text) on SQLite."""
    if value is None:
        return None
    parsed = value if isinstance(value, datetime.datetime) else parse_datetime(str(value))
    if parsed is not None and timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed


def changed_services(since: datetime.datetime) -> set[Change]:
    """The changes since ``since``: a service's ``last_modified`` (every write path of the
    directory sets it when the service or what hangs on it changes), or that of one of its
    locations (``services.save_location``) or of its organisation. One query (each part an
    index range scan)."""
    services = Service.objects.order_by()
    recent = services.filter(last_modified__gte=since).values_list("id", "id", "last_modified")
    moved = (
        ServiceAtLocation.objects.order_by()
        .filter(location__last_modified__gte=since)
        .values_list("service_id", "location_id", "location__last_modified")
    )
    renamed = services.filter(organization__last_modified__gte=since).values_list(
        "id", "organization_id", "organization__last_modified"
    )
    return {
        Change(as_uuid(service_id), as_uuid(row_id), as_datetime(stamp))
        for service_id, row_id, stamp in recent.union(moved, renamed, all=True)
    }


def recent_changes(looked_at: datetime.datetime) -> set[Change]:
    """The changes a keeper that looked last at ``looked_at`` looks for: since then, less the
    margin for late commits and other servers' clocks."""
    return changed_services(looked_at - datetime.timedelta(seconds=CHANGE_MARGIN_SECONDS))


class ChangeWatch:
    """For one thing a process keeps per service: the services changed since it looked last,
    each change once (``recent_changes`` finds a change again for ``CHANGE_MARGIN_SECONDS``;
    acting on it at every look made a worker under a service edit every second forget what it
    kept over and over)."""

    def __init__(self) -> None:
        self.looked_at = timezone.now()
        self.applied: frozenset[Change] = frozenset()

    def changed(self) -> set[uuid.UUID] | None:
        """The services with a change not returned before (one query); ``None`` when there are
        more than ``MANY_CHANGES``: forget everything."""
        now = timezone.now()
        changes = recent_changes(self.looked_at)
        found = {change.service_id for change in changes.difference(self.applied)}
        self.looked_at, self.applied = now, frozenset(changes)
        return None if len(found) > MANY_CHANGES else found

    def skip(self) -> None:
        """Look from now on (nothing kept: nothing to forget)."""
        self.looked_at, self.applied = timezone.now(), frozenset()
