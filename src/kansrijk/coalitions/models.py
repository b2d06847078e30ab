"""Local (and regional, and national) coalitions of Kansrijke Start.

A coalition is the partnership that agrees, for one or more municipalities, how vulnerable
situations are signalled and where families get help. It owns pathways (zorgpaden).

Who belongs to a coalition (as its editor or coordinator) follows from the role assignments we
already have, so an administrator does not keep two lists in step:

- a user whose coalition-editor (or coordinator) role assignment covers at least one of the
  coalition's municipalities belongs to it;
- a user whose role assignment is for the coalition's *lead organisation* belongs to it, whatever
  the municipalities. This is how a national coalition (which lists no municipalities, because it
  covers them all) gets its editors.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from kansrijk.accounts.roles import Role


class CoalitionScope(models.TextChoices):
    LOCAL = "local", _("Local (one or more municipalities)")
    REGIONAL = "regional", _("Regional")
    NATIONAL = "national", _("National")


def _assignments_for(user: Any, role: str) -> models.QuerySet[Any]:
    from kansrijk.accounts.models import RoleAssignment

    return RoleAssignment.objects.filter(user=user, role=role)


class CoalitionQuerySet(models.QuerySet["Coalition"]):
    def with_member(self, user: Any, role: str = Role.COALITION_EDITOR) -> CoalitionQuerySet:
        """The coalitions ``user`` belongs to in ``role`` (see the module docstring)."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        if not user.has_role(role):
            return self.none()
        from kansrijk.accounts.models import RoleAssignment

        assignments = _assignments_for(user, role)
        municipalities = RoleAssignment.municipalities.through.objects.filter(
            roleassignment__in=assignments
        ).values("municipality_id")
        through = Coalition.municipalities.through
        organisation_ids = {
            assignment.organisation_id or user.organisation_id
            for assignment in assignments.only("organisation_id")
        } - {None}
        return self.filter(
            Exists(
                through.objects.filter(
                    coalition_id=OuterRef("pk"), municipality_id__in=municipalities
                )
            )
            | Q(lead_organisation_id__in=organisation_ids)
        )

    def editable_by(self, user: Any) -> CoalitionQuerySet:
        """Coalitions whose pathways ``user`` may change: all for an administrator, the own
        coalitions for a coalition editor, none for anybody else."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser or user.has_role(Role.ADMINISTRATOR):
            return self.all()
        return self.with_member(user, Role.COALITION_EDITOR)


class Coalition(models.Model):
    """A Kansrijke Start coalition: partners who agree on pathways for their municipalities."""

    name = models.CharField(_("name"), max_length=200)
    scope = models.CharField(
        _("scope"), max_length=10, choices=CoalitionScope.choices, default=CoalitionScope.LOCAL
    )
    municipalities = models.ManyToManyField(
        "places.Municipality",
        blank=True,
        related_name="coalitions",
        verbose_name=_("municipalities"),
        help_text=_("The municipalities the coalition works for. Empty for a national coalition."),
    )
    lead_organisation = models.ForeignKey(
        "accounts.Organisation",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_coalitions",
        verbose_name=_("lead organisation"),
        help_text=_(
            "The organisation that leads the coalition (kartrekker). Its editors belong to the coalition."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    is_demo = models.BooleanField(
        _("demo"), default=False, help_text=_("Example data, not a real coalition.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CoalitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("coalition")
        verbose_name_plural = _("coalitions")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="coalitions_coalition_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} (demo)" if self.is_demo else self.name

    @property
    def is_national(self) -> bool:
        return self.scope == CoalitionScope.NATIONAL
