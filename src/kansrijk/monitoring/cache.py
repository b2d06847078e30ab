"""Caching the monitor's public pages and API answers.

Everything the monitor shows the public is a function of the indicator values and the catalogue,
which change only through an import, the demo loader or the admin. ``data_token()`` reads, in one
query, the newest change (``updated_at``) and the highest id of both tables: every write path sets
``updated_at`` (imports and totals with ``bulk_create``/``update``, which name it), and deletions
only happen together with new rows (re-computed totals, the demo). The token is part of every
key, so a change anywhere makes every cached answer stale at once, in every worker, without
messages between processes. A worker reads the token at most every ``TOKEN_SECONDS``; a write in
this process forgets it at once (``forget_token``).

Cached: the whole page of a municipality for anonymous visitors (it holds no CSRF token and no
personal data), and the data of the values API. Keys name ``MARKUP``, raised when the page's
templates change in a way cached copies must not outlive.

This is the same design as the pathway pages' token (``pathways.cache``); when the shared
freshness core of issue 13 lands, the token moves there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db.models import Max

#: Seconds a worker trusts the token it read last.
TOKEN_SECONDS = 5.0
#: Seconds an answer stays in the cache at most.
TTL = 600
#: Part of every key of cached markup.
MARKUP = 1

_token: list[Any] = [0.0, ""]

T = TypeVar("T")


def data_token() -> str:
    """A short string that changes whenever a value or an indicator changes."""
    now = time.monotonic()
    if _token[1] and now - _token[0] < TOKEN_SECONDS:
        return str(_token[1])
    from kansrijk.monitoring.models import Indicator, IndicatorValue

    values = IndicatorValue.objects.aggregate(changed=Max("updated_at"), last=Max("id"))
    indicators = Indicator.objects.aggregate(changed=Max("updated_at"), last=Max("id"))
    parts = [values["changed"], values["last"], indicators["changed"], indicators["last"]]
    token = "-".join(str(p.timestamp()) if hasattr(p, "timestamp") else str(p or 0) for p in parts)
    _token[0], _token[1] = now, token
    return token


def forget_token() -> None:
    """Read the token again on next use (after a write in this process, and in tests)."""
    _token[0], _token[1] = 0.0, ""


def kept(kind: str, parts: tuple[Any, ...], build: Callable[[], T]) -> T:
    """``build()``, kept in the shared cache under ``kind`` and ``parts`` for the current data."""
    key = ":".join(["monitoring", kind, str(MARKUP), data_token(), *map(str, parts)])
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TTL)
    return value
