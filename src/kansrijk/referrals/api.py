"""The referrals REST API, mounted at /api/v1/referrals.

Thin: parse with serializers, call ``services`` / ``selectors``, render. Session
authentication; the second factor is enforced for every request by the global middleware.

- Errors are problem+json. Domain errors map as: not visible → 404 (the same for unknown
  ids and other organisations' referrals), wrong side → 403, not allowed now → 409, no
  consent → 409 (with ``missing_categories``), stale ``If-Match`` → 412, missing ``If-Match`` → 428,
  ``Idempotency-Key`` reused with another body → 422, bad input → 400.
- ``GET`` of a referral returns its version as ``ETag``; changes of status require
  ``If-Match``.
- Every ``POST`` accepts an ``Idempotency-Key``: a retry returns the first result (header
  ``Idempotent-Replayed: true``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kansrijk.api.problems import PROBLEM_CONTENT_TYPE, ProblemSerializer, problem_response
from kansrijk.referrals import selectors, services, workflow
from kansrijk.referrals.exceptions import (
    ConsentRequired,
    IdempotencyKeyInProgress,
    IdempotencyKeyReused,
    InvalidReferral,
    NotAllowed,
    ReferralError,
    ReferralNotFound,
    StaleVersion,
    TransitionNotAllowed,
)
from kansrijk.referrals.idempotency import run_idempotent
from kansrijk.referrals.models import (
    PROFESSIONAL_KINDS,
    PROFESSIONAL_SOURCES,
    RECORDED_CONSENT_METHODS,
    Consent,
    ConsentGivenBy,
    ContactAttempt,
    ContactChannel,
    ContactPreference,
    ContactResult,
    DataCategory,
    Kind,
    Outcome,
    Phase,
    ReasonCode,
    Referral,
    Source,
    Urgency,
)
from kansrijk.referrals.workflow import Status

# --- Input serializers ----------------------------------------------------------------------------


class ClientInputSerializer(serializers.Serializer[Any]):
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=150)
    birth_date = serializers.DateField()
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    address = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Street and house number.",
    )
    postal_code = serializers.CharField(max_length=7, required=False, allow_blank=True, default="")
    municipality = serializers.CharField(max_length=6, help_text="CBS code, e.g. GM0090.")
    language = serializers.CharField(
        max_length=3, required=False, default="nl", help_text="ISO 639-1, e.g. nl, ar, tr."
    )
    interpreter_needed = serializers.BooleanField(required=False, default=False)


class PrenatalHomeVisitSerializer(serializers.Serializer[Any]):
    gestational_age_weeks = serializers.IntegerField(
        min_value=0, max_value=45, required=False, allow_null=True, default=None
    )
    parity = serializers.IntegerField(
        min_value=0,
        max_value=20,
        required=False,
        allow_null=True,
        default=None,
        help_text="Number of earlier births; 0 means a first child.",
    )
    is_first_child = serializers.BooleanField(read_only=True)
    risk_signals = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )
    preferred_visit_from = serializers.DateField(required=False, allow_null=True, default=None)
    preferred_visit_until = serializers.DateField(required=False, allow_null=True, default=None)


class ReferralInputSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=PROFESSIONAL_KINDS, default=Kind.GENERAL)
    service = serializers.UUIDField(help_text="The id of the directory service (HSDS).")
    client = ClientInputSerializer()
    phase = serializers.ChoiceField(choices=Phase.choices)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    child_birth_date = serializers.DateField(required=False, allow_null=True, default=None)
    situations = serializers.ListField(
        child=serializers.SlugField(max_length=60),
        required=False,
        default=list,
        max_length=40,
        help_text="Situation codes, e.g. geldzorgen.",
    )
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.ROUTINE)
    handover_note = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default=""
    )
    contact_preference = serializers.ChoiceField(
        choices=ContactPreference.choices, default=ContactPreference.CONTACT_CLIENT
    )
    contact_note = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )
    prenatal_home_visit = PrenatalHomeVisitSerializer(required=False, allow_null=True, default=None)
    source = serializers.ChoiceField(choices=PROFESSIONAL_SOURCES, default=Source.API)  # type: ignore[assignment]
    pathway_ref = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    pathway_step_ref = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default=""
    )
    signalling_ref = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default=""
    )

    def to_input(self) -> services.ReferralInput:
        data = self.validated_data
        client = data["client"]
        phb = data.get("prenatal_home_visit") or {}
        return services.ReferralInput(
            service_id=data["service"],
            kind=data["kind"],
            client_given_name=client["given_name"],
            client_family_name=client["family_name"],
            client_birth_date=client["birth_date"],
            client_phone=client["phone"],
            client_email=client.get("email", ""),
            client_address=client["address"],
            client_postal_code=client["postal_code"],
            client_municipality=client["municipality"],
            client_language=client["language"],
            interpreter_needed=client["interpreter_needed"],
            phase=data["phase"],
            due_date=data["due_date"],
            child_birth_date=data["child_birth_date"],
            situations=tuple(data["situations"]),
            urgency=data["urgency"],
            handover_note=data["handover_note"],
            contact_preference=data["contact_preference"],
            contact_note=data["contact_note"],
            gestational_age_weeks=phb.get("gestational_age_weeks"),
            parity=phb.get("parity"),
            risk_signals=phb.get("risk_signals", ""),
            preferred_visit_from=phb.get("preferred_visit_from"),
            preferred_visit_until=phb.get("preferred_visit_until"),
            source=data["source"],
            pathway_ref=data["pathway_ref"],
            pathway_step_ref=data["pathway_step_ref"],
            signalling_ref=data["signalling_ref"],
        )


#: Model/service field names → the API's field paths, for error messages.
_ERROR_FIELDS = {
    "service_id": "service",
    "client_given_name": "client.given_name",
    "client_family_name": "client.family_name",
    "client_birth_date": "client.birth_date",
    "client_phone": "client.phone",
    "client_email": "client.email",
    "client_address": "client.address",
    "client_postal_code": "client.postal_code",
    "client_municipality": "client.municipality",
    "client_language": "client.language",
    "gestational_age_weeks": "prenatal_home_visit.gestational_age_weeks",
    "parity": "prenatal_home_visit.parity",
    "risk_signals": "prenatal_home_visit.risk_signals",
    "preferred_visit_from": "prenatal_home_visit.preferred_visit_from",
    "preferred_visit_until": "prenatal_home_visit.preferred_visit_until",
}


class ConsentInputSerializer(serializers.Serializer[Any]):
    data_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=DataCategory.choices),
        allow_empty=False,
        max_length=10,
    )
    method = serializers.ChoiceField(choices=RECORDED_CONSENT_METHODS)
    given_by = serializers.ChoiceField(
        choices=ConsentGivenBy.choices, default=ConsentGivenBy.CLIENT
    )
    representative_name = serializers.CharField(
        max_length=150, required=False, allow_blank=True, default=""
    )
    given_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class TransitionInputSerializer(serializers.Serializer[Any]):
    to = serializers.ChoiceField(choices=Status.choices)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    reason_code = serializers.ChoiceField(
        choices=ReasonCode.choices, required=False, allow_blank=True, default=""
    )
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, required=False, allow_blank=True, default=""
    )
    outcome_note = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default=""
    )


class OutcomeInputSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    outcome_note = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default=""
    )


class ContactAttemptInputSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    channel = serializers.ChoiceField(choices=ContactChannel.choices)
    result = serializers.ChoiceField(choices=ContactResult.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ListQuerySerializer(serializers.Serializer[Any]):
    side = serializers.ChoiceField(
        choices=[("inbox", "inbox"), ("sent", "sent")],
        required=False,
        help_text="inbox: received by your organisation; sent: sent by it. Default: the side "
        "your role gives (sent for professionals).",
    )
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    service = serializers.UUIDField(required=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    overdue = serializers.BooleanField(required=False, default=False)
    cursor = serializers.CharField(required=False, max_length=80)
    pageSize = serializers.IntegerField(  # query keys are camelCase (docs/api.md)
        source="page_size",
        required=False,
        min_value=1,
        max_value=selectors.MAX_PAGE_SIZE,
        default=selectors.PAGE_SIZE,
    )


# --- Output serializers ---------------------------------------------------------------------------


class RefSerializer(serializers.Serializer[Any]):
    id = serializers.CharField()
    name = serializers.CharField()


#: Schema of the {id, name} objects that the method fields below return.
extend_schema_field_ref = extend_schema_field(RefSerializer)
#: The same, or null (the sending organisation of a self-referral: the client asked herself).
extend_schema_field_ref_or_null = extend_schema_field(RefSerializer(allow_null=True))


class SituationOutSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class ConsentSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    referral = serializers.UUIDField(source="referral_id")
    organisation = serializers.SerializerMethodField()
    data_categories = serializers.ListField(child=serializers.CharField())
    given_by = serializers.CharField()
    representative_name = serializers.CharField()
    method = serializers.CharField()
    given_at = serializers.DateTimeField()
    recorded_at = serializers.DateTimeField()
    recorded_by = serializers.SerializerMethodField()
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    is_active = serializers.BooleanField()

    @extend_schema_field_ref
    def get_organisation(self, obj: Consent) -> dict[str, Any]:
        return {"id": str(obj.organisation_id), "name": obj.organisation.name}

    def get_recorded_by(self, obj: Consent) -> str:
        return obj.recorded_by.get_username() if obj.recorded_by else ""


class StatusEventSerializer(serializers.Serializer[Any]):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    side = serializers.CharField()
    by = serializers.CharField(source="by_display")
    reason = serializers.CharField()
    reason_code = serializers.CharField()
    version = serializers.IntegerField()
    at = serializers.DateTimeField()


class ContactAttemptSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    by = serializers.CharField(source="by_display")
    channel = serializers.CharField()
    result = serializers.CharField()
    note = serializers.CharField()


class TransitionOutSerializer(serializers.Serializer[Any]):
    to = serializers.CharField(source="target")
    reason_required = serializers.BooleanField()
    outcome_required = serializers.BooleanField()


class ReferralListItemSerializer(serializers.Serializer[Any]):
    """A referral in a list: no client data."""

    id = serializers.UUIDField(source="referral.id")
    reference = serializers.CharField(source="referral.reference")
    kind = serializers.CharField(source="referral.kind")
    status = serializers.CharField(source="referral.status")
    urgency = serializers.CharField(source="referral.urgency")
    version = serializers.IntegerField(source="referral.version")
    service = serializers.SerializerMethodField()
    sender_organisation = serializers.SerializerMethodField()
    receiver_organisation = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(source="referral.created_at")
    sent_at = serializers.DateTimeField(source="referral.sent_at", allow_null=True)
    updated_at = serializers.DateTimeField(source="referral.updated_at")
    first_contact_at = serializers.DateTimeField(
        source="referral.first_contact_at", allow_null=True
    )
    response_due_on = serializers.DateField(source="due_on", allow_null=True)
    response_time_days = serializers.IntegerField(allow_null=True)
    age_working_days = serializers.IntegerField(allow_null=True)
    overdue = serializers.BooleanField()

    @extend_schema_field_ref
    def get_service(self, row: selectors.ReferralRow) -> dict[str, Any]:
        return {"id": str(row.referral.service_id), "name": row.referral.service.name}

    @extend_schema_field_ref_or_null
    def get_sender_organisation(self, row: selectors.ReferralRow) -> dict[str, Any] | None:
        org = row.referral.sender_organisation
        return None if org is None else {"id": str(org.pk), "name": org.name}

    @extend_schema_field_ref
    def get_receiver_organisation(self, row: selectors.ReferralRow) -> dict[str, Any]:
        org = row.referral.receiver_organisation
        return {"id": str(org.pk), "name": org.name}


class ReferralPageSerializer(serializers.Serializer[Any]):
    results = ReferralListItemSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)


class ReferralSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    version = serializers.IntegerField()
    urgency = serializers.CharField()
    service = serializers.SerializerMethodField()
    sender = serializers.SerializerMethodField()
    receiver_organisation = serializers.SerializerMethodField()
    client = serializers.SerializerMethodField()
    phase = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    child_birth_date = serializers.DateField(allow_null=True)
    situations = SituationOutSerializer(many=True, source="situations.all")
    handover_note = serializers.CharField()
    contact_preference = serializers.CharField()
    contact_note = serializers.CharField()
    prenatal_home_visit = serializers.SerializerMethodField()
    source = serializers.CharField()  # type: ignore[assignment]
    pathway_ref = serializers.CharField()
    pathway_step_ref = serializers.CharField()
    signalling_ref = serializers.CharField()
    status_reason = serializers.CharField()
    status_reason_code = serializers.CharField()
    outcome = serializers.CharField()
    outcome_note = serializers.CharField()
    response_due_on = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    received_at = serializers.DateTimeField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    first_contact_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    consents = ConsentSerializer(many=True, source="consents.all")
    history = StatusEventSerializer(many=True, source="status_events.all")
    contact_attempts = ContactAttemptSerializer(many=True, source="contact_attempts.all")
    allowed_transitions = serializers.SerializerMethodField()

    @extend_schema_field_ref
    def get_service(self, obj: Referral) -> dict[str, Any]:
        return {"id": str(obj.service_id), "name": obj.service.name}

    @extend_schema_field_ref
    def get_receiver_organisation(self, obj: Referral) -> dict[str, Any]:
        return {"id": str(obj.receiver_organisation_id), "name": obj.receiver_organisation.name}

    def get_sender(self, obj: Referral) -> dict[str, Any]:
        user = obj.sender_user
        org = obj.sender_organisation
        return {
            "organisation": None if org is None else {"id": str(org.pk), "name": org.name},
            "user": user.get_full_name() or user.get_username() if user else "",
            "email": user.email if user else "",
        }

    def get_client(self, obj: Referral) -> dict[str, Any]:
        return {
            "reference": obj.client_ref,
            "given_name": obj.client_given_name,
            "family_name": obj.client_family_name,
            "birth_date": obj.client_birth_date.isoformat() if obj.client_birth_date else None,
            "phone": obj.client_phone,
            "email": obj.client_email,
            "address": obj.client_address,
            "postal_code": obj.client_postal_code,
            "municipality": {
                "code": obj.client_municipality_id,
                "name": obj.client_municipality.name,
            },
            "language": obj.client_language,
            "interpreter_needed": obj.interpreter_needed,
        }

    def get_prenatal_home_visit(self, obj: Referral) -> dict[str, Any] | None:
        if obj.kind != Kind.PRENATAL_HOME_VISIT:
            return None
        return {
            "gestational_age_weeks": obj.gestational_age_weeks,
            "parity": obj.parity,
            "is_first_child": obj.is_first_child,
            "risk_signals": obj.risk_signals,
            "preferred_visit_from": _iso(obj.preferred_visit_from),
            "preferred_visit_until": _iso(obj.preferred_visit_until),
        }

    def get_allowed_transitions(self, obj: Referral) -> list[dict[str, Any]]:
        user = self.context.get("user")
        rows = selectors.allowed_transitions(user, obj)
        return list(TransitionOutSerializer(rows, many=True).data)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


# --- Errors ---------------------------------------------------------------------------------------

_STATUS_BY_ERROR: list[tuple[type[ReferralError], int]] = [
    (ReferralNotFound, 404),
    (InvalidReferral, 400),
    (NotAllowed, 403),
    (ConsentRequired, 409),
    (TransitionNotAllowed, 409),
    (StaleVersion, 412),
    (IdempotencyKeyReused, 422),
    (IdempotencyKeyInProgress, 409),
]


def error_response(exc: ReferralError, request: Request) -> Response:
    status = next((code for cls, code in _STATUS_BY_ERROR if isinstance(exc, cls)), 400)
    errors = None
    headers: dict[str, str] = {}
    if isinstance(exc, InvalidReferral):
        errors = {
            _ERROR_FIELDS.get(name, name): [str(m) for m in messages]
            for name, messages in exc.errors.items()
        }
    if isinstance(exc, StaleVersion):
        headers["ETag"] = f'"{exc.current_version}"'
    if isinstance(exc, IdempotencyKeyInProgress):
        headers["Retry-After"] = "1"
    response = problem_response(
        status,
        str(exc.message),
        code=exc.code,
        errors=errors,
        instance=request.get_full_path(),
        headers=headers,
    )
    if isinstance(exc, ConsentRequired):
        response.data["missing_categories"] = exc.missing
    return response


def _precondition_required(request: Request) -> Response:
    return problem_response(
        428,
        _(
            "Send the referral's version in an If-Match header (the ETag of its latest GET), so "
            "that no one else's change is overwritten."
        ),
        code="if-match-vereist",
        instance=request.get_full_path(),
    )


_IF_MATCH = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


class _MalformedIfMatch(Exception):
    pass


class _PreconditionRequired(Exception):
    pass


def _if_match(request: Request) -> int | None:
    """The version in ``If-Match``; ``None`` when absent. ``*`` is not accepted here."""
    raw = request.headers.get("If-Match")
    if raw is None:
        return None
    match = _IF_MATCH.match(raw)
    if not match:
        raise _MalformedIfMatch(raw)
    return int(match[1])


# --- Views ----------------------------------------------------------------------------------------

_PROBLEM = OpenApiResponse(ProblemSerializer, description="Problem details (problem+json).")
_IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="A unique key per request (e.g. a UUID): a retry with the same key returns the "
    "first result; the same key with another body gives 422.",
)
_IF_MATCH_PARAM = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='The referral\'s ETag from its latest GET, e.g. "3". Missing: 428; stale: 412.',
)
_ID = OpenApiParameter("referral_id", OpenApiTypes.UUID, OpenApiParameter.PATH)


class ReferralAPIView(APIView):
    permission_classes = (IsAuthenticated,)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, ReferralError):
            return error_response(exc, self.request)
        if isinstance(exc, _MalformedIfMatch):
            return problem_response(
                400,
                _('If-Match must be the referral\'s ETag, e.g. "3".'),
                code="ongeldige-if-match",
                instance=self.request.get_full_path(),
            )
        return super().handle_exception(exc)

    def scope(self, request: Request) -> str:
        return f"{request.method} {request.path}"

    # Rendering the objects a POST created or changed (also for idempotent replays).

    def render_object(
        self, request: Request, object_type: str, object_id: str, status: int, replayed: bool
    ) -> Response:
        """The object as it is now. The write itself is in the access log; a replay is
        logged as a read (it shows the data again)."""
        headers = {"Idempotent-Replayed": "true"} if replayed else {}
        if object_type == "referral":
            referral = selectors.get_referral(
                request.user, object_id, request=request, log=replayed
            )
            headers["ETag"] = referral.etag
            headers["Location"] = f"/api/v1/referrals/{referral.pk}"
            body = ReferralSerializer(referral, context={"user": request.user}).data
        elif object_type == "consent":
            consent = selectors.get_consent(request.user, object_id, request=request, log=replayed)
            body = ConsentSerializer(consent).data
        elif object_type == "contact_attempt":
            attempt = (
                ContactAttempt.objects.filter(
                    pk=object_id, referral__in=Referral.objects.for_user(request.user)
                )
                .select_related("referral")
                .first()
            )
            if attempt is None:
                raise ReferralNotFound()
            body = ContactAttemptSerializer(attempt).data
        else:  # pragma: no cover - programming error
            raise ValueError(object_type)
        return Response(body, status=status, headers=headers)

    def idempotent(self, request: Request, work: Any) -> Response:
        outcome = run_idempotent(
            user=request.user,
            key=request.headers.get("Idempotency-Key"),
            scope=self.scope(request),
            body=request.data,
            work=work,
        )
        return self.render_object(
            request, outcome.object_type, outcome.object_id, outcome.status, outcome.replayed
        )

    def idempotent_versioned(
        self, request: Request, work: Callable[[int], tuple[int, str, str]]
    ) -> Response:
        """``idempotent`` for a write that needs ``If-Match``. The header is checked inside the
        idempotent work, so a retry of a finished request replays its result without it."""
        version = _if_match(request)

        def guarded() -> tuple[int, str, str]:
            if version is None:
                raise _PreconditionRequired()
            return work(version)

        try:
            return self.idempotent(request, guarded)
        except _PreconditionRequired:
            return _precondition_required(request)

    def referral(self, request: Request, referral_id: str, *, log: bool = False) -> Referral:
        return selectors.get_referral(request.user, referral_id, request=request, log=log)


class ReferralCollectionView(ReferralAPIView):
    @extend_schema(
        operation_id="referrals_list",
        summary="List referrals (inbox or sent)",
        description=(
            "`side=inbox`: open referrals for your organisation, oldest first, with their age in "
            "working days against the service's response time. `side=sent`: your "
            "organisation's referrals, newest first. Keyset pages: pass `next_cursor` as "
            "`cursor`. No client data in lists. A list for which you hold no role (the inbox "
            "without the intake-handler role, the sent list without the professional role) is "
            "a 403."
        ),
        parameters=[ListQuerySerializer],
        responses={
            200: ReferralPageSerializer,
            (400, PROBLEM_CONTENT_TYPE): _PROBLEM,
            (403, PROBLEM_CONTENT_TYPE): _PROBLEM,
        },
        tags=["referrals"],
    )
    def get(self, request: Request) -> Response:
        query = ListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        side = params.get("side")
        if side is None:
            scope = services.referral_scope(request.user)
            side = "sent" if scope.sender_org_ids or not scope.receiver_org_ids else "inbox"
        try:
            if side == "inbox":
                page = selectors.inbox(
                    request.user,
                    request=request,
                    filters=selectors.InboxFilter(
                        status=params.get("status", ""),
                        service_id=str(params.get("service") or ""),
                        urgency=params.get("urgency", ""),
                        overdue=params["overdue"],
                    ),
                    after=params.get("cursor"),
                    page_size=params["page_size"],
                )
            else:
                page = selectors.sent_referrals(
                    request.user,
                    request=request,
                    filters=selectors.SentFilter(status=params.get("status", "")),
                    after=params.get("cursor"),
                    page_size=params["page_size"],
                )
        except selectors.InvalidCursor:
            return problem_response(
                400,
                _("The cursor is not valid. Use the next_cursor of the previous page."),
                code="ongeldige-cursor",
                errors={"cursor": [_("The cursor is not valid.")]},
                instance=request.get_full_path(),
            )
        return Response(
            {
                "results": ReferralListItemSerializer(page.rows, many=True).data,
                "next_cursor": page.next_cursor,
            }
        )

    @extend_schema(
        operation_id="referrals_create",
        summary="Create a draft referral",
        description=(
            "Creates a draft. Record the client's consent (`POST …/consents`) and send it "
            "(`POST …/transitions` with `to=requested`). A prenatal home visit request "
            "(`kind=prenatal_home_visit`) goes to the JGZ service of the client's municipality."
        ),
        parameters=[_IDEMPOTENCY],
        request=ReferralInputSerializer,
        responses={
            201: ReferralSerializer,
            (400, PROBLEM_CONTENT_TYPE): _PROBLEM,
            (403, PROBLEM_CONTENT_TYPE): _PROBLEM,
            (422, PROBLEM_CONTENT_TYPE): _PROBLEM,
        },
        tags=["referrals"],
    )
    def post(self, request: Request) -> Response:
        serializer = ReferralInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        def work() -> tuple[int, str, str]:
            referral = services.create_referral(
                user=request.user, data=serializer.to_input(), request=request
            )
            return 201, "referral", str(referral.pk)

        return self.idempotent(request, work)


class ReferralDetailView(ReferralAPIView):
    @extend_schema(
        operation_id="referrals_retrieve",
        summary="A referral",
        description="With its client data, history, consents and contact attempts. `ETag` is "
        "its version. Another organisation's referral is a 404.",
        parameters=[_ID],
        responses={200: ReferralSerializer, (404, PROBLEM_CONTENT_TYPE): _PROBLEM},
        tags=["referrals"],
    )
    def get(self, request: Request, referral_id: str) -> Response:
        referral = selectors.get_referral(request.user, referral_id, request=request)
        data = ReferralSerializer(referral, context={"user": request.user}).data
        return Response(data, headers={"ETag": referral.etag})

    @extend_schema(
        operation_id="referrals_update",
        summary="Change a draft referral",
        description="Replaces the fields of a draft (sending side only). Needs `If-Match`.",
        parameters=[_ID, _IF_MATCH_PARAM],
        request=ReferralInputSerializer,
        responses={
            200: ReferralSerializer,
            (400, PROBLEM_CONTENT_TYPE): _PROBLEM,
            (404, PROBLEM_CONTENT_TYPE): _PROBLEM,
            (409, PROBLEM_CONTENT_TYPE): _PROBLEM,
            (412, PROBLEM_CONTENT_TYPE): _PROBLEM,
            (428, PROBLEM_CONTENT_TYPE): _PROBLEM,
        },
        tags=["referrals"],
    )
    def put(self, request: Request, referral_id: str) -> Response:
        referral = self.referral(request, referral_id)
        version = _if_match(request)
        if version is None:
            return _precondition_required(request)
        serializer = ReferralInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        updated = services.update_draft(
            referral=referral,
            user=request.user,
            data=serializer.to_input(),
            expected_version=version,
            request=request,
        )
        return self.render_object(request, "referral", str(updated.pk), 200, False)


class ConsentCollectionView(ReferralAPIView):
    @extend_schema(
        operation_id="referrals_consents_create",
        summary="Record the client's consent",
        description="Who gave it, when, how (verbal, written) and for which data; it is for the "
        "receiving organisation of the referral. Before sending; sending side only.",
        parameters=[_ID, _IDEMPOTENCY],
        request=ConsentInputSerializer,
        responses={
            201: ConsentSerializer,
            (400, PROBLEM_CONTENT_TYPE): _PROBLEM,
            (404, PROBLEM_CONTENT_TYPE): _PROBLEM,
            (409, PROBLEM_CONTENT_TYPE): _PROBLEM,
        },
        tags=["referrals"],
    )
    def post(self, request: Request, referral_id: str) -> Response:
        referral = self.referral(request, referral_id)
        serializer = ConsentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        def work() -> tuple[int, str, str]:
            consent = services.record_consent(
                referral=referral,
                user=request.user,
                data_categories=data["data_categories"],
                method=data["method"],
                given_by=data["given_by"],
                representative_name=data["representative_name"],
                given_at=data["given_at"],
                request=request,
            )
            return 201, "consent", str(consent.pk)

        return self.idempotent(request, work)


class ConsentWithdrawView(ReferralAPIView):
    @extend_schema(
        operation_id="referrals_consents_withdraw",
        summary="Record that the client withdrew her consent",
        description="An open referral without other valid consent is cancelled.",
        parameters=[
            _ID,
            OpenApiParameter("consent_id", OpenApiTypes.UUID, OpenApiParameter.PATH),
            _IDEMPOTENCY,
        ],
        request=None,
        responses={200: ConsentSerializer, (404, PROBLEM_CONTENT_TYPE): _PROBLEM},
        tags=["referrals"],
    )
    def post(self, request: Request, referral_id: str, consent_id: str) -> Response:
        referral = self.referral(request, referral_id)
        consent = next((c for c in referral.consents.all() if str(c.pk) == consent_id), None)
        if consent is None:
            raise ReferralNotFound()

        def work() -> tuple[int, str, str]:
            services.withdraw_consent(consent=consent, user=request.user, request=request)
            return 200, "consent", str(consent.pk)

        return self.idempotent(request, work)


class TransitionView(ReferralAPIView):
    @extend_schema(
        operation_id="referrals_transitions_create",
        summary="Change the status",
        description=(
            "One of the transitions in the table (`GET /api/v1/referrals/workflow`). Sending "
            "(`to=requested`) needs the client's consent (409 otherwise). Needs `If-Match`: "
            "missing → 428, stale → 412."
        ),
        parameters=[_ID, _IF_MATCH_PARAM, _IDEMPOTENCY],
        request=TransitionInputSerializer,
        responses={
            200: ReferralSerializer,
            (400, PROBLEM_CONTENT_TYPE): _PROBLEM,
            (403, PROBLEM_CONTENT_TYPE): _PROBLEM,
            (404, PROBLEM_CONTENT_TYPE): _PROBLEM,
            (409, PROBLEM_CONTENT_TYPE): _PROBLEM,
            (412, PROBLEM_CONTENT_TYPE): _PROBLEM,
            (422, PROBLEM_CONTENT_TYPE): _PROBLEM,
            (428, PROBLEM_CONTENT_TYPE): _PROBLEM,
        },
        tags=["referrals"],
    )
    def post(self, request: Request, referral_id: str) -> Response:
        referral = self.referral(request, referral_id)
        serializer = TransitionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        def work(version: int) -> tuple[int, str, str]:
            services.transition(
                referral=referral,
                to=data["to"],
                user=request.user,
                reason=data["reason"],
                reason_code=data["reason_code"],
                outcome=data["outcome"],
                outcome_note=data["outcome_note"],
                expected_version=version,
                request=request,
            )
            return 200, "referral", str(referral.pk)

        return self.idempotent_versioned(request, work)


class OutcomeView(ReferralAPIView):
    @extend_schema(
        operation_id="referrals_outcome_create",
        summary="Record the outcome and complete",
        description="Receiving side: closes an accepted or in-progress referral as completed "
        "with its outcome. Needs `If-Match`.",
        parameters=[_ID, _IF_MATCH_PARAM, _IDEMPOTENCY],
        request=OutcomeInputSerializer,
        responses={
            200: ReferralSerializer,
            (400, PROBLEM_CONTENT_TYPE): _PROBLEM,
            (404, PROBLEM_CONTENT_TYPE): _PROBLEM,
            (409, PROBLEM_CONTENT_TYPE): _PROBLEM,
            (412, PROBLEM_CONTENT_TYPE): _PROBLEM,
            (428, PROBLEM_CONTENT_TYPE): _PROBLEM,
        },
        tags=["referrals"],
    )
    def post(self, request: Request, referral_id: str) -> Response:
        referral = self.referral(request, referral_id)
        serializer = OutcomeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        def work(version: int) -> tuple[int, str, str]:
            services.record_outcome(
                referral=referral,
                user=request.user,
                outcome=data["outcome"],
                outcome_note=data["outcome_note"],
                expected_version=version,
                request=request,
            )
            return 200, "referral", str(referral.pk)

        return self.idempotent_versioned(request, work)


class ContactAttemptView(ReferralAPIView):
    @extend_schema(
        operation_id="referrals_contact_attempts_create",
        summary="Log a contact attempt",
        description="Receiving side. The first successful contact moves an accepted referral "
        "to in-progress. `If-Match` is optional here.",
        parameters=[_ID, _IDEMPOTENCY],
        request=ContactAttemptInputSerializer,
        responses={
            201: ContactAttemptSerializer,
            (400, PROBLEM_CONTENT_TYPE): _PROBLEM,
            (403, PROBLEM_CONTENT_TYPE): _PROBLEM,
            (404, PROBLEM_CONTENT_TYPE): _PROBLEM,
            (409, PROBLEM_CONTENT_TYPE): _PROBLEM,
            (412, PROBLEM_CONTENT_TYPE): _PROBLEM,
        },
        tags=["referrals"],
    )
    def post(self, request: Request, referral_id: str) -> Response:
        referral = self.referral(request, referral_id)
        serializer = ContactAttemptInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        version = _if_match(request)

        def work() -> tuple[int, str, str]:
            attempt = services.record_contact_attempt(
                referral=referral,
                user=request.user,
                channel=data["channel"],
                result=data["result"],
                at=data["at"],
                note=data["note"],
                expected_version=version,
                request=request,
            )
            return 201, "contact_attempt", str(attempt.pk)

        return self.idempotent(request, work)


class WorkflowView(ReferralAPIView):
    @extend_schema(
        operation_id="referrals_workflow",
        summary="The status transition table",
        description="Every allowed status change: from, to, who may make it (sender or "
        "receiver), whether a reason or an outcome is required.",
        responses={
            200: inline_serializer(
                "ReferralTransitionRow",
                {
                    "from": serializers.CharField(),
                    "to": serializers.CharField(),
                    "side": serializers.CharField(),
                    "reason_required": serializers.BooleanField(),
                    "outcome_required": serializers.BooleanField(),
                },
                many=True,
            )
        },
        tags=["referrals"],
    )
    def get(self, request: Request) -> Response:
        return Response(
            [
                {
                    "from": t.source,
                    "to": t.target,
                    "side": t.side,
                    "reason_required": t.reason_required,
                    "outcome_required": t.outcome_required,
                }
                for t in workflow.TRANSITIONS
            ]
        )
