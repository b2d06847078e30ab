"""The menukaart (intervention menu) of Kansrijke Start.

An intervention (e.g. Nu Niet Zwanger, VoorZorg, the JGZ prenatal home visit) belongs to one of
the three building blocks of the Pharos approach, applies to one or more phases, addresses
situations of the national catalogue (``kansrijk.situations``), has a recognition level on the
Dutch ladder of the databank of recognised interventions and is paid for under one or more laws.

*Where* an intervention is on offer is not a field: it follows from the services of the social
map that deliver it (``Intervention.services``, managed from the intervention side) and the
municipalities those services serve.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kansrijk.core.choices import choice_label
from kansrijk.core.phases import HasPhases
from kansrijk.situations.text import build_search_text


class BuildingBlock(models.IntegerChoices):
    """The three building blocks of a broad Kansrijke Start approach (Pharos, 2021)."""

    EARLY_START = 1, _("1. Early start: a healthy pregnancy")
    EARLY_SIGNALLING = 2, _("2. Early signalling, care and support")
    HEALTHY_GROWING_UP = 3, _("3. Growing up healthy")


class RecognitionLevel(models.TextChoices):
    """The ladder of the Dutch databank of recognised interventions, lowest first."""

    NOT_ASSESSED = "not_assessed", _("Not assessed")
    WELL_DESCRIBED = "well_described", _("Well described")
    WELL_FOUNDED = "well_founded", _("Well founded")
    EFFECTIVE_FIRST = "effective_first", _("Effective: first indications")
    EFFECTIVE_GOOD = "effective_good", _("Effective: good indications")
    EFFECTIVE_STRONG = "effective_strong", _("Effective: strong indications")


#: The rank of each level on the ladder (0 = not assessed), for "at least this level".
RECOGNITION_RANK: dict[str, int] = {
    level: rank for rank, level in enumerate(RecognitionLevel.values)
}


class FinancingLaw(models.TextChoices):
    """The laws an intervention can be paid from (Wegwijzer financiering Kansrijke Start)."""

    ZVW = "zvw", _("Zvw (Health Insurance Act)")
    WMO = "wmo", _("Wmo 2015 (Social Support Act)")
    JEUGDWET = "jeugdwet", _("Jeugdwet (Youth Act)")
    WPG = "wpg", _("Wpg (Public Health Act)")
    PARTICIPATIEWET = "participatiewet", _("Participatiewet (Participation Act)")
    OTHER = "other", _("Other financing")


class ProviderKind(models.TextChoices):
    MIDWIFE = "midwife", _("Midwife")
    YOUTH_HEALTH_CARE = "youth_health_care", _("Youth health care (JGZ)")
    PUBLIC_HEALTH_SERVICE = "public_health_service", _("Public health service (GGD)")
    GENERAL_PRACTITIONER = "general_practitioner", _("General practitioner")
    SOCIAL_DISTRICT_TEAM = "social_district_team", _("Social district team")
    VOLUNTEERS = "volunteers", _("Trained volunteers")
    SCHOOL = "school", _("School")
    ONLINE = "online", _("Online, to use yourself")
    VARIOUS = "various", _("Several kinds of professionals")
    OTHER = "other", _("Other")


class InterventionQuerySet(models.QuerySet["Intervention"]):
    def active(self) -> InterventionQuerySet:
        return self.filter(is_active=True)


class Intervention(models.Model, HasPhases):
    """One intervention of the menukaart."""

    slug = models.SlugField(
        _("code"),
        max_length=80,
        unique=True,
        help_text=_("Stable code used in links, e.g. nu-niet-zwanger."),
    )
    name = models.CharField(_("name"), max_length=200)
    alternate_names = models.JSONField(
        _("other names"),
        default=list,
        blank=True,
        help_text=_("Abbreviations and other names, for search."),
    )
    building_block = models.PositiveSmallIntegerField(
        _("building block"), choices=BuildingBlock.choices, db_index=True
    )
    phase_preconception = models.BooleanField(_("before pregnancy"), default=False)
    phase_pregnancy = models.BooleanField(_("pregnancy"), default=False)
    phase_postnatal = models.BooleanField(_("after birth"), default=False)
    target_group = models.TextField(_("target group"), blank=True)
    situations = models.ManyToManyField(
        "situations.Situation",
        blank=True,
        related_name="interventions",
        verbose_name=_("situations addressed"),
    )
    recognition = models.CharField(
        _("recognition level"),
        max_length=20,
        choices=RecognitionLevel.choices,
        default=RecognitionLevel.NOT_ASSESSED,
        db_index=True,
        help_text=_("The level in the Dutch databank of recognised interventions."),
    )
    recognition_source = models.CharField(
        _("source of the recognition level"),
        max_length=500,
        blank=True,
        help_text=_("Where the level comes from, e.g. a link to the databank."),
    )
    financing_laws = models.JSONField(
        _("financing"),
        default=list,
        blank=True,
        help_text=_("The laws it can be paid from."),
    )
    provider_kind = models.CharField(
        _("provider"), max_length=30, choices=ProviderKind.choices, default=ProviderKind.OTHER
    )
    description = models.TextField(_("description"), blank=True)
    url = models.URLField(_("website"), max_length=500, blank=True)
    source = models.CharField(
        _("source"), max_length=500, blank=True, help_text=_("Where these facts come from.")
    )
    services = models.ManyToManyField(
        "directory.Service",
        blank=True,
        related_name="interventions",
        verbose_name=_("services on the social map"),
        help_text=_("The services that deliver this intervention; they tell where it is on offer."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    # Name, other names, target group and description, normalised for search.
    search_text = models.TextField(_("search text"), blank=True, editable=False)

    objects = InterventionQuerySet.as_manager()

    class Meta:
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        ordering = ["name", "slug"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text", "updated_at"}
        super().save(*args, **kwargs)

    @property
    def code(self) -> str:
        """The same as ``slug`` (situations call their stable key ``code``)."""
        return self.slug

    def get_financing_laws_display(self) -> list[str]:
        return [choice_label(FinancingLaw, code) for code in self.financing_laws or []]

    @property
    def is_assessed(self) -> bool:
        return self.recognition != RecognitionLevel.NOT_ASSESSED

    def refresh_search_text(self) -> None:
        names = self.alternate_names if isinstance(self.alternate_names, list) else []
        self.search_text = build_search_text(
            [
                self.name,
                self.slug.replace("-", " "),
                *(str(n) for n in names),
                self.target_group,
                self.description,
            ]
        )

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        names = self.alternate_names
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            errors["alternate_names"] = _("Give the other names as a list.")
        laws = self.financing_laws
        if not isinstance(laws, list) or any(law not in FinancingLaw.values for law in laws):
            errors["financing_laws"] = _("Choose financing laws from the list.")
        if not self.phases:
            errors["phase_preconception"] = _("Choose at least one phase.")
        if errors:
            raise ValidationError(errors)
