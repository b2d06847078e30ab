"""The signed-in user (with their organisation and roles) and their second factor, kept per
process for the requests of their session.

Every signed-in request reads them: ``AuthenticationMiddleware`` the user and organisation,
``OTPMiddleware`` the verified device, the role checks the role assignments. Three queries, as
many as the rest of an inbox page. They change seldom (a login, a new role, an administrator's
change), so each process keeps them (``freshness.Kept``, kind ``accounts``): a change made
through any process is seen by every other within ``freshness.TOKEN_SECONDS``, and by the
process that made it at once (``docs/security.md``). Each request gets a copy of its own, so
what a request sets on its user (``otp_device``, the permission caches of Django's backend)
never reaches another request.
"""

from __future__ import annotations

import copy
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django_otp.models import Device

from kansrijk.core import freshness

#: Users by id, read with their organisation and role assignments.
USERS: freshness.Kept[Any, Any] = freshness.Kept(
    "accounts.signed-in-users", seconds=300.0, size=5_000, kinds=("accounts",)
)
#: Second-factor devices by persistent id (``"otp_totp.totpdevice/12"``).
DEVICES: freshness.Kept[str, Device] = freshness.Kept(
    "accounts.signed-in-devices", seconds=300.0, size=5_000, kinds=("accounts",)
)


def user(user_id: Any) -> Any:
    """The user with this id (from a session), with ``organisation`` and ``role_rows`` read;
    ``None`` when there is none. A copy for this request."""
    model = get_user_model()
    try:
        key = model._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    kept = USERS.get(key)
    if kept is None:
        kept = model._default_manager.select_related("organisation").filter(pk=key).first()
        if kept is None:
            return None
        kept.role_rows  # noqa: B018 (read now: kept with the user)
        USERS.put(key, kept)
    return _copy(kept)


def device(persistent_id: str) -> Device | None:
    """The second-factor device with this persistent id, or ``None``. A copy for this
    request."""
    kept = DEVICES.get(persistent_id)
    if kept is None:
        kept = Device.from_persistent_id(persistent_id)
        if kept is None:
            return None
        DEVICES.put(persistent_id, kept)
    return _copy(kept)


def _copy(instance: Any) -> Any:
    """A copy of a kept model instance with copies of the related rows it holds: its own
    attributes and its own related objects, so that nothing set on it is seen elsewhere."""
    clone = copy.copy(instance)  # Django copies the instance's state and its related cache
    fields_cache = clone._state.fields_cache
    for name, related in fields_cache.items():
        if related is not None:
            fields_cache[name] = copy.copy(related)
    return clone
