"""Sessions of signed-in users.

- ``SlidingSessionMiddleware``: the idle timeout counts from the last activity.
- ``OTPMiddleware``: django-otp's, with the session's verified device as this process keeps it
  (``signed_in``).
- ``TwoFactorRequiredMiddleware``: a signed-in user who needs a second factor reaches nothing
  but the verification and set-up pages (and log-out) until it is passed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp.middleware import OTPMiddleware as DjangoOTPMiddleware
from django_otp.models import Device

from kansrijk.accounts import signed_in
from kansrijk.accounts.twofactor import SESSION_KEY_REQUIRED, remember_requirement
from kansrijk.api.middleware import api_kind, error_response

EXEMPT_PREFIXES = ("/static/", "/health", "/i18n/", "/jsi18n/")

#: Session key: when this session's expiry was last moved (seconds since the epoch).
LAST_ACTIVITY = "kr_last_activity"


class SlidingSessionMiddleware:
    """Moves an existing session's expiry (``SESSION_COOKIE_AGE``, the idle timeout) forward on
    activity, at most once every ``SESSION_REFRESH_SECONDS``.

    ``SESSION_SAVE_EVERY_REQUEST`` would do it on every request: a write and a commit of the
    session row per page view, on top of the access-log row. Moving it once a minute makes the
    idle timeout exact to the minute (29-30 minutes of inactivity instead of 30) and leaves most
    requests without a session write. No session is created for anyone by this.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key:
            now = int(time.time())
            refresh = getattr(settings, "SESSION_REFRESH_SECONDS", 60)
            try:
                last = int(session.get(LAST_ACTIVITY, 0))
            except (TypeError, ValueError):
                last = 0
            if now - last >= refresh:
                session[LAST_ACTIVITY] = now  # modified: SessionMiddleware saves it
        return response


class OTPMiddleware(DjangoOTPMiddleware):
    """``request.user.otp_device``: the device that verified this session, read as
    ``signed_in`` keeps it instead of with a query on every request."""

    def _device_from_persistent_id(self, persistent_id: str) -> Device | None:
        return signed_in.device(self._normalize_persistent_id(persistent_id))


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._exempt: tuple[str, ...] | None = None

    def exempt_paths(self) -> tuple[str, ...]:
        if self._exempt is None:
            self._exempt = (
                reverse("accounts:verify"),
                reverse("accounts:setup"),
                reverse("accounts:logout"),
                reverse("accounts:login"),
            )
        return self._exempt

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not user.is_verified():  # type: ignore[attr-defined]
            if SESSION_KEY_REQUIRED not in request.session:
                remember_requirement(request, user)
            if request.session[SESSION_KEY_REQUIRED] and not self._is_exempt(request.path):
                return self._refuse(request)
        return self.get_response(request)

    def _is_exempt(self, path: str) -> bool:
        return path.startswith(EXEMPT_PREFIXES) or path in self.exempt_paths()

    def _refuse(self, request: HttpRequest) -> HttpResponse:
        if api_kind(request.path):
            return error_response(
                request,
                403,
                _("Log in with your second factor (authenticator app) first."),
                code="tweede-factor-vereist",
            )
        target = reverse("accounts:verify")
        return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
