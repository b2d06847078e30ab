"""Self-assessment of a coalition: instruments (the Analysetool, the Zelfscan, the Checklist
regionale samenwerking), rounds in which partners answer them, and their anonymous answers.

- An ``Instrument`` is the identity (``code``, e.g. ``analysetool``); an ``InstrumentVersion``
  is one imported document (``kansrijk.assessments.documents``) with its scale, ``Part`` and
  ``Statement`` rows. A version never changes once imported: a changed text is imported as a new
  version, and a round keeps the version it was opened with.
- A ``Round`` asks one coalition to answer one instrument version before a closing date.
  ``Invitation`` says who is asked: a user (of a member organisation) or a person without an
  account, who gets a personal link (only a hash of its token is stored).
- A ``Response`` holds one respondent's ``Answer`` rows. It carries no user, invitation, name or
  time: ``respondent_key`` is a keyed hash (HMAC with the secret key) of the invitation, so the
  app can find a respondent's own answers again (to replace them) while nobody — coordinator,
  analyst, administrator — can see who gave which answer, and a copy of the database holds no
  column that links the two (keys are random, so not even the order of answering shows).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kansrijk.core.fields import acting_user, optional_link
from kansrijk.core.models import UUIDModel, with_demo_mark


class InstrumentKind(models.TextChoices):
    COALITION = "coalition", _("Coalition (analysis of the local approach)")
    PROFESSIONAL = "professional", _("Professional (self-scan)")
    REGIONAL = "regional", _("Regional (checklist)")


class Instrument(models.Model):
    """An assessment instrument, by its stable code; its content lives in versions."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=InstrumentKind.choices)
    current_version = optional_link(
        "InstrumentVersion", models.SET_NULL, _("newest version"), editable=False
    )

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InstrumentVersion(models.Model):
    """One imported version of an instrument. Never changed after the import."""

    instrument = models.ForeignKey(
        Instrument, models.CASCADE, related_name="versions", verbose_name=_("instrument")
    )
    number = models.PositiveIntegerField(
        _("number"), help_text=_("1 for the first version imported, then 2, 3, …")
    )
    version = models.CharField(
        _("version"), max_length=40, help_text=_("The version as the document names it.")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    scale_min = models.SmallIntegerField(_("lowest score"))
    scale_max = models.SmallIntegerField(_("highest score"))
    scale_labels = models.JSONField(_("labels of the scale"), default=list)
    allow_unknown = models.BooleanField(_("“don't know” allowed"), default=True)
    is_example = models.BooleanField(
        _("example text"),
        default=False,
        help_text=_("The statements are example text written for Kansrijk, not the official text."),
    )
    source = models.TextField(_("source"), blank=True)
    document = models.JSONField(_("document"), help_text=_("The document as imported."))
    checksum = models.CharField(_("checksum"), max_length=64, editable=False)
    imported_at = models.DateTimeField(_("imported"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("instrument version")
        verbose_name_plural = _("instrument versions")
        ordering = ["instrument", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "number"], name="assessments_version_number"
            ),
            models.UniqueConstraint(
                fields=["instrument", "version"], name="assessments_version_label"
            ),
            models.CheckConstraint(
                condition=Q(scale_max__gt=models.F("scale_min")),
                name="assessments_version_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"

    @property
    def scale_values(self) -> list[int]:
        return list(range(self.scale_min, self.scale_max + 1))

    @property
    def scale_choices(self) -> list[tuple[int, str]]:
        labels = list(self.scale_labels)
        return [(value, str(labels[i])) for i, value in enumerate(self.scale_values)]

    def label_for(self, value: int) -> str:
        index = value - self.scale_min
        labels = list(self.scale_labels)
        return str(labels[index]) if 0 <= index < len(labels) else str(value)


class Part(models.Model):
    version = models.ForeignKey(
        InstrumentVersion, models.CASCADE, related_name="parts", verbose_name=_("version")
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=300)
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("part")
        verbose_name_plural = _("parts")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="assessments_part_code"),
        ]

    def __str__(self) -> str:
        return self.name


class Statement(models.Model):
    version = models.ForeignKey(
        InstrumentVersion, models.CASCADE, related_name="statements", verbose_name=_("version")
    )
    part = models.ForeignKey(
        Part, models.CASCADE, related_name="statements", verbose_name=_("part")
    )
    code = models.CharField(_("code"), max_length=40)
    text = models.TextField(_("text"))
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="assessments_statement_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text}"


# --- Rounds ------------------------------------------------------------------------------------


class RoundQuerySet(models.QuerySet["Round"]):
    def of_coalitions(self, coalitions: Any) -> RoundQuerySet:
        return self.filter(coalition__in=coalitions)


class Round(models.Model):
    """A coalition answers one instrument version until the closing date."""

    coalition = models.ForeignKey(
        "coalitions.Coalition",
        models.CASCADE,
        related_name="assessment_rounds",
        verbose_name=_("coalition"),
    )
    instrument_version = models.ForeignKey(
        InstrumentVersion, models.PROTECT, related_name="rounds", verbose_name=_("instrument")
    )
    title = models.CharField(_("title"), max_length=200)
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    closes_on = models.DateField(
        _("closes on"), help_text=_("The last day on which answers are accepted.")
    )
    closed_at = models.DateTimeField(
        _("closed early"), null=True, blank=True, help_text=_("When the coordinator closed it.")
    )
    created_by = acting_user(_("opened by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    is_demo = models.BooleanField(_("demo"), default=False)
    # The answers the results were last computed from, without anyone's name or order
    # (kansrijk.assessments.selectors.shown_answers): while a round is open its results move
    # only when at least the threshold of new respondents has answered, so that comparing
    # the results before and after cannot reveal one person's answers.
    published_answers = models.JSONField(
        _("answers in the results"), null=True, blank=True, editable=False
    )

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment round")
        verbose_name_plural = _("assessment rounds")
        ordering = ["-opened_on", "-id"]
        indexes = [
            models.Index(fields=["coalition", "opened_on"], name="assessments_round_coalition"),
        ]

    def __str__(self) -> str:
        return with_demo_mark(self.title, self.is_demo)

    def is_open(self, today: datetime.date | None = None) -> bool:
        return self.closed_at is None and (today or timezone.localdate()) <= self.closes_on

    @property
    def is_closed(self) -> bool:
        return not self.is_open()


class Invitation(models.Model):
    """Who is asked to answer a round: a user, or a person without an account (a personal link).

    Only the SHA-256 of a link's token is stored; the link itself is shown once to the
    coordinator and sent by e-mail. A link works until the answers are sent in or it expires.
    """

    round = models.ForeignKey(
        Round, models.CASCADE, related_name="invitations", verbose_name=_("round")
    )
    user = optional_link(
        settings.AUTH_USER_MODEL, models.CASCADE, _("user"), related_name="assessment_invitations"
    )
    name = models.CharField(
        _("name"), max_length=150, blank=True, help_text=_("For a person without an account.")
    )
    email = models.EmailField(_("email address"), blank=True)
    organisation = optional_link("accounts.Organisation", models.SET_NULL, _("organisation"))
    token_hash = models.CharField(_("link"), max_length=64, blank=True, editable=False)
    expires_at = models.DateTimeField(_("link expires"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answers sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("invited"), default=timezone.now, editable=False)
    is_demo = models.BooleanField(_("demo"), default=False)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "user"],
                condition=Q(user__isnull=False),
                name="assessments_invitation_user",
            ),
            models.UniqueConstraint(
                fields=["token_hash"],
                condition=~Q(token_hash=""),
                name="assessments_invitation_token",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(token_hash=""),
                name="assessments_invitation_user_or_link",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.user_id is not None and self.user is not None:
            return self.user.get_full_name() or self.user.username
        # Erased after the round (kansrijk.assessments.retention).
        return self.name or str(_("invitee without an account (name erased)"))

    @property
    def is_link(self) -> bool:
        return self.user_id is None

    @property
    def has_responded(self) -> bool:
        return self.responded_at is not None

    def link_is_usable(self, now: datetime.datetime | None = None) -> bool:
        """A personal link works until the answers are sent in, it expires or the round closes."""
        now = now or timezone.now()
        return (
            self.is_link
            and self.responded_at is None
            and self.expires_at is not None
            and now < self.expires_at
            and self.round.is_open(timezone.localdate(now))
        )


class Response(UUIDModel):
    """One respondent's answers to a round: no user, invitation, name or time (see the module
    docstring). ``submitted`` is false while the respondent has only saved them. Its key is
    random (``UUIDModel``): a sequential id would tell the order in which respondents answered."""

    round = models.ForeignKey(
        Round, models.CASCADE, related_name="responses", verbose_name=_("round")
    )
    respondent_key = models.CharField(_("respondent key"), max_length=64, editable=False)
    submitted = models.BooleanField(_("sent in"), default=False)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "respondent_key"], name="assessments_response_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round}: {_('response')}"


class Answer(UUIDModel):
    """A score on the instrument's scale, or "don't know" (``value`` empty), and a comment."""

    response = models.ForeignKey(
        Response, models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    statement = models.ForeignKey(
        Statement, models.PROTECT, related_name="answers", verbose_name=_("statement")
    )
    value = models.SmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "statement"], name="assessments_answer_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement.code}: {'?' if self.value is None else self.value}"
