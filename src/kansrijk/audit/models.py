"""The access log (toegangslog), shaped after NEN 7513.

Append-only: there is no update or delete path in the code, and on PostgreSQL a trigger
refuses UPDATE and DELETE (only the retention purge may delete, see services.purge_expired).
No payloads and no personal data beyond references are stored here.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kansrijk.accounts.roles import Role, role_label
from kansrijk.accounts.scope import administration_scope
from kansrijk.core.users import signed_in


class Action(models.TextChoices):
    CREATE = "create", _("create")
    READ = "read", _("read")
    SEARCH = "search", _("search")
    UPDATE = "update", _("update")
    DELETE = "delete", _("delete")
    EXPORT = "export", _("export")
    PRINT = "print", _("print")
    HANDOVER = "handover", _("handover")
    LOGIN = "login", _("log in")
    LOGOUT = "logout", _("log out")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("success")
    DENIED = "denied", _("denied")
    FAILURE = "failure", _("failure")


def may_search_access_log(user: Any) -> bool:
    """Whether ``user`` may search and export the access log: an administrator (or the
    operator) who has passed the second factor in this session (``is_verified`` from
    django-otp)."""
    if not signed_in(user):
        return False
    if not (user.is_superuser or user.has_role(Role.ADMINISTRATOR)):
        return False
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified is not None and is_verified())


class AccessEventQuerySet(models.QuerySet["AccessEvent"]):
    def for_user(self, user: Any) -> AccessEventQuerySet:
        """The events ``user`` may see: for a verified administrator those recorded for their
        organisations (``accounts.scope``), all for the operator, none for others."""
        if not may_search_access_log(user):
            return self.none()
        scope = administration_scope(user)
        if scope.operator:
            return self
        return self.filter(organisation_id__in=scope.organisation_ids)


#: What a reviewer sees of an event, in order: the admin's screen of an event and the CSV
#: export (which puts the id first). The user and the organisation by id only: they may no
#: longer exist.
REVIEW_FIELDS = (
    "occurred_at",
    "event_type",
    "action",
    "outcome",
    "user_id",
    "user_display",
    "role",
    "organisation_id",
    "on_behalf_of",
    "purpose",
    "object_type",
    "object_id",
    "client_ref",
    "consent_ref",
    "request_id",
    "source_ip",
)


def _outliving_reference(to: str, verbose_name: Any) -> models.ForeignKey[Any, Any]:
    """A reference the log keeps when what it names is gone: no database constraint, no
    cascade, and no index of its own."""
    return models.ForeignKey(
        to,
        models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )


class AccessEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(_("date and time"), default=timezone.now, db_index=True)
    event_type = models.CharField(
        _("event"), max_length=60, help_text=_("What happened, e.g. 'referral.view'.")
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS
    )
    # The log outlives users and organisations: no database constraints, no cascades. No
    # index of their own either: nothing looks events up by organisation, by user the
    # (user, occurred_at) index serves, and every index costs each logged request an insert.
    user = _outliving_reference(settings.AUTH_USER_MODEL, _("user"))
    user_display = models.CharField(_("user name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=30, blank=True)
    organisation = _outliving_reference("accounts.Organisation", _("organisation"))
    on_behalf_of = models.CharField(_("on behalf of"), max_length=150, blank=True)
    purpose = models.CharField(_("purpose"), max_length=100, blank=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object"), max_length=64, blank=True)
    client_ref = models.CharField(_("client reference"), max_length=64, blank=True)
    consent_ref = models.CharField(_("consent reference"), max_length=64, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    source_ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    details = models.CharField(
        _("details"),
        max_length=255,
        blank=True,
        help_text=_("References and counts only, e.g. what a purge removed or which role."),
    )

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("access event")
        verbose_name_plural = _("access log")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["user", "occurred_at"], name="audit_user_time"),
            models.Index(
                fields=["object_type", "object_id", "occurred_at"], name="audit_object_time"
            ),
            models.Index(fields=["client_ref", "occurred_at"], name="audit_client_time"),
            # Searching by the recorded user name (the user may since be renamed or removed).
            models.Index(fields=["user_display", "occurred_at"], name="audit_username_time"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.user_display or '-'} {self.action} {self.event_type}"

    @property
    def role_label(self) -> str:
        """The role's name in the current language; the stored code if it is not a role."""
        return role_label(self.role)
