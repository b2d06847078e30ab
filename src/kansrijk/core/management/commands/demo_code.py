"""`kansrijk demo-code USERNAME`: the current authenticator code of a demo user.

Only for users marked as demo, whose keys are derived from their names; real users' keys
never leave the database.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo user."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        device = TOTPDevice.objects.filter(
            user__username=username, user__is_demo=True, confirmed=True
        ).first()
        if device is None:
            raise CommandError(f"No demo user with an authenticator is called {username!r}.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
