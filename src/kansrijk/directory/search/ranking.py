"""The social map's ranking: which services a search finds, in which order, one page at a time.

Services near a postcode are ordered: those serving the postcode's municipality first, then
those with a location within ``nearby_km``; within each group nearest first (the distance to a
service's nearest location), then by name and id. Two ways give that order:

- ``search_services``: a QuerySet (the Django ORM), for callers that filter or slice further
  (the signalling guide). It is the reference: the other way is compared with it in
  ``tests/directory/test_search.py`` (``test_search_page_ranks_like_search_services``).
- ``rank_page``: one page of ``RankedRow`` s, what the pages show. From this worker's search
  index (``search.index``; no query at all) when it covers the filters (``filters.INDEXED``)
  and the postcode has a point; else from the database.

``docs/adr/0002-per-worker-search-index.md`` records why the index earns its place.
"""

from __future__ import annotations

import datetime
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kansrijk.core.freshness import Kept
from kansrijk.directory.changes import as_datetime
from kansrijk.directory.models import Service, ServiceArea, ServiceAtLocation
from kansrijk.directory.search import index as search_index
from kansrijk.directory.search.filters import Filters
from kansrijk.directory.search.text import Match, Source, matches, relevance_expression
from kansrijk.directory.selectors import with_listing_data
from kansrijk.places.models import Municipality, PostcodeArea
from kansrijk.places.selectors import (
    EARTH_RADIUS_KM,
    bounding_box,
    distance_expression,
    get_municipality,
    lookup_postcode,
)

__all__ = [
    "DEFAULT_NEARBY_KM",
    "MAX_NEARBY_KM",
    "RankedRow",
    "rank_page",
    "search_page",
    "search_services",
]

#: Services that do not serve the postcode's municipality still show when a location is this close.
DEFAULT_NEARBY_KM = 15.0
MAX_NEARBY_KM = 100.0


def search_services(
    filters: Filters | None = None,
    *,
    postcode: str | PostcodeArea | None = None,
    nearby_km: float = DEFAULT_NEARBY_KM,
    prefetch: bool = True,
    **filter_values: Any,
) -> QuerySet[Service]:
    """Services matching every filter given (``filters``, or its fields as keywords: see
    ``filters.Filters``), annotated with ``distance_km`` and ``serves_municipality`` (``None``
    both when no postcode is given).

    ``postcode``: services serving the postcode's municipality come first; services with a
    location within ``nearby_km`` follow. Within each group nearest first, by the distance from
    the PC4 centre to the service's nearest location (services without one last). Combined with
    ``municipality``, only services serving that municipality, nearest first. Without a
    postcode, ordered by name. With search words, by relevance to them first
    (``text.relevance``: the name, then the categories), the order above breaking ties.

    Raises ``UnknownMunicipality``, ``UnknownCategory``, ``InvalidSearch`` and the places errors
    ``InvalidPostcode`` / ``UnknownPostcode``.
    """
    filters = Filters(**filter_values) if filters is None else filters
    queryset = filters.queryset()
    if postcode:
        area = postcode if isinstance(postcode, PostcodeArea) else lookup_postcode(postcode)
        queryset = _near_postcode(
            queryset, area, nearby_km=_nearby(nearby_km), strict=filters.strict
        )
    else:
        queryset = queryset.annotate(
            distance_km=Value(None, output_field=FloatField()),
            serves_municipality=Value(None, output_field=FloatField()),
        ).order_by("name", "id")
    terms = filters.terms
    if terms:
        # The words first: the order above only breaks ties of relevance.
        queryset = queryset.annotate(relevance=relevance_expression(terms)).order_by(
            F("relevance").desc(), *queryset.query.order_by
        )
    return with_listing_data(queryset) if prefetch else queryset


def _nearby(km: float) -> float:
    return max(0.0, min(float(km), MAX_NEARBY_KM))


def _near_postcode(
    queryset: QuerySet[Service], area: PostcodeArea, *, nearby_km: float, strict: bool
) -> QuerySet[Service]:
    """Order by (serves the postcode's municipality, distance to the nearest location, name).

    The QuerySet form of the ranking, for callers that filter or slice further (the signalling
    guide); pages use ``rank_page``, which gives the same order in one cheaper query (a test
    compares the two). Distances come from the point each service-at-location carries.
    """
    serving_query = (
        ServiceArea.objects.filter(municipality_id=area.municipality_id)
        .order_by()
        .values("service_id")
    )
    serves = Exists(
        ServiceArea.objects.filter(service=OuterRef("pk"), municipality_id=area.municipality_id)
    )
    queryset = queryset.annotate(serves_municipality=serves)
    if area.latitude is None or area.longitude is None:
        # A PO-box postcode without a point: its municipality, no distances.
        if not strict:
            queryset = queryset.filter(id__in=serving_query)
        return queryset.annotate(distance_km=Value(None, output_field=FloatField())).order_by(
            "name", "id"
        )

    lat, lon = area.latitude, area.longitude
    if not strict:
        box = bounding_box(lat, lon, nearby_km)
        nearby_query = (
            ServiceAtLocation.objects.filter(**box.as_filter())
            .alias(d=distance_expression(lat, lon))
            .filter(d__lte=nearby_km)
            .values("service_id")
        )
        queryset = queryset.filter(Q(id__in=serving_query) | Q(id__in=nearby_query))
    nearest = (
        ServiceAtLocation.objects.filter(service=OuterRef("pk"), latitude__isnull=False)
        .annotate(d=distance_expression(lat, lon))
        .order_by("d")
        .values("d")[:1]
    )
    queryset = queryset.annotate(distance_km=Subquery(nearest, output_field=FloatField()))
    return queryset.order_by(
        F("serves_municipality").desc(), F("distance_km").asc(nulls_last=True), "name", "id"
    )


@dataclass
class RankedRow:
    """One result of ``rank_page``: what the ranking knows of a service without loading it."""

    service_id: uuid.UUID
    name: str
    serves_municipality: bool | None
    distance_km: float | None
    #: The service's ``last_modified``: the version its cached result card is kept under.
    version: datetime.datetime | None = None
    #: Where each word of the search was found in it (none without words).
    matches: tuple[Match, ...] = ()
    #: The rendered body of its result card (``cards.attach_cards``).
    card: str = ""

    @property
    def why(self) -> str:
        """Where the search words were found, as a sentence (``""`` without words)."""
        return describe_matches(self.matches)


def describe_matches(found: tuple[Match, ...]) -> str:
    """``Found: "schulden" in the name, "roken" in the description.`` in the active language."""
    if not found:
        return ""
    key = (get_language(), found)
    sentence = _kept_sentences.get(key)
    if sentence is None:
        texts = _source_texts()
        sentence = _kept_sentences.put(
            key,
            texts[None]
            % {"matches": ", ".join(texts[match.source] % {"word": match.word} for match in found)},
        )
    return sentence


def _source_texts() -> dict[Source | None, str]:
    language = get_language()
    texts = _kept_source_texts.get(language)
    if texts is None:
        texts = _kept_source_texts.put(
            language,
            {
                None: _("Found: %(matches)s."),
                Source.NAME: _("“%(word)s” in the name"),
                Source.CATEGORY: _("“%(word)s” in a category"),
                Source.ORGANISATION: _("“%(word)s” in the organisation's name"),
                Source.PLACE: _("“%(word)s” in the place"),
                Source.DESCRIPTION: _("“%(word)s” in the description"),
            },
        )
    return texts


_kept_source_texts: Kept[str | None, dict[Source | None, str]] = Kept(
    "directory.search-match-texts", seconds=float("inf"), size=20
)
#: The sentence for each language and set of matches (a page repeats a few of them).
_kept_sentences: Kept[tuple[str | None, tuple[Match, ...]], str] = Kept(
    "directory.search-match-sentences", seconds=float("inf"), size=5_000
)


class _Total:
    """What ``Paginator`` needs of its object list when only the number is known."""

    def __init__(self, total: int) -> None:
        self.total = total

    def __len__(self) -> int:
        return self.total


def _page_number(page: int | str | None) -> int:
    """``Paginator.get_page`` leniency: anything but a positive whole number is page 1."""
    try:
        return max(1, int(str(page or 1)))
    except ValueError:
        return 1


def rank_page(
    filters: Filters | None = None,
    *,
    postcode: str | PostcodeArea | None = None,
    nearby_km: float = DEFAULT_NEARBY_KM,
    page: int | str | None = 1,
    per_page: int = 20,
    allow_past_end: bool = False,
    **filter_values: Any,
) -> Page:
    """One page of ``search_services`` as ``RankedRow`` s: the services' ids and names in the
    same order, with the distance and whether they serve the postcode's municipality.

    With a postcode that has coordinates the order comes from this worker's search index when it
    covers the filters (``Filters.indexed``), else from one ranking query (``_rank_near``): the
    candidates from two index range scans, every distance computed in the database, and the
    total as a window count (no second ``COUNT``). Otherwise it is ``search_services`` with
    ``COUNT``. ``page`` follows ``Paginator.get_page``: not a number → 1, past the end → the last
    page (or, ``allow_past_end``, an empty page with that number, as an API pages). Raises what
    ``search_services`` raises.
    """
    filters = Filters(**filter_values) if filters is None else filters
    nearby_km = _nearby(nearby_km)
    area = None
    if postcode:
        area = postcode if isinstance(postcode, PostcodeArea) else lookup_postcode(postcode)
    if area is None or area.latitude is None or area.longitude is None:
        queryset = search_services(filters, postcode=area, nearby_km=nearby_km, prefetch=False)
        values = queryset.values_list(  # type: ignore[misc]  # two annotations
            "id", "name", "serves_municipality", "distance_km", "last_modified", "search_sources"
        )
        paginator = Paginator(values, per_page)
        if allow_past_end:
            number = _page_number(page)
        else:
            number = paginator.get_page(page).number if paginator.count else 1
        start = (number - 1) * per_page
        terms = filters.terms
        rows = [
            RankedRow(
                service_id=service_id,
                name=name,
                serves_municipality=serves,
                distance_km=distance,
                version=version,
                matches=matches(sources, terms),
            )
            for service_id, name, serves, distance, version, sources in values[
                start : start + per_page
            ]
        ]
        return Page(rows, number, paginator)

    number = _page_number(page)
    if filters.indexed and getattr(settings, "KANSRIJK_SEARCH_INDEX", True):
        index_ranked = _index_ranking(filters, area, nearby_km=nearby_km)

        def ranked(number: int) -> tuple[list[RankedRow], int | None]:
            return index_ranked((number - 1) * per_page, per_page)
    else:
        filtered = filters.queryset()

        def ranked(number: int) -> tuple[list[RankedRow], int | None]:
            return _rank_near(
                filtered,
                area,
                terms=filters.terms,
                nearby_km=nearby_km,
                strict=filters.strict,
                offset=(number - 1) * per_page,
                limit=per_page,
            )

    rows, total = ranked(number)
    if total is None and number > 1:
        # Past the end: count, then (unless allowed) show the last page.
        _rows, total = ranked(1)
        if not allow_past_end:
            number = max(1, -(-(total or 0) // per_page))
            rows, total = ranked(number)
    # The paginator only counts (its object list is a length): the rows come from the ranking.
    paginator = Paginator(cast("list[RankedRow]", _Total(total or 0)), per_page)
    return Page(rows, number, paginator)


def _index_ranking(
    filters: Filters, area: PostcodeArea, *, nearby_km: float
) -> Callable[[int, int], tuple[list[RankedRow], int | None]]:
    """``(offset, limit) → (rows, total)`` from this process's search index, with the filters
    checked as ``Filters.queryset`` checks them (same errors)."""
    index = search_index.current_index()
    filters.check_phase()
    municipality = filters.municipality
    code = None
    if filters.strict:
        if isinstance(municipality, Municipality):
            code = municipality.code
        else:
            code = str(municipality).strip().upper()
            if code not in index.serving:
                code = get_municipality(code).code
    if filters.category:
        index.category_positions(filters.category)  # raises UnknownCategory before any ranking
    assert area.latitude is not None
    assert area.longitude is not None
    latitude, longitude = area.latitude, area.longitude
    indexed = filters.replace(municipality=code)

    def ranked(offset: int, limit: int) -> tuple[list[RankedRow], int | None]:
        found, total = index.rank(
            indexed,
            latitude=latitude,
            longitude=longitude,
            municipality=area.municipality_id,
            nearby_km=nearby_km,
            offset=offset,
            limit=limit,
        )
        ids, names, versions = index.ids, index.names, index.versions
        return [
            RankedRow(
                service_id=ids[hit.position],
                name=names[hit.position],
                serves_municipality=hit.serves,
                distance_km=_km(hit.a),
                version=versions[hit.position],
                matches=hit.matches,
            )
            for hit in found
        ], total

    return ranked


def _km(a: float | None) -> float | None:
    """The distance in km from the haversine ``a`` term."""
    if a is None:
        return None
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(max(0.0, a))))


def search_page(
    filters: Filters | None = None,
    *,
    page: int | str | None = 1,
    per_page: int = 20,
    prepare: Callable[[QuerySet[Service]], QuerySet[Service]] = with_listing_data,
    allow_past_end: bool = False,
    **filter_values: Any,
) -> Page:
    """``rank_page`` with the services themselves: a ``Page`` of services fetched by id through
    ``prepare`` (``with_listing_data`` by default), each with ``distance_km`` and
    ``serves_municipality`` set, in the ranking's order."""
    ranked = rank_page(
        filters, page=page, per_page=per_page, allow_past_end=allow_past_end, **filter_values
    )
    services = prepare(
        Service.objects.filter(id__in=[row.service_id for row in ranked.object_list])
    ).in_bulk()
    ordered = []
    for row in ranked.object_list:
        service = services.get(row.service_id)
        if service is None:  # deleted between the two queries
            continue
        service.distance_km = row.distance_km  # type: ignore[attr-defined]
        service.serves_municipality = row.serves_municipality  # type: ignore[attr-defined]
        ordered.append(service)
    return Page(ordered, ranked.number, ranked.paginator)


_DEG_HALF = math.pi / 360.0
_DEG = math.pi / 180.0


def _rank_near(
    filtered: QuerySet[Service],
    area: PostcodeArea,
    *,
    terms: list[str],
    nearby_km: float,
    strict: bool,
    offset: int,
    limit: int,
) -> tuple[list[RankedRow], int | None]:
    """The ranking of ``search_page``: ``(rows, total)``; ``total`` is ``None`` when the page is
    empty (the window count comes with the rows).

    Candidates: the services serving the postcode's municipality and those with a location in
    the bounding box (or, ``strict``, every service of ``filtered``). The distance of a service
    is to its nearest location. Every location within ``nearby_km`` lies in the box, so a box
    minimum within ``nearby_km`` is exact; any other candidate's distance is looked up over all
    its locations. Ordered by relevance to the search ``terms`` first (``text.relevance``),
    then as ``search_services`` orders: by the haversine ``a`` term (monotonic in the distance),
    which needs no inverse sine; the distance in km is computed here for the rows shown.
    """
    lat, lon = area.latitude, area.longitude
    assert lat is not None
    assert lon is not None
    box = bounding_box(lat, lon, nearby_km)
    # a = sin²(Δφ/2) + cos φ1 · cos φ2 · sin²(Δλ/2), with degrees turned into radians inline.
    a_sql = (
        "(POWER(SIN((sal.latitude - %s) * %s), 2)"
        " + %s * COS(sal.latitude * %s) * POWER(SIN((sal.longitude - %s) * %s), 2))"
    )
    a_params: list[Any] = [lat, _DEG_HALF, math.cos(math.radians(lat)), _DEG, lon, _DEG_HALF]
    a_max = math.sin(nearby_km / (2 * EARTH_RADIUS_KM)) ** 2
    try:
        filtered_sql, filtered_params = (
            filtered.order_by()
            .values(
                "id",
                "name",
                "last_modified",
                "search_sources",
                relevance=relevance_expression(terms),
            )
            .query.sql_with_params()
        )
    except EmptyResultSet:
        return [], None
    # Only table names from the models and SQL compiled by Django go into the text; every value
    # is a parameter.
    quote = connection.ops.quote_name
    sal = quote(ServiceAtLocation._meta.db_table)
    service_area = quote(ServiceArea._meta.db_table)
    params: list[Any] = [*a_params, box.min_lat, box.max_lat, box.min_lon, box.max_lon]
    params += [area.municipality_id]
    box_cte = (
        f"box AS (SELECT sal.service_id AS service_id, MIN({a_sql}) AS a"  # noqa: S608
        f" FROM {sal} sal"
        " WHERE sal.latitude BETWEEN %s AND %s AND sal.longitude BETWEEN %s AND %s"
        " GROUP BY sal.service_id)"
        f", serving AS (SELECT DISTINCT sa.service_id AS service_id FROM {service_area} sa"
        " WHERE sa.municipality_id = %s)"
    )
    if strict:
        candidates = (
            "SELECT f.id AS service_id,"  # noqa: S608
            " CASE WHEN serving.service_id IS NULL THEN 0 ELSE 1 END AS serves,"
            " CASE WHEN box.a <= %s THEN box.a END AS a, f.name AS name, f.last_modified AS version,"
            " f.search_sources AS sources, f.relevance AS relevance"
            f" FROM ({filtered_sql}) f"
            " LEFT JOIN serving ON serving.service_id = f.id"
            " LEFT JOIN box ON box.service_id = f.id"
        )
        params += [a_max, *filtered_params]
    else:
        candidates = (
            "SELECT c.service_id AS service_id, c.serves AS serves, c.a AS a, f.name AS name,"  # noqa: S608
            " f.last_modified AS version, f.search_sources AS sources, f.relevance AS relevance"
            " FROM ("
            " SELECT serving.service_id AS service_id, 1 AS serves,"
            " CASE WHEN box.a <= %s THEN box.a END AS a"
            " FROM serving LEFT JOIN box ON box.service_id = serving.service_id"
            " UNION ALL"
            " SELECT box.service_id, 0, box.a FROM box WHERE box.a <= %s"
            " AND box.service_id NOT IN (SELECT service_id FROM serving)"
            f") c INNER JOIN ({filtered_sql}) f ON f.id = c.service_id"
        )
        params += [a_max, a_max, *filtered_params]
    # A candidate without an exact box distance gets it from all its locations.
    nearest = (
        f"(SELECT MIN({a_sql}) FROM {sal} sal"  # noqa: S608
        " WHERE sal.service_id = cand.service_id AND sal.latitude IS NOT NULL)"
    )
    params += a_params
    sql = (
        f"WITH {box_cte}, cand AS ({candidates}),"  # noqa: S608
        f" ranked AS (SELECT cand.service_id, cand.serves, COALESCE(cand.a, {nearest}) AS a,"
        " cand.name, cand.version, cand.sources, cand.relevance FROM cand)"
        " SELECT service_id, name, serves, a, version, sources, COUNT(*) OVER () FROM ranked"
        " ORDER BY relevance DESC, serves DESC, CASE WHEN a IS NULL THEN 1 ELSE 0 END, a, name,"
        " service_id"
        " LIMIT %s OFFSET %s"
    )
    params += [limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    rows = [
        RankedRow(
            service_id=service_id if isinstance(service_id, uuid.UUID) else uuid.UUID(service_id),
            name=name,
            serves_municipality=bool(serves),
            distance_km=_km(a),
            version=as_datetime(version),
            matches=matches(sources, terms),
        )
        for service_id, name, serves, a, version, sources, _count in fetched
    ]
    return rows, (fetched[0][6] if fetched else None)
