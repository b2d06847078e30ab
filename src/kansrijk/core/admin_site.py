"""The Django admin for Kansrijk: for the operator of the installation (a superuser) and for
administrators (the administrator role), who stay inside their organisations and
municipalities (``core.admin_scope``). Users pass the second factor first (the middleware
sees to that).

A signed-in user who is neither gets a clear refusal page (403), recorded in the access log —
not the log-in page, which would send them straight back (the 302 loop of issue 12). Every
other refusal in the admin (a model they may not see, a change they may not make) is recorded
too.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from kansrijk.accounts.roles import Role, primary_role

# This module is loaded with the app registry (KansrijkAdminConfig): models and what imports
# them (the access log, core.admin_scope) are imported where they are used.


class KansrijkAdminSite(admin.AdminSite):
    site_header = "Kansrijk beheer"
    site_title = "Kansrijk beheer"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and (user.is_superuser or user.has_role(Role.ADMINISTRATOR)))

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        """Every model admin gets the scope mechanism; one that does not declare a scope is
        for the operator only. Its inlines show their parent's rows, with scoped choices."""
        from kansrijk.core.admin_scope import OPERATOR, PARENT, scoped

        admin_class = scoped(admin_class or admin.ModelAdmin, OPERATOR)
        inlines = [scoped(inline, PARENT) for inline in getattr(admin_class, "inlines", ())]
        if list(inlines) != list(admin_class.inlines):
            admin_class = type(admin_class.__name__, (admin_class,), {"inlines": inlines})
        super().register(model_or_iterable, admin_class, **options)

    def admin_view(self, view: Callable[..., Any], cacheable: bool = False) -> Any:
        from kansrijk.audit.models import Action
        from kansrijk.core.admin_scope import record_admin_refusal

        def recording(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied:
                match = request.resolver_match
                record_admin_refusal(
                    request,
                    event_type=f"admin.{match.url_name if match else 'view'}",
                    action=Action.READ if request.method == "GET" else Action.UPDATE,
                    object_type="admin",
                    object_id=kwargs.get("object_id", ""),
                )
                raise

        inner = super().admin_view(update_wrapper(recording, view), cacheable)

        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.user.is_authenticated and not self.has_permission(request):
                return self.refuse(request)
            return inner(request, *args, **kwargs)

        return update_wrapper(guarded, inner)

    def refuse(self, request: HttpRequest) -> HttpResponse:
        """The page for a signed-in user who is no administrator (logged)."""
        from kansrijk.audit.models import Action
        from kansrijk.audit.services import record_refusal
        from kansrijk.core.admin_scope import ADMINISTRATION

        record_refusal(
            request=request,
            event_type="admin.access",
            action=Action.READ if request.method == "GET" else Action.UPDATE,
            object_type="admin",
            role=primary_role(request.user),
            purpose=ADMINISTRATION,
        )
        response = render(request, "core/admin_forbidden.html", status=403)
        add_never_cache_headers(response)
        return response


class KansrijkAdminConfig(AdminConfig):
    default_site = "kansrijk.core.admin_site.KansrijkAdminSite"
