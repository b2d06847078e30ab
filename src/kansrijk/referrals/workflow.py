"""The referral status machine, after the FHIR Task statuses, as data.

``TRANSITIONS`` is the one table of allowed transitions: from which status to which, who may
make it (the sending or the receiving side) and whether a reason is required. Everything else
(the service ``kansrijk.referrals.services.transition``, the API, the pages, the docs in
``docs/referrals.md``) reads it; nothing else decides what is allowed.

Sender side: professionals of the sending organisation. Receiver side: intake handlers of the
receiving organisation (the organisation of the referred service).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    """The FHIR Task status codes (``ready`` and ``entered-in-error`` are not used)."""

    DRAFT = "draft", pgettext_lazy("referral status", "draft")
    REQUESTED = "requested", pgettext_lazy("referral status", "sent")
    RECEIVED = "received", pgettext_lazy("referral status", "received")
    ACCEPTED = "accepted", pgettext_lazy("referral status", "accepted")
    REJECTED = "rejected", pgettext_lazy("referral status", "rejected")
    CANCELLED = "cancelled", pgettext_lazy("referral status", "cancelled")
    IN_PROGRESS = "in-progress", pgettext_lazy("referral status", "in progress")
    ON_HOLD = "on-hold", pgettext_lazy("referral status", "on hold")
    FAILED = "failed", pgettext_lazy("referral status", "failed")
    COMPLETED = "completed", pgettext_lazy("referral status", "completed")


class Side(models.TextChoices):
    SENDER = "sender", pgettext_lazy("referral side", "sender")
    RECEIVER = "receiver", pgettext_lazy("referral side", "receiver")
    SYSTEM = "system", pgettext_lazy("referral side", "system")
    #: The client herself (a self-referral from the parent pages). She makes no transition
    #: after sending: the table below has no row for her.
    CLIENT = "client", pgettext_lazy("referral side", "client")


#: A referral in one of these is closed: no more transitions, the retention clock runs.
TERMINAL: frozenset[str] = frozenset(
    {Status.REJECTED, Status.CANCELLED, Status.FAILED, Status.COMPLETED}
)
#: Sent and not yet closed: what an inbox shows.
OPEN: frozenset[str] = frozenset(
    {Status.REQUESTED, Status.RECEIVED, Status.ACCEPTED, Status.IN_PROGRESS, Status.ON_HOLD}
)
#: Statuses the receiving organisation can see (everything but a draft).
VISIBLE_TO_RECEIVER: frozenset[str] = frozenset(set(Status.values) - {Status.DRAFT})


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    side: str
    reason_required: bool = False
    outcome_required: bool = False


S, R = Side.SENDER, Side.RECEIVER

#: The allowed transitions. (from, to, who, reason required?, outcome required?)
TRANSITIONS: tuple[Transition, ...] = (
    # The sender sends a draft (needs valid consent) or discards it.
    Transition(Status.DRAFT, Status.REQUESTED, S),
    Transition(Status.DRAFT, Status.CANCELLED, S),
    # The receiver acknowledges, accepts or declines a sent referral.
    Transition(Status.REQUESTED, Status.RECEIVED, R),
    Transition(Status.REQUESTED, Status.ACCEPTED, R),
    Transition(Status.REQUESTED, Status.REJECTED, R, reason_required=True),
    Transition(Status.RECEIVED, Status.ACCEPTED, R),
    Transition(Status.RECEIVED, Status.REJECTED, R, reason_required=True),
    # The receiver works on it: first contact, pause, resume, end.
    Transition(Status.ACCEPTED, Status.IN_PROGRESS, R),
    Transition(Status.ACCEPTED, Status.ON_HOLD, R, reason_required=True),
    Transition(Status.ACCEPTED, Status.COMPLETED, R, outcome_required=True),
    Transition(Status.ACCEPTED, Status.FAILED, R, reason_required=True),
    Transition(Status.IN_PROGRESS, Status.ON_HOLD, R, reason_required=True),
    Transition(Status.IN_PROGRESS, Status.COMPLETED, R, outcome_required=True),
    Transition(Status.IN_PROGRESS, Status.FAILED, R, reason_required=True),
    Transition(Status.ON_HOLD, Status.IN_PROGRESS, R),
    Transition(Status.ON_HOLD, Status.FAILED, R, reason_required=True),
    # The sender withdraws a referral that is still open.
    Transition(Status.REQUESTED, Status.CANCELLED, S, reason_required=True),
    Transition(Status.RECEIVED, Status.CANCELLED, S, reason_required=True),
    Transition(Status.ACCEPTED, Status.CANCELLED, S, reason_required=True),
    Transition(Status.IN_PROGRESS, Status.CANCELLED, S, reason_required=True),
    Transition(Status.ON_HOLD, Status.CANCELLED, S, reason_required=True),
)

_BY_PAIR: dict[tuple[str, str], Transition] = {(t.source, t.target): t for t in TRANSITIONS}
assert len(_BY_PAIR) == len(TRANSITIONS), "one row per (from, to) pair"
assert not any(t.source in TERMINAL for t in TRANSITIONS), "closed is closed"


def find(source: str, target: str) -> Transition | None:
    """The table row for ``source`` → ``target``, or ``None`` when it is not allowed."""
    return _BY_PAIR.get((source, target))


def allowed_targets(source: str, sides: frozenset[str] | set[str]) -> list[Transition]:
    """The transitions out of ``source`` that someone on one of ``sides`` may make."""
    return [t for t in TRANSITIONS if t.source == source and t.side in sides]


def is_terminal(status: str) -> bool:
    return status in TERMINAL
