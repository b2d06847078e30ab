"""Writes of the referrals module: keyword-only functions, each one transaction, raising the
domain errors of ``kansrijk.referrals.exceptions``.

Every status change goes through ``transition``: it locks the referral row, checks the
expected version (optimistic concurrency: a stale version raises ``StaleVersion``, the API's
412), checks the transition table in ``workflow.py``, and writes the referral, the status
event, the access-log record and the outbox message(s) together, or nothing at all.

Client data never goes into log messages or exceptions: they name the referral by its id.
Functions that handle client data are marked ``sensitive_variables`` so that an error report
does not show their local variables.
"""

from __future__ import annotations

import datetime
import logging
import re
import uuid
from dataclasses import dataclass, field, fields, replace
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from kansrijk.audit.models import Action
from kansrijk.audit.services import record_event
from kansrijk.core.phases import Phase
from kansrijk.referrals import access, workflow
from kansrijk.referrals.exceptions import (
    ConsentRequired,
    InvalidReferral,
    NotAllowed,
    ReferralNotFound,
    StaleVersion,
    TransitionNotAllowed,
)
from kansrijk.referrals.identifiers import client_ref, new_reference
from kansrijk.referrals.models import (
    PROFESSIONAL_KINDS,
    PROFESSIONAL_SOURCES,
    Consent,
    ConsentGivenBy,
    ConsentMethod,
    ContactAttempt,
    ContactChannel,
    ContactPreference,
    ContactResult,
    DataCategory,
    Kind,
    Outcome,
    ReasonCode,
    Referral,
    Source,
    StatusEvent,
    Urgency,
    referral_scope,
    status_label,
)
from kansrijk.referrals.outbox import enqueue_status_message
from kansrijk.referrals.selectors import require_side
from kansrijk.referrals.workdays import add_working_days
from kansrijk.referrals.workflow import Side, Status

logger = logging.getLogger(__name__)

# The role and purpose recorded for each side: ``access.ROLE`` and ``access.PURPOSE``.

#: Statuses in which a contact attempt can be recorded.
CONTACT_STATUSES = frozenset({Status.RECEIVED, Status.ACCEPTED, Status.IN_PROGRESS, Status.ON_HOLD})
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")
_POSTCODE = re.compile(r"^[1-9][0-9]{3} ?[A-Za-z]{2}$")
#: A contact attempt or consent may be dated this far in the future (clock skew).
_CLOCK_SKEW = datetime.timedelta(minutes=5)
_MAX_REFERENCE_TRIES = 8
#: Service statuses that take no referrals (``directory.models.ServiceStatus``).
_CLOSED_SERVICE = ("defunct", "inactive")


@dataclass(frozen=True)
class ReferralInput:
    """What a professional fills in. The same for the API, the pages and the FHIR mapping."""

    service_id: uuid.UUID | str
    client_given_name: str
    client_family_name: str
    client_birth_date: datetime.date
    client_municipality: str  # CBS code, e.g. GM0090
    phase: str
    kind: str = Kind.GENERAL
    client_phone: str = ""
    client_email: str = ""
    client_address: str = ""
    client_postal_code: str = ""
    client_language: str = "nl"
    interpreter_needed: bool = False
    due_date: datetime.date | None = None
    child_birth_date: datetime.date | None = None
    situations: tuple[str, ...] = field(default_factory=tuple)
    urgency: str = Urgency.ROUTINE
    handover_note: str = ""
    contact_preference: str = ContactPreference.CONTACT_CLIENT
    contact_note: str = ""
    gestational_age_weeks: int | None = None
    parity: int | None = None
    risk_signals: str = ""
    preferred_visit_from: datetime.date | None = None
    preferred_visit_until: datetime.date | None = None
    source: str = Source.SERVICE
    pathway_ref: str = ""
    pathway_step_ref: str = ""
    signalling_ref: str = ""

    @classmethod
    def from_referral(cls, referral: Referral) -> ReferralInput:
        """The current values of a referral (to change a few with ``dataclasses.replace``)."""
        return cls(
            service_id=referral.service_id,
            client_municipality=referral.client_municipality_id,
            situations=tuple(s.code for s in referral.situations.all()),
            **{name: getattr(referral, name) for name in _PLAIN_FIELDS},
        )

    def but(self, **changes: Any) -> ReferralInput:
        return replace(self, **changes)


#: ReferralInput's fields that name other rows (a service, a municipality, situations).
_RELATED_FIELDS = ("service_id", "client_municipality", "situations")
#: Model fields copied from ReferralInput as they are: all its others.
_PLAIN_FIELDS = tuple(f.name for f in fields(ReferralInput) if f.name not in _RELATED_FIELDS)


# --- Helpers ------------------------------------------------------------------------------------


def _lock(referral: Referral | uuid.UUID | str) -> Referral:
    pk = referral.pk if isinstance(referral, Referral) else referral
    try:
        return Referral.objects.select_for_update().get(pk=pk)
    except (Referral.DoesNotExist, ValueError, TypeError) as exc:
        raise ReferralNotFound() from exc


def _check_version(referral: Referral, expected_version: int | None) -> None:
    if expected_version is not None and referral.version != expected_version:
        raise StaleVersion(referral.version)


@dataclass(frozen=True)
class _Write:
    """A write of ``user`` to ``referral`` from ``side``, checked (``_write_from``): its
    access-log record is ``record()``, under the event it was checked as."""

    request: Any
    user: Any
    referral: Referral
    side: str
    event_type: str
    action: str

    def record(
        self, *, consent_ref: str = "", object_type: str = "referral", object_id: Any = None
    ) -> None:
        access.record(
            request=self.request,
            user=self.user,
            referral=self.referral,
            side=self.side,
            event_type=self.event_type,
            action=self.action,
            consent_ref=consent_ref,
            object_type=object_type,
            object_id=object_id,
        )


def _write_from(
    user: Any,
    referral: Referral | uuid.UUID | str,
    side: str,
    *,
    request: Any,
    event_type: str,
    action: str,
    expected_version: int | None = None,
) -> _Write:
    """Start the write ``event_type`` of ``user`` to ``referral``: lock its row
    (``ReferralNotFound``), check that they make it from ``side`` (else refused, and the
    refusal logged, as ``selectors.require_side``) and, given ``expected_version``, that
    nobody changed it meanwhile (``StaleVersion``). The locked row is ``.referral``."""
    locked = _lock(referral)
    require_side(user, locked, side, request=request, event_type=event_type, action=action)
    _check_version(locked, expected_version)
    return _Write(request, user, locked, side, event_type, action)


def _choice(errors: dict[str, list[Any]], name: str, value: str, choices: Any) -> None:
    if value not in choices.values:
        errors.setdefault(name, []).append(_("Not a valid choice."))


@sensitive_variables()
def _validate(data: ReferralInput) -> tuple[Any, Any, list[Any], dict[str, Any]]:
    """Check ``data``; returns (service, municipality, situations, cleaned plain fields)."""
    from kansrijk.directory.models import Service, ServiceStatus
    from kansrijk.places.models import Municipality
    from kansrijk.situations.models import Situation

    errors: dict[str, list[Any]] = {}
    today = timezone.localdate()
    cleaned: dict[str, Any] = {name: getattr(data, name) for name in _PLAIN_FIELDS}
    for name in (
        "client_given_name",
        "client_family_name",
        "client_phone",
        "client_email",
        "client_address",
        "client_postal_code",
        "client_language",
        "handover_note",
        "contact_note",
        "risk_signals",
        "pathway_ref",
        "pathway_step_ref",
        "signalling_ref",
    ):
        cleaned[name] = (cleaned[name] or "").strip()
    cleaned["client_language"] = cleaned["client_language"].lower()
    cleaned["client_postal_code"] = cleaned["client_postal_code"].upper().replace(" ", "")

    if data.kind not in dict(PROFESSIONAL_KINDS):
        errors.setdefault("kind", []).append(_("Not a valid choice."))
    _choice(errors, "phase", data.phase, Phase)
    _choice(errors, "urgency", data.urgency, Urgency)
    _choice(errors, "contact_preference", data.contact_preference, ContactPreference)
    if data.source not in dict(PROFESSIONAL_SOURCES):
        errors.setdefault("source", []).append(_("Not a valid choice."))

    if not cleaned["client_given_name"]:
        errors.setdefault("client_given_name", []).append(_("Fill in her given name."))
    if not cleaned["client_family_name"]:
        errors.setdefault("client_family_name", []).append(_("Fill in her family name."))
    birth = data.client_birth_date
    if birth is None or birth > today or birth.year < 1900:
        errors.setdefault("client_birth_date", []).append(_("Fill in a date of birth in the past."))
    if cleaned["client_phone"] and not _PHONE.match(cleaned["client_phone"]):
        errors.setdefault("client_phone", []).append(
            _("Fill in a phone number of digits, e.g. 06 12345678.")
        )
    if cleaned["client_postal_code"] and not _POSTCODE.match(cleaned["client_postal_code"]):
        errors.setdefault("client_postal_code", []).append(
            _("Fill in a Dutch postcode, e.g. 9203 AB.")
        )
    if cleaned["client_email"] and ("@" not in cleaned["client_email"]):
        errors.setdefault("client_email", []).append(_("Fill in a valid e-mail address."))
    if not _LANGUAGE.match(cleaned["client_language"]):
        errors.setdefault("client_language", []).append(
            _("Use a language code such as nl, en, ar, tr or pl.")
        )
    if data.contact_preference != ContactPreference.VIA_SENDER and not (
        cleaned["client_phone"] or cleaned["client_email"] or cleaned["client_address"]
    ):
        errors.setdefault("client_phone", []).append(
            _(
                "Fill in how to reach her (phone, e-mail or address), or choose that the "
                "receiver contacts her through you."
            )
        )

    # Phase and dates.
    if data.phase == Phase.PREGNANCY:
        if data.due_date is None:
            errors.setdefault("due_date", []).append(_("Fill in the due date."))
        elif not (
            today - datetime.timedelta(days=31)
            <= data.due_date
            <= today + datetime.timedelta(days=300)
        ):
            errors.setdefault("due_date", []).append(
                _("The due date must lie within the coming ten months.")
            )
        cleaned["child_birth_date"] = None
    elif data.phase == Phase.POSTNATAL:
        if data.child_birth_date is None:
            errors.setdefault("child_birth_date", []).append(
                _("Fill in the child's date of birth.")
            )
        elif data.child_birth_date > today:
            errors.setdefault("child_birth_date", []).append(
                _("The child's date of birth cannot be in the future.")
            )
        cleaned["due_date"] = None
    else:
        cleaned["due_date"] = None
        cleaned["child_birth_date"] = None

    if data.gestational_age_weeks is not None and not 0 <= data.gestational_age_weeks <= 45:
        errors.setdefault("gestational_age_weeks", []).append(
            _("The gestational age is a number of weeks from 0 to 45.")
        )
    if data.parity is not None and not 0 <= data.parity <= 20:
        errors.setdefault("parity", []).append(_("Parity is a number from 0 to 20."))
    if (
        data.preferred_visit_from
        and data.preferred_visit_until
        and data.preferred_visit_from > data.preferred_visit_until
    ):
        errors.setdefault("preferred_visit_until", []).append(
            _("The end of the preferred period must not be before its start.")
        )
    if len(cleaned["handover_note"]) > 4000:
        errors.setdefault("handover_note", []).append(
            _("The handover note is too long (at most 4000 characters).")
        )
    if len(cleaned["risk_signals"]) > 2000:
        errors.setdefault("risk_signals", []).append(
            _("The risk signals are too long (at most 2000 characters).")
        )

    municipality = Municipality.objects.filter(code=data.client_municipality).first()
    if municipality is None:
        errors.setdefault("client_municipality", []).append(
            _("Unknown municipality code. Use a CBS code such as GM0090.")
        )

    service = None
    try:
        service_pk = uuid.UUID(str(data.service_id))
    except (ValueError, TypeError, AttributeError):
        service_pk = None
    if service_pk is not None:
        service = (
            Service.objects.select_related("organization__account_organisation")
            .filter(pk=service_pk)
            .first()
        )
    if service is None:
        errors.setdefault("service", []).append(_("Unknown service."))
    elif service.status in (ServiceStatus.DEFUNCT, ServiceStatus.INACTIVE):
        errors.setdefault("service", []).append(_("This service no longer takes referrals."))
    elif service.organization.account_organisation_id is None:
        errors.setdefault("service", []).append(
            _(
                "This service does not receive referrals through Kansrijk. Use its own referral route."
            )
        )

    if data.kind == Kind.PRENATAL_HOME_VISIT:
        if data.phase != Phase.PREGNANCY:
            errors.setdefault("phase", []).append(
                _("A prenatal home visit is requested during pregnancy.")
            )
        if (
            service is not None
            and municipality is not None
            and not (
                service.phase_pregnancy
                and Service.objects.filter(pk=service.pk).serving(municipality.code).exists()
            )
        ):
            errors.setdefault("service", []).append(
                _(
                    "Request the prenatal home visit from the youth health care (JGZ) "
                    "service of her municipality."
                )
            )
    else:
        # Only the prenatal home visit has these fields.
        for name in (
            "gestational_age_weeks",
            "parity",
            "preferred_visit_from",
            "preferred_visit_until",
        ):
            cleaned[name] = None
        cleaned["risk_signals"] = ""

    codes = list(dict.fromkeys(data.situations or ()))
    situations = list(Situation.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {s.code for s in situations})
    if unknown:
        errors.setdefault("situations", []).append(
            _("Unknown situation code(s): %(codes)s.") % {"codes": ", ".join(unknown)}
        )

    if errors:
        raise InvalidReferral(errors)
    return service, municipality, situations, cleaned


def _sender_organisation_id(user: Any, wanted: int | None, *, request: Any) -> int:
    scope = referral_scope(user)
    if not scope.sender_org_ids or (wanted is not None and wanted not in scope.sender_org_ids):
        access.refuse_list(
            user, request=request, event_type="referral.create", action=Action.CREATE
        )
        raise NotAllowed(
            _("You cannot refer on behalf of this organisation.")
            if scope.sender_org_ids
            else _("Only professionals can refer.")
        )
    if wanted is not None:
        return wanted
    if user.organisation_id in scope.sender_org_ids:
        return int(user.organisation_id)
    return min(scope.sender_org_ids)


# --- Create and edit a draft ----------------------------------------------------------------------


@sensitive_variables()
def _insert_with_reference(referral: Referral) -> None:
    """Insert ``referral`` under a new random reference; a reference that happens to be taken
    already is drawn again (at most ``_MAX_REFERENCE_TRIES`` times)."""
    for attempt in range(_MAX_REFERENCE_TRIES):
        referral.reference = new_reference()
        try:
            with transaction.atomic():
                referral.save(force_insert=True)
            return
        except IntegrityError:
            if (
                attempt == _MAX_REFERENCE_TRIES - 1
                or not Referral.objects.filter(reference=referral.reference).exists()
            ):
                raise


def _record_status_change(
    referral: Referral,
    *,
    from_status: str,
    user: Any,
    side: str,
    at: datetime.datetime,
    reason: str = "",
) -> None:
    """The history row of the change ``user`` has just saved on ``referral`` (its status,
    reason code and version as they are now), for their organisation on ``side``."""
    StatusEvent.objects.create(
        referral=referral,
        from_status=from_status,
        to_status=referral.status,
        by=user,
        by_display=user.get_username(),
        organisation_id=referral.organisation_id_of(side),
        side=side,
        reason=reason,
        reason_code=referral.status_reason_code,
        version=referral.version,
        at=at,
    )


@transaction.atomic
def create_referral(
    *,
    user: Any,
    data: ReferralInput,
    request: Any = None,
    sender_organisation_id: int | None = None,
) -> Referral:
    """A new draft referral from ``user`` (a professional) to a directory service."""
    organisation_id = _sender_organisation_id(user, sender_organisation_id, request=request)
    service, municipality, situations, cleaned = _validate(data)
    now = timezone.now()
    referral = Referral(
        **cleaned,
        client_municipality=municipality,
        client_ref=client_ref(
            cleaned["client_given_name"], cleaned["client_family_name"], data.client_birth_date
        ),
        service=service,
        receiver_organisation_id=service.organization.account_organisation_id,
        sender_user=user,
        sender_organisation_id=organisation_id,
        status=Status.DRAFT,
        version=1,
        created_at=now,
        updated_at=now,
    )
    _insert_with_reference(referral)
    referral.situations.set(situations)
    _record_status_change(referral, from_status="", user=user, side=Side.SENDER, at=now)
    access.record(
        request=request,
        user=user,
        referral=referral,
        side=Side.SENDER,
        event_type="referral.create",
        action=Action.CREATE,
    )
    return referral


@sensitive_variables()
@transaction.atomic
def update_draft(
    *,
    referral: Referral,
    user: Any,
    data: ReferralInput,
    expected_version: int | None = None,
    request: Any = None,
) -> Referral:
    """Change a draft (only the sending side, only before it is sent)."""
    write = _write_from(
        user,
        referral,
        Side.SENDER,
        request=request,
        event_type="referral.update",
        action=Action.UPDATE,
        expected_version=expected_version,
    )
    locked = write.referral
    if locked.status != Status.DRAFT:
        raise TransitionNotAllowed(_("Only a draft referral can be changed."))
    service, municipality, situations, cleaned = _validate(data)
    for name, value in cleaned.items():
        setattr(locked, name, value)
    locked.client_municipality = municipality
    locked.client_ref = client_ref(
        cleaned["client_given_name"], cleaned["client_family_name"], data.client_birth_date
    )
    locked.service = service
    locked.receiver_organisation_id = service.organization.account_organisation_id
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save()
    locked.situations.set(situations)
    write.record()
    return locked


# --- Consent --------------------------------------------------------------------------------------


@transaction.atomic
def record_consent(
    *,
    referral: Referral,
    user: Any,
    data_categories: list[str] | tuple[str, ...],
    method: str,
    given_at: datetime.datetime | None = None,
    given_by: str = ConsentGivenBy.CLIENT,
    representative_name: str = "",
    request: Any = None,
) -> Consent:
    """Record the client's consent to share the referral's data with the receiving
    organisation (before sending; by the sending side)."""
    write = _write_from(
        user,
        referral,
        Side.SENDER,
        request=request,
        event_type="referral.consent.record",
        action=Action.CREATE,
    )
    locked = write.referral
    if locked.status != Status.DRAFT:
        raise TransitionNotAllowed(_("Consent is recorded before the referral is sent."))
    now = timezone.now()
    given_at = given_at or now
    errors: dict[str, list[Any]] = {}
    categories = list(dict.fromkeys(data_categories or ()))
    if not categories:
        errors["data_categories"] = [_("Choose the data she agrees to share.")]
    elif any(c not in DataCategory.values for c in categories):
        errors["data_categories"] = [_("Not a valid choice.")]
    if method not in (ConsentMethod.VERBAL, ConsentMethod.WRITTEN):
        errors["method"] = [_("Not a valid choice.")]
    _choice(errors, "given_by", given_by, ConsentGivenBy)
    representative_name = (representative_name or "").strip()
    if given_by == ConsentGivenBy.LEGAL_REPRESENTATIVE and not representative_name:
        errors["representative_name"] = [_("Fill in the name of her legal representative.")]
    if given_by == ConsentGivenBy.CLIENT:
        representative_name = ""
    if given_at > now + _CLOCK_SKEW:
        errors["given_at"] = [_("Consent cannot be given in the future.")]
    elif given_at < locked.created_at - datetime.timedelta(days=90):
        errors["given_at"] = [_("This consent is too old; ask her again.")]
    if errors:
        raise InvalidReferral(errors)
    consent = Consent.objects.create(
        referral=locked,
        organisation_id=locked.receiver_organisation_id,
        data_categories=categories,
        given_by=given_by,
        representative_name=representative_name,
        method=method,
        given_at=given_at,
        recorded_by=user,
        recorded_at=now,
    )
    write.record(consent_ref=str(consent.pk), object_type="consent", object_id=consent.pk)
    return consent


@transaction.atomic
def withdraw_consent(
    *,
    consent: Consent,
    user: Any,
    method: str = "",
    reason: str = "",
    withdrawn_at: datetime.datetime | None = None,
    request: Any = None,
) -> Consent:
    """Record that the client withdrew her consent: who recorded it (``user``), when she
    withdrew it (``withdrawn_at``, default now), how (``method``: verbal or written; optional)
    and why (``reason``; optional). An open referral that has no other valid consent is
    cancelled (reason: consent withdrawn) in the same transaction. Withdrawing a withdrawn
    consent again changes nothing."""
    write = _write_from(
        user,
        consent.referral_id,
        Side.SENDER,
        request=request,
        event_type="referral.consent.withdraw",
        action=Action.UPDATE,
    )
    locked = write.referral
    current = Consent.objects.select_for_update().get(pk=consent.pk, referral=locked)
    if current.withdrawn_at is not None:
        return current
    now = timezone.now()
    withdrawn_at = withdrawn_at or now
    reason = (reason or "").strip()
    errors: dict[str, list[Any]] = {}
    if method and method not in (ConsentMethod.VERBAL, ConsentMethod.WRITTEN):
        errors["method"] = [_("Not a valid choice.")]
    if len(reason) > 500:
        errors["reason"] = [_("The reason is too long (at most 500 characters).")]
    if withdrawn_at > now + _CLOCK_SKEW:
        errors["withdrawn_at"] = [_("Consent cannot be withdrawn in the future.")]
    elif withdrawn_at < current.given_at.replace(second=0, microsecond=0):
        # (Pages give the time to the minute.)
        errors["withdrawn_at"] = [_("Consent cannot be withdrawn before it was given.")]
    if errors:
        raise InvalidReferral(errors)
    current.withdrawn_at = withdrawn_at
    current.withdrawn_by = user
    current.withdrawal_method = method
    current.withdrawal_reason = reason
    current.save(
        update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_method", "withdrawal_reason"]
    )
    write.record(consent_ref=str(current.pk), object_type="consent", object_id=current.pk)
    if locked.status in workflow.OPEN and locked.valid_consent() is None:
        transition(
            referral=locked,
            to=Status.CANCELLED,
            user=user,
            reason=str(_("The client withdrew her consent.")),
            reason_code=ReasonCode.CONSENT_WITHDRAWN,
            request=request,
        )
    return current


# --- The one transition function ------------------------------------------------------------------


@transaction.atomic
def transition(
    *,
    referral: Referral | uuid.UUID | str,
    to: str,
    user: Any,
    reason: str = "",
    reason_code: str = "",
    outcome: str = "",
    outcome_note: str = "",
    expected_version: int | None = None,
    request: Any = None,
) -> Referral:
    """Move the referral to status ``to``, as ``user``.

    In one transaction: lock the row, check visibility (``ReferralNotFound``), the version
    (``StaleVersion``), the transition table (``TransitionNotAllowed``), the side
    (``NotAllowed``), the reason and outcome (``InvalidReferral``) and, for sending, consent
    (``ConsentRequired``); then save the referral with a new version, write the status event,
    the access-log record and the outbox message(s). Returns the updated referral.
    """
    locked = _lock(referral)
    sides = locked.sides_for(user)
    event_type = f"referral.status.{to}"
    if not sides:
        access.refuse_referral(
            user,
            locked.pk,
            referral=locked,
            request=request,
            event_type=event_type,
            action=Action.UPDATE,
        )
        raise ReferralNotFound()
    _check_version(locked, expected_version)
    source = locked.status
    rule = workflow.find(source, to)
    if rule is None:
        raise TransitionNotAllowed(
            _("A referral with status “%(source)s” cannot go to “%(target)s”.")
            % {"source": status_label(source), "target": status_label(to)}
        )
    if rule.side not in sides:
        access.refuse_referral(
            user,
            locked.pk,
            referral=locked,
            side=next(iter(sorted(sides))),
            request=request,
            event_type=event_type,
            action=Action.UPDATE,
        )
        raise NotAllowed(
            _("Only the sending organisation can make this change.")
            if rule.side == Side.SENDER
            else _("Only the receiving organisation can make this change.")
        )
    reason = (reason or "").strip()
    outcome_note = (outcome_note or "").strip()
    errors: dict[str, list[Any]] = {}
    if rule.reason_required and not reason:
        errors["reason"] = [_("Give a reason for this change.")]
    if len(reason) > 1000:
        errors["reason"] = [_("The reason is too long (at most 1000 characters).")]
    if reason_code and reason_code not in ReasonCode.values:
        errors["reason_code"] = [_("Not a valid choice.")]
    if outcome and outcome not in Outcome.values:
        errors["outcome"] = [_("Not a valid choice.")]
    elif rule.outcome_required and not outcome:
        errors["outcome"] = [_("Record the outcome.")]
    if len(outcome_note) > 1000:
        errors["outcome_note"] = [_("The note is too long (at most 1000 characters).")]
    if errors:
        raise InvalidReferral(errors)

    now = timezone.now()
    consent_ref = ""
    if to == Status.REQUESTED:
        consent = locked.valid_consent()
        if consent is None:
            raise ConsentRequired(missing=_missing_categories(locked))
        consent_ref = str(consent.pk)
        service = locked.service
        if service.status in _CLOSED_SERVICE or (
            service.organization.account_organisation_id != locked.receiver_organisation_id
        ):
            raise InvalidReferral(
                {"service": [_("This service no longer takes referrals through Kansrijk.")]}
            )
        locked.sent_at = now
        if service.response_time_days:
            locked.response_due_on = add_working_days(
                timezone.localdate(now), service.response_time_days
            )
    elif to == Status.RECEIVED:
        locked.received_at = now
    elif to == Status.ACCEPTED:
        locked.received_at = locked.received_at or now
        locked.accepted_at = now
    if to in workflow.TERMINAL:
        locked.closed_at = now
    if outcome:
        locked.outcome = outcome
        locked.outcome_note = outcome_note
    locked.status = to
    locked.status_reason = reason
    locked.status_reason_code = reason_code or (
        ReasonCode.OTHER if rule.reason_required and to != Status.ON_HOLD else ""
    )
    locked.version += 1
    locked.updated_at = now
    locked.save()

    side = rule.side
    _record_status_change(locked, from_status=source, user=user, side=side, at=now, reason=reason)
    access.record(
        request=request,
        user=user,
        referral=locked,
        side=side,
        event_type=f"referral.status.{to}",
        action=Action.HANDOVER if to == Status.REQUESTED else Action.UPDATE,
        consent_ref=consent_ref or _consent_ref(locked),
    )
    if source != Status.DRAFT or to == Status.REQUESTED:
        # (A discarded draft was never seen by the receiver: nobody to tell.)
        enqueue_status_message(referral=locked, side=side)
    logger.info("referral %s: %s -> %s (v%d)", locked.pk, source, to, locked.version)
    return locked


def _missing_categories(referral: Referral) -> list[str]:
    needed = referral.data_categories()
    covered: set[str] = set()
    for consent in referral.consents.filter(
        withdrawn_at__isnull=True, organisation_id=referral.receiver_organisation_id
    ):
        covered |= set(consent.data_categories)
    return sorted(needed - covered)


def _consent_ref(referral: Referral) -> str:
    consent = referral.consents.filter(withdrawn_at__isnull=True).order_by("-given_at").first()
    return str(consent.pk) if consent else ""


# --- Named transitions (thin wrappers, for readable call sites) -----------------------------------


def send_referral(*, referral: Referral, user: Any, **kwargs: Any) -> Referral:
    """Send a draft: needs valid consent for the receiving organisation."""
    return transition(referral=referral, to=Status.REQUESTED, user=user, **kwargs)


def acknowledge_receipt(*, referral: Referral, user: Any, **kwargs: Any) -> Referral:
    """The receiver has seen it (``requested`` → ``received``); a no-op in any other status."""
    if referral.status != Status.REQUESTED:
        return referral
    return transition(referral=referral, to=Status.RECEIVED, user=user, **kwargs)


def accept_referral(*, referral: Referral, user: Any, **kwargs: Any) -> Referral:
    return transition(referral=referral, to=Status.ACCEPTED, user=user, **kwargs)


def reject_referral(*, referral: Referral, user: Any, reason: str, **kwargs: Any) -> Referral:
    return transition(referral=referral, to=Status.REJECTED, user=user, reason=reason, **kwargs)


def cancel_referral(*, referral: Referral, user: Any, reason: str = "", **kwargs: Any) -> Referral:
    return transition(referral=referral, to=Status.CANCELLED, user=user, reason=reason, **kwargs)


def record_outcome(
    *, referral: Referral, user: Any, outcome: str, outcome_note: str = "", **kwargs: Any
) -> Referral:
    """Close the referral as completed with its outcome."""
    return transition(
        referral=referral,
        to=Status.COMPLETED,
        user=user,
        outcome=outcome,
        outcome_note=outcome_note,
        **kwargs,
    )


# --- Contact attempts -----------------------------------------------------------------------------


@transaction.atomic
def record_contact_attempt(
    *,
    referral: Referral,
    user: Any,
    channel: str,
    result: str,
    at: datetime.datetime | None = None,
    note: str = "",
    expected_version: int | None = None,
    request: Any = None,
) -> ContactAttempt:
    """Log an attempt to contact the family (receiving side). The first successful contact
    sets ``first_contact_at`` and moves an accepted referral to ``in-progress``."""
    write = _write_from(
        user,
        referral,
        Side.RECEIVER,
        request=request,
        event_type="referral.contact_attempt",
        action=Action.CREATE,
        expected_version=expected_version,
    )
    locked = write.referral
    if locked.status not in CONTACT_STATUSES:
        raise TransitionNotAllowed(
            _("Contact attempts are recorded for a received or accepted referral.")
        )
    now = timezone.now()
    at = at or now
    note = (note or "").strip()
    errors: dict[str, list[Any]] = {}
    _choice(errors, "channel", channel, ContactChannel)
    _choice(errors, "result", result, ContactResult)
    if at > now + _CLOCK_SKEW:
        errors["at"] = [_("A contact attempt cannot be in the future.")]
    elif locked.sent_at and at < locked.sent_at - _CLOCK_SKEW:
        errors["at"] = [_("A contact attempt cannot be before the referral was sent.")]
    if len(note) > 500:
        errors["note"] = [_("The note is too long (at most 500 characters).")]
    if errors:
        raise InvalidReferral(errors)
    attempt = ContactAttempt.objects.create(
        referral=locked,
        at=at,
        by=user,
        by_display=user.get_username(),
        channel=channel,
        result=result,
        note=note,
        recorded_at=now,
    )
    write.record(
        object_type="contact_attempt",
        object_id=attempt.pk,
        consent_ref=_consent_ref(locked),
    )
    if result == ContactResult.REACHED and locked.first_contact_at is None:
        locked.first_contact_at = at
        locked.version += 1
        locked.updated_at = now
        locked.save(update_fields=["first_contact_at", "version", "updated_at"])
        if locked.status == Status.ACCEPTED:
            transition(referral=locked, to=Status.IN_PROGRESS, user=user, request=request)
    return attempt


# --- Self-referral (the parent pages) --------------------------------------------------------------

#: What a self-referral may carry, at most (the form's size limits are the same).
SELF_REFERRAL_NOTE_MAX = 1000
SELF_REFERRAL_TOPIC_MAX = 8
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")
#: The checks of a phone number and an e-mail address, for forms that check before calling.
PHONE_PATTERN = _PHONE
EMAIL_PATTERN = _EMAIL


@dataclass(frozen=True)
class SelfReferralInput:
    """What a pregnant woman fills in to ask the JGZ for a prenatal home visit herself: the
    least the JGZ needs to reach her (no date of birth, no address, no BSN)."""

    given_name: str
    family_name: str
    postcode: str
    due_date: datetime.date | None
    phone: str = ""
    email: str = ""
    language: str = "nl"
    interpreter_needed: bool = False
    #: What she would like to talk about, in her words (labels of the form's choices).
    topics: tuple[str, ...] = ()
    note: str = ""
    consent: bool = False


@sensitive_variables()
def _validate_self_referral(data: SelfReferralInput) -> tuple[Any, Any, dict[str, Any]]:
    """Check ``data``; returns (municipality, service, cleaned values). Raises
    ``InvalidReferral`` with every problem at once."""
    from kansrijk.places.exceptions import InvalidPostcode, UnknownPostcode
    from kansrijk.places.selectors import lookup_postcode
    from kansrijk.referrals.selectors import self_referral_services

    errors: dict[str, list[Any]] = {}
    today = timezone.localdate()
    given = (data.given_name or "").strip()
    family = (data.family_name or "").strip()
    phone = (data.phone or "").strip()
    email = (data.email or "").strip()
    language = (data.language or "").strip().lower()
    note = (data.note or "").strip()
    if not given or len(given) > 100:
        errors["given_name"] = [_("Fill in your first name.")]
    if not family or len(family) > 150:
        errors["family_name"] = [_("Fill in your last name.")]
    if phone and not _PHONE.match(phone):
        errors["phone"] = [_("Fill in a phone number of digits, e.g. 06 12345678.")]
    if email and (len(email) > 254 or not _EMAIL.match(email)):
        errors["email"] = [_("Fill in a valid e-mail address.")]
    if not phone and not email:
        errors.setdefault("phone", []).append(
            _("Fill in a phone number or an e-mail address, so the JGZ can reach you.")
        )
    if not _LANGUAGE.match(language):
        errors["language"] = [_("Choose a language.")]
    if data.due_date is None:
        errors["due_date"] = [_("Fill in your due date.")]
    elif not (
        today - datetime.timedelta(days=14) <= data.due_date <= today + datetime.timedelta(days=300)
    ):
        errors["due_date"] = [_("The due date must lie within the coming ten months.")]
    if len(note) > SELF_REFERRAL_NOTE_MAX:
        errors["note"] = [
            _("Your message is too long (at most %(max)s characters).")
            % {"max": SELF_REFERRAL_NOTE_MAX}
        ]
    topics = tuple(dict.fromkeys(t.strip()[:100] for t in data.topics if t and t.strip()))
    if len(topics) > SELF_REFERRAL_TOPIC_MAX:
        errors["topics"] = [_("Not a valid choice.")]
    if not data.consent:
        errors["consent"] = [_("Tick the box if you agree that the JGZ receives your details.")]
    municipality = service = None
    try:
        area = lookup_postcode(data.postcode or "")
    except (InvalidPostcode, UnknownPostcode):
        errors["postcode"] = [_("Fill in your postcode, e.g. 9203 AB.")]
    else:
        municipality = area.municipality
        service = self_referral_services(municipality.code).first()
        if service is None:
            errors["postcode"] = [
                _(
                    "The JGZ of your municipality does not take requests through this website "
                    "yet. Ask your midwife or GP."
                )
            ]
    if errors:
        raise InvalidReferral(errors)
    postcode = (data.postcode or "").strip().upper().replace(" ", "")
    handover = ""
    if topics:
        handover = str(_("She would like to talk about: %(topics)s.")) % {
            "topics": ", ".join(topics)
        }
    if note:
        handover = f"{handover}\n\n{note}".strip()
    return (
        municipality,
        service,
        {
            "given": given,
            "family": family,
            "phone": phone,
            "email": email,
            "language": language,
            "postcode": postcode if _POSTCODE.match(postcode) else postcode[:4],
            "handover": handover,
        },
    )


@sensitive_variables()
@transaction.atomic
def create_self_referral(*, data: SelfReferralInput, request: Any = None) -> Referral:
    """A pregnant woman's own request for a prenatal home visit, sent straight to the JGZ of
    her municipality: a referral of kind ``self_referral`` in status ``requested``, with her
    consent (given online, by herself) for exactly the data it holds. From here it follows the
    ordinary workflow on the receiving side; the sending side is empty (the table has no row
    for the client). The access log records the handover without a user (role ``client``);
    the JGZ is told through the outbox, without client data."""
    from kansrijk.referrals.identifiers import self_referral_client_ref

    municipality, service, clean = _validate_self_referral(data)
    now = timezone.now()
    referral = Referral(
        kind=Kind.SELF_REFERRAL,
        source=Source.PARENT,
        status=Status.REQUESTED,
        version=1,
        client_given_name=clean["given"],
        client_family_name=clean["family"],
        client_birth_date=None,
        client_phone=clean["phone"],
        client_email=clean["email"],
        client_postal_code=clean["postcode"],
        client_municipality=municipality,
        client_language=clean["language"],
        interpreter_needed=bool(data.interpreter_needed),
        phase=Phase.PREGNANCY,
        due_date=data.due_date,
        handover_note=clean["handover"],
        contact_preference=ContactPreference.CONTACT_CLIENT,
        client_ref=self_referral_client_ref(
            clean["given"], clean["family"], clean["phone"] or clean["email"]
        ),
        service=service,
        receiver_organisation_id=service.organization.account_organisation_id,
        sender_user=None,
        sender_organisation=None,
        created_at=now,
        updated_at=now,
        sent_at=now,
        response_due_on=(
            add_working_days(timezone.localdate(now), service.response_time_days)
            if service.response_time_days
            else None
        ),
    )
    _insert_with_reference(referral)
    consent = Consent.objects.create(
        referral=referral,
        organisation_id=referral.receiver_organisation_id,
        data_categories=sorted(referral.data_categories()),
        given_by=ConsentGivenBy.CLIENT,
        method=ConsentMethod.ONLINE,
        given_at=now,
        recorded_by=None,
        recorded_at=now,
    )
    StatusEvent.objects.create(
        referral=referral,
        from_status="",
        to_status=Status.REQUESTED,
        by=None,
        by_display=str(_("the client herself")),
        organisation=None,
        side=Side.CLIENT,
        version=referral.version,
        at=now,
    )
    record_event(
        request=request,
        user=None,
        event_type="referral.self_referral",
        action=Action.HANDOVER,
        object_type="referral",
        object_id=str(referral.pk),
        client_ref=referral.client_ref,
        consent_ref=str(consent.pk),
        purpose="referral.self_referral",
        role=Side.CLIENT.value,
        organisation_id=referral.receiver_organisation_id,
    )
    enqueue_status_message(referral=referral, side=Side.CLIENT)
    logger.info("referral %s: self-referral sent (v%d)", referral.pk, referral.version)
    return referral
