from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from kansrijk.accounts.twofactor import remember_requirement


@receiver(user_logged_in)
def remember_second_factor_requirement(
    sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any
) -> None:
    if request is not None and hasattr(request, "session"):
        remember_requirement(request, user)
