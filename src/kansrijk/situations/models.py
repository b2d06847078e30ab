"""The shared vocabulary of Kansrijke Start: phases, life domains, risk and protective factors.

A national catalogue edited as data (admin, loader), never in code or migrations. Codes are
stable slugs (``geldzorgen``, ``roken``, ``huiselijk-geweld``) that other modules refer to:
pathways are per situation, signalling ticks factors, interventions address situations, and
the social map's need categories share the codes.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kansrijk.core.phases import PHASE_FIELDS, HasPhases
from kansrijk.situations.text import build_search_text


class FactorKind(models.TextChoices):
    RISK = "risk", _("Risk factor")
    PROTECTIVE = "protective", _("Protective factor")


class LifeDomain(models.Model):
    """A life domain of the broad conversation (e.g. money and work, health, relations)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("life domain")
        verbose_name_plural = _("life domains")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class SituationQuerySet(models.QuerySet["Situation"]):
    def active(self) -> SituationQuerySet:
        return self.filter(is_active=True)

    def risks(self) -> SituationQuerySet:
        return self.filter(kind=FactorKind.RISK)

    def protective(self) -> SituationQuerySet:
        return self.filter(kind=FactorKind.PROTECTIVE)

    def for_phase(self, phase: str) -> SituationQuerySet:
        """Situations that apply in ``phase``. Raises ``InvalidPhase`` for an unknown phase."""
        if phase not in PHASE_FIELDS:
            from kansrijk.situations.exceptions import InvalidPhase

            raise InvalidPhase()
        return self.filter(**{PHASE_FIELDS[phase]: True})


class Situation(models.Model, HasPhases):
    """A risk factor (a vulnerable situation, such as money worries) or a protective factor."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=FactorKind.choices, db_index=True)
    domain = models.ForeignKey(
        LifeDomain, models.PROTECT, related_name="situations", verbose_name=_("life domain")
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Plain language (B1).")
    )
    synonyms = models.JSONField(
        _("synonyms"), default=list, blank=True, help_text=_("Other words people use, for search.")
    )
    phase_preconception = models.BooleanField(_("before pregnancy"), default=True)
    phase_pregnancy = models.BooleanField(_("pregnancy"), default=True)
    phase_postnatal = models.BooleanField(_("after birth"), default=True)
    need_category = models.SlugField(
        _("need category"),
        max_length=60,
        blank=True,
        help_text=_("Code of the social map's need category for services that help here."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    source = models.CharField(
        _("source"), max_length=250, blank=True, help_text=_("Where this factor comes from.")
    )
    # Name, code and synonyms, normalised for search (see kansrijk.situations.text).
    search_text = models.TextField(_("search text"), blank=True, editable=False)

    objects = SituationQuerySet.as_manager()

    class Meta:
        verbose_name = _("situation")
        verbose_name_plural = _("situations")
        ordering = ["domain__position", "position", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"name", "code", "synonyms"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    @property
    def is_risk(self) -> bool:
        return self.kind == FactorKind.RISK

    def refresh_search_text(self) -> None:
        synonyms = self.synonyms if isinstance(self.synonyms, list) else []
        self.search_text = build_search_text(
            [self.name, self.code.replace("-", " "), *(str(s) for s in synonyms)]
        )

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        if not isinstance(self.synonyms, list) or not all(
            isinstance(s, str) for s in self.synonyms
        ):
            errors["synonyms"] = _("Give the synonyms as a list of words.")
        if not self.phases:
            errors["phase_preconception"] = _("Choose at least one phase.")
        if errors:
            raise ValidationError(errors)
