"""The social map's search index, in memory: what the search page asks most, without a query.

``ranking.rank_page`` orders the services near a postcode: with search words by relevance to
them first (``text.relevance``); then those serving the postcode's municipality, then those with
a location within ``nearby_km``; within each group nearest first (distance to a service's
nearest location), then by name and id. In SQL that is one
ranking query (``ranking._rank_near``) of 10-25 ms of database time in dense areas, where
thousands of candidates lie within 15 km: most of the cost of a search page.

A ``SearchIndex`` holds what the ranking needs of every service, in arrays, in each worker
process: whether it is visible, its phases, free or paid, its need categories, languages,
municipalities (service areas) and location points. A search is then a few vectorised
operations over at most ~50,000 services (well under a millisecond) and no query at all:

- **Order.** Services are loaded in the database's own ``ORDER BY name, id``, so a service's
  position is its rank by name and id, compared exactly as the database compares them
  (collation included). Distances use the same haversine ``a`` term as the SQL, in the same
  order of operations.
- **Text.** Which services match a search word is asked of the database, once per word per
  index (``text.filter_text``: PostgreSQL's Dutch full-text search in production, the stems
  on SQLite) and kept as a bit mask. A query matches the services matching every word, which is
  what ``filter_text`` does with all words at once: on PostgreSQL a tsquery ``a:* & b:*``
  matches where both operands match, and a word that PostgreSQL's Dutch configuration drops (a
  stop word of its own list) drops out of the conjunction — unless every word does, when the
  query matches nothing.
- **Relevance.** Each service's ``search_sources`` is read with the index; where a word is
  found in the services it matches (their name, a category …: ``text.Source``) is worked out
  once per word per index with the test the SQL ordering uses (``text.finder``), and kept for
  the services where it is more than the description.
- **Freshness.** The index is kept in a ``core.freshness.Kept`` tied to the social map's version
  token, which every write raises: a change shows in every process within
  ``freshness.TOKEN_SECONDS``, in the process that wrote it at once. A change of a few services
  (those whose ``last_modified`` moved) updates a copy of the index in place
  (``SearchIndex.refreshed``, ~17 ms at 50,000 services, where a full read takes ~2 s: an
  editor's save made every worker read it again), reading only the services changed since the
  last update (``SearchIndex.applied``); what an update cannot follow reads it in full
  (``docs/adr/0005-search-index-updated-in-place.md``). What changes without a bump (SQL by
  hand) shows within ``MAX_AGE_SECONDS``.

Searches the index does not cover (filters by organisation or modification date, which only
the API offers) and postcodes without a point take the SQL path; ``tests/directory`` compares
both paths with ``search_services`` on random maps, on both databases.
"""

from __future__ import annotations

import bisect
import copy
import datetime
import math
import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple, TypeVar

import numpy as np
from django.db import connection
from django.db.models import BooleanField, CharField, ExpressionWrapper, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from kansrijk.core.freshness import Kept
from kansrijk.core.phases import PHASE_FIELDS
from kansrijk.directory.changes import (
    MANY_CHANGES,
    as_datetime,
    as_uuid,
    recent_changes,
)
from kansrijk.directory.exceptions import UnknownCategory
from kansrijk.directory.models import (
    Language,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceStatus,
    ServiceTaxonomy,
    TaxonomyTerm,
)
from kansrijk.directory.search.filters import Filters
from kansrijk.directory.search.text import (
    WEIGHTS,
    Match,
    Source,
    filter_text,
    finder,
)
from kansrijk.directory.vocabularies import NEED_TAXONOMY_ID, category_and_descendants
from kansrijk.places.selectors import EARTH_RADIUS_KM, bounding_box

#: Seconds after which an index is read again even when the token did not change.
MAX_AGE_SECONDS = 600.0
#: Seconds after its full read during which a change of the social map updates an index in
#: place (``SearchIndex.refreshed``); a change after that reads it in full again.
UPDATE_SECONDS = 120.0
#: Changed services an update reads again at most; more, and the index is read in full (the
#: bound every keeper of the social map uses, ``changes.MANY_CHANGES``).
UPDATE_MAX_SERVICES = MANY_CHANGES
#: Search words whose matches an index keeps (least recently used go first; 50 KB each at
#: 50,000 services).
MAX_WORDS = 500
#: Combinations of filters whose mask an index keeps (50 KB each at 50,000 services).
MAX_FILTER_MASKS = 128

_DEG_HALF = math.pi / 360.0
_DEG = math.pi / 180.0
_EMPTY = np.zeros(0, dtype=np.int32)
#: What a word found in each ``Source`` adds to a service's relevance, by code.
_WEIGHTS = np.array([WEIGHTS.get(source, 0) for source in Source], dtype=np.int16)


K = TypeVar("K")
V = TypeVar("V")


def _keep(cache: OrderedDict[K, V], key: K, value: V, limit: int) -> None:
    """Keep ``value`` under ``key`` in ``cache``, which holds the ``limit`` last used entries
    (a hit moves its entry to the end): the oldest beyond that are dropped."""
    cache[key] = value
    while len(cache) > limit:
        cache.popitem(last=False)


class ServiceVersion(NamedTuple):
    """A service and the version of it a search shows (its ``last_modified``): what its cached
    result card is kept under (``cards.card_keys``)."""

    service_id: uuid.UUID
    version: datetime.datetime | None


class Hit(NamedTuple):
    """One service a search found, as the index ranks it."""

    #: The service's position in the index (``ids``, ``names``, ``versions``).
    position: int
    #: Whether it serves the postcode's municipality.
    serves: bool
    #: The haversine ``a`` term to its nearest location (``None``: it has no location).
    a: float | None
    #: Where each word of the search was found in it.
    matches: tuple[Match, ...] = ()


class SearchIndex:
    """What the ranking needs of every service, in arrays (see the module doc)."""

    def __init__(self) -> None:
        self.built_at = time.monotonic()
        #: When what the index holds was read (the database's changes since: ``updated``).
        self.read_at = timezone.now()
        #: Set when the social map changed since it was read (``current_index`` updates it).
        self.outdated = False
        #: The changes of the last ``CHANGE_MARGIN_SECONDS`` that what the index holds already
        #: includes (asked before the rows are read: what they hold is at least as new).
        self.applied = frozenset(recent_changes(self.read_at))
        rows = _service_rows()
        count = len(rows)
        self.size = count
        self.ids: list[uuid.UUID] = [as_uuid(row[0]) for row in rows]
        self.names: list[str] = [row[1] for row in rows]
        self.versions = [as_datetime(row[2]) for row in rows]
        #: Each service's ``search_sources`` (where a word is found: ``sources_of``).
        self.sources: list[str] = [row[8] or "" for row in rows]
        self.position = {service_id: i for i, service_id in enumerate(self.ids)}
        self.visible = np.array([row[3] != ServiceStatus.DEFUNCT for row in rows], dtype=bool)
        self.phases = {
            phase: np.array([bool(row[4 + i]) for row in rows], dtype=bool)
            for i, phase in enumerate(PHASE_FIELDS)
        }
        # Free, paid, or not known (``None``: neither mask).
        self.free = np.array([row[7] is True or row[7] == 1 for row in rows], dtype=bool)
        self.paid = np.array([row[7] is not None and not row[7] for row in rows], dtype=bool)

        links = _links()
        # Ids as text (see ``_links``): for every service, its position by that text.
        at = dict(zip(_id_texts(self.ids), range(count), strict=True))
        self.serving = _groups(links["serving"], at)
        self.categories = _groups(links["categories"], at, key=as_uuid)
        self.languages = _groups(links["languages"], at)
        self.need_terms = _need_terms()

        points = [
            (i, lat, lon)
            for service_id, lat, lon in _points(ServiceAtLocation.objects.all())
            if (i := at.get(service_id)) is not None
        ]
        self._set_points(
            np.array([p[0] for p in points], dtype=np.int32),
            np.array([p[1] for p in points], dtype=np.float64),
            np.array([p[2] for p in points], dtype=np.float64),
        )

        #: Names this build of the index (``cache.load_cards`` loads once per generation).
        self.generation = uuid.uuid4()
        self._words: OrderedDict[str, np.ndarray | None] = OrderedDict()
        self._sources: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._filter_masks: OrderedDict[Filters, np.ndarray] = OrderedDict()
        self._masks: dict[str, dict[str, np.ndarray]] = {}
        self._lock = threading.Lock()

    def _set_points(self, service: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> None:
        """The location points (service position, latitude, longitude) and what the ranking
        derives from them."""
        count = self.size
        #: The points as read, in no particular order (``updated`` replaces a service's).
        self.point_service, self.point_raw_lat, self.point_raw_lon = service, lat, lon
        # The cosine of each point's latitude, a term of ``_a`` that depends on the point alone:
        # computed once here, the same operation on the same value as in a search.
        cos = np.cos(lat * _DEG)
        # By latitude, for the bounding box: two binary searches and a longitude mask.
        by_lat = np.argsort(lat, kind="stable")
        self.box_lat, self.box_lon, self.box_service = lat[by_lat], lon[by_lat], service[by_lat]
        self.box_cos = cos[by_lat]
        # By service, for each candidate's nearest location over all its points.
        by_service = np.argsort(service, kind="stable")
        self.point_lat, self.point_lon = lat[by_service], lon[by_service]
        self.point_cos = cos[by_service]
        self.point_count = np.bincount(service, minlength=count).astype(np.int64)
        self.point_start = np.cumsum(self.point_count) - self.point_count
        # Most services have one location: their point, for one gather (NaN: no location).
        has = self.point_count > 0
        self.first_lat = np.full(count, np.nan)
        self.first_lon = np.full(count, np.nan)
        self.first_cos = np.full(count, np.nan)
        self.first_lat[has] = self.point_lat[self.point_start[has]]
        self.first_lon[has] = self.point_lon[self.point_start[has]]
        self.first_cos[has] = self.point_cos[self.point_start[has]]
        self.several = self.point_count > 1

    def visible_versions(self) -> Iterator[ServiceVersion]:
        """Every service a search can show (not defunct), with its version."""
        ids, versions = self.ids, self.versions
        for i in np.flatnonzero(self.visible).tolist():
            yield ServiceVersion(ids[i], versions[i])

    # --- Changes -----------------------------------------------------------------------------

    def refreshed(self) -> SearchIndex | None:
        """This index brought up to date with the services changed since it was read
        (``changes.recent_changes``, with a margin of ``CHANGE_MARGIN_SECONDS``), or ``None`` when
        only a full read will do (see ``updated``). A change the index has already read the
        service for (``applied``: the margin finds each change again for a minute) is not
        read again: with an edit every second, an update reads the one or two services edited
        since the last one, not the sixty of the last minute."""
        read_at = timezone.now()
        changes = recent_changes(self.read_at)
        if not changes:
            return None  # a write no ``last_modified`` tells of
        changed = {change.service_id for change in changes - self.applied}
        if len(changed) > UPDATE_MAX_SERVICES:
            return None
        total = Service.objects.count()  # a service removed leaves no ``last_modified``
        if changed:
            new = self.updated(changed, total, read_at=read_at)
            if new is None:
                return None
        elif total != self.size:
            return None
        else:  # nothing to read again: the same arrays, the kept words and masks with them
            new = self._copy(read_at)
            with self._lock:
                new._words, new._sources = OrderedDict(self._words), OrderedDict(self._sources)
                new._filter_masks, new._masks = OrderedDict(self._filter_masks), {}
        new.applied = frozenset(changes)
        return new

    def _copy(self, read_at: datetime.datetime) -> SearchIndex:
        """A shallow copy that holds what the database had at ``read_at``: not outdated, with a
        lock of its own (the arrays are shared until the caller replaces them)."""
        new = copy.copy(self)
        new.read_at, new.outdated, new._lock = read_at, False, threading.Lock()
        return new

    def updated(
        self, changed: set[uuid.UUID], total: int, *, read_at: datetime.datetime
    ) -> SearchIndex | None:
        """A copy of this index with what it holds of the ``changed`` services read again
        (searches running on this one are not disturbed), or ``None`` when only a full read
        will do: services were added or removed (``total``, the number of services now,
        differs), or one was renamed (a position is the rank by name and id). What a search
        asked of the database once per word (``word_mask``) is asked again for these services
        only, for all the words kept at once (``_matching``). A fixed number of queries."""
        if total != self.size or any(service_id not in self.position for service_id in changed):
            return None
        ids = sorted(changed)
        rows = list(Service.objects.filter(id__in=ids).order_by().values_list(*_SERVICE_COLUMNS))
        if len(rows) != len(ids):
            return None
        at = [self.position[as_uuid(row[0])] for row in rows]
        if any(row[1] != self.names[i] for row, i in zip(rows, at, strict=True)):
            return None
        new = self._copy(read_at)
        new.versions, new.sources = list(self.versions), list(self.sources)
        new.visible, new.free, new.paid = self.visible.copy(), self.free.copy(), self.paid.copy()
        new.phases = {phase: mask.copy() for phase, mask in self.phases.items()}
        for row, i in zip(rows, at, strict=True):
            new.versions[i] = as_datetime(row[2])
            new.sources[i] = row[8] or ""
            new.visible[i] = row[3] != ServiceStatus.DEFUNCT
            for k, phase in enumerate(PHASE_FIELDS):
                new.phases[phase][i] = bool(row[4 + k])
            new.free[i] = row[7] is True or row[7] == 1
            new.paid[i] = row[7] is not None and not row[7]
        positions = np.array(sorted(at), dtype=np.int64)
        links = _links(ids)
        by_text = dict(zip(_id_texts(ids), [self.position[i] for i in ids], strict=True))
        new.serving = _regrouped(self.serving, positions, _groups(links["serving"], by_text))
        new.categories = _regrouped(
            self.categories, positions, _groups(links["categories"], by_text, key=as_uuid)
        )
        new.languages = _regrouped(self.languages, positions, _groups(links["languages"], by_text))
        new.need_terms = _need_terms()
        new._update_points(
            positions, _points(ServiceAtLocation.objects.filter(service_id__in=ids)), by_text
        )
        new._words, new._sources = self._updated_words(ids, positions, new.sources)
        # Made again from the arrays above when a search asks (microseconds each).
        new._filter_masks, new._masks = OrderedDict(), {}
        return new

    def _update_points(
        self,
        positions: np.ndarray,
        points: Iterable[tuple[str, Any, Any]],
        at: dict[str, int],
    ) -> None:
        """The points of the services at ``positions`` replaced by ``points`` (theirs, now;
        ``_points``), the position of each id in ``at``."""
        now = sorted((at[service_id], lat, lon) for service_id, lat, lon in points)
        own = np.isin(self.point_service, positions)
        before = sorted(
            zip(
                self.point_service[own].tolist(),
                self.point_raw_lat[own].tolist(),
                self.point_raw_lon[own].tolist(),
                strict=True,
            )
        )
        if before == now:
            return
        self._set_points(
            np.concatenate([self.point_service[~own], np.array([p[0] for p in now], np.int32)]),
            np.concatenate([self.point_raw_lat[~own], np.array([p[1] for p in now], np.float64)]),
            np.concatenate([self.point_raw_lon[~own], np.array([p[2] for p in now], np.float64)]),
        )

    def _updated_words(
        self, ids: list[uuid.UUID], positions: np.ndarray, sources: list[str]
    ) -> tuple[
        OrderedDict[str, np.ndarray | None], OrderedDict[str, tuple[np.ndarray, np.ndarray]]
    ]:
        """The kept words' masks and sources with those of the services at ``positions`` (with
        these ``ids``) worked out again: which of them match each word asked of the database in
        one query (``filter_text`` per word, as ``word_mask`` asks it)."""
        with self._lock:
            words = OrderedDict(self._words)
            found = OrderedDict(self._sources)
        asked = [word for word, mask in words.items() if mask is not None]
        matching = _matching(ids, asked) if asked else {}
        ids_at = dict(zip(ids, [self.position[i] for i in ids], strict=True))
        for word in asked:
            mask = words[word]
            assert mask is not None
            mask = mask.copy()
            mask[positions] = False
            for service_id in matching[word]:
                mask[ids_at[service_id]] = True
            words[word] = mask
        for word, (known, codes) in list(found.items()):
            if word not in words:  # its mask went first: both are worked out again if asked
                del found[word]
                continue
            mask = words[word]
            among_positions = positions if mask is None else positions[mask[positions]]
            find = finder(word)
            new_codes = np.fromiter(
                (find(sources[i]) for i in among_positions.tolist()),
                dtype=np.int8,
                count=among_positions.size,
            )
            telling = new_codes > 0
            keep = ~np.isin(known, positions)
            all_known = np.concatenate([known[keep], among_positions[telling].astype(np.int64)])
            all_codes = np.concatenate([codes[keep], new_codes[telling]])
            order = np.argsort(all_known, kind="stable")
            found[word] = (all_known[order], all_codes[order])
        return words, found

    # --- Filters ---------------------------------------------------------------------------

    def category_positions(self, code: str) -> np.ndarray:
        """The services in a need category or one of its descendants (``category_terms``).
        Raises ``UnknownCategory``."""
        wanted = category_and_descendants(self.need_terms, code)
        if wanted is None:
            raise UnknownCategory(code)
        parts = [self.categories[term] for term in wanted if term in self.categories]
        return np.unique(np.concatenate(parts)) if parts else _EMPTY

    def word_mask(self, word: str) -> np.ndarray | None:
        """The services matching one search word, as a mask; ``None`` when the database's text
        search drops the word (a stop word of PostgreSQL's own list)."""
        with self._lock:
            if word in self._words:
                self._words.move_to_end(word)
                return self._words[word]
        mask = None
        if not _dropped(word):
            mask = np.zeros(self.size, dtype=bool)
            found = [
                self.position[i]
                for i in map(
                    as_uuid,
                    filter_text(Service.objects.order_by(), word).values_list("id", flat=True),
                )
                if i in self.position
            ]
            mask[np.array(found, dtype=np.int64)] = True
        with self._lock:
            _keep(self._words, word, mask, MAX_WORDS)
        return mask

    def sources_of(self, word: str, positions: np.ndarray) -> np.ndarray:
        """Where ``word`` is found in each of these services (``text.Source`` codes, from their
        ``search_sources``, read with the index): worked out once per word per index for the
        services the word matches (``word_mask``; all, for a word the database drops), then
        looked up."""
        with self._lock:
            kept = self._sources.get(word)
            if kept is not None:
                self._sources.move_to_end(word)
        if kept is None:
            mask = self.word_mask(word)
            among = np.flatnonzero(mask) if mask is not None else np.arange(self.size)
            find, sources = finder(word), self.sources
            codes = np.fromiter(
                (find(sources[i]) for i in among.tolist()), dtype=np.int8, count=among.size
            )
            telling = codes > 0
            kept = (among[telling].astype(np.int64), codes[telling])
            with self._lock:
                _keep(self._sources, word, kept, MAX_WORDS)
        known, codes = kept
        codes_of = np.zeros(positions.size, dtype=np.int8)
        if known.size:
            at = np.minimum(np.searchsorted(known, positions), known.size - 1)
            hit = known[at] == positions
            codes_of[hit] = codes[at[hit]]
        return codes_of

    def _kept_mask(self, kind: str, key: str, positions: Callable[[], np.ndarray]) -> np.ndarray:
        """A membership mask (services serving a municipality, in a category, speaking a
        language), made once per index: there are a few hundred such keys at most."""
        masks = self._masks.setdefault(kind, {})
        mask = masks.get(key)
        if mask is None:
            mask = masks[key] = self._member(positions())
        return mask

    def serving_mask(self, municipality: str) -> np.ndarray:
        return self._kept_mask(
            "serving", municipality, lambda: self.serving.get(municipality, _EMPTY)
        )

    def mask(self, filters: Filters) -> np.ndarray:
        """The services matching every filter (those of ``filters.INDEXED``; the municipality
        as a CBS code), as a mask over the index (read-only: the last ``MAX_FILTER_MASKS`` are
        kept, searches repeat their filters). Raises ``UnknownCategory``."""
        with self._lock:
            kept = self._filter_masks.get(filters)
            if kept is not None:
                self._filter_masks.move_to_end(filters)
                return kept
        keep = self._combine(filters)
        keep.flags.writeable = False
        with self._lock:
            _keep(self._filter_masks, filters, keep, MAX_FILTER_MASKS)
        return keep

    def _combine(self, filters: Filters) -> np.ndarray:
        assert filters.indexed, filters
        keep = np.ones(self.size, dtype=bool) if filters.include_defunct else self.visible.copy()
        category = filters.category
        if category:
            keep &= self._kept_mask("category", category, lambda: self.category_positions(category))
        terms = filters.terms
        if terms:
            masks = [mask for mask in map(self.word_mask, terms) if mask is not None]
            if not masks:
                return np.zeros(self.size, dtype=bool)
            for mask in masks:
                keep &= mask
        if filters.phase:
            keep &= self.phases[filters.phase]
        if filters.language:
            code = filters.language.strip().lower()
            keep &= self._kept_mask("language", code, lambda: self.languages.get(code, _EMPTY))
        if filters.free is not None:
            keep &= self.free if filters.free else self.paid
        if filters.municipality:
            keep &= self.serving_mask(str(filters.municipality))
        return keep

    def _member(self, positions: np.ndarray) -> np.ndarray:
        member = np.zeros(self.size, dtype=bool)
        member[positions] = True
        return member

    # --- Ranking ---------------------------------------------------------------------------

    def rank(
        self,
        filters: Filters,
        *,
        latitude: float,
        longitude: float,
        municipality: str,
        nearby_km: float,
        offset: int,
        limit: int,
    ) -> tuple[list[Hit], int | None]:
        """``(hits, total)`` as ``ranking._rank_near`` gives them (``Hit``: the service's
        position in the index, whether it serves the postcode's ``municipality``, and the
        haversine ``a`` term to its nearest location); ``total`` is ``None`` when the page is
        empty. ``filters`` are those of ``mask``.

        Candidates: the services matching ``filters`` that serve ``municipality`` or have a
        location within ``nearby_km`` (or, with a municipality among the filters — strict —
        every service matching them). Only the matching services' points are measured. Each
        candidate's ``a`` is over all its locations: for a service with a location within
        ``nearby_km`` the nearest lies in the bounding box anyway."""
        matching = self.mask(filters)
        serves = self.serving_mask(municipality)
        if filters.municipality:
            positions = np.flatnonzero(matching)
        else:
            box = bounding_box(latitude, longitude, nearby_km)
            low = int(np.searchsorted(self.box_lat, box.min_lat, side="left"))
            high = int(np.searchsorted(self.box_lat, box.max_lat, side="right"))
            lon = self.box_lon[low:high]
            service = self.box_service[low:high]
            inside = (lon >= box.min_lon) & (lon <= box.max_lon) & matching[service]
            a = _a(
                self.box_lat[low:high][inside],
                self.box_cos[low:high][inside],
                lon[inside],
                latitude,
                longitude,
            )
            a_max = math.sin(nearby_km / (2 * EARTH_RADIUS_KM)) ** 2
            member = serves & matching
            member[service[inside][a <= a_max]] = True
            positions = np.flatnonzero(member)
        total = int(positions.size)
        if offset >= total:
            return [], None
        a_all = self._nearest(positions, latitude, longitude)
        missing = np.isnan(a_all)
        served_flags = serves[positions]
        keys = [positions, np.where(missing, 0.0, a_all), missing, ~served_flags]
        terms = filters.terms
        found = [self.sources_of(term, positions) for term in terms]
        if found:
            keys.append(-np.sum([_WEIGHTS[codes] for codes in found], axis=0))
        order = np.lexsort(keys)
        page = order[offset : offset + limit]
        page_found = [codes[page].tolist() for codes in found]
        return [
            Hit(
                position,
                serving,
                None if math.isnan(value) else value,
                tuple(
                    Match(term, Source(codes[i]))
                    for term, codes in zip(terms, page_found, strict=True)
                ),
            )
            for i, (position, serving, value) in enumerate(
                zip(
                    positions[page].tolist(),
                    served_flags[page].tolist(),
                    a_all[page].tolist(),
                    strict=True,
                )
            )
        ], total

    def _nearest(self, positions: np.ndarray, latitude: float, longitude: float) -> np.ndarray:
        """The ``a`` term to each service's nearest location (NaN: no location)."""
        result = _a(
            self.first_lat[positions],
            self.first_cos[positions],
            self.first_lon[positions],
            latitude,
            longitude,
        )
        several = self.several[positions]
        if several.any():
            counts = self.point_count[positions[several]]
            starts = self.point_start[positions[several]]
            offsets = np.cumsum(counts) - counts
            index = np.repeat(starts - offsets, counts) + np.arange(int(counts.sum()))
            a = _a(
                self.point_lat[index],
                self.point_cos[index],
                self.point_lon[index],
                latitude,
                longitude,
            )
            result[several] = np.minimum.reduceat(a, offsets)
        return result


def _service_rows() -> list[tuple[Any, ...]]:
    """Every service's row as the index reads it (``_SERVICE_COLUMNS``), by name and id."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(_SERVICE_COLUMNS)} FROM {quote(Service._meta.db_table)}"  # noqa: S608
            " ORDER BY name, id"
        )
        return cursor.fetchall()


#: The columns of a service the index reads, in this order (``_service_rows``, ``updated``).
_SERVICE_COLUMNS = (
    "id",
    "name",
    "last_modified",
    "status",
    *PHASE_FIELDS.values(),  # columns 4-6, in life order
    "is_free",
    "search_sources",
)


def _links(service_ids: list[uuid.UUID] | None = None) -> dict[str, Iterable[tuple[Any, str]]]:
    """``(key, service id)`` pairs of the services' areas (municipality), need categories
    (taxonomy term) and languages (code): of every service, or of these. Ids come as text
    (``_id_texts``): a full read loads ~320,000 pairs, and a ``uuid.UUID`` made for each id,
    then hashed in a lookup, cost ten times what the text does."""
    areas = ServiceArea.objects.order_by()
    terms = ServiceTaxonomy.objects.order_by()
    languages = Language.objects.filter(service__isnull=False).order_by()
    if service_ids is not None:
        areas = areas.filter(service_id__in=service_ids)
        terms = terms.filter(service_id__in=service_ids)
        languages = languages.filter(service_id__in=service_ids)
    return {
        "serving": areas.values_list("municipality_id", _as_text("service_id")),
        "categories": terms.values_list(_as_text("taxonomy_term_id"), _as_text("service_id")),
        "languages": languages.values_list("code", _as_text("service_id")),
    }


def _as_text(field: str) -> Cast:
    """An id column cast to text in the query (the same text as ``_id_texts``)."""
    return Cast(field, CharField())


def _id_texts(service_ids: Iterable[uuid.UUID]) -> list[str]:
    """Ids as the database casts them to text (``_links``, ``_points``): with hyphens where it
    has a UUID type (PostgreSQL), 32 hex digits where Django keeps them as text (SQLite)."""
    if connection.features.has_native_uuid_field:
        return [str(service_id) for service_id in service_ids]
    return [service_id.hex for service_id in service_ids]


def _groups(
    pairs: Iterable[tuple[Any, str]], at: dict[str, int], key: Callable[[Any], Any] = str
) -> dict[Any, np.ndarray]:
    """``{key(k): sorted positions}`` from ``(k, service id as text)`` pairs (``_links``), the
    position of each id in ``at``; pairs of services not in it are left out. ``key`` is applied
    to each group once, not to each pair."""
    grouped: dict[Any, list[int]] = {}
    for group, service_id in pairs:
        i = at.get(service_id)
        if i is not None:
            grouped.setdefault(group, []).append(i)
    return {
        key(group): np.unique(np.array(items, dtype=np.int32)) for group, items in grouped.items()
    }


def _regrouped(
    groups: dict[Any, np.ndarray], positions: np.ndarray, now: dict[Any, np.ndarray]
) -> dict[Any, np.ndarray]:
    """``groups`` (see ``_groups``) with the ``positions``' memberships replaced by ``now``
    (theirs, now: ``_groups`` of their pairs)."""
    result = dict(groups)
    for group in groups.keys() | now.keys():
        members = groups.get(group, _EMPTY)
        if group not in now and not _holds_any(members, positions):
            continue  # none of these services was or is in it
        if members.size:  # (sorted: the positions found by binary search)
            at = np.minimum(np.searchsorted(members, positions), members.size - 1)
            members = np.delete(members, at[members[at] == positions])
        merged = np.sort(np.concatenate([members, now.get(group, _EMPTY)])).astype(np.int32)
        if merged.size:
            result[group] = merged
        else:
            result.pop(group, None)
    return result


def _points(links: QuerySet[ServiceAtLocation]) -> Iterable[tuple[str, Any, Any]]:
    """``(service id as text, latitude, longitude)`` of these links of a service to a location
    (ids as text: see ``_links``)."""
    return (
        links.filter(latitude__isnull=False, longitude__isnull=False)
        .order_by()
        .values_list(_as_text("service_id"), "latitude", "longitude")
    )


def _holds_any(members: np.ndarray, positions: np.ndarray) -> bool:
    """Whether the sorted ``members`` hold any of ``positions``."""
    if not members.size:
        return False
    at = np.minimum(np.searchsorted(members, positions), members.size - 1)
    return bool((members[at] == positions).any())


def _matching(ids: list[uuid.UUID], words: list[str]) -> dict[str, set[uuid.UUID]]:
    """Which of these services match each word (one a search asked for: ``word_mask``), as
    ``filter_text`` decides it. On PostgreSQL from their lexemes (``search_vector``) and each
    word's ``to_tsquery``, two queries for any number of words: a word's query is the prefix of
    one lexeme (``'zwanger':*``), which a service matches when one of its lexemes begins with
    it; a word whose query is anything else is asked as ``word_mask`` asks it."""
    if connection.vendor != "postgresql":
        return _asked(ids, words)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word, to_tsquery('dutch', word || ':*')::text FROM unnest(%s::text[]) AS word",
            [words],
        )
        prefixes = dict(cursor.fetchall())
        cursor.execute(
            "SELECT id, tsvector_to_array(search_vector)"  # noqa: S608
            f" FROM {quote(Service._meta.db_table)} WHERE id = ANY(%s)",
            [ids],
        )
        lexemes = {as_uuid(service_id): sorted(found or ()) for service_id, found in cursor}
    matching: dict[str, set[uuid.UUID]] = {}
    for word in words:
        single = _PREFIX_QUERY.fullmatch(prefixes.get(word) or "")
        if single is None:
            matching.update(_asked(ids, [word]))
            continue
        prefix = single.group(1)
        matching[word] = {
            service_id
            for service_id, found in lexemes.items()
            if (at := bisect.bisect_left(found, prefix)) < len(found)
            and found[at].startswith(prefix)
        }
    return matching


#: A ``to_tsquery`` of one word that is the prefix of one lexeme.
_PREFIX_QUERY = re.compile(r"'([a-z0-9]+)':\*")


def _asked(ids: list[uuid.UUID], words: list[str]) -> dict[str, set[uuid.UUID]]:
    """Which of these services match each word, asked of the database as ``word_mask`` asks
    (``filter_text``): one query, a column per word."""
    among = Service.objects.filter(id__in=ids).order_by()
    columns = {
        f"w{n}": ExpressionWrapper(
            Q(pk__in=filter_text(among, word).values("pk")), output_field=BooleanField()
        )
        for n, word in enumerate(words)
    }
    matching: dict[str, set[uuid.UUID]] = {word: set() for word in words}
    for row in among.annotate(**columns).values_list("id", *columns):
        for word, match in zip(words, row[1:], strict=True):
            if match:
                matching[word].add(as_uuid(row[0]))
    return matching


def _need_terms() -> list[tuple[uuid.UUID, str, uuid.UUID | None]]:
    """The need categories: ``(id, code, parent id)`` (``category_positions``)."""
    return [
        (as_uuid(term_id), code, None if parent is None else as_uuid(parent))
        for term_id, code, parent in TaxonomyTerm.objects.filter(
            taxonomy_id=NEED_TAXONOMY_ID
        ).values_list("id", "code", "parent_id")
    ]


def _a(
    lat: np.ndarray, cos: np.ndarray, lon: np.ndarray, latitude: float, longitude: float
) -> np.ndarray:
    """The haversine ``a`` term, as ``ranking._rank_near`` writes it in SQL (same order of
    operations, so equal points give equal values and ties fall to the name); ``cos`` is the
    cosine of the points' latitudes (``np.cos(lat * _DEG)``, kept per point). A square is
    ``x * x``, as ``POWER(x, 2)`` is exactly."""
    cos_lat = math.cos(math.radians(latitude))
    return np.square(np.sin((lat - latitude) * _DEG_HALF)) + cos_lat * cos * np.square(
        np.sin((lon - longitude) * _DEG_HALF)
    )


def _dropped(word: str) -> bool:
    """Whether PostgreSQL's Dutch text search drops the word (``to_tsquery`` of it is empty).
    Never on SQLite: the search stems leave out only the stop words ``query_terms`` removes."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT numnode(to_tsquery('dutch', %s))", [f"{word}:*"])
        row = cursor.fetchone()
    return not row or row[0] == 0


# --- The index of this process -------------------------------------------------------------------


def _directory_changed(kept: Kept[str, SearchIndex], old: str, new: str) -> None:
    """The social map's token changed: the kept index is updated before it is used next
    (``current_index``), not dropped."""
    for index in kept.as_dict().values():
        index.outdated = True


#: This process's index: updated when the social map's token changes (``core.freshness``:
#: every write, seen by every process within ``freshness.TOKEN_SECONDS``), and read again in
#: full at least every ``MAX_AGE_SECONDS``.
_index: Kept[str, SearchIndex] = Kept(
    "directory.search-index",
    seconds=MAX_AGE_SECONDS,
    size=1,
    kinds=("directory",),
    on_change=_directory_changed,
)
_build_lock = threading.Lock()


def current_index() -> SearchIndex:
    """This process's index, brought up to date when the social map changed (see the module
    doc): in place (``SearchIndex.refreshed``) for a few changed services, within
    ``UPDATE_SECONDS`` of its full read; else read in full."""
    index = _index.get("index")
    if index is None or index.outdated:
        with _build_lock:  # one build at a time; a thread that waited takes the one just built
            index = _index.get("index")
            if index is None or time.monotonic() - index.built_at > MAX_AGE_SECONDS:
                index = _index.put("index", SearchIndex())
            elif index.outdated:
                updated = None
                if time.monotonic() - index.built_at <= UPDATE_SECONDS:
                    updated = index.refreshed()
                index = _index.put("index", updated or SearchIndex())
    return index
