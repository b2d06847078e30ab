"""The version number of each kind of data (see ``kansrijk.core.freshness``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataVersion(models.Model):
    """One row per kind of data (``freshness.KINDS``), its number raised after every write."""

    kind = models.CharField(_("kind of data"), max_length=40, primary_key=True)
    version = models.BigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self) -> str:
        return f"{self.kind} {self.version}"
