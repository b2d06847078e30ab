"""Two-factor authentication with TOTP (an authenticator app) and one-time recovery codes.

Built on django-otp: a confirmed ``TOTPDevice`` is the authenticator app, a ``StaticDevice``
named ``recovery`` holds the recovery codes. Whether a user must pass the second factor is
decided once at log-in and kept in the session, so the middleware needs no queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kansrijk.accounts.models import User

SESSION_KEY_REQUIRED = "kansrijk_2fa_required"
RECOVERY_DEVICE_NAME = "recovery"
RECOVERY_CODE_COUNT = 10


def has_confirmed_device(user: User) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def second_factor_required(user: User) -> bool:
    """Roles that see client data need two factors; so does anyone who set one up."""
    return user.requires_two_factor or has_confirmed_device(user)


def remember_requirement(request: HttpRequest, user: User) -> None:
    request.session[SESSION_KEY_REQUIRED] = second_factor_required(user)


def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator of a user who is setting up 2FA (made on first call)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def provisioning_qr_svg(device: TOTPDevice, user: User) -> str:
    """The otpauth:// URI as an inline SVG QR code, with a text alternative in the page."""
    qr = segno.make(device.config_url, error="m")
    svg: str = qr.svg_inline(scale=4, dark="#000000", light="#ffffff", omitsize=True)
    return svg.replace("<svg ", '<svg role="img" aria-labelledby="qr-title" ', 1).replace(
        ">", '><title id="qr-title">QR</title>', 1
    )


def secret_base32(device: TOTPDevice) -> str:
    import base64

    raw = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@transaction.atomic
def confirm_totp_device(*, user: User, device: TOTPDevice, token: str) -> bool:
    """Confirm a pending authenticator with its first code; replaces any earlier one."""
    if device.user_id != user.pk or device.confirmed:
        return False
    if not device.verify_token(token.strip().replace(" ", "")):
        return False
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


def set_recovery_codes(user: User, codes: Iterable[str]) -> None:
    """Make ``codes`` the user's recovery codes, in place of any they had; each works once."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])


@transaction.atomic
def new_recovery_codes(*, user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones; each works once."""
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    set_recovery_codes(user, codes)
    return codes


def remaining_recovery_codes(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE_NAME).count()


def match_second_factor(user: User, token: str) -> Any:
    """The device that accepts ``token`` (a TOTP code or a recovery code), or None.

    Devices throttle failed attempts themselves (django-otp's ThrottlingMixin).
    """
    token = token.strip().replace(" ", "")
    if not token:
        return None
    for device in devices_for_user(user, confirmed=True):
        if device.verify_token(token):
            return device
    return None


def issuer() -> str:
    return str(settings.OTP_TOTP_ISSUER)
