"""Delete closed referrals past their retention period, keeping anonymous counts.

The scheduled job for referrals: run it daily (cron or a systemd timer) as
``kansrijk purge-referrals``; see docs/privacy.md. Safe to run more than once.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kansrijk.core.commands import batch_size
from kansrijk.referrals.retention import purge_expired, retention_cutoff


class Command(BaseCommand):
    help = (
        "Delete referrals closed longer ago than REFERRAL_RETENTION_DAYS (and stale drafts), "
        "keeping only anonymous counts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Referrals per transaction (default 500)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        size = batch_size(options)
        result = purge_expired(batch_size=size)
        self.stdout.write(
            f"Removed {result.referrals} closed referral(s) from before "
            f"{retention_cutoff().date().isoformat()}, {result.drafts} stale draft(s), "
            f"{result.idempotency_records} idempotency record(s) and "
            f"{result.outbox_messages} sent message(s); "
            f"{result.statistics} new statistics row(s)."
        )
