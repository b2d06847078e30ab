"""Caching the pathway page.

Levels, from the whole page down:

- for an anonymous visitor without pending messages, the *whole page* — the same for every such
  visitor of the same address and language (it holds no CSRF token: the language switch is a
  link);
- the page's *content* (heading and body) for every visitor (``page_key``);
- the *shell* around the content (``base.html``) for anonymous visitors, the same for every
  pathway page in a language, with placeholders for the title, the address and the content
  (``shell_key``);
- which pathway applies, per municipality, in the process (``selectors.municipality_pathways``,
  keyed by the pathways part of the token);
- a published version's *steps*, and what they show of the *services* they name, in the process
  (``selectors.version_steps``, as plain values): the first page of a municipality loads the
  steps of every version shown there and their services (two queries), so that its other pages
  need none. A version's steps never change; the services follow the services part of the
  token, but finer: when it changes, only the services changed since are loaded again
  (``services_changed_since``). The body — introduction, steps, footer — is rendered from them
  for every page built, which costs less than caching its HTML did.

A published version never changes, so what the pathway page shows for a municipality, situation
and phase changes only when (a) a pathway is published, re-scoped or reviewed — every such write
sets ``Pathway.updated_at`` (a deletion changes the number of pathways) — or (b) a service on the
social map changes (``Service.last_modified``, set by every write of the directory).
``content_token()`` reads both in one query;
it is part of the cache key, so a change anywhere makes every cached page stale at once, in every
worker, without messages between processes. Each worker reads the token at most once every
``TOKEN_SECONDS``, so a cached page costs no query at all and a change shows within that time.
Names of coalitions and situations can change without either; ``PAGE_TTL`` bounds how long such a
rename takes to show.
"""

from __future__ import annotations

import datetime
import hashlib
import time
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language

from kansrijk.directory.models import Service
from kansrijk.pathways.models import Pathway

#: Seconds a rendered pathway page stays in the cache at most.
PAGE_TTL = 600
#: Part of the keys of the whole page and the shell, which hold ``base.html``: changed when its
#: markup changes in a way the cached copies must not outlive (2: the language switch became
#: links, and the copies lost their CSRF placeholder), so that a deployment does not serve
#: them from a shared cache for up to ``PAGE_TTL``.
PAGE_MARKUP = 2
#: Seconds a worker trusts the token it read last.
TOKEN_SECONDS = 2.0

_token: tuple[float, tuple[str, str]] | None = None


def content_tokens() -> tuple[str, str]:
    """The pathways part (newest change and number of pathways, so a deletion counts too) and
    the services part (newest change) of the token: one query."""
    quote = connection.ops.quote_name
    pathways = quote(Pathway._meta.db_table)
    services = quote(Service._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX({quote('updated_at')}) FROM {pathways}), "  # noqa: S608
            f"(SELECT COUNT(*) FROM {pathways}), "
            f"(SELECT MAX({quote('last_modified')}) FROM {services})"
        )
        row = cursor.fetchone()
    if not row:
        return "", ""
    return f"{row[0]}#{row[1]}", f"{row[2]}"


def content_token() -> str:
    """The newest pathway change and the newest service change, as one string (one query)."""
    return "|".join(content_tokens())


def _tokens() -> tuple[str, str]:
    global _token
    now = time.monotonic()
    if _token is None or now - _token[0] > TOKEN_SECONDS:
        _token = (now, content_tokens())
    return _token[1]


def current_token() -> str:
    """``content_token()``, read again when the last reading is older than ``TOKEN_SECONDS``."""
    return "|".join(_tokens())


def pathways_token() -> str:
    """The pathways part of ``current_token()``: what resolution depends on (no service part)."""
    return _tokens()[0]


def services_token() -> str:
    """The services part of ``current_token()``."""
    return _tokens()[1]


def forget_token() -> None:
    """Read the token again next time (after a write in this process, and in tests)."""
    global _token
    _token = None


def page_key(municipality: str, situation: str, phase: str) -> str:
    raw = f"{current_token()}|{municipality.upper()}|{situation}|{phase}|{get_language()}"
    return "pathways:page:" + hashlib.sha256(raw.encode()).hexdigest()


def services_changed_since(services: str, seconds: float) -> list[Any] | None:
    """The ids of the services changed at most ``seconds`` before the newest change that
    ``services`` (a ``services_token()``) stood for, or later; ``None`` when it stood for none.
    The margin also catches changes that were committed after a later one."""
    newest = parse_datetime(services)
    if newest is None:
        return None
    if timezone.is_naive(newest):  # SQLite gives the stored UTC text
        newest = timezone.make_aware(newest, datetime.UTC)
    since = newest - datetime.timedelta(seconds=seconds)
    return list(Service.objects.filter(last_modified__gte=since).values_list("id", flat=True))


def get(key: str) -> dict[str, str] | None:
    value = cache.get(key)
    return value if isinstance(value, dict) else None


def put(key: str, value: dict[str, str]) -> None:
    cache.set(key, value, PAGE_TTL)


def whole_page_key(request: HttpRequest, content_key: str) -> str | None:
    """The key of the whole page for an anonymous visitor without messages, else ``None``.

    Everything the base template reads for such a visitor is in the key: the content key (token,
    address parts, language), the full path (the language switch returns to it) and demo mode."""
    if request.user.is_authenticated or len(get_messages(request)):
        return None
    demo = "demo" if getattr(settings, "KANSRIJK_DEMO_MODE", False) else ""
    raw = f"{content_key}|{request.get_full_path()}|{demo}"
    return f"pathways:whole:{PAGE_MARKUP}:" + hashlib.sha256(raw.encode()).hexdigest()


def get_page(key: str) -> str | None:
    value = cache.get(key)
    return value if isinstance(value, str) else None


def put_page(key: str, html: str) -> None:
    cache.set(key, str(html), PAGE_TTL)


#: Stand for the title, the visitor's address and the content in a cached page shell.
TITLE_PLACEHOLDER = "kansrijk-title-placeholder-7d21e4"
PATH_PLACEHOLDER = "/kansrijk-path-placeholder-5b8e02"
CONTENT_PLACEHOLDER = "kansrijk-content-placeholder-c41f9a"


def shell_key() -> str:
    """The key of the pathway page's shell (``base.html`` around the content) for an anonymous
    visitor without messages: the same for every pathway page in a language, as the main menu
    marks none of them as the current page."""
    demo = "demo" if getattr(settings, "KANSRIJK_DEMO_MODE", False) else ""
    return f"pathways:shell:{PAGE_MARKUP}:{get_language()}:{demo}"


def split_shell(html: str) -> list[str] | None:
    """The shell rendered with the placeholders, cut around them (title, address, content, in
    this order, each once); ``None`` when it is not like that."""
    parts = []
    rest = html
    for placeholder in (TITLE_PLACEHOLDER, PATH_PLACEHOLDER, CONTENT_PLACEHOLDER):
        if html.count(placeholder) != 1:
            return None
        before, _sep, rest = rest.partition(placeholder)
        if not _sep:
            return None
        parts.append(before)
    parts.append(rest)
    return parts


def get_shell(key: str) -> list[str] | None:
    value = cache.get(key)
    return value if isinstance(value, list) else None


def put_shell(key: str, parts: list[str]) -> None:
    cache.set(key, parts, PAGE_TTL)
