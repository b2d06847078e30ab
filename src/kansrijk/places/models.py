"""Reference data: municipalities (CBS 2025), their regions and the PC4 postcode areas.

Source: CBS (Centraal Bureau voor de Statistiek), CC BY 4.0; see data/README.md in this app.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kansrijk.core.fields import optional_link


class _Region(models.Model):
    """A CBS region that municipalities belong to: its code (each kind has its own form) and
    name."""

    name = models.CharField(_("name"), max_length=100)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Province(_Region):
    code = models.CharField(_("code"), max_length=4, primary_key=True)  # PV20 … PV31

    class Meta(_Region.Meta):
        verbose_name = _("province")
        verbose_name_plural = _("provinces")


class GGDRegion(_Region):
    code = models.CharField(_("code"), max_length=6, primary_key=True)  # GG0111

    class Meta(_Region.Meta):
        verbose_name = _("GGD region")
        verbose_name_plural = _("GGD regions")


class YouthCareRegion(_Region):
    code = models.CharField(_("code"), max_length=6, primary_key=True)  # JZ01

    class Meta(_Region.Meta):
        verbose_name = _("youth care region")
        verbose_name_plural = _("youth care regions")


class Municipality(models.Model):
    code = models.CharField(_("CBS code"), max_length=6, primary_key=True)  # GM0090
    name = models.CharField(_("name"), max_length=100, db_index=True)
    province = models.ForeignKey(
        Province, models.PROTECT, related_name="municipalities", verbose_name=_("province")
    )
    ggd_region = models.ForeignKey(
        GGDRegion, models.PROTECT, related_name="municipalities", verbose_name=_("GGD region")
    )
    youth_care_region = models.ForeignKey(
        YouthCareRegion,
        models.PROTECT,
        related_name="municipalities",
        verbose_name=_("youth care region"),
    )
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    area_km2 = models.FloatField(_("area (km²)"), null=True, blank=True)
    population_2021 = models.PositiveIntegerField(_("population 2021"), null=True, blank=True)
    population_0_4_2021 = models.PositiveIntegerField(
        _("population aged 0-4, 2021"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PostcodeArea(models.Model):
    """A four-digit postcode area (PC4) with the point used for distances."""

    code = models.CharField(_("postcode (PC4)"), max_length=4, primary_key=True)
    municipality = models.ForeignKey(
        Municipality, models.PROTECT, related_name="postcode_areas", verbose_name=_("municipality")
    )
    place_name = models.CharField(_("place"), max_length=100, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    coordinate_source = models.CharField(_("coordinate source"), max_length=40, blank=True)
    municipality_share = models.FloatField(_("share in municipality"), null=True, blank=True)
    second_municipality = optional_link(Municipality, models.PROTECT, _("second municipality"))
    population_2021 = models.PositiveIntegerField(_("population 2021"), null=True, blank=True)
    population_0_4_2021 = models.PositiveIntegerField(
        _("population aged 0-4, 2021"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("postcode area")
        verbose_name_plural = _("postcode areas")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None
