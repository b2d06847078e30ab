"""The coalition API (mounted at /api/v1/, no trailing slashes; in openapi.yaml).

- ``GET /api/v1/coalitions``: the coalitions the user has a part in, with her roles there
  (coordinator, analyst, editor, member).
- ``GET /api/v1/coalitions/{id}/actions``: the improvement actions (coordinator, analyst);
  ``POST``: a new one (coordinator). Its history is kept as on the pages.

A coalition the user has no part in is a 404; a role that does not reach is a 403. Both are
logged, as is every list of actions (they name the people responsible).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kansrijk.accounts.models import Organisation
from kansrijk.accounts.roles import primary_role
from kansrijk.api.problems import error_problem, with_problems
from kansrijk.api.serializers import CodeNameSerializer, validated
from kansrijk.assessments.models import Round, Statement
from kansrijk.audit.models import Action
from kansrijk.audit.services import record_refusal
from kansrijk.coalitions import services, workspace
from kansrijk.coalitions.access import Access, access_for, user_access
from kansrijk.coalitions.exceptions import InvalidInput, NotAllowed, NotFound, WorkspaceError
from kansrijk.coalitions.models import ActionStatus, ImprovementAction
from kansrijk.directory.models import Service
from kansrijk.pathways.models import Pathway


class WorkspaceAPIView(APIView):
    """Authenticated; domain errors as problem+json. (Every API answer is marked no-store by
    ``kansrijk.api.middleware``.)"""

    permission_classes = (IsAuthenticated,)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, WorkspaceError):
            errors = exc.message_dict if isinstance(exc, InvalidInput) else None
            return error_problem(self.request, exc.status, exc, errors=errors)
        return super().handle_exception(exc)


COALITION_ID = OpenApiParameter("coalition_id", OpenApiTypes.INT, OpenApiParameter.PATH)


class CoalitionMunicipalitySerializer(CodeNameSerializer):
    pass


class CoalitionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    scope = serializers.CharField(help_text="local, regional or national.")
    municipalities = CoalitionMunicipalitySerializer(many=True)
    is_demo = serializers.BooleanField()
    roles = serializers.ListField(
        child=serializers.CharField(),
        help_text="The user's roles here: coalition_coordinator, analyst, coalition_editor, "
        "member (a user of a member organisation).",
    )


def coalition_access(
    pk: Any, request: Request, *, event_type: str, action: str, purpose: str = workspace.PURPOSE
) -> Access:
    """The user's access to coalition ``pk``; ``NotFound`` (a 404), and the refusal in the
    access log, when she has no part in it."""
    access = access_for(request.user, pk)
    if access is None:
        record_refusal(
            request=request,
            event_type=event_type,
            action=action,
            object_type="coalitions.coalition",
            object_id=str(pk),
            purpose=purpose,
            role=primary_role(request.user),
        )
        raise NotFound(_("No coalition with this number, or you may not see it."))
    return access


class CoalitionListView(WorkspaceAPIView):
    @extend_schema(
        operation_id="coalitions_list",
        summary="Your coalitions",
        description="The coalitions you coordinate, analyse or edit pathways for, and those "
        "your organisation is a member of, with your roles there.",
        responses=with_problems({200: CoalitionSerializer(many=True)}, 403),
        tags=["coalitions"],
    )
    def get(self, request: Request) -> Response:
        access = user_access(request.user)
        rows = []
        for coalition in access.coalitions().prefetch_related("municipalities"):
            rows.append(
                {
                    "id": coalition.pk,
                    "name": coalition.name,
                    "scope": coalition.scope,
                    "municipalities": sorted(
                        coalition.municipalities.all(), key=lambda m: (m.name, m.code)
                    ),
                    "is_demo": coalition.is_demo,
                    "roles": access.access(coalition).roles,
                }
            )
        return Response(CoalitionSerializer(rows, many=True).data)


class ActionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    organisation = serializers.IntegerField(source="organisation_id", allow_null=True)
    organisation_name = serializers.SerializerMethodField()
    person = serializers.CharField()
    due_on = serializers.DateField()
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    overdue = serializers.SerializerMethodField()
    round = serializers.IntegerField(source="round_id", allow_null=True)
    statements = serializers.SerializerMethodField()
    pathways = serializers.SerializerMethodField()
    services = serializers.SerializerMethodField()
    indicator_codes = serializers.ListField(child=serializers.CharField())
    is_demo = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_organisation_name(self, obj: ImprovementAction) -> str:
        return obj.organisation.name if obj.organisation else ""

    def get_overdue(self, obj: ImprovementAction) -> bool:
        return obj.is_overdue(timezone.localdate())

    def get_statements(self, obj: ImprovementAction) -> list[str]:
        return sorted(s.code for s in obj.statements.all())

    def get_pathways(self, obj: ImprovementAction) -> list[int]:
        return sorted(p.pk for p in obj.pathways.all())

    def get_services(self, obj: ImprovementAction) -> list[str]:
        return sorted(str(s.pk) for s in obj.services.all())


class ActionInputSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    organisation = serializers.IntegerField(
        required=False, allow_null=True, help_text="A member organisation (its id)."
    )
    person = serializers.CharField(max_length=150, required=False, allow_blank=True)
    due_on = serializers.DateField()
    status = serializers.ChoiceField(choices=ActionStatus.choices, default=ActionStatus.OPEN)
    round = serializers.IntegerField(
        required=False, allow_null=True, help_text="The round the action comes from."
    )
    statements = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        max_length=100,
        help_text="Statement codes, of the round's instrument when `round` is given.",
    )
    pathways = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=100
    )
    services = serializers.ListField(child=serializers.UUIDField(), required=False, max_length=100)
    indicator_codes = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, max_length=20
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


def _action_input(access: Access, data: dict[str, Any]) -> services.ActionInput:
    """References by id or code resolved within the coalition; unknown ones are errors."""
    coalition = access.coalition
    errors: dict[str, list[Any]] = {}
    organisation = None
    if data.get("organisation") is not None:
        organisation = Organisation.objects.filter(pk=data["organisation"]).first()
        if organisation is None:
            errors["organisation"] = [_("No organisation with this id.")]
    round_ = None
    if data.get("round") is not None:
        round_ = Round.objects.filter(pk=data["round"], coalition=coalition).first()
        if round_ is None:
            errors["round"] = [_("No round of this coalition with this id.")]
    statements: list[Statement] = []
    codes = list(dict.fromkeys(data.get("statements", [])))
    if codes:
        pool = (
            round_.instrument_version.statements.all()
            if round_ is not None
            else services.linkable_statements(coalition)
        )
        found: dict[str, list[Statement]] = {}
        for statement in pool.filter(code__in=codes):
            found.setdefault(statement.code, []).append(statement)
        for code in codes:
            matches = found.get(code, [])
            if len(matches) == 1:
                statements.append(matches[0])
            elif not matches:
                errors.setdefault("statements", []).append(
                    _("%(code)s is not a statement of this coalition's rounds.") % {"code": code}
                )
            else:
                errors.setdefault("statements", []).append(
                    _("%(code)s occurs in more than one instrument: give the round.")
                    % {"code": code}
                )
    pathway_ids = list(dict.fromkeys(data.get("pathways", [])))
    pathways = list(Pathway.objects.filter(pk__in=pathway_ids))
    if len(pathways) != len(pathway_ids):
        errors["pathways"] = [_("Unknown pathway id(s).")]
    service_ids: list[uuid.UUID] = list(dict.fromkeys(data.get("services", [])))
    found_services = list(Service.objects.filter(pk__in=service_ids))
    if len(found_services) != len(service_ids):
        errors["services"] = [_("Unknown service id(s).")]
    if errors:
        raise InvalidInput(errors)
    return services.ActionInput(
        title=data["title"],
        description=data.get("description", ""),
        organisation=organisation,
        person=data.get("person", ""),
        due_on=data["due_on"],
        status=data["status"],
        round=round_,
        statements=statements,
        pathways=pathways,
        services=found_services,
        indicator_codes=data.get("indicator_codes", []),
        note=data.get("note", ""),
    )


class ActionCollectionView(WorkspaceAPIView):
    @extend_schema(
        operation_id="coalition_actions_list",
        summary="The coalition's improvement actions",
        description="For the coordinator and analysts; the first due on top, `overdue` where "
        "an open or running action passed its date.",
        parameters=[COALITION_ID],
        responses=with_problems({200: ActionSerializer(many=True)}, 403, 404),
        tags=["coalitions"],
    )
    def get(self, request: Request, coalition_id: str) -> Response:
        access = coalition_access(
            coalition_id, request, event_type="coalitions.action.list", action=Action.READ
        )
        if not access.reads_workspace:
            record_refusal(
                request=request,
                event_type="coalitions.action.list",
                action=Action.READ,
                object_type="coalitions.coalition",
                object_id=str(access.coalition.pk),
                purpose=workspace.PURPOSE,
                role=access.role,
            )
            raise NotAllowed(_("The actions are for the coalition's coordinator and analysts."))
        rows = workspace.action_list(access, request=request)
        return Response(ActionSerializer(rows, many=True).data)

    @extend_schema(
        operation_id="coalition_actions_create",
        summary="Make an improvement action",
        description="For the coordinator. Statements by code (of the round's instrument when "
        "`round` is given), pathways by id, services by id (UUID), indicators by code.",
        parameters=[COALITION_ID],
        request=ActionInputSerializer,
        responses=with_problems({201: ActionSerializer}, 400, 403, 404),
        tags=["coalitions"],
    )
    def post(self, request: Request, coalition_id: str) -> Response:
        access = coalition_access(
            coalition_id, request, event_type="coalitions.action.create", action=Action.CREATE
        )
        if not access.coordinates:
            services.require_coordinator(
                user=request.user,
                coalition=access.coalition,
                request=request,
                event_type="coalitions.action.create",
                action=Action.CREATE,
            )
        data = validated(ActionInputSerializer, request.data)
        action = services.create_action(
            user=request.user,
            request=request,
            coalition=access.coalition,
            data=_action_input(access, data),
        )
        row = workspace.actions(access.coalition).get(pk=action.pk)
        return Response(
            ActionSerializer(row).data,
            status=201,
            headers={"Location": f"/api/v1/coalitions/{access.coalition.pk}/actions"},
        )
