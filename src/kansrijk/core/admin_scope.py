"""Administrators stay inside their organisations and municipalities in the admin.

Every model admin (and inline) of the site says how far an administrator reaches, with
``admin_scope``:

- ``OPERATOR``: the operator of the installation only (a superuser); administrators do not
  see the model at all. The default: ``KansrijkAdminSite.register`` gives it to every model
  admin that does not say otherwise (Django's own, third-party, a new app's).
- ``REFERENCE``: shared reference data (municipalities, taxonomies): administrators read it,
  only the operator changes it.
- ``ORGANISATION``: administrators reach the rows that ``scope_filter`` selects for their
  ``accounts.scope.AdministrationScope``; everything else is invisible in lists, searches and
  choices, and opening it by id is a 404 that is logged as a refused attempt.
- ``PARENT``: an inline, which shows the rows of an object its model admin already scoped;
  only its choices are scoped. The site gives it to every inline that does not say otherwise.

Choices follow the same rules: a foreign key or many-to-many field offers only the rows the
administrator may reach (the related model admin's scoped queryset), and the municipalities
of the administrator where ``scoped_municipalities`` says so. ``operator_fields`` are
read-only for administrators; ``operator_adds`` / ``operator_changes`` / ``operator_deletes``
keep adding, changing or deleting for the operator. A saved object that ends up outside the
administrator's scope is refused (403, rolled back, logged).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from kansrijk.accounts.roles import administrative_role
from kansrijk.accounts.scope import AdministrationScope, administration_scope
from kansrijk.audit.models import Action, Outcome
from kansrijk.audit.services import record_refusal

OPERATOR = "operator"
REFERENCE = "reference"
ORGANISATION = "organisation"
PARENT = "parent"
SCOPES = (OPERATOR, REFERENCE, ORGANISATION, PARENT)
#: The scopes in which administrators may add, change and delete.
_WRITABLE = (ORGANISATION, PARENT)

#: The purpose recorded for what happens in the admin.
ADMINISTRATION = "accounts.administration"


def record_admin_refusal(
    request: HttpRequest,
    *,
    event_type: str,
    action: str,
    object_type: str = "",
    object_id: Any = "",
    outcome: str = Outcome.DENIED,
) -> None:
    record_refusal(
        request=request,
        event_type=event_type,
        action=action,
        outcome=outcome,
        object_type=object_type,
        object_id=object_id,
        role=administrative_role(request.user),
        purpose=ADMINISTRATION,
    )


class ScopedAdminMixin:
    """Mix into a ``ModelAdmin`` or ``InlineModelAdmin`` before Django's class."""

    admin_scope: str = OPERATOR
    operator_fields: Sequence[str] = ()
    operator_adds = False
    operator_changes = False
    operator_deletes = False
    scoped_municipalities = False

    # Provided by Django's admin classes.
    model: Any
    admin_site: Any

    def scope_filter(self, scope: AdministrationScope) -> Q:
        """The rows an administrator with ``scope`` reaches (``ORGANISATION`` only)."""
        raise ImproperlyConfigured(f"{type(self).__name__} needs a scope_filter")

    # --- Who ----------------------------------------------------------------------------------

    def administration_scope(self, request: HttpRequest) -> AdministrationScope:
        return administration_scope(request.user)

    def is_limited(self, request: HttpRequest) -> bool:
        """Whether the user is an administrator, limited to their scope (not the operator)."""
        return not self.administration_scope(request).operator

    # --- Permissions --------------------------------------------------------------------------

    def has_module_permission(self, request: HttpRequest) -> bool:
        if self.is_limited(request) and self.admin_scope == OPERATOR:
            return False
        return bool(super().has_module_permission(request))  # type: ignore[misc]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if self.is_limited(request) and self.admin_scope == OPERATOR:
            return False
        return bool(super().has_view_permission(request, obj))  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        if self.is_limited(request) and (self.admin_scope not in _WRITABLE or self.operator_adds):
            return False
        return bool(super().has_add_permission(request, *args))  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if self.is_limited(request) and (
            self.admin_scope not in _WRITABLE or self.operator_changes
        ):
            return False
        return bool(super().has_change_permission(request, obj))  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if self.is_limited(request) and (
            self.admin_scope not in _WRITABLE or self.operator_deletes
        ):
            return False
        return bool(super().has_delete_permission(request, obj))  # type: ignore[misc]

    # --- Rows ---------------------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs: QuerySet[Any] = super().get_queryset(request)  # type: ignore[misc]
        if not self.is_limited(request) or self.admin_scope in (REFERENCE, PARENT):
            return qs
        if self.admin_scope == OPERATOR:
            return qs.none()
        scope = self.administration_scope(request)
        if scope.is_empty:
            return qs.none()
        return qs.filter(self.scope_filter(scope))

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        """``None`` (Django's "does not exist") for the operator; for an administrator an
        object outside their scope is a 404 and a logged refusal (an unknown id too)."""
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is not None or not self.is_limited(request):
            return obj
        field = from_field or self.model._meta.pk.attname
        try:
            exists = self.model._default_manager.filter(**{field: object_id}).exists()
        except (ValidationError, ValueError, TypeError):
            exists = False
        record_admin_refusal(
            request,
            event_type=f"admin.{self.model._meta.label_lower}",
            action=Action.READ if request.method == "GET" else Action.UPDATE,
            object_type=self.model._meta.label_lower,
            object_id=object_id,
            outcome=Outcome.DENIED if exists else Outcome.FAILURE,
        )
        raise Http404

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        if self.is_limited(request):
            fields += tuple(f for f in self.operator_fields if f not in fields)
        return fields

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        if (
            self.is_limited(request)
            and self.admin_scope == ORGANISATION
            and not self.get_queryset(request).filter(pk=form.instance.pk).exists()
        ):
            # It would leave the administrator's scope: refused (the admin rolls back).
            raise PermissionDenied

    # --- Choices ------------------------------------------------------------------------------

    def _scoped_choices(self, db_field: Any, request: HttpRequest) -> QuerySet[Any] | None:
        if not self.is_limited(request):
            return None
        from kansrijk.places.models import Municipality

        related = db_field.related_model
        if related is Municipality and self.scoped_municipalities:
            codes = self.administration_scope(request).municipality_codes
            return Municipality.objects.filter(pk__in=codes)
        related_admin = self.admin_site._registry.get(related)
        if isinstance(related_admin, ScopedAdminMixin) and related_admin.admin_scope in (
            OPERATOR,
            ORGANISATION,
        ):
            return related_admin.get_queryset(request)
        return None

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # Not about scope, but every admin of the site has this mixin (KansrijkAdminSite.register):
        # a web address typed without a scheme is https, as it will be by default in Django 6.
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        choices = self._scoped_choices(db_field, request)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        choices = self._scoped_choices(db_field, request)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]

    def get_autocomplete_fields(self, request: HttpRequest) -> Any:
        fields = tuple(super().get_autocomplete_fields(request))  # type: ignore[misc]
        if self.is_limited(request) and self.scoped_municipalities:
            # Their few municipalities as a plain list: the search would offer all 342.
            from kansrijk.places.models import Municipality

            fields = tuple(
                f for f in fields if self.model._meta.get_field(f).related_model is not Municipality
            )
        return fields


class ViewOnlyAdminMixin:
    """For rows that only imports or the application write (reference data, values, history,
    the access log): nobody adds, changes or deletes them in the admin, not even the operator.
    Put it before ``ScopedAdminMixin``."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def scoped(admin_class: type, scope: str = OPERATOR) -> type:
    """``admin_class`` with the scope mechanism; for classes that do not have it yet."""
    if issubclass(admin_class, ScopedAdminMixin):
        return admin_class
    return type(admin_class.__name__, (ScopedAdminMixin, admin_class), {"admin_scope": scope})
