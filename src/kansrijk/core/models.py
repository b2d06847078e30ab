"""The version number of each kind of data (see ``kansrijk.core.freshness``), and the abstract
bases that the apps' models share."""

from __future__ import annotations

import uuid

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


class UUIDModel(models.Model):
    """A model whose primary key is a random UUID: it tells nothing of how many rows there are
    or in which order they came, and another system can hold it (the HSDS ``id`` of the social
    map, the id of a referral in FHIR)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


def with_demo_mark(label: str, is_demo: bool) -> str:
    """How a row names itself: ``label``, followed by ``(demo)`` when it is example data
    (``is_demo``), so that nobody takes it for real."""
    return f"{label} (demo)" if is_demo else label
