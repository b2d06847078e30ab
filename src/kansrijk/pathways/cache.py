"""Caching the pathway page.

Levels, from the whole page down:

- for an anonymous visitor without pending messages, the *whole page* — the same for every such
  visitor of the same address and language (it holds no CSRF token: the language switch is a
  link);
- the page's *content* (heading and body) for every visitor (``page_key``);
- the *body* of a published version (introduction, steps with their services, footer: the
  template ``_pathway_body.html``), per version, language and what the version's steps show of
  the services they name (``body_key``): shared by every page that shows the version (a
  regional or national default is shown in many municipalities);
- the *shell* around the content (``base.html``) for anonymous visitors, the same for every
  pathway page in a language, with placeholders for the title, the address and the content
  (``shell_key``);
- which pathway applies, per municipality, in the process (``resolution.municipality_pathways``,
  thrown away when the tokens of ``TABLE_KINDS`` change);
- a published version's *steps*, and what they show of the *services* they name, in the process
  (``steps.version_steps``, as plain values): the first page of a municipality loads the
  steps of every version shown there and their services (two queries), so that its other pages
  need none. A version's steps never change; a service kept is forgotten when it changes
  (``directory.changes.recent_changes``).

A published version never changes, so what the pathway page shows for a municipality, situation
and phase changes only when a pathway is published, re-scoped or reviewed, a name it shows
(situation, coalition, municipality) changes, or one of the services its steps name changes.
The keys of the content and the body therefore hold the version, the token of
``PAGE_KINDS`` (the content only; every such write raises it, see ``kansrijk.core.freshness``)
and a digest of what the steps show of their services (``steps.services_stamp``) — not the
social map's token: an edit of one service elsewhere in the country leaves every other page's
cached body and content in place, so a cache hit is the normal case. Every key holding markup
carries the markup version of the templates (``freshness.markup_version``).
"""

from __future__ import annotations

import hashlib
from typing import TypeVar

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import get_language

from kansrijk.core import freshness

_Value = TypeVar("_Value")

#: Seconds a rendered pathway page stays in the cache at most.
PAGE_TTL = 600
#: Seconds a version's rendered body stays in the cache at most: its key changes with
#: everything it shows, so it may stay longer than a page.
BODY_TTL = 6 * 3600
#: Part of the keys of the whole page and the shell, which hold ``base.html``.
PAGE_TEMPLATE = "pathways/pathway.html"
#: What resolution and the page's heading read: which pathway applies where, and the names in
#: its heading (situations, coalitions, places). The services the steps name are in the keys as
#: ``steps.services_stamp``.
TABLE_KINDS = ("coalitions", "pathways", "places", "situations")
#: What the page's content and the whole page read besides: the parent pages it offers to hand
#: over (their titles are in the links).
PAGE_KINDS = (*TABLE_KINDS, "parents")

#: The template of the page's content (heading and body).
CONTENT_TEMPLATE = "pathways/_pathway_content.html"
#: The template of the page's heading (kept per fallback, phase and language, the values filled in).
HEAD_TEMPLATE = "pathways/_pathway_head.html"
#: The template of a version's body, and of its parts: a step, the service it names, the footer.
BODY_TEMPLATE = "pathways/_pathway_body.html"
STEP_TEMPLATE = "pathways/_pathway_step.html"
SERVICE_TEMPLATE = "pathways/_step_service.html"
FOOTER_TEMPLATE = "pathways/_pathway_footer.html"


def page_key(
    municipality: str, situation: str, phase: str, version_id: int, services_stamp: str
) -> str:
    """The key of the content of the page for a municipality, situation and phase that shows
    ``version_id``, whose steps show their services as ``services_stamp``."""
    raw = (
        f"{freshness.token(PAGE_KINDS)}|{municipality.upper()}|{situation}|{phase}|"
        f"{version_id}|{services_stamp}|{get_language()}"
    )
    markup = freshness.markup_version(CONTENT_TEMPLATE)
    return f"pathways:page:{markup}:" + hashlib.sha256(raw.encode()).hexdigest()


def body_key(version_id: int, services_stamp: str) -> str:
    """The key of a published version's body, its steps showing their services as
    ``services_stamp``."""
    markup = freshness.markup_version(BODY_TEMPLATE)
    return f"pathways:body:{markup}:{get_language()}:{version_id}:{services_stamp}"


def _cached(key: str, kind: type[_Value]) -> _Value | None:
    """What the shared cache holds under ``key`` when it is a ``kind`` (what this module puts
    there), else ``None``."""
    value = cache.get(key)
    return value if isinstance(value, kind) else None


def get(key: str) -> dict[str, str] | None:
    return _cached(key, dict)


def put(key: str, value: dict[str, str]) -> None:
    cache.set(key, value, PAGE_TTL)


def get_body(key: str) -> str | None:
    return _cached(key, str)


def put_body(key: str, html: str) -> None:
    cache.set(key, str(html), BODY_TTL)


def whole_page_key(request: HttpRequest, content_key: str) -> str | None:
    """The key of the whole page for an anonymous visitor without messages, else ``None``.

    Everything the base template reads for such a visitor is in the key: the content key (token,
    address parts, language), the full path (the language switch returns to it) and demo mode."""
    if request.user.is_authenticated or len(get_messages(request)):
        return None
    demo = "demo" if getattr(settings, "KANSRIJK_DEMO_MODE", False) else ""
    raw = f"{content_key}|{request.get_full_path()}|{demo}"
    markup = freshness.markup_version(PAGE_TEMPLATE)
    return f"pathways:whole:{markup}:" + hashlib.sha256(raw.encode()).hexdigest()


def get_page(key: str) -> str | None:
    return _cached(key, str)


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
    markup = freshness.markup_version(PAGE_TEMPLATE)
    return f"pathways:shell:{markup}:{get_language()}:{demo}"


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
    return _cached(key, list)


def put_shell(key: str, parts: list[str]) -> None:
    cache.set(key, parts, PAGE_TTL)
