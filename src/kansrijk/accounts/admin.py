"""Organisations, users and roles in the admin — and the two-factor devices and log-in
attempts of those users.

Administrators reach their own organisations and the users who work there (never the
operator's accounts), grant roles only at their own organisations and for their own
municipalities, and never change their own roles (another administrator or the operator
does). They cannot make anyone operator or staff, create authenticators (which would let
them log in as someone else) or see authenticator keys and recovery codes
(``OTP_ADMIN_HIDE_SENSITIVE_DATA``); they can remove a lost authenticator. Every grant and
revocation is in the access log (``accounts.signals``).
"""

from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from kansrijk.accounts.models import Organisation, RoleAssignment, User
from kansrijk.accounts.scope import AdministrationScope
from kansrijk.core.admin_scope import ORGANISATION, ScopedAdminMixin

#: Account fields only the operator sets: they give powers beyond any organisation.
OPERATOR_ACCOUNT_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")


def _users_in(scope: AdministrationScope) -> Any:
    return User.objects.filter(organisation_id__in=scope.organisation_ids, is_superuser=False)


class RoleAssignmentInline(ScopedAdminMixin, admin.TabularInline):
    admin_scope = ORGANISATION
    scoped_municipalities = True
    model = RoleAssignment
    extra = 0
    fk_name = "user"
    autocomplete_fields = ["organisation", "municipalities"]

    def scope_filter(self, scope: AdministrationScope) -> Q:
        return Q(organisation_id__in=scope.organisation_ids) | Q(
            organisation__isnull=True, user__organisation_id__in=scope.organisation_ids
        )

    def _own(self, request: HttpRequest, obj: Any) -> bool:
        return bool(obj is not None and obj.pk == request.user.pk and self.is_limited(request))

    # An administrator does not change their own roles (no granting oneself access).
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._own(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._own(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._own(request, obj) and super().has_delete_permission(request, obj)


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    admin_scope = ORGANISATION
    # Which organisations exist and where they work decides administrators' scopes.
    operator_adds = True
    operator_deletes = True
    operator_fields = ("kind", "municipalities", "is_demo")
    list_display = ["name", "kind", "is_demo"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["name"]
    autocomplete_fields = ["municipalities"]

    def scope_filter(self, scope: AdministrationScope) -> Q:
        return Q(pk__in=scope.organisation_ids)


@admin.register(User)
class UserAdmin(ScopedAdminMixin, DjangoUserAdmin):
    admin_scope = ORGANISATION
    operator_fields = ("is_demo",)
    list_display = [
        "username",
        "first_name",
        "last_name",
        "organisation",
        "is_active",
        "is_staff",
        "is_demo",
    ]
    list_filter = [
        "is_active",
        "is_staff",
        "is_demo",
        "role_assignments__role",
        "organisation__kind",
    ]
    list_select_related = ["organisation"]
    search_fields = ["username", "first_name", "last_name", "email", "organisation__name"]
    autocomplete_fields = ["organisation"]
    inlines = [RoleAssignmentInline]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Kansrijk"), {"fields": ("organisation", "is_demo")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Kansrijk"), {"fields": ("organisation",)}),
    )

    def scope_filter(self, scope: AdministrationScope) -> Q:
        return Q(organisation_id__in=scope.organisation_ids, is_superuser=False)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if not self.is_limited(request):
            return fieldsets
        return [
            (
                name,
                {
                    **options,
                    "fields": [f for f in options["fields"] if f not in OPERATOR_ACCOUNT_FIELDS],
                },
            )
            for name, options in fieldsets
        ]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if self.is_limited(request) and "organisation" in form.base_fields:
            # An administrator's user works for one of their organisations.
            form.base_fields["organisation"].required = True
        return form


class _DeviceAdmin(ScopedAdminMixin):
    """A user's authenticator or recovery codes: administrators see them and remove a lost
    one; only the operator adds or changes one."""

    admin_scope = ORGANISATION
    operator_adds = True
    operator_changes = True

    def scope_filter(self, scope: AdministrationScope) -> Q:
        return Q(user__in=_users_in(scope))


class ScopedTOTPDeviceAdmin(_DeviceAdmin, TOTPDeviceAdmin):
    pass


class ScopedStaticDeviceAdmin(_DeviceAdmin, StaticDeviceAdmin):
    pass


class _LogInAttemptAdmin(ScopedAdminMixin):
    """django-axes' records of log-in attempts of the administrator's users (deleting an
    attempt lifts a lock-out)."""

    admin_scope = ORGANISATION

    def scope_filter(self, scope: AdministrationScope) -> Q:
        return Q(username__in=_users_in(scope).values("username"))


class ScopedAccessAttemptAdmin(_LogInAttemptAdmin, AccessAttemptAdmin):
    pass


class ScopedAccessLogAdmin(_LogInAttemptAdmin, AccessLogAdmin):
    pass


class ScopedAccessFailureLogAdmin(_LogInAttemptAdmin, AccessFailureLogAdmin):
    pass


# Replace the registrations of django-otp and django-axes (their apps come earlier in
# INSTALLED_APPS, so they are registered by now) with the scoped ones.
for _model, _admin in (
    (TOTPDevice, ScopedTOTPDeviceAdmin),
    (StaticDevice, ScopedStaticDeviceAdmin),
    (AccessAttempt, ScopedAccessAttemptAdmin),
    (AccessLog, ScopedAccessLogAdmin),
    (AccessFailureLog, ScopedAccessFailureLogAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)
