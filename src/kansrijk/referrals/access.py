"""In which role, for which purpose and for which organisation a user acts on referrals, and
the access-log records of what they do and of every refused attempt.

Access to referrals follows from two grants (``models.referral_scope``): the professional role
at the sending organisation (side ``sender``) and the intake-handler role at the receiving
organisation (side ``receiver``). The access log records the grant that gave access: its role,
the purpose that goes with it and the organisation it is held at — not a role guessed from the
page. A refused attempt is recorded here as well, whatever the route (page, API or FHIR):
another organisation's referral (outcome ``denied``, with the client's pseudonymous reference,
so that the referral's own access report shows it), an id that names no referral (``failure``),
a change from the wrong side, or a list for which the user holds no grant (``denied``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from kansrijk.accounts.roles import Role, primary_role
from kansrijk.audit.models import Action, Outcome
from kansrijk.audit.services import record_event, record_refusal
from kansrijk.referrals.models import Consent, Referral, referral_scope
from kansrijk.referrals.workflow import Side

#: Why each side reads and writes referrals (the access log's ``purpose``).
PURPOSE: dict[str, str] = {Side.SENDER: "referral.care", Side.RECEIVER: "referral.intake"}
#: The role that gives each side its access (the access log's ``role``).
ROLE: dict[str, str] = {
    Side.SENDER: Role.PROFESSIONAL.value,
    Side.RECEIVER: Role.INTAKE_HANDLER.value,
}
_SIDE_OF_ROLE = {role: side for side, role in ROLE.items()}
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Acting:
    """The role, purpose and organisation recorded for what a user does."""

    role: str
    purpose: str
    #: ``None``: the user's own organisation.
    organisation_id: int | None = None

    def audit_fields(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "purpose": self.purpose,
            "organisation_id": self.organisation_id,
        }


def acting_on(referral: Referral, side: str) -> Acting:
    """The grant that lets a user act on ``referral`` from ``side``."""
    return Acting(ROLE[side], PURPOSE[side], referral.organisation_id_of(side))


def reading_side(referral: Referral, user: Any) -> str:
    """The side from which ``user`` reads ``referral``: the sender's when they hold both."""
    return Side.SENDER if Side.SENDER in referral.sides_for(user) else Side.RECEIVER


def record(
    *,
    request: Any,
    user: Any,
    referral: Referral,
    side: str,
    event_type: str,
    action: str,
    consent_ref: str = "",
    object_type: str = "referral",
    object_id: Any = None,
) -> None:
    """Record what ``user`` did to ``referral`` (or to its ``object_type`` ``object_id``: a
    consent, a contact attempt) from ``side``: the grant of that side, the client's
    pseudonymous reference and the consent it rests on."""
    record_event(
        request=request,
        user=user,
        event_type=event_type,
        action=action,
        object_type=object_type,
        object_id=str(object_id if object_id is not None else referral.pk),
        client_ref=referral.client_ref,
        consent_ref=consent_ref,
        **acting_on(referral, side).audit_fields(),
    )


def acting_for_list(user: Any, side: str) -> Acting | None:
    """The grant under which ``user`` lists the referrals of ``side``; ``None`` when they hold
    none (their list would be empty: a refusal)."""
    scope = referral_scope(user)
    organisations = scope.sender_org_ids if side == Side.SENDER else scope.receiver_org_ids
    if not organisations:
        return None
    only = next(iter(organisations)) if len(organisations) == 1 else None
    return Acting(ROLE[side], PURPOSE[side], only)


def acting_without_grant(user: Any) -> Acting:
    """What is recorded for a user who holds no grant for what they tried: the role they
    have (``accounts.roles.primary_role``), the purpose that goes with it, their own
    organisation."""
    role = primary_role(user)
    side = _SIDE_OF_ROLE.get(role)
    return Acting(role, PURPOSE[side] if side else "")


def attempted(request: Any, event_type: str, action: str) -> tuple[str, str]:
    """The event type and action of an attempt: a request that writes (POST, PUT, …) that is
    refused while loading the referral attempted a change, not a read."""
    method = getattr(request, "method", None)
    if method is not None and method not in _SAFE_METHODS and action == Action.READ:
        return "referral.change", Action.UPDATE
    return event_type, action


def parse_id(value: Any) -> uuid.UUID | None:
    """``value`` as the id of a referral or consent; ``None`` when it cannot be one."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def _record_refused(
    user: Any,
    object_type: str,
    object_id: Any,
    referral: Referral | None,
    acting: Acting,
    *,
    request: Any,
    event_type: str,
    action: str,
) -> None:
    """Record that ``user``, acting as ``acting``, was refused the ``object_type``
    ``object_id``: one of ``referral`` (``denied``, with its client's pseudonymous reference),
    or, when ``referral`` is ``None``, an id that names nothing (``failure``)."""
    record_refusal(
        request=request,
        user=user,
        event_type=event_type,
        action=action,
        outcome=Outcome.DENIED if referral is not None else Outcome.FAILURE,
        object_type=object_type,
        object_id=str(object_id),
        client_ref=referral.client_ref if referral is not None else "",
        **acting.audit_fields(),
    )


def refuse_referral(
    user: Any,
    referral_id: Any,
    *,
    request: Any = None,
    event_type: str,
    action: str = Action.READ,
    referral: Referral | None = None,
    side: str | None = None,
) -> None:
    """Record that ``user`` was refused ``referral_id``.

    ``side``: the user sees the referral from that side, but may not do this from it (the
    grant of that side is recorded); without it, the user holds no grant for the referral.
    """
    if referral is None:
        pk = parse_id(referral_id)
        referral = Referral.objects.filter(pk=pk).only("client_ref").first() if pk else None
    acting = (
        acting_on(referral, side) if referral is not None and side else acting_without_grant(user)
    )
    _record_refused(
        user,
        "referral",
        referral.pk if referral is not None else referral_id,
        referral,
        acting,
        request=request,
        event_type=event_type,
        action=action,
    )


def refuse_consent(
    user: Any, consent_id: Any, *, request: Any = None, event_type: str, action: str
) -> None:
    """Record that ``user`` was refused the consent ``consent_id``."""
    pk = parse_id(consent_id)
    consent = (
        Consent.objects.filter(pk=pk)
        .select_related("referral")
        .only("referral__client_ref")
        .first()
        if pk
        else None
    )
    _record_refused(
        user,
        "consent",
        consent_id,
        consent.referral if consent is not None else None,
        acting_without_grant(user),
        request=request,
        event_type=event_type,
        action=action,
    )


def refuse_list(user: Any, *, request: Any = None, event_type: str, action: str) -> None:
    """Record that ``user`` asked for referrals they hold no grant for (a list, a search,
    a new referral)."""
    record_refusal(
        request=request,
        user=user,
        event_type=event_type,
        action=action,
        object_type="referral",
        **acting_without_grant(user).audit_fields(),
    )
