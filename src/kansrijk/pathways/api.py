"""Public, read-only API of the published pathways.

- ``GET /api/v1/pathways?municipality=GM0090&situation=geldzorgen&phase=pregnancy``: the pathway
  that applies per situation and phase in a municipality, with ``fallback`` ``"regional"`` or
  ``"national"`` when a default is served because the municipality has none of its own.
- ``GET /api/v1/pathways/{id}``: a pathway's published version with its steps (urgent safety
  first) and the services they refer to, including how to refer (referral methods).

Only published versions are served. Drafts never leave the editor pages.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kansrijk.api.problems import field_problem, request_problem, with_problems
from kansrijk.api.public import PublicReadOnlyView
from kansrijk.api.serializers import CodeNameSerializer, absolute_url, code_name, validated
from kansrijk.core.phases import Phase
from kansrijk.pathways.models import PathwayStep, PathwayVersion, StepKind
from kansrijk.pathways.resolution import resolve_summaries
from kansrijk.pathways.selectors import published_version
from kansrijk.places.api import MunicipalityField
from kansrijk.places.models import Municipality
from kansrijk.situations.models import Situation

# --- Serializers ---------------------------------------------------------------------------------


class PathwayCodeNameSerializer(CodeNameSerializer):
    pass


class PathwayCoalitionRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PathwayVersionRefSerializer(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    published_at = serializers.DateTimeField()


class PathwaySummarySerializer(serializers.Serializer[Any]):
    """One (situation, phase) of the municipality and the pathway that applies there."""

    id = serializers.IntegerField(source="pathway.pk")
    title = serializers.CharField(source="pathway.current_version.title")
    situation = PathwayCodeNameSerializer(source="pathway.situation")
    phase = serializers.ChoiceField(choices=Phase.choices, help_text="The phase asked for.")
    phases = serializers.ListField(
        child=serializers.CharField(), source="pathway.phases", help_text="All phases it covers."
    )
    scope = serializers.CharField(
        source="pathway.scope", help_text="municipal, regional or national."
    )
    fallback = serializers.CharField(
        allow_null=True,
        help_text=(
            "null: the municipality's own pathway. 'regional' or 'national': the municipality has "
            "none of its own, so this default is served; show it as such."
        ),
    )
    coalition = PathwayCoalitionRefSerializer(source="pathway.coalition")
    version = PathwayVersionRefSerializer(source="pathway.current_version")
    last_reviewed = serializers.DateField(source="pathway.last_reviewed_on")
    needs_review = serializers.BooleanField(
        source="pathway.needs_review", help_text="Not reviewed for more than 12 months."
    )
    is_demo = serializers.BooleanField(source="pathway.is_demo")
    url = serializers.SerializerMethodField(help_text="The pathway page for professionals.")
    api_url = serializers.SerializerMethodField(help_text="This pathway with its steps.")

    def get_url(self, obj: Any) -> str:
        return absolute_url(self.context, obj.url)

    def get_api_url(self, obj: Any) -> str:
        path = reverse("pathways-api:pathway-detail", args=[obj.pathway.pk])
        return absolute_url(self.context, path)


class PathwayListSerializer(serializers.Serializer[Any]):
    municipality = PathwayCodeNameSerializer()
    count = serializers.IntegerField()
    results = PathwaySummarySerializer(many=True)


class PathwayReferralMethodSerializer(serializers.Serializer[Any]):
    method = serializers.CharField(
        help_text="phone, secure_mail, referral_form, zorgdomein or self_referral."
    )
    label = serializers.CharField(source="get_method_display")  # type: ignore[assignment]
    contact = serializers.CharField(
        help_text="Phone number, secure mail address, form link or ZorgDomein product."
    )
    instructions = serializers.CharField()


class PathwayServiceSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    name = serializers.CharField()
    organization = serializers.CharField(source="organization.name")
    status = serializers.CharField()
    url = serializers.CharField()
    email = serializers.CharField()
    alert = serializers.CharField(help_text="A temporary notice, such as a closure.")
    response_time_days = serializers.IntegerField(allow_null=True)
    referral_methods = PathwayReferralMethodSerializer(many=True)
    hsds_url = serializers.SerializerMethodField(help_text="The full HSDS service document.")

    def get_hsds_url(self, obj: Any) -> str:
        return absolute_url(self.context, reverse("hsds:service", args=[str(obj.pk)]))


class PathwayStepSerializer(serializers.Serializer[Any]):
    order = serializers.IntegerField(help_text="Display order: urgent safety steps first.")
    position = serializers.IntegerField(help_text="The position the coalition gave the step.")
    kind = serializers.ChoiceField(choices=StepKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    is_urgent = serializers.BooleanField()
    title = serializers.CharField()
    text = serializers.CharField()
    tips = serializers.CharField(help_text="Conversation tips.")
    service = PathwayServiceSerializer(allow_null=True)


class PathwayDetailSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pathway.pk")
    title = serializers.CharField()
    introduction = serializers.CharField()
    situation = PathwayCodeNameSerializer(source="pathway.situation")
    phases = serializers.ListField(child=serializers.CharField(), source="pathway.phases")
    scope = serializers.CharField(source="pathway.scope")
    coalition = PathwayCoalitionRefSerializer(source="pathway.coalition")
    municipalities = serializers.SerializerMethodField(
        help_text="CBS codes where it applies; empty for a national default."
    )
    version = serializers.IntegerField(source="number")
    is_current = serializers.SerializerMethodField()
    published_at = serializers.DateTimeField()
    change_note = serializers.CharField()
    last_reviewed = serializers.DateField(source="pathway.last_reviewed_on")
    needs_review = serializers.BooleanField(source="pathway.needs_review")
    is_demo = serializers.BooleanField(source="pathway.is_demo")
    steps = serializers.SerializerMethodField()

    def get_municipalities(self, obj: PathwayVersion) -> list[str]:
        return [m.code for m in obj.pathway.municipalities.all()]

    def get_is_current(self, obj: PathwayVersion) -> bool:
        return obj.pathway.current_version_id == obj.pk

    @extend_schema_field(PathwayStepSerializer(many=True))
    def get_steps(self, obj: PathwayVersion) -> list[dict[str, Any]]:
        steps: list[PathwayStep] = obj.ordered_steps
        for order, step in enumerate(steps, start=1):
            step.order = order  # type: ignore[attr-defined]
        return list(PathwayStepSerializer(steps, many=True, context=self.context).data)


# --- Views ---------------------------------------------------------------------------------------


class PathwayFilterSerializer(serializers.Serializer[Any]):
    municipality = MunicipalityField(max_length=10)
    situation = serializers.SlugField(required=False, allow_blank=True, max_length=60)
    phase = serializers.ChoiceField(choices=Phase.choices, required=False, allow_blank=True)

    def validate_situation(self, value: str) -> str:
        if value and not Situation.objects.filter(code=value).exists():
            raise serializers.ValidationError(
                _(
                    "Unknown situation code. Use a code from /api/v1/situations, such as geldzorgen."
                ),
                code="onbekende-situatie",
            )
        return value


#: What each problem status of this API means, for its OpenAPI description.
_PROBLEMS = {
    400: "Bad parameters (problem+json).",
    404: "No such published pathway.",
}


class PathwayListView(PublicReadOnlyView):
    @extend_schema(
        operation_id="pathways_list",
        summary="Pathways that apply in a municipality",
        description=(
            "Per situation and phase, the published pathway that applies in the municipality: its "
            'own, else a regional default (`fallback: "regional"`), else the national default '
            '(`fallback: "national"`). Situations and phases without any pathway are left out. '
            "Without `situation`, all situations; without `phase`, all three phases."
        ),
        parameters=[
            OpenApiParameter(
                "municipality",
                OpenApiTypes.STR,
                required=True,
                description="CBS code, e.g. GM0090.",
            ),
            OpenApiParameter(
                "situation", OpenApiTypes.STR, description="Situation code, e.g. geldzorgen."
            ),
            OpenApiParameter(
                "phase",
                OpenApiTypes.STR,
                enum=list(Phase.values),
                description="preconception, pregnancy or postnatal.",
            ),
        ],
        responses=with_problems({200: PathwayListSerializer}, 400, descriptions=_PROBLEMS),
        tags=["pathways"],
    )
    def get(self, request: Request) -> Response:
        filters = validated(PathwayFilterSerializer, request.query_params)
        municipality: Municipality = filters["municipality"]
        situation = filters.get("situation") or None
        phase = filters.get("phase") or None
        results = resolve_summaries(
            municipality=municipality,
            situations=[situation] if situation else None,
            phases=[phase] if phase else None,
        )
        return Response(
            {
                "municipality": code_name(municipality),
                "count": len(results),
                "results": PathwaySummarySerializer(
                    results, many=True, context={"request": request}
                ).data,
            }
        )


class PathwayDetailView(PublicReadOnlyView):
    @extend_schema(
        operation_id="pathways_retrieve",
        summary="A pathway with its steps and services",
        description=(
            "The published version of a pathway (or, with `version`, an earlier published one), "
            "its steps in display order (urgent safety first) and, per step, the service with its "
            "referral methods."
        ),
        parameters=[
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH),
            OpenApiParameter(
                "version", OpenApiTypes.INT, description="An earlier published version number."
            ),
        ],
        responses=with_problems({200: PathwayDetailSerializer}, 400, 404, descriptions=_PROBLEMS),
        tags=["pathways"],
    )
    def get(self, request: Request, pk: int) -> Response:
        number: int | None = None
        raw = request.query_params.get("version")
        if raw not in (None, ""):
            try:
                number = int(str(raw))
                if number < 1:
                    raise ValueError
            except ValueError:
                message = str(_("Give the version as a whole number, such as 2."))
                return field_problem(request, "version", message)
        try:
            version = published_version(pk, number)
        except PathwayVersion.DoesNotExist:
            return request_problem(
                request,
                404,
                str(_("There is no published pathway with this id (and version).")),
                code="niet-gevonden",
            )
        return Response(PathwayDetailSerializer(version, context={"request": request}).data)
