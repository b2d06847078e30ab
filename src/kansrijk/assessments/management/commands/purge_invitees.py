"""Erase the names and e-mail addresses of people invited by a personal link to a round that
closed longer ago than ASSESSMENT_INVITEE_RETENTION_DAYS (default 30).

The scheduled job for self-assessment rounds: run it daily (cron or a systemd timer) as
``kansrijk purge-invitees``; see docs/operations.md and docs/privacy.md. Safe to run more than
once: a second run erases nothing. Each run is recorded in the access log.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kansrijk.assessments.retention import purge_expired, retention_cutoff


class Command(BaseCommand):
    help = (
        "Erase the names and e-mail addresses of people invited by a personal link to rounds "
        "closed longer ago than ASSESSMENT_INVITEE_RETENTION_DAYS; the invitations and the "
        "answers stay."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        try:
            result = purge_expired(now=now)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Erased the name of {result.invitations} invitee(s) with a personal link "
            f"({result.addresses} e-mail address(es)) in {result.rounds} round(s) closed before "
            f"{retention_cutoff(now).isoformat(timespec='seconds')}."
        )
