"""Public, read-only API of the menukaart (intervention menu).

``GET /api/v1/interventions`` lists the active interventions with filters for ``municipality``
(only those on offer there, each with the services that deliver it there), ``situation``,
``phase``, ``recognition`` (exact level), ``minRecognition``, ``buildingBlock`` and ``q``.
``GET /api/v1/interventions/{slug}`` gives one, with the services that deliver it (optionally only
in one ``municipality``). Bad parameters give 400 problem+json; an unknown slug 404.
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

from kansrijk.api.problems import error_problem, with_problems
from kansrijk.api.public import PublicReadOnlyView
from kansrijk.api.serializers import (
    CodeNameSerializer,
    PhaseField,
    absolute_url,
    by_code,
    code_name,
    validated,
)
from kansrijk.core.phases import Phase
from kansrijk.directory.models import Service
from kansrijk.interventions.exceptions import InterventionsError, UnknownIntervention
from kansrijk.interventions.models import (
    BuildingBlock,
    FinancingLaw,
    Intervention,
    ProviderKind,
    RecognitionLevel,
)
from kansrijk.interventions.selectors import get_intervention, search_interventions, services_for
from kansrijk.places.api import MunicipalityField
from kansrijk.situations.exceptions import SituationsError, UnknownSituation
from kansrijk.situations.models import Situation

# --- Serializers ---------------------------------------------------------------------------------


class InterventionCodeNameSerializer(CodeNameSerializer):
    pass


class InterventionBuildingBlockSerializer(serializers.Serializer[Any]):
    code = serializers.IntegerField(help_text="1, 2 or 3.")
    name = serializers.CharField()


class InterventionSituationSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="The situation's code in /api/v1/situations.")
    name = serializers.CharField()
    kind = serializers.CharField()


class InterventionServiceSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(help_text="The service's HSDS id.")
    name = serializers.CharField()
    organization = serializers.CharField(source="organization.name")
    referral_methods = serializers.SerializerMethodField(
        help_text="How to refer: phone, secure_mail, referral_form, zorgdomein, self_referral."
    )
    municipalities = serializers.SerializerMethodField(
        help_text="CBS codes of the municipalities the service serves (detail only)."
    )
    hsds_url = serializers.SerializerMethodField(help_text="The service in the HSDS API.")

    def get_referral_methods(self, service: Service) -> list[str]:
        return [method.method for method in service.referral_methods.all()]

    def get_municipalities(self, service: Service) -> list[str] | None:
        if not self.context.get("with_areas"):
            return None
        return [area.municipality_id for area in service.service_areas.all()]

    def get_hsds_url(self, service: Service) -> str:
        return absolute_url(self.context, reverse("hsds:service", args=[service.id]))


def _labelled(value: Any, choices: Any) -> dict[str, Any]:
    return {"code": value, "name": str(dict(choices).get(value, value))}


class InterventionSerializer(serializers.Serializer[Any]):
    slug = serializers.CharField(help_text="Stable code, e.g. nu-niet-zwanger.")
    name = serializers.CharField()
    alternate_names = serializers.ListField(child=serializers.CharField())
    building_block = serializers.SerializerMethodField()
    phases = serializers.ListField(
        child=serializers.CharField(),
        help_text="Phases: preconception, pregnancy, postnatal.",
    )
    target_group = serializers.CharField()
    situations = serializers.SerializerMethodField()
    recognition = serializers.SerializerMethodField()
    recognition_source = serializers.CharField()
    financing_laws = serializers.SerializerMethodField()
    provider_kind = serializers.SerializerMethodField()
    description = serializers.CharField()
    url = serializers.CharField(help_text="More information (may be empty).")
    # DRF's metaclass takes declared fields off the class, so this name does not clash at run time.
    source = serializers.CharField(help_text="Where these facts come from.")  # type: ignore[assignment]
    web_url = serializers.SerializerMethodField(help_text="The page of the intervention.")
    services = serializers.SerializerMethodField(
        help_text=(
            "List: only with the municipality filter, the services delivering it there. "
            "Detail: the services delivering it (in the municipality, if given)."
        )
    )

    @extend_schema_field(InterventionBuildingBlockSerializer)
    def get_building_block(self, obj: Intervention) -> dict[str, Any]:
        return _labelled(obj.building_block, BuildingBlock.choices)

    @extend_schema_field(InterventionSituationSerializer(many=True))
    def get_situations(self, obj: Intervention) -> list[dict[str, Any]]:
        return [{"code": s.code, "name": s.name, "kind": s.kind} for s in obj.situations.all()]

    @extend_schema_field(InterventionCodeNameSerializer)
    def get_recognition(self, obj: Intervention) -> dict[str, Any]:
        return _labelled(obj.recognition, RecognitionLevel.choices)

    @extend_schema_field(InterventionCodeNameSerializer(many=True))
    def get_financing_laws(self, obj: Intervention) -> list[dict[str, Any]]:
        return [_labelled(law, FinancingLaw.choices) for law in obj.financing_laws or []]

    @extend_schema_field(InterventionCodeNameSerializer)
    def get_provider_kind(self, obj: Intervention) -> dict[str, Any]:
        return _labelled(obj.provider_kind, ProviderKind.choices)

    def get_web_url(self, obj: Intervention) -> str:
        return absolute_url(self.context, reverse("interventions:detail", args=[obj.slug]))

    @extend_schema_field(InterventionServiceSerializer(many=True, allow_null=True))
    def get_services(self, obj: Intervention) -> list[dict[str, Any]] | None:
        services = self.context.get("services")
        if services is None:
            if not self.context.get("with_services"):
                return None
            services = obj.services.all()
        return InterventionServiceSerializer(services, many=True, context=self.context).data  # type: ignore[return-value]


class InterventionListSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    municipality = InterventionCodeNameSerializer(allow_null=True)
    results = InterventionSerializer(many=True)


class _MunicipalityFilter(serializers.Serializer[Any]):
    municipality = MunicipalityField(required=False, allow_blank=True, max_length=20)


class InterventionFilterSerializer(_MunicipalityFilter):
    """Query parameters of the list; a bad value is a 400."""

    situation = serializers.SlugField(required=False, allow_blank=True, max_length=60)
    phase = PhaseField(required=False, allow_blank=True)
    recognition = serializers.ChoiceField(
        required=False,
        allow_blank=True,
        choices=RecognitionLevel.choices,
        error_messages={"invalid_choice": _("Choose a recognition level from the list.")},
    )
    minRecognition = serializers.ChoiceField(  # query keys are camelCase (docs/api.md)
        source="min_recognition",
        required=False,
        allow_blank=True,
        choices=RecognitionLevel.choices,
        error_messages={"invalid_choice": _("Choose a recognition level from the list.")},
    )
    buildingBlock = serializers.ChoiceField(
        source="building_block",
        required=False,
        allow_blank=True,
        choices=BuildingBlock.choices,
        error_messages={"invalid_choice": _("Choose building block 1, 2 or 3.")},
    )
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)

    def validate_situation(self, value: str) -> Situation | None:
        return by_code(Situation.objects.filter(is_active=True), value, UnknownSituation)


#: What each problem status of this API means, for its OpenAPI description.
_PROBLEMS = {
    400: "Bad parameter (problem+json).",
    404: "Unknown slug (problem+json).",
}
_MUNICIPALITY = OpenApiParameter(
    "municipality", OpenApiTypes.STR, description="CBS code of a municipality, e.g. GM0090."
)


# --- Views ---------------------------------------------------------------------------------------


class InterventionListView(PublicReadOnlyView):
    @extend_schema(
        operation_id="interventions_list",
        summary="List the interventions of the menukaart",
        description=(
            "The active interventions of the Kansrijke Start menukaart, by name, with building "
            "block, phases, situations addressed, recognition level and financing. With "
            "`municipality`, only the interventions on offer there (delivered by a service of the "
            "social map that serves it), each with those services. Not paginated. Content is Dutch."
        ),
        parameters=[
            _MUNICIPALITY,
            OpenApiParameter(
                "situation", OpenApiTypes.STR, description="Situation code, e.g. roken."
            ),
            OpenApiParameter("phase", OpenApiTypes.STR, enum=Phase.values),
            OpenApiParameter(
                "recognition",
                OpenApiTypes.STR,
                enum=RecognitionLevel.values,
                description="Exactly this recognition level.",
            ),
            OpenApiParameter(
                "minRecognition",
                OpenApiTypes.STR,
                enum=RecognitionLevel.values,
                description="This recognition level or higher.",
            ),
            OpenApiParameter("buildingBlock", OpenApiTypes.INT, enum=BuildingBlock.values),
            OpenApiParameter(
                "q", OpenApiTypes.STR, description="Search words (case and accents ignored)."
            ),
        ],
        responses=with_problems({200: InterventionListSerializer}, 400, descriptions=_PROBLEMS),
        tags=["interventions"],
    )
    def get(self, request: Request) -> Response:
        data = validated(InterventionFilterSerializer, request.query_params)
        municipality = data.get("municipality")
        try:
            interventions = list(
                search_interventions(
                    text=data.get("q") or None,
                    municipality=municipality,
                    situation=data.get("situation") or None,
                    phase=data.get("phase") or None,
                    recognition=data.get("recognition") or None,
                    min_recognition=data.get("min_recognition") or None,
                    building_block=data.get("building_block") or None,
                )
            )
        except (InterventionsError, SituationsError) as exc:  # pragma: no cover - checked above
            return error_problem(request, 400, exc)
        context = {"request": request, "with_services": municipality is not None}
        return Response(
            {
                "count": len(interventions),
                "municipality": code_name(municipality) if municipality else None,
                "results": InterventionSerializer(interventions, many=True, context=context).data,
            }
        )


class InterventionDetailView(PublicReadOnlyView):
    @extend_schema(
        operation_id="interventions_retrieve",
        summary="One intervention, with where it is on offer",
        description=(
            "One intervention with the services of the social map that deliver it, each with the "
            "municipalities it serves; with `municipality`, only the services serving that one."
        ),
        parameters=[
            OpenApiParameter(
                "slug",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="The intervention's code, e.g. nu-niet-zwanger.",
            ),
            _MUNICIPALITY,
        ],
        responses=with_problems({200: InterventionSerializer}, 400, 404, descriptions=_PROBLEMS),
        tags=["interventions"],
    )
    def get(self, request: Request, slug: str) -> Response:
        filters = validated(_MunicipalityFilter, request.query_params)
        try:
            intervention = get_intervention(slug)
        except UnknownIntervention as exc:
            return error_problem(request, 404, exc)
        services = list(services_for(intervention, municipality=filters.get("municipality")))
        context = {"request": request, "services": services, "with_areas": True}
        return Response(InterventionSerializer(intervention, context=context).data)
