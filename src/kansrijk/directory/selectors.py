"""Reads of the social map. The directory is public information: nothing here filters per user
(editing rights are ``Service.objects.editable_by(user)``)."""

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
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.utils.translation import gettext as _

from kansrijk.core.phases import PHASE_FIELDS
from kansrijk.directory import ranking
from kansrijk.directory.exceptions import InvalidSearch, UnknownCategory, UnknownMunicipality
from kansrijk.directory.models import (
    Contact,
    Language,
    Location,
    Organization,
    Phone,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceStatus,
    ServiceTaxonomy,
    TaxonomyTerm,
)
from kansrijk.directory.search import filter_text
from kansrijk.directory.vocabularies import NEED_TAXONOMY_ID, category_and_descendants
from kansrijk.places.models import Municipality, PostcodeArea
from kansrijk.places.selectors import (
    EARTH_RADIUS_KM,
    bounding_box,
    distance_expression,
    lookup_postcode,
)

__all__ = [
    "DEFAULT_NEARBY_KM",
    "category_terms",
    "get_organization",
    "get_service",
    "need_categories",
    "organization_detail_queryset",
    "rank_page",
    "resolve_municipality",
    "search_page",
    "search_services",
    "service_detail_queryset",
    "with_listing_data",
]

#: Services that do not serve the postcode's municipality still show when a location is this close.
DEFAULT_NEARBY_KM = 15.0
MAX_NEARBY_KM = 100.0


def resolve_municipality(value: Municipality | str) -> Municipality:
    """A Municipality from an instance or a CBS code (``GM0090``, case-insensitive)."""
    if isinstance(value, Municipality):
        return value
    code = str(value).strip().upper()
    try:
        return Municipality.objects.get(code=code)
    except Municipality.DoesNotExist:
        raise UnknownMunicipality(str(value)) from None


def need_categories() -> QuerySet[TaxonomyTerm]:
    """The need-category vocabulary (``hulpvraag``) in display order, parents before children."""
    return TaxonomyTerm.objects.filter(taxonomy_id=NEED_TAXONOMY_ID).order_by("position", "name")


def category_terms(code: str) -> list[uuid.UUID]:
    """The ids of a need category and all its descendants. Raises ``UnknownCategory``."""
    wanted = category_and_descendants(
        TaxonomyTerm.objects.filter(taxonomy_id=NEED_TAXONOMY_ID).values_list(
            "id", "code", "parent_id"
        ),
        code,
    )
    if wanted is None:
        raise UnknownCategory(code)
    return sorted(wanted)


def with_listing_data(queryset: QuerySet[Service]) -> QuerySet[Service]:
    """What a result list shows, in a fixed number of queries whatever the page size: the
    organisation (joined), locations with municipality, categories, referral methods, languages."""
    return queryset.select_related("organization").prefetch_related(
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.select_related("location__municipality").order_by(
                "location__name"
            ),
        ),
        Prefetch(
            "taxonomy_links",
            queryset=ServiceTaxonomy.objects.select_related("taxonomy_term").order_by(
                "taxonomy_term__position", "taxonomy_term__name"
            ),
        ),
        "referral_methods",
        Prefetch("languages", queryset=Language.objects.order_by("code", "name")),
    )


def _uuid(value: Any, field: str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise InvalidSearch(_("%(field)s is not a valid id (a UUID).") % {"field": field}) from None


def _check_phase(phase: str) -> None:
    if phase not in PHASE_FIELDS:
        raise InvalidSearch(_("Choose a phase: preconception, pregnancy or postnatal."))


def _filtered(
    *,
    text: str | None = None,
    category: str | None = None,
    municipality: Municipality | str | None = None,
    phase: str | None = None,
    language: str | None = None,
    free: bool | None = None,
    organization_id: uuid.UUID | str | None = None,
    modified_after: datetime.datetime | None = None,
    taxonomy_term_id: uuid.UUID | str | None = None,
    domain: str | None = None,
    include_defunct: bool = False,
) -> QuerySet[Service]:
    """The services matching every filter except the postcode, unordered."""
    queryset: QuerySet[Service] = (
        Service.objects.all() if include_defunct else Service.objects.visible()
    )
    if text:
        queryset = filter_text(queryset, text)
    if category:
        queryset = queryset.filter(
            id__in=ServiceTaxonomy.objects.filter(
                taxonomy_term_id__in=category_terms(category)
            ).values("service_id")
        )
    if taxonomy_term_id:
        term_id = _uuid(taxonomy_term_id, "taxonomy_term_id")
        queryset = queryset.filter(
            id__in=ServiceTaxonomy.objects.filter(taxonomy_term_id=term_id).values("service_id")
        )
    if phase:
        _check_phase(phase)
        queryset = queryset.filter(**{PHASE_FIELDS[phase]: True})
    if language:
        code = language.strip().lower()
        queryset = queryset.filter(
            id__in=Language.objects.filter(code=code, service__isnull=False).values("service_id")
        )
    if free is not None:
        queryset = queryset.filter(is_free=free)
    if organization_id:
        queryset = queryset.filter(organization_id=_uuid(organization_id, "organization_id"))
    if modified_after is not None:
        queryset = queryset.filter(last_modified__gte=modified_after)
    if domain:
        queryset = queryset.filter(domain=domain)
    if municipality is not None and municipality != "":
        code = resolve_municipality(municipality).code
        queryset = queryset.filter(
            id__in=ServiceArea.objects.filter(municipality_id=code).values("service_id")
        )

    return queryset


def search_services(
    *,
    text: str | None = None,
    category: str | None = None,
    municipality: Municipality | str | None = None,
    postcode: str | PostcodeArea | None = None,
    phase: str | None = None,
    language: str | None = None,
    free: bool | None = None,
    organization_id: uuid.UUID | str | None = None,
    modified_after: datetime.datetime | None = None,
    taxonomy_term_id: uuid.UUID | str | None = None,
    domain: str | None = None,
    include_defunct: bool = False,
    nearby_km: float = DEFAULT_NEARBY_KM,
    prefetch: bool = True,
) -> QuerySet[Service]:
    """Services matching every filter given, annotated with ``distance_km`` and
    ``serves_municipality`` (``None`` both when no postcode is given).

    - ``text``: Dutch full-text search (word forms, prefixes, accents ignored; see ``search``).
    - ``category``: a need-category code such as ``geldzorgen``, including its sub-categories.
    - ``municipality``: only services whose service areas include it (instance or CBS code).
    - ``postcode``: services serving the postcode's municipality come first; services with a
      location within ``nearby_km`` follow. Within each group nearest first, by the distance from
      the PC4 centre to the service's nearest location (services without one last).
      Combined with ``municipality``, only services serving that municipality, nearest first.
    - ``phase`` (preconception, pregnancy, postnatal), ``language`` (ISO 639 code), ``free``,
      ``organization_id``, ``modified_after``, ``taxonomy_term_id``, ``domain``.
    - Defunct services are left out unless ``include_defunct``.

    Raises ``UnknownMunicipality``, ``UnknownCategory``, ``InvalidSearch`` and the places errors
    ``InvalidPostcode`` / ``UnknownPostcode``. Without a postcode, ordered by name.
    """
    queryset = _filtered(
        text=text,
        category=category,
        municipality=municipality,
        phase=phase,
        language=language,
        free=free,
        organization_id=organization_id,
        modified_after=modified_after,
        taxonomy_term_id=taxonomy_term_id,
        domain=domain,
        include_defunct=include_defunct,
    )
    if postcode:
        area = postcode if isinstance(postcode, PostcodeArea) else lookup_postcode(postcode)
        nearby_km = max(0.0, min(float(nearby_km), MAX_NEARBY_KM))
        queryset = _near_postcode(
            queryset, area, nearby_km=nearby_km, strict=municipality not in (None, "")
        )
    else:
        queryset = queryset.annotate(
            distance_km=Value(None, output_field=FloatField()),
            serves_municipality=Value(None, output_field=FloatField()),
        ).order_by("name", "id")
    return with_listing_data(queryset) if prefetch else queryset


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
    *,
    page: int | str | None = 1,
    per_page: int = 20,
    allow_past_end: bool = False,
    **filters: Any,
) -> Page:
    """One page of ``search_services(**filters)`` as ``RankedRow`` s: the services' ids and names
    in the same order, with the distance and whether they serve the postcode's municipality.

    With a postcode that has coordinates the order comes from one ranking query (``_rank_near``):
    the candidates from two index range scans, every distance computed in the database, and the
    total as a window count (no second ``COUNT``). Otherwise it is ``search_services`` with
    ``COUNT``. ``page`` follows ``Paginator.get_page``: not a number → 1, past the end → the last
    page (or, ``allow_past_end``, an empty page with that number, as an API pages). Raises what
    ``search_services`` raises.
    """
    postcode = filters.pop("postcode", None)
    nearby_km = max(0.0, min(float(filters.pop("nearby_km", DEFAULT_NEARBY_KM)), MAX_NEARBY_KM))
    filters.pop("prefetch", None)
    area = None
    if postcode:
        area = postcode if isinstance(postcode, PostcodeArea) else lookup_postcode(postcode)
    if area is None or area.latitude is None or area.longitude is None:
        queryset = search_services(**filters, postcode=area, nearby_km=nearby_km, prefetch=False)
        values = queryset.values_list(  # type: ignore[misc]  # two annotations
            "id", "name", "serves_municipality", "distance_km", "last_modified"
        )
        paginator = Paginator(values, per_page)
        if allow_past_end:
            number = _page_number(page)
        else:
            number = paginator.get_page(page).number if paginator.count else 1
        start = (number - 1) * per_page
        rows = [RankedRow(*row) for row in values[start : start + per_page]]
        return Page(rows, number, paginator)

    strict = filters.get("municipality") not in (None, "")
    number = _page_number(page)
    used = {key for key, value in filters.items() if value is not None and value != ""}
    if used <= _INDEXED_FILTERS and getattr(settings, "KANSRIJK_SEARCH_INDEX", True):
        index_ranked = _index_ranking(filters, area, nearby_km=nearby_km)

        def ranked(number: int) -> tuple[list[RankedRow], int | None]:
            return index_ranked((number - 1) * per_page, per_page)
    else:
        filtered = _filtered(**filters)

        def ranked(number: int) -> tuple[list[RankedRow], int | None]:
            return _rank_near(
                filtered,
                area,
                nearby_km=nearby_km,
                strict=strict,
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


#: The filters ``kansrijk.directory.ranking`` covers; searches with others take the SQL ranking.
_INDEXED_FILTERS = frozenset(
    {"text", "category", "municipality", "phase", "language", "free", "include_defunct"}
)


def _index_ranking(
    filters: dict[str, Any], area: PostcodeArea, *, nearby_km: float
) -> Callable[[int, int], tuple[list[RankedRow], int | None]]:
    """``(offset, limit) → (rows, total)`` from this process's search index, with the filters
    checked as ``_filtered`` checks them (same errors)."""
    index = ranking.current_index()
    phase = filters.get("phase")
    if phase:
        _check_phase(phase)
    municipality = filters.get("municipality")
    code = None
    if municipality not in (None, ""):
        if isinstance(municipality, Municipality):
            code = municipality.code
        else:
            code = str(municipality).strip().upper()
            if code not in index.serving:
                code = resolve_municipality(code).code
    index_filters = {
        "text": filters.get("text"),
        "category": filters.get("category"),
        "municipality": code,
        "phase": phase,
        "language": filters.get("language"),
        "free": filters.get("free"),
        "include_defunct": bool(filters.get("include_defunct")),
    }
    category = filters.get("category")
    if category:
        index.category_positions(str(category))  # raises UnknownCategory before any ranking
    assert area.latitude is not None
    assert area.longitude is not None
    latitude, longitude = area.latitude, area.longitude

    def ranked(offset: int, limit: int) -> tuple[list[RankedRow], int | None]:
        found, total = index.rank(
            index_filters,
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
                service_id=ids[position],
                name=names[position],
                serves_municipality=serves,
                distance_km=None
                if a is None
                else 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(max(0.0, a)))),
                version=versions[position],
            )
            for position, serves, a in found
        ], total

    return ranked


def search_page(
    *,
    page: int | str | None = 1,
    per_page: int = 20,
    prepare: Callable[[QuerySet[Service]], QuerySet[Service]] = with_listing_data,
    allow_past_end: bool = False,
    **filters: Any,
) -> Page:
    """``rank_page`` with the services themselves: a ``Page`` of services fetched by id through
    ``prepare`` (``with_listing_data`` by default), each with ``distance_km`` and
    ``serves_municipality`` set, in the ranking's order."""
    ranked = rank_page(page=page, per_page=per_page, allow_past_end=allow_past_end, **filters)
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
    its locations. Ordered by the haversine ``a`` term (monotonic in the distance), which needs
    no inverse sine; the distance in km is computed here for the rows shown.
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
            filtered.order_by().values("id", "name", "last_modified").query.sql_with_params()
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
            " CASE WHEN box.a <= %s THEN box.a END AS a, f.name AS name, f.last_modified AS version"
            f" FROM ({filtered_sql}) f"
            " LEFT JOIN serving ON serving.service_id = f.id"
            " LEFT JOIN box ON box.service_id = f.id"
        )
        params += [a_max, *filtered_params]
    else:
        candidates = (
            "SELECT c.service_id AS service_id, c.serves AS serves, c.a AS a, f.name AS name, f.last_modified AS version FROM ("  # noqa: S608
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
        " cand.name, cand.version FROM cand)"
        " SELECT service_id, name, serves, a, version, COUNT(*) OVER () FROM ranked"
        " ORDER BY serves DESC, CASE WHEN a IS NULL THEN 1 ELSE 0 END, a, name, service_id"
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
            distance_km=None
            if a is None
            else 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(max(0.0, a)))),
            version=ranking.as_datetime(version),
        )
        for service_id, name, serves, a, version, _count in fetched
    ]
    return rows, (fetched[0][5] if fetched else None)


def service_detail_queryset() -> QuerySet[Service]:
    """Services with everything a full HSDS service document needs, in a fixed number of queries."""
    phones = Phone.objects.prefetch_related(
        Prefetch("languages", queryset=Language.objects.order_by("code", "id"))
    )
    contacts = Contact.objects.prefetch_related(Prefetch("phones", queryset=phones))
    location_qs = Location.objects.select_related("municipality__province").prefetch_related(
        Prefetch("languages", queryset=Language.objects.order_by("code", "id")),
        Prefetch("phones", queryset=phones),
        Prefetch("contacts", queryset=contacts),
        "schedules",
    )
    return Service.objects.select_related("organization").prefetch_related(
        Prefetch("phones", queryset=phones),
        Prefetch("contacts", queryset=contacts),
        "schedules",
        Prefetch(
            "service_areas",
            queryset=ServiceArea.objects.select_related("municipality").order_by("municipality_id"),
        ),
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.prefetch_related(
                Prefetch("phones", queryset=phones),
                Prefetch("contacts", queryset=contacts),
                "schedules",
                Prefetch("location", queryset=location_qs),
            ).order_by("id"),
        ),
        Prefetch("languages", queryset=Language.objects.order_by("code", "id")),
        "cost_options",
        Prefetch(
            "taxonomy_links",
            queryset=ServiceTaxonomy.objects.select_related("taxonomy_term__taxonomy").order_by(
                "id"
            ),
        ),
        "referral_methods",
    )


def get_service(service_id: uuid.UUID | str, *, include_defunct: bool = True) -> Service:
    """One service with everything for its detail page / HSDS document. Raises Service.DoesNotExist."""
    queryset = service_detail_queryset()
    if not include_defunct:
        queryset = queryset.exclude(status=ServiceStatus.DEFUNCT)
    return queryset.get(id=_uuid(service_id, "id"))


def organization_detail_queryset() -> QuerySet[Organization]:
    phones = Phone.objects.prefetch_related(
        Prefetch("languages", queryset=Language.objects.order_by("code", "id"))
    )
    contacts = Contact.objects.prefetch_related(Prefetch("phones", queryset=phones))
    return Organization.objects.prefetch_related(
        Prefetch("phones", queryset=phones),
        Prefetch("contacts", queryset=contacts),
        Prefetch(
            "locations",
            queryset=Location.objects.select_related("municipality__province").prefetch_related(
                Prefetch("languages", queryset=Language.objects.order_by("code", "id")),
                Prefetch("phones", queryset=phones),
                Prefetch("contacts", queryset=contacts),
                "schedules",
            ),
        ),
        Prefetch("services", queryset=Service.objects.visible().order_by("name", "id")),
    )


def get_organization(organization_id: uuid.UUID | str) -> Organization:
    return organization_detail_queryset().get(id=_uuid(organization_id, "id"))
