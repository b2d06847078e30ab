"""`kansrijk demo`: one command from a fresh clone to a running demo.

Creates and migrates the database (SQLite by default), loads the reference data and the demo
content, prints the demo log-ins and serves the app on http://127.0.0.1:8000. Safe to run
again: every step is idempotent.

The demo accounts share a published password and have authenticator keys anyone can derive,
so the command refuses to run (exit status 1, nothing created) under production settings or
with ``DEBUG`` off, unless ``--i-know-this-is-not-production`` is given. The server it starts
runs with ``DEBUG`` off, so it shows the application's own 404 and 500 pages, as a real
installation does, not Django's debug pages.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kansrijk.accounts.demo import DEMO_PASSWORD, DemoLogin
from kansrijk.core.demo import run_demo_loaders
from kansrijk.places.services import load_reference_data

NOT_PRODUCTION_FLAG = "--i-know-this-is-not-production"


def production_reason() -> str:
    """Why the settings look like a real installation ("" when they do not)."""
    if getattr(settings, "KANSRIJK_PRODUCTION", False):
        return f"these are production settings ({os.environ.get('DJANGO_SETTINGS_MODULE', '')})"
    if not settings.DEBUG:
        return "DEBUG is off"
    return ""


def _port(text: str) -> int:
    """``--port``: checked when the arguments are read, before anything else runs."""
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"must be a number from 1 to 65535, not {text!r}")
    return int(text)


class Command(BaseCommand):
    help = (
        "Set up a demo database (migrate, reference data, demo content) and start a local server."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port", type=_port, default=8000, help="Port to serve on (default 8000)."
        )
        parser.add_argument(
            "--host", default="127.0.0.1", help="Address to serve on (default 127.0.0.1)."
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="Set up and print the log-ins, but start no server.",
        )
        parser.add_argument(
            NOT_PRODUCTION_FLAG,
            action="store_true",
            dest="not_production",
            help="Run although the settings look like production (production settings or "
            "DEBUG off). Never on a real installation: the demo accounts' password is public.",
        )

    def execute(self, *args: Any, **options: Any) -> str | None:
        # The refusal comes before the system checks (``BaseCommand.execute`` runs them): on
        # what looks like production the command ends at once, without first importing every
        # URL and view to check them.
        reason = production_reason()
        if reason and not options.get("not_production"):
            raise CommandError(
                f"Refusing to set up the demo: {reason}. The demo accounts have a published "
                "password and derivable two-factor keys. On a development or test machine, run "
                f"it again with {NOT_PRODUCTION_FLAG}."
            )
        return super().execute(*args, **options)

    def handle(
        self,
        *args: Any,
        port: int,
        host: str,
        no_serve: bool,
        not_production: bool = False,
        **options: Any,
    ) -> None:
        database = settings.DATABASES["default"]
        self.stdout.write(f"Database: {database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(self.style.SUCCESS("Database migrated."))
        counts = load_reference_data()
        self.stdout.write(self.style.SUCCESS(f"Reference data loaded: {counts}"))
        results = run_demo_loaders()
        logins: list[DemoLogin] = results.get("kansrijk.accounts.demo.load", [])
        self.stdout.write(self.style.SUCCESS("Demo content loaded."))
        self._print_logins(logins)
        if no_serve:
            return
        os.environ["KANSRIJK_DEMO_MODE"] = "1"
        settings.KANSRIJK_DEMO_MODE = True
        # The application's own 404 and 500 pages, as on a real installation: no debug pages
        # (they show settings and code to anyone who mistypes an address).
        settings.DEBUG = False
        # The demo shows the monitor's anonymous demand signal (off by default elsewhere).
        os.environ.setdefault("KANSRIJK_DEMAND_SIGNAL", "1")
        settings.KANSRIJK_DEMAND_SIGNAL = os.environ["KANSRIJK_DEMAND_SIGNAL"] == "1"
        self.stdout.write(
            self.style.SUCCESS(f"\nKansrijk runs on http://{host}:{port}/  (stop with Ctrl+C)\n")
        )
        call_command("runserver", f"{host}:{port}", use_reloader=False, skip_checks=True)

    def _print_logins(self, logins: list[DemoLogin]) -> None:
        self.stdout.write("\nDemo log-ins (demo data only; every password is the same):")
        self.stdout.write(f"  password: {DEMO_PASSWORD}\n")
        width = max((len(login.username) for login in logins), default=10)
        for login in logins:
            second = "2FA" if login.two_factor else "   "
            self.stdout.write(
                f"  {login.username:<{width}}  {second}  {login.role} — {login.organisation} "
                f"({login.municipality}): {login.can}"
            )
        self.stdout.write(
            "\nUsers marked 2FA log in with a second step. Their current code: "
            "`uv run kansrijk demo-code USERNAME`,\n"
            "or use a recovery code, e.g. for "
            + (
                f"{logins[0].username}: {', '.join(logins[0].recovery_codes[:3])}"
                if logins
                else "-"
            )
        )
