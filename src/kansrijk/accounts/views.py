from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import django_otp
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from kansrijk.accounts import twofactor
from kansrijk.accounts.forms import LoginForm, SetupForm, TokenForm
from kansrijk.accounts.models import User
from kansrijk.accounts.signals import AUTHENTICATION
from kansrijk.audit.models import Action, Outcome
from kansrijk.audit.services import record_event
from kansrijk.core.redirects import safe_next

RECOVERY_CODES_SESSION_KEY = "kansrijk_new_recovery_codes"


def _record(request: HttpRequest, event_type: str, action: str, **fields: Any) -> None:
    """The access-log record of a step of logging in or out (its purpose: authentication)."""
    record_event(
        request=request, event_type=event_type, action=action, purpose=AUTHENTICATION, **fields
    )


def _second_factor_passed(request: HttpRequest, device: Any) -> None:
    """The session is verified with ``device``, under a new session key."""
    django_otp.login(request, device)
    request.session.cycle_key()


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        user: User = form.get_user()
        _record(self.request, "accounts.login", Action.LOGIN, user=user)
        if self.request.session.get(twofactor.SESSION_KEY_REQUIRED):
            target = "accounts:verify" if twofactor.has_confirmed_device(user) else "accounts:setup"
            return HttpResponseRedirect(
                f"{reverse(target)}?{urlencode({'next': self.get_success_url()})}"
            )
        return response


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            _record(request, "accounts.logout", Action.LOGOUT)
        return super().post(request, *args, **kwargs)


@never_cache
@sensitive_post_parameters("token")
@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Second step of logging in: a code from the authenticator app or a recovery code."""
    user: User = request.user  # type: ignore[assignment]
    next_url = safe_next(request, reverse("core:start"))
    if user.is_verified():  # type: ignore[attr-defined]
        return redirect(next_url)
    if not twofactor.has_confirmed_device(user):
        return HttpResponseRedirect(f"{reverse('accounts:setup')}?next={next_url}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = twofactor.match_second_factor(user, form.cleaned_data["token"])
        if device is not None:
            _second_factor_passed(request, device)
            _record(request, "accounts.second_factor", Action.LOGIN)
            if device.name == twofactor.RECOVERY_DEVICE_NAME:
                left = twofactor.remaining_recovery_codes(user)
                messages.warning(
                    request,
                    _("You logged in with a recovery code. You have %(count)d left.")
                    % {"count": left},
                )
            return redirect(next_url)
        _record(request, "accounts.second_factor", Action.LOGIN, outcome=Outcome.FAILURE)
        form.add_error(
            "token", _("This code is not correct or has expired. Try the next code from your app.")
        )
    return render(request, "accounts/verify.html", {"form": form, "next": next_url})


@never_cache
@sensitive_post_parameters("token")
@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: scan the QR code, confirm with a first code."""
    user: User = request.user  # type: ignore[assignment]
    next_url = safe_next(request, reverse("core:start"))
    if twofactor.has_confirmed_device(user) and not user.is_verified():  # type: ignore[attr-defined]
        # Replacing a confirmed authenticator needs the old one (or a recovery code) first.
        return HttpResponseRedirect(
            f"{reverse('accounts:verify')}?next={reverse('accounts:setup')}"
        )
    device = twofactor.pending_totp_device(user)
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if twofactor.confirm_totp_device(
            user=user, device=device, token=form.cleaned_data["token"]
        ):
            _second_factor_passed(request, device)
            request.session[twofactor.SESSION_KEY_REQUIRED] = True
            request.session[RECOVERY_CODES_SESSION_KEY] = twofactor.new_recovery_codes(user=user)
            _record(request, "accounts.second_factor.setup", Action.CREATE)
            return HttpResponseRedirect(f"{reverse('accounts:recovery_codes')}?next={next_url}")
        _record(request, "accounts.second_factor.setup", Action.CREATE, outcome=Outcome.FAILURE)
        form.add_error(
            "token", _("This code does not match. Check the time on your phone and try again.")
        )
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": twofactor.provisioning_qr_svg(device, user),
        "secret": twofactor.secret_base32(device),
        "issuer": twofactor.issuer(),
    }
    return render(request, "accounts/setup.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Shows new recovery codes once; POST makes a fresh set (the old ones stop working)."""
    user: User = request.user  # type: ignore[assignment]
    if not user.is_verified():  # type: ignore[attr-defined]
        return HttpResponseRedirect(f"{reverse('accounts:verify')}?next={request.path}")
    if request.method == "POST":
        request.session[RECOVERY_CODES_SESSION_KEY] = twofactor.new_recovery_codes(user=user)
        _record(request, "accounts.recovery_codes", Action.CREATE)
        return redirect("accounts:recovery_codes")
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    context = {
        "codes": codes,
        "remaining": twofactor.remaining_recovery_codes(user),
        "next": safe_next(request, reverse("core:start")),
    }
    return render(request, "accounts/recovery_codes.html", context)


def locked_out(
    request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    return render(request, "accounts/locked_out.html", status=429)
