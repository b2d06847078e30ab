"""Caching for the social map's search page.

A result card shows what a service does, for whom, how to refer and whom to contact: the same for
every search that finds the service, in every postcode. Rendering twenty of them (with their
organisation, locations, categories, referral methods, languages and phones: six queries) is most
of the cost of a search page, so the rendered card body is cached per service and language. What
differs per search (the distance, the "nearby but not among its municipalities" note) stays
outside the cached part.

Every key holds a token: the newest ``last_modified`` of services, organisations and locations,
read in one query on indexed columns. The write paths of the directory set ``last_modified``, so
any change makes every cached card stale at once, in every worker, without messages between
processes. A worker reads the token at most once every ``TOKEN_SECONDS`` (and at once after a
write in that worker: ``forget_token``). Writes that bypass the directory's services (the Django
admin) show within ``CARD_TTL``.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Mapping

from django.core.cache import cache
from django.db import connection

from kansrijk.directory.models import Location, Organization, Service

#: Seconds a rendered card stays in the cache at most.
CARD_TTL = 600
#: Seconds a worker trusts the token it read last.
TOKEN_SECONDS = 2.0

_token: tuple[float, str] | None = None


def directory_token() -> str:
    """The newest change of a service, organisation or location, as one string (one query)."""
    quote = connection.ops.quote_name
    column = quote("last_modified")
    parts = [
        f"(SELECT MAX({column}) FROM {quote(model._meta.db_table)})"  # noqa: S608
        for model in (Service, Organization, Location)
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}")
        row = cursor.fetchone()
    raw = "|".join(str(value) for value in row) if row else ""
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def current_token() -> str:
    """``directory_token()``, read again when the last reading is older than ``TOKEN_SECONDS``."""
    global _token
    now = time.monotonic()
    if _token is None or now - _token[0] > TOKEN_SECONDS:
        _token = (now, directory_token())
    return _token[1]


def forget_token() -> None:
    """Read the token again next time (after a write in this process, and in tests)."""
    global _token
    _token = None


def card_keys(service_ids: Iterable[object], language: str) -> dict[object, str]:
    """The cache key of each service's card body in this language, by service id."""
    token = current_token()
    return {
        service_id: f"directory:card:{token}:{language}:{service_id}" for service_id in service_ids
    }


def get_cards(keys: dict[object, str]) -> dict[object, str]:
    """The cached card bodies among ``keys``, by service id."""
    found = cache.get_many(list(keys.values()))
    return {
        service_id: found[key]
        for service_id, key in keys.items()
        if isinstance(found.get(key), str)
    }


def put_cards(cards: Mapping[str, str]) -> None:
    """Store card bodies by cache key."""
    if cards:
        cache.set_many(dict(cards), CARD_TTL)
