"""The outbox: notifications are written in the transaction of the change they are about, and
sent afterwards by ``kansrijk deliver-outbox`` (every minute, or ``--loop``).

Nothing is lost when the mail server is down: a failed message is tried again with exponential
back-off (1, 2, 4, … minutes, at most an hour apart) and only given up after ``MAX_ATTEMPTS``
(about three days), which is logged as an error. Several workers can run at once: each claims
its batch with ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL) and leases it by moving
``next_attempt_at`` ahead, so a worker that dies mid-batch leaves its messages to the next one
(delivery is at least once).

The messages name the referral by its reference only: "referral VW-7K3Q-9P has a new status;
log in to see it". No client data travels by e-mail.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kansrijk.accounts.roles import Role
from kansrijk.referrals.models import OutboxMessage, Referral
from kansrijk.referrals.workflow import Side, Status

logger = logging.getLogger(__name__)

BASE_DELAY = datetime.timedelta(minutes=1)
MAX_DELAY = datetime.timedelta(hours=1)
MAX_ATTEMPTS = 80
LEASE = datetime.timedelta(minutes=5)
DEFAULT_BATCH_SIZE = 50


def backoff(attempts: int) -> datetime.timedelta:
    """The wait after the ``attempts``-th failed attempt: 1, 2, 4, … minutes, at most an hour."""
    if attempts < 1:
        return datetime.timedelta(0)
    exponent = min(attempts - 1, 16)
    return min(BASE_DELAY * (2**exponent), MAX_DELAY)


# --- Writing ---------------------------------------------------------------------------------


def _receiver_addresses(referral: Referral) -> list[str]:
    """The receiving organisation's address, or else its intake handlers' addresses."""
    organisation = referral.receiver_organisation
    if organisation.email:
        return [organisation.email]
    from kansrijk.accounts.models import User

    intake = Role.INTAKE_HANDLER
    emails = (
        User.objects.filter(is_active=True)
        # One filter call: both conditions on the same role assignment. A role without
        # organisation is for the user's own organisation.
        .filter(
            Q(role_assignments__role=intake, role_assignments__organisation_id=organisation.pk)
            | Q(
                role_assignments__role=intake,
                role_assignments__organisation__isnull=True,
                organisation_id=organisation.pk,
            )
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    return sorted(set(emails))


def _sender_addresses(referral: Referral) -> list[str]:
    user = referral.sender_user
    if user is not None and user.is_active and user.email:
        return [user.email]
    if referral.sender_organisation is not None and referral.sender_organisation.email:
        return [referral.sender_organisation.email]
    # (A self-referral has no sender: the client is reached by the JGZ itself.)
    return []


def enqueue_status_message(*, referral: Referral, side: str) -> list[OutboxMessage]:
    """Tell the other side that the referral has a new status. Called inside the transaction
    of the change (``services.transition``)."""
    if side in (Side.SENDER, Side.CLIENT):
        recipients = _receiver_addresses(referral)
    elif side == Side.RECEIVER:
        if referral.sender_organisation_id is None:
            # A self-referral: nobody on the sending side to tell; the JGZ reaches her.
            return []
        recipients = _sender_addresses(referral)
    else:
        recipients = []
    if not recipients:
        logger.warning("referral %s: nobody to notify of status %s", referral.pk, referral.status)
        return []
    new = referral.status == Status.REQUESTED
    with translation.override(settings.LANGUAGE_CODE):
        status = str(Status(referral.status).label)
        if new:
            kind = OutboxMessage.MessageKind.NEW_REFERRAL
            subject = _("Kansrijk: new referral %(reference)s") % {"reference": referral.reference}
            body = _(
                "Your organisation has received a new referral in Kansrijk: %(reference)s.\n\n"
                "Log in to Kansrijk to see it and to accept or decline it.\n\n"
                "This message contains no client data on purpose."
            ) % {"reference": referral.reference}
        else:
            kind = OutboxMessage.MessageKind.STATUS
            subject = _("Kansrijk: new status for referral %(reference)s") % {
                "reference": referral.reference
            }
            body = _(
                "Referral %(reference)s has a new status: %(status)s.\n\n"
                "Log in to Kansrijk to see it.\n\n"
                "This message contains no client data on purpose."
            ) % {"reference": referral.reference, "status": status}
    now = timezone.now()
    return OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                kind=kind,
                referral=referral,
                recipient=address,
                subject=subject,
                body=body,
                created_at=now,
                next_attempt_at=now,
            )
            for address in recipients
        ]
    )


# --- Delivering ------------------------------------------------------------------------------


@dataclass
class DeliveryResult:
    sent: int = 0
    failed: int = 0
    gave_up: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.failed + self.gave_up

    def __iadd__(self, other: DeliveryResult) -> DeliveryResult:
        self.sent += other.sent
        self.failed += other.failed
        self.gave_up += other.gave_up
        return self


def _claim(now: datetime.datetime, batch_size: int) -> list[OutboxMessage]:
    """Take up to ``batch_size`` due messages and lease them to this worker."""
    with transaction.atomic():
        qs = OutboxMessage.objects.due(now).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        ids = list(qs.values_list("id", flat=True)[:batch_size])
        if not ids:
            return []
        OutboxMessage.objects.filter(id__in=ids).update(next_attempt_at=now + LEASE)
        return list(OutboxMessage.objects.filter(id__in=ids).order_by("id"))


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def deliver_due(
    *, now: datetime.datetime | None = None, batch_size: int = DEFAULT_BATCH_SIZE
) -> DeliveryResult:
    """Send one batch of due messages; returns what happened."""
    now = now or timezone.now()
    result = DeliveryResult()
    messages = _claim(now, batch_size)
    if not messages:
        return result
    mail_connection = get_connection(fail_silently=False)
    for message in messages:
        attempts = message.attempts + 1
        try:
            EmailMessage(
                subject=message.subject,
                body=message.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[message.recipient],
                connection=mail_connection,
            ).send(fail_silently=False)
        except Exception as exc:  # any failure of the mail server: try again later
            error = _error_text(exc)
            if attempts >= MAX_ATTEMPTS:
                OutboxMessage.objects.filter(pk=message.pk, sent_at__isnull=True).update(
                    attempts=attempts, last_error=error, gave_up_at=now
                )
                logger.error(
                    "outbox message %s given up after %d attempts: %s", message.pk, attempts, error
                )
                result.gave_up += 1
            else:
                OutboxMessage.objects.filter(pk=message.pk, sent_at__isnull=True).update(
                    attempts=attempts,
                    last_error=error,
                    next_attempt_at=now + backoff(attempts),
                )
                logger.warning(
                    "outbox message %s attempt %d failed: %s", message.pk, attempts, error
                )
                result.failed += 1
        else:
            OutboxMessage.objects.filter(pk=message.pk).update(
                attempts=attempts, sent_at=timezone.now(), last_error=""
            )
            result.sent += 1
    return result


def deliver_all_due(
    *, now: datetime.datetime | None = None, batch_size: int = DEFAULT_BATCH_SIZE
) -> DeliveryResult:
    """Send batches until nothing is due (a failed message is not due again in this run)."""
    total = DeliveryResult()
    while True:
        result = deliver_due(now=now, batch_size=batch_size)
        total += result
        if result.handled < batch_size:
            return total


def purge_sent(*, now: datetime.datetime | None = None, days: int = 30) -> int:
    """Delete messages sent (or given up) more than ``days`` ago."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    count, _ = OutboxMessage.objects.filter(
        Q(sent_at__lt=cutoff) | Q(gave_up_at__lt=cutoff)
    ).delete()
    return count
