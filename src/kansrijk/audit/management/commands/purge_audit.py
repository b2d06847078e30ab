"""Remove access-log events older than the retention period (AUDIT_RETENTION_DAYS).

The scheduled job for the access log: run it daily (cron or a systemd timer) as
``kansrijk purge-audit``; see docs/operations.md. Safe to run more than once: a second
run removes nothing. Each run is itself recorded in the log (``audit.purge``). It refuses to
run (exit status 1, nothing removed) when the setting is below the legal minimum of five
years without ``AUDIT_RETENTION_OVERRIDE`` (``audit.retention``).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kansrijk.audit.retention import RetentionBelowMinimum
from kansrijk.audit.services import purge_expired, retention_cutoff
from kansrijk.core.commands import batch_size


class Command(BaseCommand):
    help = "Remove access-log events older than the retention period (at least 5 years, NEN 7513)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=10_000,
            help="Events removed per transaction (default 10000).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        size = batch_size(options)
        now = timezone.now()
        try:
            removed = purge_expired(now=now, batch_size=size)
        except RetentionBelowMinimum as exc:
            raise CommandError(str(exc)) from exc
        cutoff = retention_cutoff(now)
        self.stdout.write(
            f"Removed {removed} access-log event(s) from before "
            f"{cutoff.isoformat(timespec='seconds')}."
        )
