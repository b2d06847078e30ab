"""Public, read-only API of the reference data: postcode lookup and the municipality list."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.request import Request
from rest_framework.response import Response

from kansrijk.api.problems import error_problem, field_problem, with_problems
from kansrijk.api.public import PublicReadOnlyView
from kansrijk.api.serializers import validated
from kansrijk.places.exceptions import UnknownMunicipality
from kansrijk.places.models import GGDRegion, Municipality, Province, YouthCareRegion
from kansrijk.places.selectors import (
    InvalidPostcode,
    UnknownPostcode,
    get_municipality,
    list_municipalities,
    lookup_postcode,
)
from kansrijk.places.services import SOURCE

# --- Serializers ---------------------------------------------------------------------------------


class MunicipalityField(serializers.CharField):
    """A municipality by its CBS code (e.g. GM0090; case and spaces ignored), as the APIs take
    it: the ``Municipality``, or a validation error that says the code names none. Blank, where
    the field allows it, is ``None``."""

    def run_validation(self, data: Any = empty) -> Municipality | None:
        code = super().run_validation(data)
        if not code:
            return None
        try:
            return get_municipality(code)
        except UnknownMunicipality as error:
            raise serializers.ValidationError(str(error), code=error.code) from None


class CodeNameSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="CBS code, e.g. GM0090, PV21, GG7206 or JZ02.")
    name = serializers.CharField()


class PostcodeSerializer(serializers.Serializer[Any]):
    postcode = serializers.CharField(source="code", help_text="The four digits (PC4).")
    place = serializers.CharField(source="place_name", help_text="Main place name; may be empty.")
    municipality = CodeNameSerializer()
    second_municipality = CodeNameSerializer(
        allow_null=True,
        help_text="A second municipality that holds at least 5% of the PC4 area, if any.",
    )
    province = CodeNameSerializer(source="municipality.province")
    ggd_region = CodeNameSerializer(source="municipality.ggd_region")
    youth_care_region = CodeNameSerializer(source="municipality.youth_care_region")
    latitude = serializers.FloatField(
        allow_null=True, help_text="WGS84; null for some PO-box codes."
    )
    longitude = serializers.FloatField(
        allow_null=True, help_text="WGS84; null for some PO-box codes."
    )
    # DRF's metaclass takes declared fields off the class, so these names do not clash at run time.
    source = serializers.SerializerMethodField(help_text="Attribution of the data.")  # type: ignore[assignment]

    def get_source(self, obj: object) -> str:
        return SOURCE


class MunicipalitySerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="CBS code, e.g. GM0090.")
    name = serializers.CharField()
    province = CodeNameSerializer()
    ggd_region = CodeNameSerializer()
    youth_care_region = CodeNameSerializer()
    latitude = serializers.FloatField(help_text="Centroid, WGS84.")
    longitude = serializers.FloatField(help_text="Centroid, WGS84.")


class MunicipalityListSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    source = serializers.CharField(help_text="Attribution of the data.")  # type: ignore[assignment]
    results = MunicipalitySerializer(many=True)


class MunicipalityFilterSerializer(serializers.Serializer[Any]):
    """Query parameters of the municipality list; an unknown code is a 400."""

    province = serializers.CharField(required=False, allow_blank=True, max_length=10)
    ggdRegion = serializers.CharField(  # query keys are camelCase (docs/api.md)
        source="ggd_region", required=False, allow_blank=True, max_length=10
    )
    youthCareRegion = serializers.CharField(
        source="youth_care_region", required=False, allow_blank=True, max_length=10
    )

    def validate_province(self, value: str) -> str:
        return _known_region(
            Province, value, _("Unknown province code. Use a code such as PV21 (Fryslân).")
        )

    def validate_ggdRegion(self, value: str) -> str:
        return _known_region(
            GGDRegion, value, _("Unknown GGD region code. Use a code such as GG7206 (GGD Fryslân).")
        )

    def validate_youthCareRegion(self, value: str) -> str:
        return _known_region(
            YouthCareRegion, value, _("Unknown youth care region code. Use a code such as JZ02.")
        )


def _known_region(model: type[models.Model], code: str, unknown: str | Promise) -> str:
    """``code`` when it is empty or a region of ``model``; else ``unknown`` as the error."""
    if code and not model._default_manager.filter(code=code).exists():
        raise serializers.ValidationError(str(unknown), code="unknown")
    return code


#: What each problem status of this API means, for its OpenAPI description.
_PROBLEMS = {
    400: "Malformed input (problem+json).",
    404: "Unknown postcode (problem+json).",
}


# --- Views ---------------------------------------------------------------------------------------


class PostcodeDetailView(PublicReadOnlyView):
    @extend_schema(
        operation_id="places_postcode_retrieve",
        summary="Look up a postcode",
        description=(
            "The municipality, province, GGD region and youth care region of a Dutch postcode. "
            "Accepts `9203`, `9203AB` and `9203 AB` (URL-encoded space); only the four digits are used. "
            "Source: CBS, CC BY 4.0."
        ),
        parameters=[
            OpenApiParameter(
                "postcode",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="A Dutch postcode: four digits, optionally followed by two letters.",
                examples=[
                    OpenApiExample("PC4", value="9203"),
                    OpenApiExample("PC6", value="9203 AB"),
                ],
            )
        ],
        responses=with_problems({200: PostcodeSerializer}, 400, 404, descriptions=_PROBLEMS),
        tags=["places"],
    )
    def get(self, request: Request, postcode: str) -> Response:
        try:
            area = lookup_postcode(postcode)
        except InvalidPostcode as exc:
            return field_problem(request, "postcode", str(exc), code=exc.code)
        except UnknownPostcode as exc:
            return error_problem(request, 404, exc)
        return Response(PostcodeSerializer(area).data)


class MunicipalityListView(PublicReadOnlyView):
    @extend_schema(
        operation_id="places_municipalities_list",
        summary="List the municipalities",
        description=(
            "All 342 municipalities (CBS 2025) with province, GGD region, youth care region and "
            "centroid, by name. Not paginated. An unknown filter code gives a 400. Source: CBS, CC BY 4.0."
        ),
        parameters=[
            OpenApiParameter("province", OpenApiTypes.STR, description="Province code, e.g. PV21."),
            OpenApiParameter(
                "ggdRegion", OpenApiTypes.STR, description="GGD region code, e.g. GG7206."
            ),
            OpenApiParameter(
                "youthCareRegion",
                OpenApiTypes.STR,
                description="Youth care region code, e.g. JZ02.",
            ),
        ],
        responses=with_problems({200: MunicipalityListSerializer}, 400, descriptions=_PROBLEMS),
        tags=["places"],
    )
    def get(self, request: Request) -> Response:
        filters = validated(MunicipalityFilterSerializer, request.query_params)
        municipalities = list(
            list_municipalities(**{key: value for key, value in filters.items() if value})
        )
        return Response(
            {
                "count": len(municipalities),
                "source": SOURCE,
                "results": MunicipalitySerializer(municipalities, many=True).data,
            }
        )
