"""Authentication, and the permissions that follow from roles. An administrator manages their
organisations' data in the admin (users, roles, the social map; see core.admin_scope) without
being a superuser; the access log stays read-only for everyone (see audit.admin)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import BaseBackend, ModelBackend

from kansrijk.accounts import signed_in
from kansrijk.accounts.roles import Role

ADMINISTRATOR_APPS = frozenset(
    {"accounts", "places", "directory", "otp_totp", "otp_static", "axes", "audit"}
)


def demo_accounts_allowed() -> bool:
    """Demo accounts (published password, derivable two-factor keys) work everywhere but on a
    real installation (production settings), unless the demo mode is on there."""
    return not getattr(settings, "KANSRIJK_PRODUCTION", False) or bool(
        getattr(settings, "KANSRIJK_DEMO_MODE", False)
    )


class AccountBackend(ModelBackend):
    """Django's user-name-and-password backend, which also ends the sessions of accounts that
    may not log in (``get_user``): inactive ones, and demo accounts on a real installation."""

    def user_can_authenticate(self, user: Any) -> bool:
        if getattr(user, "is_demo", False) and not demo_accounts_allowed():
            return False
        return super().user_can_authenticate(user)

    def get_user(self, user_id: Any) -> Any:
        """The session's user with their organisation (every signed-in page names it in the
        header, ``base.html``) and roles, as this process keeps them (``signed_in``)."""
        user = signed_in.user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class RolePermissionBackend(BaseBackend):
    def _is_administrator(self, user_obj: Any) -> bool:
        return bool(
            user_obj.is_active
            and not user_obj.is_anonymous
            and user_obj.has_role(Role.ADMINISTRATOR)
        )

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        app_label = perm.split(".", 1)[0]
        return self._is_administrator(user_obj) and app_label in ADMINISTRATOR_APPS

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return self._is_administrator(user_obj) and app_label in ADMINISTRATOR_APPS
