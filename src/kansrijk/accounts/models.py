"""Organisations, users and their role assignments."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kansrijk.accounts.roles import CLIENT_DATA_ROLES, MUNICIPALITY_SCOPED_ROLES, Role
from kansrijk.core.fields import optional_link
from kansrijk.core.models import with_demo_mark


class OrganisationKind(models.TextChoices):
    MEDICAL = "medical", _("Medical")
    SOCIAL = "social", _("Social")
    INFORMAL = "informal", _("Informal")
    MUNICIPALITY = "municipality", _("Municipality")
    NATIONAL = "national", _("National")


class Organisation(models.Model):
    """An organisation professionals work for (a midwife practice, the JGZ, a municipality)."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    municipalities = models.ManyToManyField(
        "places.Municipality",
        blank=True,
        related_name="organisations",
        verbose_name=_("municipalities it works in"),
    )
    email = models.EmailField(_("email address"), blank=True)
    is_demo = models.BooleanField(
        _("demo"), default=False, help_text=_("Example data, not a real organisation.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="accounts_organisation_unique_name")
        ]

    def __str__(self) -> str:
        return with_demo_mark(self.name, self.is_demo)


class User(AbstractUser):
    organisation = optional_link(
        Organisation, models.PROTECT, _("organisation"), related_name="users"
    )
    is_demo = models.BooleanField(_("demo"), default=False)

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # Demo accounts have a published password: never the operator's powers.
            models.CheckConstraint(
                condition=~(models.Q(is_demo=True) & models.Q(is_superuser=True)),
                name="accounts_user_demo_is_no_superuser",
            )
        ]

    @property
    def role_rows(self) -> tuple[tuple[str, int | None], ...]:
        """This user's role assignments as ``(role, organisation id)`` (cached per instance; one
        query): what ``role_codes`` and the referral scope (``referrals.models.referral_scope``)
        are made of, so that a page with client data reads them once."""
        cached: tuple[tuple[str, int | None], ...] | None = getattr(self, "_role_rows", None)
        if cached is None:
            cached = tuple(self.role_assignments.values_list("role", "organisation_id"))
            self._role_rows = cached
        return cached

    @property
    def role_codes(self) -> frozenset[str]:
        """The codes of this user's roles (cached per instance; ``role_rows``)."""
        cached: frozenset[str] | None = getattr(self, "_role_codes", None)
        if cached is None:
            cached = frozenset(role for role, _organisation in self.role_rows)
            if self.is_superuser:
                cached = cached | {Role.ADMINISTRATOR}
            self._role_codes = cached
        return cached

    def has_role(self, role: str) -> bool:
        return role in self.role_codes

    @property
    def requires_two_factor(self) -> bool:
        return self.is_staff or self.is_superuser or bool(self.role_codes & CLIENT_DATA_ROLES)


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def municipality_codes(self) -> models.QuerySet[Any, str]:
        """The codes of the municipalities these role assignments name: a subquery for
        ``municipality_id__in``, or to read as a set."""
        return RoleAssignment.municipalities.through.objects.filter(
            roleassignment__in=self
        ).values_list("municipality_id", flat=True)


class RoleAssignment(models.Model):
    """A role held by a user, scoped to an organisation and/or a set of municipalities."""

    user = models.ForeignKey(
        User, models.CASCADE, related_name="role_assignments", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    organisation = optional_link(
        Organisation,
        models.CASCADE,
        _("organisation"),
        related_name="role_assignments",
        help_text=_("Empty: the user's own organisation."),
    )
    municipalities = models.ManyToManyField(
        "places.Municipality",
        blank=True,
        related_name="role_assignments",
        verbose_name=_("municipalities"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organisation"], name="accounts_roleassignment_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"

    def clean(self) -> None:
        if (
            self.role != Role.ADMINISTRATOR
            and self.organisation_id is None
            and self.user.organisation_id is None
        ):
            raise ValidationError(
                {"organisation": _("Choose the organisation this role applies to.")}
            )

    @property
    def effective_organisation_id(self) -> int | None:
        return self.organisation_id or self.user.organisation_id

    @property
    def is_municipality_scoped(self) -> bool:
        return self.role in MUNICIPALITY_SCOPED_ROLES
