"""A mail backend that fails while ``FlakyBackend.down`` is true (the mail server is down)."""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from typing import Any, ClassVar

from django.core.mail.backends.locmem import EmailBackend


class FlakyBackend(EmailBackend):
    down: ClassVar[bool] = False
    calls: ClassVar[int] = 0

    def send_messages(self, messages: Sequence[Any]) -> int:
        type(self).calls += 1
        if type(self).down:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)
