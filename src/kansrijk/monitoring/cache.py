"""Caching the monitor's public pages and API answers.

Everything the monitor shows the public is a function of the indicator values, the catalogue
and the places, which change only through an import, the demo loader, a data load or the admin.
Their version tokens are the ``monitoring`` and ``places`` kinds of ``kansrijk.core.freshness``:
raised by every save and delete (signals), and by every bulk write path (``forget_token`` for
the monitor's, which they call). The token is part of every key, so a change anywhere makes every cached answer stale at
once, in every worker (within ``freshness.TOKEN_SECONDS``), without messages between processes.

Cached: the whole page of a municipality for anonymous visitors (it holds no CSRF token and no
personal data), in the shared cache; keys carry the markup version of the page's templates
(``freshness.markup_version``), so a deployment that changes them never serves old markup.
Kept in each process (``freshness.Kept``): rendered fragments that are the same on many pages
(``fragment``: the municipality picker, 342 options, cost more to render than the rest of a
municipality's page); markup rendered once with placeholders and filled per use (``filled``:
the 40 rows of a municipality's overview, which the template engine took 10 ms to render); the
published figures and the values API's answers (``selectors``, ``api``).
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar

from django.core.cache import cache
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from kansrijk.core import freshness
from kansrijk.core.navigation import language_next

#: Seconds an answer stays in the cache at most.
TTL = 600
#: The templates of the whole page kept by ``kept("municipality", …)``.
PAGE_TEMPLATES = (
    "monitoring/municipality.html",
    "monitoring/includes/overview_phase.html",
    "monitoring/includes/overview_row.html",
)

T = TypeVar("T")


def data_token() -> str:
    """A short string that changes whenever a value, an indicator or a place (the names and
    regions a page shows) changes."""
    return freshness.token(["monitoring", "places"])


def forget_token() -> None:
    """Say that indicators or values were written (bulk writes send no signals)."""
    freshness.bump("monitoring")


def kept(kind: str, parts: tuple[Any, ...], build: Callable[[], T]) -> T:
    """``build()``, kept in the shared cache under ``kind`` and ``parts`` for the current data."""
    markup = freshness.markup_version(*PAGE_TEMPLATES)
    key = ":".join(["monitoring", kind, markup, data_token(), *map(str, parts)])
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TTL)
    return value


_fragments: freshness.Kept[tuple[Hashable, ...], str] = freshness.Kept(
    "monitoring.fragments", seconds=TTL, size=50, kinds=("monitoring", "places")
)


def fragment(template: str, parts: tuple[Hashable, ...], render: Callable[[], str]) -> SafeString:
    """``render()`` (markup of ``template`` that depends only on ``parts``, the language and the
    monitor's data), kept in this process under the template's markup version."""
    key = (template, freshness.markup_version(template), get_language(), *parts)
    # Kept as rendered by the template engine: safe markup.
    return mark_safe(_fragments.get_or_make(key, lambda: str(render())))  # noqa: S308


#: Around the name of a value in markup rendered with placeholders: letters and digits only,
#: so that escaping (and ``urlencode``) leaves a placeholder as it is.
_MARK = "krmon7c2e9"
_PLACEHOLDER = re.compile(_MARK + "([a-z_]+)" + _MARK)
#: Kept per worker; what a skeleton holds besides its placeholders (the municipality picker)
#: follows the places.
_skeletons: freshness.Kept[tuple[Hashable, ...], tuple[str, ...]] = freshness.Kept(
    "monitoring.skeletons", seconds=float(TTL), size=500, kinds=("places",)
)


def filled(
    template: str,
    flags: Mapping[str, bool],
    values: Mapping[str, str],
    *,
    constants: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> SafeString:
    """``template`` rendered with ``flags``, ``values`` and ``constants``: the same markup as
    ``render_to_string(template, {**flags, **values, **constants}, request)``, at the cost of
    putting the values in.

    The template is rendered once per language and set of ``flags`` (the conditions it tests)
    with a placeholder for each value, and kept in this process under its markup version; each
    use puts the values in, escaped as the template engine escapes them (markup marked safe as
    it is). So a template may use a value only as ``{{ name }}`` (no filters, no conditions on
    it), and ``constants`` must be the same for every use in a language (while the places stay
    the same). With ``request`` (an anonymous visitor's: ``base.html`` reads it) the page
    around the template is rendered too; its one part that depends on the address, the
    language links' ``next``, is put in like a value. ``tests/monitoring`` compares both ways."""
    key = (
        template,
        freshness.markup_version(template),
        get_language(),
        tuple(sorted(flags.items())),
        tuple(sorted(values)),
        request is not None,
    )
    parts = _skeletons.get(key)
    if parts is None:
        context: dict[str, Any] = {
            **(constants or {}),
            **flags,
            **{name: mark_safe(f"{_MARK}{name}{_MARK}") for name in values},  # noqa: S308
        }
        shell = None
        if request is not None:
            shell = copy.copy(request)
            shell.get_full_path = lambda force_append_slash=False: f"{_MARK}next{_MARK}"  # type: ignore[method-assign]
        parts = _skeletons.put(
            key, tuple(_PLACEHOLDER.split(render_to_string(template, context, shell)))
        )
    given: dict[str, Any] = dict(values)
    if request is not None:
        given["next"] = mark_safe(html.escape(language_next(request)))  # noqa: S308
    out = list(parts)
    for i in range(1, len(out), 2):
        value = given[out[i]]
        # As the template engine does (``conditional_escape``), without its wrappers.
        out[i] = value.__html__() if hasattr(value, "__html__") else html.escape(str(value))
    return mark_safe("".join(out))  # noqa: S308 - the template's markup, the values escaped
