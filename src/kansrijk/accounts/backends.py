"""Permissions that follow from roles. An administrator manages the platform's data in the
admin (organisations, users, roles, reference data, the directory) without being a superuser;
the access log stays read-only for everyone (see audit.admin)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend

from kansrijk.accounts.roles import Role

ADMINISTRATOR_APPS = frozenset(
    {"accounts", "places", "directory", "otp_totp", "otp_static", "axes", "audit"}
)


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
