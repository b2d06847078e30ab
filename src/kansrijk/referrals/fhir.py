"""FHIR R4 read access to referrals, shaped after the HL7 Gravity SDOH Clinical Care profiles
(closed-loop referral: a ServiceRequest for what is asked, a Task to manage it, a Consent).

- ``GET /fhir/Task/{id}``: the referral as a Task: ``intent=order``, ``code=fulfill``,
  ``focus`` → the ServiceRequest, ``status`` the referral status (the same codes),
  ``statusReason`` when rejected, cancelled or failed, ``owner`` the receiving organisation,
  ``requester`` the sending organisation (a self-referral: the client herself), ``output`` the
  outcome and the first contact. No
  client data beyond her pseudonymous reference.
- ``GET /fhir/ServiceRequest/{id}``: what is asked, with the client as a contained Patient
  (the least data the receiver needs), situations as ``reasonCode``, the handover note, the
  prenatal-home-visit fields as extensions, the consent as ``supportingInfo``.
- ``GET /fhir/Consent/{id}``: who consented, when, how, to share which data with whom.
- ``GET /fhir/Task?owner=Organization/{id}&_lastUpdated=gt2025-01-01T00:00:00Z``: a
  searchset Bundle, oldest change first, ``_count`` at most 100, keyset pages (``next`` link).
- ``GET /fhir/metadata``: a CapabilityStatement.

Same access rules as the API and the pages (``Referral.objects.for_user``: another
organisation's referral is a 404) and every read and search is access-logged. Responses are
``application/fhir+json``; errors are OperationOutcome resources. Organisations are referred to
as ``Organization/{id}`` with the Kansrijk organisation id as identifier; this server does not
serve Organization or Patient resources itself.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from kansrijk.audit.models import Action
from kansrijk.audit.services import record_event
from kansrijk.core import keyset
from kansrijk.core.dates import parse_moment
from kansrijk.core.params import whole_number
from kansrijk.referrals import selectors
from kansrijk.referrals.exceptions import NotAllowed, ReferralError, ReferralNotFound
from kansrijk.referrals.models import (
    Consent,
    ConsentGivenBy,
    Kind,
    Referral,
)
from kansrijk.referrals.workflow import Status

FHIR_CONTENT_TYPE = "application/fhir+json"
FHIR_VERSION = "4.0.1"

BASE = "https://kansrijk.nl/fhir"
SYSTEM_REFERENCE = f"{BASE}/NamingSystem/verwijzing"
SYSTEM_CLIENT = f"{BASE}/NamingSystem/client-pseudoniem"
SYSTEM_ORGANISATION = f"{BASE}/NamingSystem/organisatie"
SYSTEM_SERVICE = f"{BASE}/NamingSystem/hsds-service"
SYSTEM_KIND = f"{BASE}/CodeSystem/verwijzing-soort"
SYSTEM_SITUATION = f"{BASE}/CodeSystem/situatie"
SYSTEM_REASON = f"{BASE}/CodeSystem/reden"
SYSTEM_OUTCOME = f"{BASE}/CodeSystem/uitkomst"
SYSTEM_DATA_CATEGORY = f"{BASE}/CodeSystem/gegevenscategorie"
EXTENSION = f"{BASE}/StructureDefinition"
TASK_CODE_SYSTEM = "http://hl7.org/fhir/CodeSystem/task-code"

MAX_COUNT = 100
DEFAULT_COUNT = 50

#: Referral (= Task) status → ServiceRequest status.
SERVICE_REQUEST_STATUS = {
    Status.DRAFT: "draft",
    Status.REQUESTED: "active",
    Status.RECEIVED: "active",
    Status.ACCEPTED: "active",
    Status.IN_PROGRESS: "active",
    Status.ON_HOLD: "on-hold",
    Status.REJECTED: "revoked",
    Status.CANCELLED: "revoked",
    Status.FAILED: "revoked",
    Status.COMPLETED: "completed",
}
_STATUS_REASON = frozenset({Status.REJECTED, Status.CANCELLED, Status.FAILED})


# --- Mapping -----------------------------------------------------------------------------------


def _instant(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Leave out empty elements (FHIR forbids empty values)."""
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def organisation_reference(organisation: Any) -> dict[str, Any]:
    return {
        "reference": f"Organization/{organisation.pk}",
        "type": "Organization",
        "identifier": {"system": SYSTEM_ORGANISATION, "value": str(organisation.pk)},
        "display": organisation.name,
    }


def client_identifier(referral: Referral) -> dict[str, Any]:
    return {"system": SYSTEM_CLIENT, "value": referral.client_ref}


def requester_reference(referral: Referral, *, contained: bool = False) -> dict[str, Any]:
    """Who asked: the sending organisation, or for a self-referral the client herself (the
    Gravity SDOH self-referral use case: the individual is the initiating actor)."""
    if referral.sender_organisation is None:
        reference = {"type": "Patient", "identifier": client_identifier(referral)}
        return {"reference": "#client", **reference} if contained else reference
    return organisation_reference(referral.sender_organisation)


def _meta(version: int, updated: datetime.datetime | None) -> dict[str, Any]:
    return _clean({"versionId": str(version), "lastUpdated": _instant(updated)})


def task_resource(referral: Referral) -> dict[str, Any]:
    """The referral as a Gravity-style "Task for referral management"."""
    task: dict[str, Any] = {
        "resourceType": "Task",
        "id": str(referral.pk),
        "meta": _meta(referral.version, referral.updated_at),
        "identifier": [{"system": SYSTEM_REFERENCE, "value": referral.reference}],
        "status": referral.status,
        "intent": "order",
        "priority": referral.urgency,
        "code": {
            "coding": [
                {
                    "system": TASK_CODE_SYSTEM,
                    "code": "fulfill",
                    "display": "Fulfill the focal request",
                }
            ]
        },
        "focus": {"reference": f"ServiceRequest/{referral.pk}", "type": "ServiceRequest"},
        "for": {"type": "Patient", "identifier": client_identifier(referral)},
        "authoredOn": _instant(referral.created_at),
        "lastModified": _instant(referral.updated_at),
        "requester": requester_reference(referral),
        "owner": organisation_reference(referral.receiver_organisation),
    }
    if referral.sent_at:
        task["executionPeriod"] = _clean(
            {"start": _instant(referral.sent_at), "end": _instant(referral.closed_at)}
        )
    if referral.status in _STATUS_REASON:
        reason: dict[str, Any] = {
            "text": referral.status_reason or str(Status(referral.status).label)
        }
        if referral.status_reason_code:
            reason["coding"] = [
                {
                    "system": SYSTEM_REASON,
                    "code": referral.status_reason_code,
                    "display": referral.get_status_reason_code_display(),
                }
            ]
        task["statusReason"] = reason
    outputs: list[dict[str, Any]] = []
    if referral.first_contact_at:
        outputs.append(
            {
                "type": {"text": "first-contact"},
                "valueDateTime": _instant(referral.first_contact_at),
            }
        )
    if referral.outcome:
        outputs.append(
            {
                "type": {"text": "outcome"},
                "valueCodeableConcept": _clean(
                    {
                        "coding": [
                            {
                                "system": SYSTEM_OUTCOME,
                                "code": referral.outcome,
                                "display": referral.get_outcome_display(),
                            }
                        ],
                        "text": referral.outcome_note,
                    }
                ),
            }
        )
    if outputs:
        task["output"] = outputs
    return _clean(task)


def _patient(referral: Referral) -> dict[str, Any]:
    telecom = []
    if referral.client_phone:
        telecom.append({"system": "phone", "value": referral.client_phone})
    if referral.client_email:
        telecom.append({"system": "email", "value": referral.client_email})
    address = _clean(
        {
            "line": [referral.client_address] if referral.client_address else [],
            "postalCode": referral.client_postal_code,
            "district": referral.client_municipality.name,
            "country": "NL",
        }
    )
    return _clean(
        {
            "resourceType": "Patient",
            "id": "client",
            "identifier": [client_identifier(referral)],
            "name": [
                {"given": [referral.client_given_name], "family": referral.client_family_name}
            ],
            "birthDate": _date(referral.client_birth_date),
            "telecom": telecom,
            "address": [address],
            "communication": [
                {
                    "language": {
                        "coding": [{"system": "urn:ietf:bcp:47", "code": referral.client_language}]
                    },
                    "preferred": True,
                }
            ],
        }
    )


def _extension(name: str, **value: Any) -> dict[str, Any]:
    return {"url": f"{EXTENSION}/{name}", **value}


def service_request_resource(referral: Referral) -> dict[str, Any]:
    extensions = [
        _extension("fase", valueCode=referral.phase),
        _extension("contactvoorkeur", valueCode=referral.contact_preference),
        _extension("tolk-nodig", valueBoolean=referral.interpreter_needed),
    ]
    if referral.contact_note:
        extensions.append(_extension("contactnotitie", valueString=referral.contact_note))
    if referral.due_date:
        extensions.append(_extension("uitgerekende-datum", valueDate=_date(referral.due_date)))
    if referral.child_birth_date:
        extensions.append(
            _extension("geboortedatum-kind", valueDate=_date(referral.child_birth_date))
        )
    if referral.kind == Kind.PRENATAL_HOME_VISIT:
        if referral.gestational_age_weeks is not None:
            extensions.append(
                _extension(
                    "zwangerschapsduur",
                    valueQuantity={
                        "value": referral.gestational_age_weeks,
                        "unit": "wk",
                        "system": "http://unitsofmeasure.org",
                        "code": "wk",
                    },
                )
            )
        if referral.parity is not None:
            extensions.append(_extension("pariteit", valueUnsignedInt=referral.parity))
        if referral.risk_signals:
            extensions.append(_extension("risicosignalen", valueString=referral.risk_signals))
    consents = [c for c in referral.consents.all() if c.withdrawn_at is None]
    resource = {
        "resourceType": "ServiceRequest",
        "id": str(referral.pk),
        "meta": _meta(referral.version, referral.updated_at),
        "contained": [_patient(referral)],
        "extension": extensions,
        "identifier": [{"system": SYSTEM_REFERENCE, "value": referral.reference}],
        "status": SERVICE_REQUEST_STATUS[Status(referral.status)],
        "intent": "order",
        "category": [
            {
                "coding": [
                    {
                        "system": SYSTEM_KIND,
                        "code": referral.kind,
                        "display": referral.get_kind_display(),
                    }
                ]
            }
        ],
        "priority": referral.urgency,
        "code": {
            "coding": [
                {
                    "system": SYSTEM_SERVICE,
                    "code": str(referral.service_id),
                    "display": referral.service.name,
                }
            ],
            "text": referral.service.name,
        },
        "subject": {
            "reference": "#client",
            "type": "Patient",
            "identifier": client_identifier(referral),
        },
        "authoredOn": _instant(referral.created_at),
        "requester": requester_reference(referral, contained=True),
        "performer": [organisation_reference(referral.receiver_organisation)],
        "reasonCode": [
            {
                "coding": [{"system": SYSTEM_SITUATION, "code": s.code, "display": s.name}],
                "text": s.name,
            }
            for s in referral.situations.all()
        ],
        "supportingInfo": [{"reference": f"Consent/{c.pk}", "type": "Consent"} for c in consents],
        "note": [{"text": referral.handover_note}] if referral.handover_note else [],
    }
    if referral.kind == Kind.PRENATAL_HOME_VISIT and (
        referral.preferred_visit_from or referral.preferred_visit_until
    ):
        resource["occurrencePeriod"] = _clean(
            {
                "start": _date(referral.preferred_visit_from),
                "end": _date(referral.preferred_visit_until),
            }
        )
    return _clean(resource)


def consent_resource(consent: Consent) -> dict[str, Any]:
    referral = consent.referral
    if consent.given_by == ConsentGivenBy.CLIENT:
        performer = {"type": "Patient", "identifier": client_identifier(referral)}
    else:
        performer = {"type": "RelatedPerson", "display": consent.representative_name}
    return _clean(
        {
            "resourceType": "Consent",
            "id": str(consent.pk),
            "meta": _meta(
                2 if consent.withdrawn_at else 1, consent.withdrawn_at or consent.recorded_at
            ),
            "extension": [_extension("toestemming-wijze", valueCode=consent.method)],
            "status": "inactive" if consent.withdrawn_at else "active",
            "scope": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/consentscope",
                        "code": "patient-privacy",
                    }
                ]
            },
            "category": [
                {
                    "coding": [
                        {"system": "http://loinc.org", "code": "59284-0", "display": "Consent"}
                    ]
                }
            ],
            "patient": {"type": "Patient", "identifier": client_identifier(referral)},
            "dateTime": _instant(consent.given_at),
            "performer": [performer],
            "organization": [
                organisation_reference(referral.sender_organisation or consent.organisation)
            ],
            "policyRule": {
                "coding": [
                    {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "OPTIN"}
                ]
            },
            "provision": _clean(
                {
                    "type": "permit",
                    "period": _clean(
                        {
                            "start": _instant(consent.given_at),
                            "end": _instant(consent.withdrawn_at),
                        }
                    ),
                    "actor": [
                        {
                            "role": {
                                "coding": [
                                    {
                                        "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                        "code": "IRCP",
                                    }
                                ]
                            },
                            "reference": organisation_reference(consent.organisation),
                        }
                    ],
                    "purpose": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason",
                            "code": "CAREMGT",
                        }
                    ],
                    "code": [
                        {"coding": [{"system": SYSTEM_DATA_CATEGORY, "code": category}]}
                        for category in consent.data_categories
                    ],
                }
            ),
        }
    )


def operation_outcome(code: str, diagnostics: str, severity: str = "error") -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}],
    }


def capability_statement() -> dict[str, Any]:
    read = [{"code": "read"}]
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-01-01",
        "kind": "instance",
        "fhirVersion": FHIR_VERSION,
        "format": ["json"],
        "implementation": {"description": "Kansrijk closed-loop referrals (read only)"},
        "rest": [
            {
                "mode": "server",
                "security": {
                    "description": "Session log-in with a second factor; every read is logged."
                },
                "resource": [
                    {
                        "type": "Task",
                        "interaction": [*read, {"code": "search-type"}],
                        "searchParam": [
                            {"name": "owner", "type": "reference"},
                            {"name": "_lastUpdated", "type": "date"},
                            {"name": "status", "type": "token"},
                            {"name": "_count", "type": "number"},
                        ],
                    },
                    {"type": "ServiceRequest", "interaction": read},
                    {"type": "Consent", "interaction": read},
                ],
            }
        ],
    }


# --- HTTP ---------------------------------------------------------------------------------------


class FhirJSONRenderer(JSONRenderer):
    media_type = FHIR_CONTENT_TYPE
    format = "fhir+json"


class AlwaysFhirJSON(BaseContentNegotiation):
    """Answer FHIR JSON whatever the client asks for (there is nothing else to offer)."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> Any:
        return next(iter(parsers), None)

    def select_renderer(
        self,
        request: Request,
        renderers: Iterable[BaseRenderer],
        format_suffix: str | None = None,
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


_ISSUE_CODE = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    409: "conflict",
    412: "conflict",
    413: "too-costly",
    415: "not-supported",
    429: "throttled",
}


def error_outcome(status_code: int, diagnostics: str) -> dict[str, Any]:
    """The OperationOutcome of an error response with this status."""
    default = "exception" if status_code >= 500 else "processing"
    return operation_outcome(_ISSUE_CODE.get(status_code, default), diagnostics)


def fhir_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ReferralNotFound):
        exc = exceptions.NotFound(str(exc.message))
    elif isinstance(exc, NotAllowed):
        exc = exceptions.PermissionDenied(str(exc.message))
    elif isinstance(exc, ReferralError):
        exc = exceptions.ValidationError(str(exc.message))
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    diagnostics = str(data["detail"]) if isinstance(data, dict) and "detail" in data else str(data)
    response.data = error_outcome(response.status_code, diagnostics)
    return response


@extend_schema(exclude=True)  # FHIR describes itself: GET /fhir/metadata
class FhirView(APIView):
    permission_classes: Sequence[Any] = (IsAuthenticated,)
    renderer_classes = (FhirJSONRenderer,)
    content_negotiation_class = AlwaysFhirJSON
    http_method_names = ["get", "head", "options"]

    def get_exception_handler(self) -> Any:
        return fhir_exception_handler


def _log_read(request: Request, referral: Referral, resource: str, object_id: Any = None) -> None:
    selectors.log_read(
        user=request.user,
        referral=referral,
        request=request,
        event_type=f"referral.fhir.{resource.lower()}.read",
        object_type="consent" if resource == "Consent" else "referral",
        object_id=object_id,
    )


class _ReferralReadView(FhirView):
    """A read of a resource made from one referral, logged as a read of that resource; the
    referral's version is its (weak) ETag."""

    resource_type: str
    #: The access log's event of a read (also of a refused one).
    event_type: str
    #: Whether the resource shows the referral's history (consents, status changes, …).
    with_history: bool

    def resource(self, referral: Referral) -> dict[str, Any]:
        raise NotImplementedError

    def get(self, request: Request, resource_id: str) -> Response:
        referral = selectors.get_referral(
            request.user,
            resource_id,
            request=request,
            event_type=self.event_type,
            log=False,
            history=self.with_history,
        )
        _log_read(request, referral, self.resource_type)
        return Response(self.resource(referral), headers={"ETag": f'W/"{referral.version}"'})


class TaskReadView(_ReferralReadView):
    resource_type = "Task"
    event_type = "referral.fhir.task.read"
    with_history = False

    def resource(self, referral: Referral) -> dict[str, Any]:
        return task_resource(referral)


class ServiceRequestReadView(_ReferralReadView):
    resource_type = "ServiceRequest"
    event_type = "referral.fhir.servicerequest.read"
    with_history = True

    def resource(self, referral: Referral) -> dict[str, Any]:
        return service_request_resource(referral)


class ConsentReadView(FhirView):
    def get(self, request: Request, resource_id: str) -> Response:
        consent = selectors.get_consent(request.user, resource_id, request=request)
        return Response(consent_resource(consent))


_LAST_UPDATED = re.compile(r"^(gt|ge|lt|le|eq)?(.+)$")
_LOOKUP = {"gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}


def _parse_last_updated(raw: str) -> tuple[str, datetime.datetime]:
    match = _LAST_UPDATED.match(raw.strip())
    if not match:
        raise exceptions.ValidationError(_("_lastUpdated is not a valid date."))
    prefix = match[1] or "ge"
    value = match[2]
    moment = parse_moment(value)
    if moment is None:
        raise exceptions.ValidationError(
            _("_lastUpdated is not a valid date, e.g. gt2025-01-01T00:00:00Z.")
        )
    if prefix == "eq":
        prefix = "ge"
    return prefix, moment


def _parse_owner(raw: str) -> int:
    value = raw.strip()
    if value.startswith("Organization/"):
        value = value.removeprefix("Organization/")
    elif "|" in value:
        value = value.split("|", 1)[1]
    number = whole_number(value)
    if number is None:
        raise exceptions.ValidationError(_("owner must be Organization/<id>."))
    return number


class TaskSearchView(FhirView):
    def get(self, request: Request) -> Response:
        params = request.query_params
        acting = selectors.search_grant(
            request.user, request=request, event_type="referral.fhir.task.search"
        )
        qs = (
            Referral.objects.for_user(request.user)
            .select_related("sender_organisation", "receiver_organisation")
            .order_by("updated_at", "id")
        )
        owners = params.getlist("owner") + params.getlist("owner:identifier")
        for raw in owners:
            qs = qs.filter(receiver_organisation_id=_parse_owner(raw))
        for raw in params.getlist("_lastUpdated"):
            prefix, moment = _parse_last_updated(raw)
            qs = qs.filter(**{f"updated_at__{_LOOKUP[prefix]}": moment})
        statuses = [s for raw in params.getlist("status") for s in raw.split(",") if s]
        if statuses:
            if any(s not in Status.values for s in statuses):
                raise exceptions.ValidationError(_("Unknown Task status."))
            qs = qs.filter(status__in=statuses)
        try:
            count = int(params.get("_count", DEFAULT_COUNT))
        except ValueError as exc:
            raise exceptions.ValidationError(_("_count must be a number.")) from exc
        count = max(1, min(count, MAX_COUNT))
        cursor = (
            selectors.Cursor.parse(params.get("_cursor", "")) if params.get("_cursor") else None
        )
        if params.get("_cursor") and cursor is None:
            raise exceptions.ValidationError(_("The _cursor is not valid."))
        if cursor is not None:
            qs = keyset.beyond(qs, "updated_at", cursor.at, cursor.id, newest_first=False)
        rows, more = keyset.first_rows(qs, count)
        record_event(
            request=request,
            event_type="referral.fhir.task.search",
            action=Action.SEARCH,
            object_type="referral",
            **acting.audit_fields(),
        )
        base = request.build_absolute_uri(request.path)
        query = [(k, v) for k in params for v in params.getlist(k) if k != "_cursor"]
        links = [{"relation": "self", "url": f"{base}?{urlencode(query)}" if query else base}]
        if more:
            last = rows[-1]
            next_query = [*query, ("_cursor", str(selectors.Cursor(last.updated_at, last.id)))]
            links.append({"relation": "next", "url": f"{base}?{urlencode(next_query)}"})
        bundle: dict[str, Any] = {
            "resourceType": "Bundle",
            "type": "searchset",
            "timestamp": _instant(timezone.now()),
            "link": links,
            "entry": [
                {
                    "fullUrl": request.build_absolute_uri(f"/fhir/Task/{r.pk}"),
                    "resource": task_resource(r),
                    "search": {"mode": "match"},
                }
                for r in rows
            ],
        }
        if not more and cursor is None:
            bundle["total"] = len(rows)
        return Response(_clean(bundle))


class MetadataView(FhirView):
    permission_classes = ()

    def get(self, request: Request) -> Response:
        return Response(capability_statement())


class UnsupportedView(FhirView):
    permission_classes = ()

    def get(self, request: Request, rest: str = "") -> Response:
        return Response(
            operation_outcome(
                "not-supported", _("This server offers Task, ServiceRequest and Consent only.")
            ),
            status=status.HTTP_404_NOT_FOUND,
        )
