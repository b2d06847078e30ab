"""Reads of the social map. The directory is public information: nothing here filters per user
(editing rights are ``Service.objects.editable_by(user)``)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

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

from kansrijk.directory.exceptions import InvalidSearch, UnknownCategory, UnknownMunicipality
from kansrijk.directory.models import (
    PHASE_FIELDS,
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
from kansrijk.directory.vocabularies import NEED_TAXONOMY_ID
from kansrijk.places.models import Municipality, PostcodeArea
from kansrijk.places.selectors import (
    bounding_box,
    distance_expression,
    distance_km,
    lookup_postcode,
)

__all__ = [
    "DEFAULT_NEARBY_KM",
    "category_terms",
    "get_organization",
    "get_service",
    "need_categories",
    "organization_detail_queryset",
    "resolve_municipality",
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
    terms = list(
        TaxonomyTerm.objects.filter(taxonomy_id=NEED_TAXONOMY_ID).values_list(
            "id", "code", "parent_id"
        )
    )
    by_code = {term_code: term_id for term_id, term_code, _ in terms}
    if code not in by_code:
        raise UnknownCategory(code)
    wanted = {by_code[code]}
    grew = True
    while grew:
        before = len(wanted)
        wanted |= {term_id for term_id, _, parent_id in terms if parent_id in wanted}
        grew = len(wanted) > before
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
        if phase not in PHASE_FIELDS:
            raise InvalidSearch(_("Choose a phase: preconception, pregnancy or postnatal."))
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


#: Up to this many candidate ids go into the query as a literal list (exact planner estimates,
#: no subplan per row); beyond it the filters stay subqueries.
MAX_LITERAL_IDS = 10_000


def _near_postcode(
    queryset: QuerySet[Service], area: PostcodeArea, *, nearby_km: float, strict: bool
) -> QuerySet[Service]:
    """Order by (serves the postcode's municipality, distance to the nearest location, name).

    Fast at national scale: the candidates (services serving the municipality, services with a
    location in the bounding box within ``nearby_km``) are found with two index lookups and exact
    distances in Python, so the main query works on a literal id list (exact estimates on both
    databases); only those candidates get the per-row area and distance subqueries.
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
        nearby_ids = {
            service_id
            for service_id, latitude, longitude in ServiceAtLocation.objects.filter(
                **box.as_filter("location__latitude", "location__longitude")
            )
            .order_by()
            .values_list("service_id", "location__latitude", "location__longitude")
            if latitude is not None
            and longitude is not None
            and distance_km(lat, lon, latitude, longitude) <= nearby_km
        }
        candidates = set(serving_query.values_list("service_id", flat=True)) | nearby_ids
        if len(candidates) <= MAX_LITERAL_IDS:
            queryset = queryset.filter(id__in=list(candidates))
        else:
            nearby_query = ServiceAtLocation.objects.filter(
                **box.as_filter("location__latitude", "location__longitude")
            ).values("service_id")
            queryset = queryset.filter(Q(id__in=serving_query) | Q(id__in=nearby_query))
    nearest = (
        Location.objects.filter(
            service_at_locations__service=OuterRef("pk"), latitude__isnull=False
        )
        .annotate(d=distance_expression(lat, lon))
        .order_by("d")
        .values("d")[:1]
    )
    queryset = queryset.annotate(distance_km=Subquery(nearest, output_field=FloatField()))
    return queryset.order_by(
        F("serves_municipality").desc(), F("distance_km").asc(nulls_last=True), "name", "id"
    )


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
