"""The social map as an HSDA 3.0 read API (Open Referral Human Services Data API).

Public (the directory holds no personal data). Paging follows HSDA: ``page`` (from 1) and
``per_page`` (at most 100), answered with ``total_items``, ``total_pages``, ``page_number``,
``size``, ``first_page``, ``last_page``, ``empty`` and ``contents``. Kansrijk adds filters for
``municipality`` (CBS code), ``postcode`` (nearest first, each item with ``distance`` in km),
``category``, ``phase``, ``language`` and ``free``. Bad parameters give 400 problem+json.
"""

from __future__ import annotations

import datetime
import math
import uuid
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from kansrijk.api.problems import with_problems
from kansrijk.api.serializers import validated
from kansrijk.core.dates import parse_moment
from kansrijk.core.phases import Phase
from kansrijk.directory.exceptions import DirectoryError
from kansrijk.directory.hsds.documents import (
    HSDS_VERSION,
    organization_document,
    organization_list_document,
    service_document,
    service_list_document,
)
from kansrijk.directory.models import Organization, Service
from kansrijk.directory.search.ranking import DEFAULT_NEARBY_KM, MAX_NEARBY_KM, search_page
from kansrijk.directory.selectors import (
    get_organization,
    get_service,
    service_detail_queryset,
)
from kansrijk.directory.vocabularies import PROFILE_URI
from kansrijk.places.api import MunicipalityField
from kansrijk.places.exceptions import PlacesError, UnknownMunicipality
from kansrijk.places.selectors import lookup_postcode

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20

_BOOLEAN_CHOICES = ["true", "false"]


class PageQuerySerializer(serializers.Serializer[Any]):
    page = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=100_000,
        default=1,
        help_text=_("Page number, from 1."),
    )
    per_page = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PER_PAGE,
        default=DEFAULT_PER_PAGE,
        help_text=_("Results per page (at most 100)."),
    )
    search = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text=_("Full-text search (Dutch).")
    )


class ServiceQuerySerializer(PageQuerySerializer):
    taxonomy_term_id = serializers.UUIDField(
        required=False, help_text=_("Services with this taxonomy term.")
    )
    organization_id = serializers.UUIDField(
        required=False, help_text=_("Services of this organisation.")
    )
    modified_after = serializers.CharField(
        required=False, help_text=_("Services changed on or after this date-time (ISO 8601).")
    )
    municipality = MunicipalityField(
        required=False,
        max_length=20,
        help_text=_("Services serving this municipality (CBS code, e.g. GM0090)."),
    )
    postcode = serializers.CharField(
        required=False,
        max_length=20,
        help_text=_(
            "Services serving the postcode's municipality first, then services nearby; nearest first, "
            "each with 'distance' in km."
        ),
    )
    proximity = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=int(MAX_NEARBY_KM * 1000),
        help_text=_(
            "With postcode: how far (in metres) a service outside the municipality may be."
        ),
    )
    category = serializers.SlugField(
        required=False, max_length=100, help_text=_("Need category code, e.g. geldzorgen.")
    )
    phase = serializers.ChoiceField(required=False, choices=Phase.choices)
    language = serializers.RegexField(
        r"^[A-Za-z]{2,3}$", required=False, help_text=_("ISO 639 language code, e.g. nl, ar.")
    )
    free = serializers.ChoiceField(
        required=False, choices=_BOOLEAN_CHOICES, help_text=_("Only free (true) or paid (false).")
    )
    full = serializers.ChoiceField(
        required=False,
        choices=_BOOLEAN_CHOICES,
        help_text=_("true: full service documents in 'contents'."),
    )

    def validate_modified_after(self, value: str) -> datetime.datetime:
        parsed = parse_moment(value, zone=timezone.get_current_timezone())
        if parsed is None:
            raise serializers.ValidationError(
                _("Give a date-time in ISO 8601, such as 2025-01-31T12:00:00Z.")
            )
        return parsed

    def validate_postcode(self, value: str) -> Any:
        try:
            return lookup_postcode(value)
        except PlacesError as error:
            raise serializers.ValidationError(str(error)) from None


class OrganizationQuerySerializer(PageQuerySerializer):
    pass


class PageSerializer(serializers.Serializer[Any]):
    """The HSDA paging envelope (for the OpenAPI description)."""

    total_items = serializers.IntegerField()
    total_pages = serializers.IntegerField()
    page_number = serializers.IntegerField()
    size = serializers.IntegerField()
    first_page = serializers.BooleanField()
    last_page = serializers.BooleanField()
    empty = serializers.BooleanField()
    contents = serializers.ListField(child=serializers.DictField())


def _envelope(total: int, items: list[Any], params: dict[str, Any]) -> dict[str, Any]:
    """The HSDA paging envelope of ``items``, page ``params["page"]`` of ``total`` items at
    ``params["per_page"]`` a page (without ``contents``)."""
    page = params["page"]
    total_pages = math.ceil(total / params["per_page"]) if total else 0
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(items),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not items,
    }


def _page(queryset: QuerySet[Any], params: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    """The page of ``queryset`` that ``params`` ask for, and its envelope."""
    page, per_page = params["page"], params["per_page"]
    total = queryset.count()
    start = (page - 1) * per_page
    items = list(queryset[start : start + per_page]) if start < total else []
    return _envelope(total, items, params), items


def _parse_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValidationError({"id": [_("Not a valid id (a UUID).")]}) from None


# An HSDA endpoint: the social map is open to anyone. (No docstring: it would be the OpenAPI
# description of every operation.)
@extend_schema(tags=["hsds"])
class HsdaView(APIView):
    permission_classes = [AllowAny]


class HsdsRootView(HsdaView):
    @extend_schema(
        operation_id="hsds_root",
        summary="HSDA: about this API",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        return Response(
            {
                "version": HSDS_VERSION,
                "profile": PROFILE_URI,
                "openapi_url": reverse("hsds-schema", request=request),
            }
        )


class ServiceListView(HsdaView):
    @extend_schema(
        operation_id="hsds_services_list",
        summary="HSDA: search services",
        parameters=[ServiceQuerySerializer],
        responses=with_problems({200: PageSerializer}, 400),
    )
    def get(self, request: Request) -> Response:
        params = validated(ServiceQuerySerializer, request.query_params)
        postcode = params.get("postcode")
        nearby = params.get("proximity")
        try:
            page = search_page(
                text=params.get("search") or None,
                category=params.get("category"),
                municipality=params.get("municipality"),
                postcode=postcode,
                phase=params.get("phase"),
                language=params.get("language"),
                free=None if "free" not in params else params["free"] == "true",
                organization_id=params.get("organization_id"),
                modified_after=params.get("modified_after"),
                taxonomy_term_id=params.get("taxonomy_term_id"),
                nearby_km=nearby / 1000 if nearby is not None else DEFAULT_NEARBY_KM,
                page=params["page"],
                per_page=params["per_page"],
                allow_past_end=True,
                prepare=lambda queryset: queryset.select_related("organization"),
            )
        except (DirectoryError, UnknownMunicipality) as error:
            field = {"onbekende-categorie": "category", "onbekende-gemeente": "municipality"}.get(
                error.code, "search"
            )
            raise ValidationError({field: [str(error)]}) from None
        total = page.paginator.count
        services = list(page.object_list)
        envelope = _envelope(total, services, params)
        if params.get("full") == "true" and services:
            detailed = service_detail_queryset().in_bulk([service.id for service in services])
            contents = []
            for service in services:
                document = service_document(detailed[service.id])
                contents.append(_with_distance(document, service, postcode is not None))
        else:
            contents = [
                _with_distance(service_list_document(service), service, postcode is not None)
                for service in services
            ]
        envelope["contents"] = contents
        return Response(envelope)


def _with_distance(
    document: dict[str, Any], service: Service, with_distance: bool
) -> dict[str, Any]:
    if with_distance:
        distance = getattr(service, "distance_km", None)
        document["distance"] = None if distance is None else round(distance, 2)
        document["serves_municipality"] = bool(getattr(service, "serves_municipality", False))
    return document


class ServiceDetailView(HsdaView):
    @extend_schema(
        operation_id="hsds_services_retrieve",
        summary="HSDA: one service, fully nested",
        parameters=[OpenApiParameter("service_id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses=with_problems({200: OpenApiTypes.OBJECT}, 400, 404),
    )
    def get(self, request: Request, service_id: str) -> Response:
        try:
            service = get_service(_parse_id(service_id))
        except Service.DoesNotExist:
            raise NotFound() from None
        return Response(service_document(service))


class OrganizationListView(HsdaView):
    @extend_schema(
        operation_id="hsds_organizations_list",
        summary="HSDA: organisations",
        parameters=[OrganizationQuerySerializer],
        responses=with_problems({200: PageSerializer}, 400),
    )
    def get(self, request: Request) -> Response:
        params = validated(OrganizationQuerySerializer, request.query_params)
        queryset = Organization.objects.order_by("name", "id")
        if params.get("search"):
            queryset = queryset.filter(name__icontains=params["search"].strip())
        envelope, organizations = _page(queryset, params)
        envelope["contents"] = [
            organization_list_document(organization) for organization in organizations
        ]
        return Response(envelope)


class OrganizationDetailView(HsdaView):
    @extend_schema(
        operation_id="hsds_organizations_retrieve",
        summary="HSDA: one organisation with its locations and services",
        parameters=[OpenApiParameter("organization_id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses=with_problems({200: OpenApiTypes.OBJECT}, 400, 404),
    )
    def get(self, request: Request, organization_id: str) -> Response:
        try:
            organization = get_organization(_parse_id(organization_id))
        except Organization.DoesNotExist:
            raise NotFound() from None
        return Response(organization_document(organization))
