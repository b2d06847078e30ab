"""Care pathways (zorgpaden): per coalition, for one situation and one or more phases, the ordered
steps a professional takes — discuss, ask consent, refer to which service and how, warm handover,
follow-up — with urgent safety steps always first.

- A ``Pathway`` is the identity and the coverage: coalition, situation, phases, scope
  (municipal, regional default, national default) and the municipalities it covers; its owner and
  last-reviewed date; ``current_version`` points at the published version professionals see.
- A ``PathwayVersion`` holds the content (title, introduction, steps). It is a *draft* until it is
  published; a published version never changes (``save``/``delete`` refuse, and so do its steps),
  so every earlier version stays readable and two versions can be compared. Changing a published
  pathway means starting a new draft (``services.start_draft``), which copies the steps with their
  stable ``key`` so the comparison can tell a changed step from a new one.
- A ``PathwayStep`` may point at a service on the social map; the pathway page shows the service's
  referral methods and instructions from the directory, so they are kept in one place.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kansrijk.core.choices import VersionStatus
from kansrijk.core.dates import years_before
from kansrijk.core.fields import acting_user, optional_link
from kansrijk.core.models import with_demo_mark
from kansrijk.core.phases import HasPhases
from kansrijk.pathways.exceptions import VersionNotEditable

#: A pathway is flagged "te herzien" when it was last reviewed longer ago than this.
REVIEW_INTERVAL_MONTHS = 12


def review_cutoff(today: datetime.date | None = None) -> datetime.date:
    """The date before which ``last_reviewed_on`` is too old (12 months before ``today``)."""
    return years_before(today or timezone.localdate(), 1)


class PathwayScope(models.TextChoices):
    MUNICIPAL = "municipal", _("Municipal")
    REGIONAL = "regional", _("Regional default")
    NATIONAL = "national", _("National default")


#: Resolution order: the municipality's own pathway first, then a regional, then the national default.
SCOPE_RANK: dict[str, int] = {
    PathwayScope.MUNICIPAL: 0,
    PathwayScope.REGIONAL: 1,
    PathwayScope.NATIONAL: 2,
}


class StepKind(models.TextChoices):
    URGENT_SAFETY = "urgent_safety", _("Urgent: safety first")
    DISCUSS = "discuss", _("Discuss")
    CONSENT = "consent", _("Ask consent")
    REFER = "refer", _("Refer")
    HANDOVER = "handover", _("Warm handover")
    FOLLOW_UP = "follow_up", _("Follow-up and feedback")


#: Steps that may point at a service, and those that must (outside national defaults).
SERVICE_KINDS: frozenset[str] = frozenset(
    {StepKind.URGENT_SAFETY, StepKind.REFER, StepKind.HANDOVER, StepKind.FOLLOW_UP}
)
SERVICE_REQUIRED_KINDS: frozenset[str] = frozenset({StepKind.REFER, StepKind.HANDOVER})


class PathwayQuerySet(models.QuerySet["Pathway"]):
    def editable_by(self, user: Any) -> PathwayQuerySet:
        """The pathways ``user`` may change: those of the coalitions they belong to as an editor
        (all for an administrator)."""
        from kansrijk.coalitions.models import Coalition

        return self.filter(coalition__in=Coalition.objects.editable_by(user).values("pk"))

    def published(self) -> PathwayQuerySet:
        return self.filter(current_version__isnull=False)

    def needing_review(self, today: datetime.date | None = None) -> PathwayQuerySet:
        return self.filter(last_reviewed_on__lt=review_cutoff(today))


class Pathway(models.Model, HasPhases):
    """A zorgpad: which coalition, which situation and phases, where it applies, who owns it."""

    coalition = models.ForeignKey(
        "coalitions.Coalition",
        models.PROTECT,
        related_name="pathways",
        verbose_name=_("coalition"),
    )
    situation = models.ForeignKey(
        "situations.Situation",
        models.PROTECT,
        related_name="pathways",
        verbose_name=_("situation"),
    )
    scope = models.CharField(
        _("scope"), max_length=10, choices=PathwayScope.choices, default=PathwayScope.MUNICIPAL
    )
    municipalities = models.ManyToManyField(
        "places.Municipality",
        blank=True,
        related_name="pathways",
        verbose_name=_("municipalities"),
        help_text=_("Where the pathway applies. Empty for a national default."),
    )
    phase_preconception = models.BooleanField(_("before pregnancy"), default=False)
    phase_pregnancy = models.BooleanField(_("pregnancy"), default=False)
    phase_postnatal = models.BooleanField(_("after birth"), default=False)
    owner = optional_link(
        settings.AUTH_USER_MODEL, models.SET_NULL, _("owner"), related_name="owned_pathways"
    )
    last_reviewed_on = models.DateField(_("last reviewed"), default=timezone.localdate)
    current_version = optional_link(
        "PathwayVersion", models.SET_NULL, _("published version"), editable=False
    )
    external_key = models.CharField(
        _("import key"),
        max_length=100,
        blank=True,
        help_text=_("The key of this pathway in import files; re-importing updates it."),
    )
    is_demo = models.BooleanField(
        _("demo"), default=False, help_text=_("Example data, not a real pathway.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)

    objects = PathwayQuerySet.as_manager()

    class Meta:
        verbose_name = _("pathway")
        verbose_name_plural = _("pathways")
        ordering = ["situation__position", "situation__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_key"],
                condition=~Q(external_key=""),
                name="pathways_pathway_unique_key",
            ),
            models.CheckConstraint(
                condition=Q(phase_preconception=True)
                | Q(phase_pregnancy=True)
                | Q(phase_postnatal=True),
                name="pathways_pathway_has_phase",
            ),
        ]
        indexes = [
            models.Index(fields=["situation", "scope"], name="pathways_situation_scope"),
            models.Index(fields=["last_reviewed_on"], name="pathways_last_reviewed"),
            models.Index(fields=["updated_at"], name="pathways_updated_at"),
        ]

    def __str__(self) -> str:
        title = (
            self.current_version.title if self.current_version_id and self.current_version else ""
        )
        label = title or str(self.situation)
        return with_demo_mark(label, self.is_demo)

    @property
    def needs_review(self) -> bool:
        return self.last_reviewed_on < review_cutoff()

    @property
    def review_due_on(self) -> datetime.date:
        reviewed = self.last_reviewed_on
        try:
            return reviewed.replace(year=reviewed.year + 1)
        except ValueError:
            return reviewed.replace(year=reviewed.year + 1, day=28)


class PathwayVersion(models.Model):
    """The content of a pathway at one moment. Published versions are immutable."""

    pathway = models.ForeignKey(
        Pathway, models.CASCADE, related_name="versions", verbose_name=_("pathway")
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(
        _("introduction"), blank=True, help_text=_("When to use this pathway, in a few sentences.")
    )
    change_note = models.CharField(
        _("what changed"),
        max_length=500,
        blank=True,
        help_text=_("For the version history: what is different from the previous version."),
    )
    created_by = acting_user(_("created by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    published_by = acting_user(_("published by"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("pathway version")
        verbose_name_plural = _("pathway versions")
        ordering = ["pathway", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["pathway", "number"], name="pathways_version_number"),
            models.UniqueConstraint(
                fields=["pathway"],
                condition=Q(status="draft"),
                name="pathways_one_draft_per_pathway",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="pathways_published_has_date",
            ),
        ]

    _stored_status: str | None = None

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and self._stored_status == VersionStatus.PUBLISHED:
            raise VersionNotEditable()
        super().save(*args, **kwargs)
        self._stored_status = self.status

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self._stored_status == VersionStatus.PUBLISHED or self.is_published:
            raise VersionNotEditable()
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> PathwayVersion:
        instance = super().from_db(db, field_names, values)
        instance._stored_status = instance.__dict__.get("status")
        return instance

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def ordered_steps(self) -> list[PathwayStep]:
        """The steps as professionals see them: urgent safety steps first, then in order.

        Uses the prefetched ``steps`` when there are any (no extra query)."""
        return sorted(self.steps.all(), key=lambda step: step.display_key)


#: The fields of a step that an editor or an import writes, besides its position (the order
#: they give), its service and its key: the one list that the new draft's copy, the comparison of
#: two versions, the editor's form and the import's identity of a step follow.
STEP_CONTENT_FIELDS = ("kind", "title", "text", "tips")


class PathwayStep(models.Model):
    """One step of a pathway version."""

    version = models.ForeignKey(
        PathwayVersion, models.CASCADE, related_name="steps", verbose_name=_("version")
    )
    key = models.UUIDField(
        _("step key"),
        default=uuid.uuid4,
        editable=False,
        help_text=_("Stays the same when a new version copies the step, for comparisons."),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind of step"), max_length=15, choices=StepKind.choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("what to do"), blank=True)
    tips = models.TextField(
        _("conversation tips"), blank=True, help_text=_("How to bring it up with the family.")
    )
    service = optional_link(
        "directory.Service", models.PROTECT, _("service"), related_name="pathway_steps"
    )

    class Meta:
        verbose_name = _("pathway step")
        verbose_name_plural = _("pathway steps")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="pathways_step_position"),
            models.UniqueConstraint(fields=["version", "key"], name="pathways_step_key"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._version_is_published():
            raise VersionNotEditable()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self._version_is_published():
            raise VersionNotEditable()
        return super().delete(*args, **kwargs)

    def _version_is_published(self) -> bool:
        # Asks the database, not a cached version that another instance may have published.
        return PathwayVersion.objects.filter(
            pk=self.version_id, status=VersionStatus.PUBLISHED
        ).exists()

    @property
    def is_urgent(self) -> bool:
        return self.kind == StepKind.URGENT_SAFETY

    @property
    def display_key(self) -> tuple[int, int]:
        return (0 if self.is_urgent else 1, self.position)
