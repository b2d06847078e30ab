"""The result cards of the social map's search: rendered, and kept, in one place.

A result card shows what a service does, for whom, how to refer and whom to contact: the same for
every search that finds the service, in every postcode. Rendering twenty of them (with their
organisation, categories, referral methods, languages and phones: seven queries) is most of the
cost of a search page, so the rendered card body is cached per service, version and language.
What differs per search (the distance, the "nearby but not among its municipalities" note) stays
outside the cached part.

The version is the service's ``last_modified``, which the ranking query reads anyway: every write
path of the directory (``kansrijk.directory.services``, the HSDS import) sets it when the service
or what hangs on it changes, so a changed service gets a new key at once, in every worker, and
the other services keep theirs. What can change a card without touching the service (a rename of
its organisation in the Django admin, the 12-month verification badge coming due) shows within
``CARD_TTL``.

``warm_cards`` renders every visible service's card in both languages: after a deployment or a
large import (``kansrijk warm-search-cache``), so that the first searches do not pay for it; and
with ``refresh`` every few hours (``kansrijk warm-search-cache --refresh``, a scheduled job), so
that cards are written again before ``CARD_TTL`` runs out (else every card warmed at once would
leave the cache at once, and searches would render them again) and what changes a card without
a new version shows within that period.

A card's key also carries the markup version of its templates
(``core.freshness.markup_version``): after a deployment that changes ``_card.html`` (or what it
includes, or a translation), every card has a new key, so ``warm-search-cache`` renders them all
and no visitor sees an old card.

Each worker also keeps the cards itself (``get_cards`` asks the shared cache only for those it
lacks): a round trip to Redis for twenty cards costs more CPU than the rest of the page's
results. ``load_cards`` takes all the cards of the map in a language from the shared cache at
once, when a worker's search index is (re)built: a national map (50,000 services, ~1.1 KB a card)
holds ~55 MB per language in each worker.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch, QuerySet
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from kansrijk.core.freshness import Kept, markup_version, memo
from kansrijk.directory.models import Phone, Service
from kansrijk.directory.page_selectors import language_labels
from kansrijk.directory.search import index as search_index
from kansrijk.directory.search.index import ServiceVersion
from kansrijk.directory.selectors import with_listing_data

#: Seconds a rendered card stays in the cache at most.
CARD_TTL = 6 * 3600
#: The template of a card's body.
CARD_TEMPLATE = "directory/_card.html"
#: Raise when what a card shows changes without its templates changing (the Python that
#: prepares what the template reads: ``render_cards``).
CARD_CONTEXT = 1


def _markup() -> str:
    return f"{markup_version(CARD_TEMPLATE)}.{CARD_CONTEXT}"


def card_keys(rows: Iterable[ServiceVersion], language: str) -> dict[object, str]:
    """The cache key of each service's card body in this language, by service id, from
    its ``ServiceVersion``."""
    markup = _markup()
    return {service_id: _key(service_id, version, language, markup) for service_id, version in rows}


@memo("directory.card-keys", size=240_000)
def _key(service_id: object, version: datetime.datetime | None, language: str, markup: str) -> str:
    """A card's key (see ``card_keys``): a key is made for every result of every search, and
    formatting the id and the time costs more than looking it up."""
    stamp = version.timestamp() if version is not None else "-"
    return f"directory:card:{markup}:{service_id}:{stamp}:{language}"


#: Cards a worker keeps itself besides the shared cache (a national map's in both languages),
#: and for how many seconds at most: a key names the service's version, so a kept card is as
#: current as the shared one, but what changes a card without a new version (see above) must
#: still show within a bounded time. The first to go are those stored longest ago
#: (``load_cards`` stores the cards in use again every few minutes, so these are the cards no
#: longer in use).
LOCAL_CARDS = 120_000
LOCAL_SECONDS = 600.0
#: Cards ``load_cards`` asks the shared cache for in one round trip.
LOAD_BATCH = 1_000

_local: Kept[str, str] = Kept("directory.cards", seconds=LOCAL_SECONDS, size=LOCAL_CARDS)
#: What ``load_cards`` last loaded per language (its ``generation``).
_loaded: Kept[str, object] = Kept("directory.cards-loaded", seconds=float("inf"), size=20)


def get_cards(keys: Mapping[object, str]) -> dict[object, str]:
    """The cached card bodies among ``keys``, by service id: from this worker's own copies
    first, then from the shared cache (one round trip for the rest)."""
    kept = _local.get_many(keys.values())
    cards: dict[object, str] = {}
    wanted: dict[str, object] = {}
    for service_id, key in keys.items():
        html = kept.get(key)
        if html is not None:
            cards[service_id] = html
        else:
            wanted[key] = service_id
    if wanted:
        found = cache.get_many(list(wanted))
        fetched = {key: html for key, html in found.items() if isinstance(html, str)}
        _keep(fetched)
        cards.update({wanted[key]: html for key, html in fetched.items()})
    return cards


def put_cards(cards: Mapping[str, str]) -> None:
    """Store card bodies by cache key (shared cache and this worker's copies)."""
    if cards:
        cache.set_many(dict(cards), CARD_TTL)
        _keep(cards)


def _keep(cards: Mapping[str, str]) -> None:
    # Rendered by our own template.
    _local.put_many({key: mark_safe(html) for key, html in cards.items()})  # noqa: S308


def load_cards(versions: Iterable[ServiceVersion], language: str, generation: object) -> int:
    """Take the cards of these services' versions in this language from the shared
    cache into this worker's copies, once per ``generation`` (the search index they come from):
    those it does not keep, or has kept for over half ``LOCAL_SECONDS`` (so that kept cards do
    not all run out between two loads). One round trip per ``LOAD_BATCH`` cards; what the
    shared cache lacks is rendered by the search that needs it. Returns how many were taken."""
    if _loaded.get(language) == generation:
        return 0
    _loaded.put(language, generation)
    fresh_after = time.monotonic() - LOCAL_SECONDS / 2
    wanted = []
    for key in card_keys(versions, language).values():
        stored = _local.stored_at(key)
        if stored is None or stored < fresh_after:
            wanted.append(key)
    taken = 0
    for start in range(0, len(wanted), LOAD_BATCH):
        found = cache.get_many(wanted[start : start + LOAD_BATCH])
        cards = {key: html for key, html in found.items() if isinstance(html, str)}
        _keep(cards)
        taken += len(cards)
    return taken


def warm_cards(
    languages: Iterable[str],
    *,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
    refresh: bool = False,
) -> int:
    """Render and cache the card of every visible service in these languages: those already
    cached are skipped, unless ``refresh`` (all are rendered and cached for ``CARD_TTL`` again).
    Returns how many cards were rendered."""
    from django.utils import translation

    rendered = 0
    versions = [
        ServiceVersion(*row)
        for row in Service.objects.visible().order_by("id").values_list("id", "last_modified")
    ]
    for language in languages:
        with translation.override(language):
            for start in range(0, len(versions), batch_size):
                batch = versions[start : start + batch_size]
                keys = card_keys(batch, language)
                cached = {} if refresh else get_cards(keys)
                missing = [service_id for service_id in keys if service_id not in cached]
                rendered += len(render_cards(missing, keys))
                if progress:
                    progress(len(batch))
    return rendered


def with_contact_data(queryset: QuerySet[Service]) -> QuerySet[Service]:
    """Add what a result card needs beyond ``with_listing_data``: the service's phone numbers
    (one extra query for any page size)."""
    return queryset.prefetch_related(
        Prefetch(
            "phones", queryset=Phone.objects.order_by("number", "id"), to_attr="listing_phones"
        )
    )


def attach_cards(rows: list[Any], language: str) -> None:
    """Set ``row.card`` on each ``RankedRow``: the rendered body of its result card
    (``CARD_TEMPLATE``), from the cache where it is (keyed by the service's
    ``last_modified``); the others are rendered and cached. With the search
    index on, the worker first takes all the map's cards in this language from the shared cache
    (once per index: ``load_cards``)."""
    if getattr(settings, "KANSRIJK_SEARCH_INDEX", True):
        index = search_index.current_index()
        load_cards(index.visible_versions(), language, index.generation)
    keys = card_keys((ServiceVersion(row.service_id, row.version) for row in rows), language)
    cards = get_cards(keys)
    missing = [service_id for service_id in keys if service_id not in cards]
    if missing:
        cards.update(render_cards(missing, keys))
    for row in rows:
        card = cards.get(row.service_id, "")
        row.card = card if isinstance(card, SafeString) else mark_safe(card)  # noqa: S308 (our own template's output)


def render_cards(service_ids: list[Any], keys: dict[Any, str]) -> dict[Any, str]:
    """Render the card bodies of these services in the active language and cache them under
    ``keys`` (by service id). Seven queries for any number of services."""
    if not service_ids:
        return {}
    services = with_contact_data(with_listing_data(Service.objects.filter(id__in=service_ids)))
    cards: dict[Any, str] = {}
    for service in services:
        service.language_labels = language_labels(service)  # type: ignore[attr-defined]
        cards[service.id] = _compact(render_to_string(CARD_TEMPLATE, {"service": service}))
    put_cards({keys[service_id]: html for service_id, html in cards.items()})
    return cards


def _compact(html: str) -> str:
    """Markup without its blank lines and indentation (a quarter of a card's size; each search
    page carries twenty, each worker keeps all). Cards hold no preformatted text."""
    return "\n".join(stripped for line in html.split("\n") if (stripped := line.strip(_HTML_SPACE)))


#: What HTML counts as white space between tags (not the no-break space, nor Unicode's others).
_HTML_SPACE = " \t\r\f"
