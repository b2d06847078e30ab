"""The referrals API's serializers: what a client sends (input) and what it gets back (output)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kansrijk.api.serializers import CodeNameSerializer, code_name
from kansrijk.core.phases import Phase
from kansrijk.referrals import selectors, services
from kansrijk.referrals.models import (
    PROFESSIONAL_KINDS,
    PROFESSIONAL_SOURCES,
    RECORDED_CONSENT_METHODS,
    Consent,
    ConsentGivenBy,
    ContactChannel,
    ContactPreference,
    ContactResult,
    DataCategory,
    Kind,
    Outcome,
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
ERROR_FIELDS = {
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


# An object a referral links to (a service, an organisation) as {id, name}.
class RefSerializer(serializers.Serializer[Any]):
    id = serializers.CharField()
    name = serializers.CharField()


class SituationOutSerializer(CodeNameSerializer):
    pass


class ConsentSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    referral = serializers.UUIDField(source="referral_id")
    organisation = RefSerializer(read_only=True)
    data_categories = serializers.ListField(child=serializers.CharField())
    given_by = serializers.CharField()
    representative_name = serializers.CharField()
    method = serializers.CharField()
    given_at = serializers.DateTimeField()
    recorded_at = serializers.DateTimeField()
    recorded_by = serializers.SerializerMethodField()
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    is_active = serializers.BooleanField()

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
    service = RefSerializer(source="referral.service", read_only=True)
    sender_organisation = serializers.SerializerMethodField()
    receiver_organisation = RefSerializer(source="referral.receiver_organisation", read_only=True)
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

    # null for a self-referral (the client asked herself)
    @extend_schema_field(RefSerializer(allow_null=True))
    def get_sender_organisation(self, row: selectors.ReferralRow) -> dict[str, Any] | None:
        return _ref_or_none(row.referral.sender_organisation)


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
    service = RefSerializer(read_only=True)
    sender = serializers.SerializerMethodField()
    receiver_organisation = RefSerializer(read_only=True)
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

    def get_sender(self, obj: Referral) -> dict[str, Any]:
        user = obj.sender_user
        return {
            "organisation": _ref_or_none(obj.sender_organisation),
            "user": user.get_full_name() or user.get_username() if user else "",
            "email": user.email if user else "",
        }

    def get_client(self, obj: Referral) -> dict[str, Any]:
        return {
            "reference": obj.client_ref,
            "given_name": obj.client_given_name,
            "family_name": obj.client_family_name,
            "birth_date": _iso(obj.client_birth_date),
            "phone": obj.client_phone,
            "email": obj.client_email,
            "address": obj.client_address,
            "postal_code": obj.client_postal_code,
            "municipality": code_name(obj.client_municipality),
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


def _ref_or_none(obj: Any) -> dict[str, Any] | None:
    return None if obj is None else RefSerializer(obj).data


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None
