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

import datetime
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kansrijk.accounts.roles import Role
from kansrijk.core.fields import acting_user, optional_link
from kansrijk.core.models import with_demo_mark
from kansrijk.core.phases import Phase
from kansrijk.core.users import signed_in

if TYPE_CHECKING:
    from kansrijk.accounts.models import RoleAssignmentQuerySet


class CoalitionScope(models.TextChoices):
    LOCAL = "local", _("Local (one or more municipalities)")
    REGIONAL = "regional", _("Regional")
    NATIONAL = "national", _("National")


def _assignments_for(user: Any, role: str) -> RoleAssignmentQuerySet:
    from kansrijk.accounts.models import RoleAssignment

    return RoleAssignment.objects.filter(user=user, role=role)


class CoalitionQuerySet(models.QuerySet["Coalition"]):
    def with_member(self, user: Any, role: str = Role.COALITION_EDITOR) -> CoalitionQuerySet:
        """The coalitions ``user`` belongs to in ``role`` (see the module docstring)."""
        if not signed_in(user):
            return self.none()
        if not user.has_role(role):
            return self.none()
        assignments = _assignments_for(user, role)
        organisation_ids = {
            assignment.organisation_id or user.organisation_id
            for assignment in assignments.only("organisation_id")
        } - {None}
        return self._working_in_or_led_by(assignments.municipality_codes(), organisation_ids)

    def editable_by(self, user: Any) -> CoalitionQuerySet:
        """Coalitions whose pathways ``user`` may change: all for the operator; for an
        administrator those inside their administration scope (a coalition led by one of their
        organisations, or working in one of their municipalities — never a national coalition of
        another organisation); the own coalitions for a coalition editor; none for anybody
        else."""
        if not signed_in(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        editing = self.with_member(user, Role.COALITION_EDITOR)
        if not user.has_role(Role.ADMINISTRATOR):
            return editing
        from kansrijk.accounts.scope import administration_scope

        scope = administration_scope(user)
        administered = self._working_in_or_led_by(scope.municipality_codes, scope.organisation_ids)
        return administered | editing

    def _working_in_or_led_by(
        self, municipality_codes: Any, organisation_ids: Any
    ) -> CoalitionQuerySet:
        """The coalitions that work in one of ``municipality_codes`` (a collection or a
        subquery) or are led by one of ``organisation_ids``."""
        through = Coalition.municipalities.through
        return self.filter(
            Exists(
                through.objects.filter(
                    coalition_id=OuterRef("pk"), municipality_id__in=municipality_codes
                )
            )
            | Q(lead_organisation_id__in=organisation_ids)
        )


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
    lead_organisation = optional_link(
        "accounts.Organisation",
        models.SET_NULL,
        _("lead organisation"),
        related_name="led_coalitions",
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
        return with_demo_mark(self.name, self.is_demo)

    @property
    def is_national(self) -> bool:
        return self.scope == CoalitionScope.NATIONAL


# --- Members and agreements ----------------------------------------------------------------------


class MemberDomain(models.TextChoices):
    MEDICAL = "medical", _("Medical")
    SOCIAL = "social", _("Social")
    INFORMAL = "informal", _("Informal")
    MUNICIPALITY = "municipality", _("Municipality")


def domain_for_kind(kind: str) -> str:
    """The member domain that goes with an organisation's kind (national bodies: medical)."""
    return kind if kind in MemberDomain.values else MemberDomain.MEDICAL


class Member(models.Model):
    """A partner organisation of a coalition (midwives, GPs, JGZ, social team, …)."""

    coalition = models.ForeignKey(
        Coalition, models.CASCADE, related_name="members", verbose_name=_("coalition")
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        models.PROTECT,
        related_name="coalition_memberships",
        verbose_name=_("organisation"),
    )
    domain = models.CharField(_("domain"), max_length=20, choices=MemberDomain.choices)
    role = models.CharField(
        _("role in the coalition"),
        max_length=200,
        blank=True,
        help_text=_("E.g. coordinator (kartrekker), partner, steering group."),
    )
    joined_on = models.DateField(_("member since"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo"), default=False)

    class Meta:
        verbose_name = _("coalition member")
        verbose_name_plural = _("coalition members")
        ordering = ["coalition", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["coalition", "organisation"], name="coalitions_member_once"
            )
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class ContactPerson(models.Model):
    """Who to contact at a member organisation about the coalition."""

    member = models.ForeignKey(
        Member, models.CASCADE, related_name="contacts", verbose_name=_("member")
    )
    name = models.CharField(_("name"), max_length=150)
    function = models.CharField(_("function"), max_length=150, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["member", "name"]

    def __str__(self) -> str:
        return self.name


class Agreement(models.Model):
    """A cooperation agreement (samenwerkingsafspraak) between members, with a review date.

    The signed document, when there is one, is kept in the database (at most 5 MB), so it is
    backed up with the rest and only reachable through the coalition's own pages."""

    coalition = models.ForeignKey(
        Coalition, models.CASCADE, related_name="agreements", verbose_name=_("coalition")
    )
    title = models.CharField(_("title"), max_length=200)
    parties = models.ManyToManyField(
        Member, related_name="agreements", verbose_name=_("parties"), blank=True
    )
    text = models.TextField(_("text"), blank=True, max_length=20_000)
    document = models.BinaryField(_("document"), null=True, blank=True, editable=False)
    document_name = models.CharField(_("file name"), max_length=200, blank=True)
    document_type = models.CharField(_("file type"), max_length=100, blank=True)
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
    review_on = models.DateField(_("review by"))
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    is_demo = models.BooleanField(_("demo"), default=False)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["coalition", "review_on", "title"]

    def __str__(self) -> str:
        return with_demo_mark(self.title, self.is_demo)

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.review_on < (today or timezone.localdate())


# --- Improvement actions ---------------------------------------------------------------------


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


ACTIVE_STATUSES = frozenset({ActionStatus.OPEN, ActionStatus.IN_PROGRESS})


class ImprovementAction(models.Model):
    """What the coalition agreed to improve: what, who, by when, and what it touches."""

    coalition = models.ForeignKey(
        Coalition, models.CASCADE, related_name="actions", verbose_name=_("coalition")
    )
    title = models.CharField(_("what"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    organisation = optional_link(
        "accounts.Organisation", models.SET_NULL, _("organisation responsible")
    )
    person = models.CharField(_("person responsible"), max_length=150, blank=True)
    due_on = models.DateField(_("by when"))
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    round = optional_link(
        "assessments.Round", models.SET_NULL, _("from the round"), related_name="actions"
    )
    statements = models.ManyToManyField(
        "assessments.Statement",
        blank=True,
        related_name="actions",
        verbose_name=_("statements it answers"),
    )
    pathways = models.ManyToManyField(
        "pathways.Pathway", blank=True, related_name="actions", verbose_name=_("pathways")
    )
    services = models.ManyToManyField(
        "directory.Service",
        blank=True,
        related_name="coalition_actions",
        verbose_name=_("services"),
    )
    indicator_codes = models.JSONField(
        _("indicators"), default=list, blank=True, help_text=_("Codes of monitor indicators.")
    )
    created_by = acting_user(_("created by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)
    is_demo = models.BooleanField(_("demo"), default=False)

    class Meta:
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        ordering = ["coalition", "due_on", "id"]
        indexes = [
            models.Index(fields=["coalition", "status", "due_on"], name="coalitions_action_due"),
        ]

    def __str__(self) -> str:
        return with_demo_mark(self.title, self.is_demo)

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.status in ACTIVE_STATUSES and self.due_on < (today or timezone.localdate())


class ActionChange(models.Model):
    """One change of an action, for its history: who, when, and each field's old and new value
    (as shown, e.g. ``{"status": ["Open", "In progress"]}``)."""

    action = models.ForeignKey(
        ImprovementAction, models.CASCADE, related_name="changes", verbose_name=_("action")
    )
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    changed_by = acting_user(_("changed by"))
    changed_by_display = models.CharField(_("changed by"), max_length=150, blank=True)
    changes = models.JSONField(_("changes"), default=dict)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("change of an action")
        verbose_name_plural = _("changes of actions")
        ordering = ["action", "-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.changed_at:%Y-%m-%d %H:%M}"


# --- Client journeys (klantroutes) ---------------------------------------------------------


class Journey(models.Model):
    """The touchpoints a parent passes in one phase, as the coalition has agreed them."""

    coalition = models.ForeignKey(
        Coalition, models.CASCADE, related_name="journeys", verbose_name=_("coalition")
    )
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices)
    introduction = models.TextField(_("introduction"), blank=True, max_length=5000)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    is_demo = models.BooleanField(_("demo"), default=False)

    class Meta:
        verbose_name = _("client journey")
        verbose_name_plural = _("client journeys")
        ordering = ["coalition", "phase"]
        constraints = [
            models.UniqueConstraint(fields=["coalition", "phase"], name="coalitions_journey_phase")
        ]

    def __str__(self) -> str:
        return f"{self.coalition}: {self.get_phase_display()}"


class Touchpoint(models.Model):
    """A moment in a journey: who the parent meets, what happens, which situations are asked
    about, and which pathway or service follows."""

    journey = models.ForeignKey(
        Journey, models.CASCADE, related_name="touchpoints", verbose_name=_("journey")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    moment = models.CharField(
        _("when"), max_length=100, blank=True, help_text=_("E.g. “week 8-12” or “first week”.")
    )
    title = models.CharField(_("what happens"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=3000)
    role = models.CharField(
        _("who (role)"), max_length=100, help_text=_("E.g. midwife, youth health nurse.")
    )
    organisation = optional_link("accounts.Organisation", models.SET_NULL, _("organisation"))
    situations = models.ManyToManyField(
        "situations.Situation",
        blank=True,
        related_name="touchpoints",
        verbose_name=_("situations asked about"),
    )
    pathway = optional_link(
        "pathways.Pathway", models.SET_NULL, _("pathway that follows"), related_name="touchpoints"
    )
    service = optional_link(
        "directory.Service", models.SET_NULL, _("service that follows"), related_name="touchpoints"
    )

    class Meta:
        verbose_name = _("touchpoint")
        verbose_name_plural = _("touchpoints")
        ordering = ["journey", "position", "id"]

    def __str__(self) -> str:
        return self.title
