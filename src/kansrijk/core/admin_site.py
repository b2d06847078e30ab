"""The Django admin for Kansrijk: open to active users with the administrator role (who
have passed the second factor; the middleware sees to that), not only to ``is_staff``."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest

from kansrijk.accounts.roles import Role


class KansrijkAdminSite(admin.AdminSite):
    site_header = "Kansrijk beheer"
    site_title = "Kansrijk beheer"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and (user.is_staff or user.has_role(Role.ADMINISTRATOR)))


class KansrijkAdminConfig(AdminConfig):
    default_site = "kansrijk.core.admin_site.KansrijkAdminSite"
