"""Dutch full-text search on services, the same results on PostgreSQL and SQLite.

Each service keeps two denormalised columns, rebuilt by ``refresh_search_text`` whenever a write
path changes the service or what it is linked to:

- ``search_text``: the searchable words (name, alternate name, description, eligibility, target
  group, organisation, categories, places), lower-cased and without accents;
- ``search_stems``: the Dutch Snowball stems of those words (``dutch_porter``, the algorithm
  PostgreSQL's ``dutch`` configuration uses), space-separated with a leading space.

A query is cut into words, accents are removed and stop words dropped. Every remaining word must
match as a *prefix of a stem*, so "schulden" (stem "schuld") finds "schuldhulpverlening" (stem
"schuldhulpverlen") and "zwanger" finds "zwangerschap".

- PostgreSQL: ``search_vector @@ to_tsquery('dutch', 'schuld:* & …')``; ``search_vector`` is
  ``to_tsvector('dutch', search_text)``, stored by a trigger and GIN-indexed (migration 0003).
- SQLite: ``search_stems LIKE '% schuld%'`` per word on the stems column.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

import snowballstemmer
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Q

from kansrijk.core.freshness import memo

if TYPE_CHECKING:
    from django.db.models import QuerySet

from kansrijk.directory.models import Service

#: The Snowball Dutch stop word list, as in PostgreSQL's ``dutch.stop``.
DUTCH_STOP_WORDS = frozenset(
    [
        "de",
        "en",
        "van",
        "ik",
        "te",
        "dat",
        "die",
        "in",
        "een",
        "hij",
        "het",
        "niet",
        "zijn",
        "is",
        "was",
        "op",
        "aan",
        "met",
        "als",
        "voor",
        "had",
        "er",
        "maar",
        "om",
        "hem",
        "dan",
        "zou",
        "of",
        "wat",
        "mijn",
        "men",
        "dit",
        "zo",
        "door",
        "over",
        "ze",
        "zich",
        "bij",
        "ook",
        "tot",
        "je",
        "mij",
        "uit",
        "der",
        "daar",
        "haar",
        "naar",
        "heb",
        "hoe",
        "heeft",
        "hebben",
        "deze",
        "u",
        "want",
        "nog",
        "zal",
        "me",
        "zij",
        "nu",
        "ge",
        "geen",
        "omdat",
        "iets",
        "worden",
        "toch",
        "al",
        "waren",
        "veel",
        "meer",
        "doen",
        "toen",
        "moet",
        "ben",
        "zonder",
        "kan",
        "hun",
        "dus",
        "alles",
        "onder",
        "ja",
        "eens",
        "hier",
        "wie",
        "werd",
        "altijd",
        "doch",
        "wordt",
        "wezen",
        "kunnen",
        "ons",
        "zelf",
        "tegen",
        "na",
        "reeds",
        "wil",
        "kon",
        "niets",
        "uw",
        "iemand",
        "geweest",
        "andere",
    ]
)

_WORD_RE = re.compile(r"[a-z0-9]+")
#: Search words are cut at this length; longer input is almost certainly not a word.
_MAX_WORD_LENGTH = 40
_MAX_QUERY_WORDS = 8


def normalise(text: str) -> str:
    """Lower case, accents removed (``Taalbarrière`` → ``taalbarriere``), ß → ss."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text: str) -> list[str]:
    return _WORD_RE.findall(normalise(text))


@memo("directory.stemmer", size=1)
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("dutch_porter")


@memo("directory.stems", size=20_000)
def stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


def query_terms(text: str) -> list[str]:
    """The words of a query that take part in the search (no stop words, at most 8, deduplicated)."""
    terms: list[str] = []
    for word in words(text):
        word = word[:_MAX_WORD_LENGTH]
        if word in DUTCH_STOP_WORDS or word in terms:
            continue
        terms.append(word)
    return terms[:_MAX_QUERY_WORDS]


def build_search_text(parts: Iterable[str | None]) -> tuple[str, str]:
    """``(search_text, search_stems)`` for the given pieces of text."""
    all_words = words(" ".join(part for part in parts if part))
    text = " ".join(all_words)
    stems: list[str] = []
    seen: set[str] = set()
    for word in all_words:
        if word in DUTCH_STOP_WORDS:
            continue
        stemmed = stem(word)
        if stemmed not in seen:
            seen.add(stemmed)
            stems.append(stemmed)
    return text, (" " + " ".join(stems)) if stems else ""


def filter_text(queryset: QuerySet[Service], text: str) -> QuerySet[Service]:
    """``queryset`` narrowed to services matching every word of ``text`` (see the module doc).

    A query without searchable words (empty, or only stop words) leaves the queryset as it is.
    """
    terms = query_terms(text)
    if not terms:
        return queryset
    if connection.vendor == "postgresql":
        # Only [a-z0-9] reach the query string, so it cannot break the tsquery syntax.
        raw = " & ".join(f"{term}:*" for term in terms)
        return queryset.filter(search_vector=SearchQuery(raw, search_type="raw", config="dutch"))
    condition = Q()
    for term in terms:
        condition &= Q(search_stems__contains=f" {stem(term)}")
    return queryset.filter(condition)


def refresh_search_text(service_ids: Iterable[object]) -> int:
    """Rebuild ``search_text`` and ``search_stems`` of these services. Returns how many changed.

    A fixed number of queries for any number of services (batched per 500).
    """
    from kansrijk.directory.models import Location, Service, ServiceArea, ServiceTaxonomy

    ids = list(dict.fromkeys(service_ids))
    changed = 0
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        terms: dict[object, list[str]] = defaultdict(list)
        for service_id, name, code, description in ServiceTaxonomy.objects.filter(
            service_id__in=batch
        ).values_list(
            "service_id", "taxonomy_term__name", "taxonomy_term__code", "taxonomy_term__description"
        ):
            terms[service_id].extend((name, code.replace("-", " "), description))
        places: dict[object, list[str]] = defaultdict(list)
        for service_id, city in Location.objects.filter(
            service_at_locations__service_id__in=batch
        ).values_list("service_at_locations__service_id", "city"):
            places[service_id].append(city)
        for service_id, municipality in ServiceArea.objects.filter(
            service_id__in=batch
        ).values_list("service_id", "municipality__name"):
            places[service_id].append(municipality)
        to_update = []
        for service in Service.objects.filter(id__in=batch).select_related("organization"):
            text, stems = build_search_text(
                [
                    service.name,
                    service.alternate_name,
                    service.description,
                    service.eligibility_description,
                    service.target_group,
                    service.organization.name,
                    service.organization.alternate_name,
                    *terms.get(service.id, []),
                    *sorted(set(places.get(service.id, []))),
                ]
            )
            if text != service.search_text or stems != service.search_stems:
                service.search_text, service.search_stems = text, stems
                to_update.append(service)
        Service.objects.bulk_update(to_update, ["search_text", "search_stems"], batch_size=500)
        changed += len(to_update)
    return changed
