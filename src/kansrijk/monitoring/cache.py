"""Caching the monitor's public pages and API answers.

Everything the monitor shows the public is a function of the indicator values and the catalogue,
which change only through an import, the demo loader or the admin. Their version token is the
``monitoring`` kind of ``kansrijk.core.freshness``: raised by every save and delete of an
indicator or a value (signals), and by every bulk write path (``forget_token``, which they
call). The token is part of every key, so a change anywhere makes every cached answer stale at
once, in every worker (within ``freshness.TOKEN_SECONDS``), without messages between processes.

Cached: the whole page of a municipality for anonymous visitors (it holds no CSRF token and no
personal data), and the data of the values API. Keys name ``MARKUP``, raised when the page's
templates change in a way cached copies must not outlive.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache

from kansrijk.core import freshness

#: Seconds an answer stays in the cache at most.
TTL = 600
#: Part of every key of cached markup.
MARKUP = 1

T = TypeVar("T")


def data_token() -> str:
    """A short string that changes whenever a value or an indicator changes."""
    return freshness.token(["monitoring"])


def forget_token() -> None:
    """Say that indicators or values were written (bulk writes send no signals)."""
    freshness.bump("monitoring")


def kept(kind: str, parts: tuple[Any, ...], build: Callable[[], T]) -> T:
    """``build()``, kept in the shared cache under ``kind`` and ``parts`` for the current data."""
    key = ":".join(["monitoring", kind, str(MARKUP), data_token(), *map(str, parts)])
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TTL)
    return value
