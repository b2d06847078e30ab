"""Send the referral notifications waiting in the outbox.

Run it every minute (cron or a systemd timer) as ``kansrijk deliver-outbox``, or as a
long-running worker with ``kansrijk deliver-outbox --loop``. Several may run at once.
Failed messages are retried with exponential back-off; see docs/referrals.md.
"""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection

from kansrijk.core.commands import batch_size
from kansrijk.referrals.outbox import DEFAULT_BATCH_SIZE, DeliveryResult, deliver_all_due


class Command(BaseCommand):
    help = "Send due outbox messages (referral notifications), with retries."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--loop", action="store_true", help="Keep running; look for messages every interval."
        )
        parser.add_argument(
            "--interval", type=float, default=10.0, help="Seconds between rounds with --loop."
        )
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
        parser.add_argument(
            "--max-rounds",
            type=int,
            default=0,
            help="With --loop: stop after this many rounds (0: never; for tests).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        size = batch_size(options)
        if not options["loop"]:
            self._report(deliver_all_due(batch_size=size))
            return
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        rounds = 0
        while not stopping:
            if not connection.in_atomic_block:  # (inside a test's transaction: keep it)
                close_old_connections()
            result = deliver_all_due(batch_size=size)
            if result.handled:
                self._report(result)
            rounds += 1
            if options["max_rounds"] and rounds >= options["max_rounds"]:
                break
            waited = 0.0
            while not stopping and waited < options["interval"]:
                time.sleep(min(0.5, options["interval"]))
                waited += 0.5

    def _report(self, result: DeliveryResult) -> None:
        self.stdout.write(
            f"Outbox: {result.sent} sent, {result.failed} failed (will retry), "
            f"{result.gave_up} given up."
        )
