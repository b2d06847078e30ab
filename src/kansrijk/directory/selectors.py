"""Reads of the social map. The directory is public information: nothing here filters per user
(editing rights are ``Service.objects.editable_by(user)``). Searching is ``directory.search``."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from kansrijk.directory.exceptions import InvalidSearch
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
from kansrijk.directory.vocabularies import NEED_TAXONOMY_ID

__all__ = [
    "as_uuid",
    "get_organization",
    "get_service",
    "need_categories",
    "organization_detail_queryset",
    "service_detail_queryset",
    "with_listing_data",
]


def need_categories() -> QuerySet[TaxonomyTerm]:
    """The need-category vocabulary (``hulpvraag``) in display order, parents before children."""
    return TaxonomyTerm.objects.filter(taxonomy_id=NEED_TAXONOMY_ID).order_by("position", "name")


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


def as_uuid(value: Any, field: str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise InvalidSearch(_("%(field)s is not a valid id (a UUID).") % {"field": field}) from None


def _languages() -> Prefetch:
    return Prefetch("languages", queryset=Language.objects.order_by("code", "id"))


def _phones_and_contacts() -> list[Prefetch]:
    """The phones (with their languages) and the contacts (with their phones) of what owns
    them, as ``phone_document`` and ``contact_document`` read them."""
    phones = Phone.objects.prefetch_related(_languages())
    contacts = Contact.objects.prefetch_related(Prefetch("phones", queryset=phones))
    return [Prefetch("phones", queryset=phones), Prefetch("contacts", queryset=contacts)]


def _location_detail_queryset() -> QuerySet[Location]:
    """Locations with everything ``location_document`` reads."""
    return Location.objects.select_related("municipality__province").prefetch_related(
        _languages(), *_phones_and_contacts(), "schedules"
    )


def service_detail_queryset() -> QuerySet[Service]:
    """Services with everything a full HSDS service document needs, in a fixed number of queries."""
    return Service.objects.select_related("organization").prefetch_related(
        *_phones_and_contacts(),
        "schedules",
        Prefetch(
            "service_areas",
            queryset=ServiceArea.objects.select_related("municipality").order_by("municipality_id"),
        ),
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.prefetch_related(
                *_phones_and_contacts(),
                "schedules",
                Prefetch("location", queryset=_location_detail_queryset()),
            ).order_by("id"),
        ),
        _languages(),
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
    return queryset.get(id=as_uuid(service_id, "id"))


def organization_detail_queryset() -> QuerySet[Organization]:
    """Organizations with everything a full HSDS organization document needs."""
    return Organization.objects.prefetch_related(
        *_phones_and_contacts(),
        Prefetch("locations", queryset=_location_detail_queryset()),
        Prefetch("services", queryset=Service.objects.visible().order_by("name", "id")),
    )


def get_organization(organization_id: uuid.UUID | str) -> Organization:
    return organization_detail_queryset().get(id=as_uuid(organization_id, "id"))
