"""Retention of the people invited to a round by a personal link (people without an account).

Their name and e-mail address are needed to send the link and, while the round runs, for the
coordinator to see who has answered. ``ASSESSMENT_INVITEE_RETENTION_DAYS`` (default 30) after
the round closed and its links expired, ``kansrijk purge-invitees`` (run daily) erases both.
The invitation row stays, without them: that someone was invited, from which organisation,
and whether and when the answers were sent in — what the coordinator needs for the round's
counts. Answers are not touched (they never carried a name: ``kansrijk.assessments.models``),
nor are invitations of users with an account (their details live in their account).

Each run writes an ``assessments.invitees.purge`` event to the access log with the counts (also
when it erases nothing, so the log shows that the job runs), as ``kansrijk purge-audit`` does.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from kansrijk.assessments.models import Invitation
from kansrijk.audit.models import Action
from kansrijk.audit.services import record_event

logger = logging.getLogger(__name__)

#: The purpose recorded in the access log.
PURPOSE = "coalition.assessment.retention"


def retention_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    """Invitees of rounds that closed (and whose links expired) before this moment are erased."""
    days = int(settings.ASSESSMENT_INVITEE_RETENTION_DAYS)
    if days < 0:
        raise ValueError("ASSESSMENT_INVITEE_RETENTION_DAYS must not be negative")
    return (now or timezone.now()) - datetime.timedelta(days=days)


def due(cutoff: datetime.datetime) -> QuerySet[Invitation]:
    """Link invitations with a name or address left whose round closed before ``cutoff``.

    A round is closed from its ``closed_at`` (closed early) or else from the end of its
    ``closes_on``; a link expires at the end of ``closes_on`` or when the round is closed early.
    """
    return Invitation.objects.filter(
        Q(round__closed_at__lt=cutoff) | Q(round__closes_on__lt=timezone.localdate(cutoff)),
        Q(expires_at__isnull=True) | Q(expires_at__lt=cutoff),
        user__isnull=True,
    ).exclude(name="", email="")


@dataclass
class PurgeResult:
    invitations: int = 0
    addresses: int = 0
    rounds: int = 0


def purge_expired(*, now: datetime.datetime | None = None) -> PurgeResult:
    """Erase the names and addresses that are past retention; returns the counts. One
    transaction together with its access-log event; running it again erases nothing more."""
    cutoff = retention_cutoff(now)
    with transaction.atomic():
        qs = due(cutoff).select_for_update()
        rows = list(qs.values_list("id", "round_id", "email"))
        result = PurgeResult(
            invitations=len(rows),
            addresses=sum(1 for _, _, email in rows if email),
            rounds=len({round_id for _, round_id, _ in rows}),
        )
        if rows:
            Invitation.objects.filter(id__in=[row[0] for row in rows]).update(name="", email="")
        record_event(
            event_type="assessments.invitees.purge",
            action=Action.DELETE,
            object_type="assessments.invitation",
            purpose=PURPOSE,
            details=(
                f"invitations={result.invitations} addresses={result.addresses} "
                f"rounds={result.rounds} closed_before={cutoff.isoformat(timespec='seconds')} "
                f"retention_days={settings.ASSESSMENT_INVITEE_RETENTION_DAYS}"
            ),
        )
    logger.info(
        "invitee purge: names of %d link invitations (%d e-mail addresses) in %d rounds erased",
        result.invitations,
        result.addresses,
        result.rounds,
    )
    return result
