"""Public, read-only API of the situations catalogue: life domains, risk and protective factors.

Mounted at ``/api/v1/situations``. The catalogue holds no personal data, so it is open to anyone.
Bad filter values give 400 problem+json; an unknown code 404 problem+json.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kansrijk.api.problems import error_problem, with_problems
from kansrijk.api.public import PublicReadOnlyView
from kansrijk.api.serializers import PhaseField, by_code, validated
from kansrijk.core.phases import Phase
from kansrijk.situations.exceptions import (
    InvalidKind,
    SituationsError,
    UnknownDomain,
    UnknownSituation,
)
from kansrijk.situations.models import FactorKind, LifeDomain, Situation
from kansrijk.situations.selectors import get_situation, search_situations

# --- Serializers ---------------------------------------------------------------------------------


class LifeDomainSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="Stable code, e.g. geld-en-werk.")
    name = serializers.CharField(help_text="Dutch name.")


class SituationSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="Stable code, e.g. geldzorgen or roken.")
    kind = serializers.CharField(help_text="risk or protective.")
    domain = LifeDomainSerializer()
    name = serializers.CharField(help_text="Dutch name.")
    description = serializers.CharField(help_text="Plain Dutch (B1).")
    synonyms = serializers.ListField(
        child=serializers.CharField(), help_text="Other words people use (Dutch)."
    )
    phases = serializers.ListField(
        child=serializers.CharField(),
        help_text="The phases the factor applies to: preconception, pregnancy, postnatal.",
    )
    need_category = serializers.CharField(
        help_text="The social map's need category for services that help here (may be empty)."
    )
    # DRF's metaclass takes declared fields off the class, so this name does not clash at run time.
    source = serializers.CharField(help_text="Where the factor comes from.")  # type: ignore[assignment]


class SituationListSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    results = SituationSerializer(many=True)


class SituationFilterSerializer(serializers.Serializer[Any]):
    """Query parameters of the list; a bad value is a 400."""

    phase = PhaseField(required=False)
    kind = serializers.ChoiceField(
        required=False,
        choices=FactorKind.choices,
        error_messages={"invalid_choice": InvalidKind.default_message},
    )
    domain = serializers.SlugField(required=False, max_length=60)
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)

    def validate_domain(self, value: str) -> LifeDomain | None:
        return by_code(LifeDomain.objects.all(), value, UnknownDomain)


#: What each problem status of this API means, for its OpenAPI description.
_PROBLEMS = {
    400: "Bad filter value (problem+json).",
    404: "Unknown code (problem+json).",
}


# --- Views ---------------------------------------------------------------------------------------


class SituationListView(PublicReadOnlyView):
    @extend_schema(
        operation_id="situations_list",
        summary="List the risk and protective factors",
        description=(
            "The national catalogue of Kansrijke Start: risk factors (vulnerable situations, such "
            "as money worries or smoking) and protective factors, each with its life domain, the "
            "phases it applies to and the social map's need category. Active factors only, in "
            "catalogue order. Not paginated (the catalogue has tens of entries). Content is Dutch."
        ),
        parameters=[
            OpenApiParameter(
                "phase", OpenApiTypes.STR, enum=Phase.values, description="Only this phase."
            ),
            OpenApiParameter(
                "kind", OpenApiTypes.STR, enum=FactorKind.values, description="Risk or protective."
            ),
            OpenApiParameter(
                "domain", OpenApiTypes.STR, description="Life domain code, e.g. geld-en-werk."
            ),
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                description="Search in name and synonyms (case and accents ignored).",
            ),
        ],
        responses=with_problems({200: SituationListSerializer}, 400, descriptions=_PROBLEMS),
        tags=["situations"],
    )
    def get(self, request: Request) -> Response:
        data = validated(SituationFilterSerializer, request.query_params)
        try:
            rows: list[Situation] = list(
                search_situations(
                    data.get("q", ""),
                    phase=data.get("phase"),
                    kind=data.get("kind"),
                    domain=data.get("domain"),
                )
            )
        except SituationsError as exc:  # pragma: no cover - the serializer checks first
            return error_problem(request, 400, exc)
        return Response({"count": len(rows), "results": SituationSerializer(rows, many=True).data})


class SituationDetailView(PublicReadOnlyView):
    @extend_schema(
        operation_id="situations_retrieve",
        summary="One risk or protective factor",
        parameters=[
            OpenApiParameter(
                "code",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="The factor's code, e.g. geldzorgen.",
            )
        ],
        responses=with_problems({200: SituationSerializer}, 404, descriptions=_PROBLEMS),
        tags=["situations"],
    )
    def get(self, request: Request, code: str) -> Response:
        try:
            situation = get_situation(code)
        except UnknownSituation as exc:
            return error_problem(request, 404, exc)
        return Response(SituationSerializer(situation).data)
