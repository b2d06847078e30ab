"""The referrals API's endpoints (thin: parse, call ``services`` / ``selectors``, render) and
their OpenAPI description."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kansrijk.api.problems import request_problem, with_problems
from kansrijk.api.serializers import validated
from kansrijk.referrals import selectors, services, workflow
from kansrijk.referrals.api.errors import (
    MalformedIfMatch,
    PreconditionRequired,
    error_response,
    if_match,
    precondition_required,
)
from kansrijk.referrals.api.serializers import (
    ConsentInputSerializer,
    ConsentSerializer,
    ContactAttemptInputSerializer,
    ContactAttemptSerializer,
    ListQuerySerializer,
    OutcomeInputSerializer,
    ReferralInputSerializer,
    ReferralListItemSerializer,
    ReferralPageSerializer,
    ReferralSerializer,
    TransitionInputSerializer,
)
from kansrijk.referrals.exceptions import ReferralError, ReferralNotFound
from kansrijk.referrals.idempotency import run_idempotent
from kansrijk.referrals.models import ContactAttempt, Referral

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
        if isinstance(exc, MalformedIfMatch):
            return request_problem(
                self.request,
                400,
                _('If-Match must be the referral\'s ETag, e.g. "3".'),
                code="ongeldige-if-match",
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
        version = if_match(request)

        def guarded() -> tuple[int, str, str]:
            if version is None:
                raise PreconditionRequired()
            return work(version)

        try:
            return self.idempotent(request, guarded)
        except PreconditionRequired:
            return precondition_required(request)

    def change_status(
        self,
        request: Request,
        referral_id: str,
        serializer_class: type[serializers.Serializer[Any]],
        change: Callable[..., Referral],
    ) -> Response:
        """A status change by the service ``change``, which takes the referral, the user, the
        version of ``If-Match`` and the fields of ``serializer_class``; answers the referral."""
        referral = self.referral(request, referral_id)
        data = validated(serializer_class, request.data)

        def work(version: int) -> tuple[int, str, str]:
            change(
                referral=referral,
                user=request.user,
                expected_version=version,
                request=request,
                **data,
            )
            return 200, "referral", str(referral.pk)

        return self.idempotent_versioned(request, work)

    def referral(self, request: Request, referral_id: str) -> Referral:
        """The referral a write is about, if the user may see it (else ``ReferralNotFound``,
        the refusal logged). Without its history: the write locks and reads the row again, and
        the answer reads the referral as the write left it (``render_object``)."""
        return selectors.get_referral(
            request.user, referral_id, request=request, log=False, history=False
        )


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
        responses=with_problems({200: ReferralPageSerializer}, 400, 403),
        tags=["referrals"],
    )
    def get(self, request: Request) -> Response:
        params = validated(ListQuerySerializer, request.query_params)
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
            return request_problem(
                request,
                400,
                _("The cursor is not valid. Use the next_cursor of the previous page."),
                code="ongeldige-cursor",
                errors={"cursor": [_("The cursor is not valid.")]},
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
        responses=with_problems({201: ReferralSerializer}, 400, 403, 422),
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
        responses=with_problems({200: ReferralSerializer}, 404),
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
        responses=with_problems({200: ReferralSerializer}, 400, 404, 409, 412, 428),
        tags=["referrals"],
    )
    def put(self, request: Request, referral_id: str) -> Response:
        referral = self.referral(request, referral_id)
        version = if_match(request)
        if version is None:
            return precondition_required(request)
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
        responses=with_problems({201: ConsentSerializer}, 400, 404, 409),
        tags=["referrals"],
    )
    def post(self, request: Request, referral_id: str) -> Response:
        referral = self.referral(request, referral_id)
        data = validated(ConsentInputSerializer, request.data)

        def work() -> tuple[int, str, str]:
            consent = services.record_consent(
                referral=referral, user=request.user, request=request, **data
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
        responses=with_problems({200: ConsentSerializer}, 404),
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
        responses=with_problems({200: ReferralSerializer}, 400, 403, 404, 409, 412, 422, 428),
        tags=["referrals"],
    )
    def post(self, request: Request, referral_id: str) -> Response:
        return self.change_status(
            request, referral_id, TransitionInputSerializer, services.transition
        )


class OutcomeView(ReferralAPIView):
    @extend_schema(
        operation_id="referrals_outcome_create",
        summary="Record the outcome and complete",
        description="Receiving side: closes an accepted or in-progress referral as completed "
        "with its outcome. Needs `If-Match`.",
        parameters=[_ID, _IF_MATCH_PARAM, _IDEMPOTENCY],
        request=OutcomeInputSerializer,
        responses=with_problems({200: ReferralSerializer}, 400, 404, 409, 412, 428),
        tags=["referrals"],
    )
    def post(self, request: Request, referral_id: str) -> Response:
        return self.change_status(
            request, referral_id, OutcomeInputSerializer, services.record_outcome
        )


class ContactAttemptView(ReferralAPIView):
    @extend_schema(
        operation_id="referrals_contact_attempts_create",
        summary="Log a contact attempt",
        description="Receiving side. The first successful contact moves an accepted referral "
        "to in-progress. `If-Match` is optional here.",
        parameters=[_ID, _IDEMPOTENCY],
        request=ContactAttemptInputSerializer,
        responses=with_problems({201: ContactAttemptSerializer}, 400, 403, 404, 409, 412),
        tags=["referrals"],
    )
    def post(self, request: Request, referral_id: str) -> Response:
        referral = self.referral(request, referral_id)
        data = validated(ContactAttemptInputSerializer, request.data)
        version = if_match(request)

        def work() -> tuple[int, str, str]:
            attempt = services.record_contact_attempt(
                referral=referral,
                user=request.user,
                expected_version=version,
                request=request,
                **data,
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
