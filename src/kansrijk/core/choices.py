"""Helpers for the apps' choices (Django's ``TextChoices`` and ``IntegerChoices``)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["VersionStatus", "choice_label"]


class VersionStatus(models.TextChoices):
    """Where a version of published content stands (a pathway's version, a signalling rule set or
    guide): a draft that its editors may change, or published and never changed again."""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


def choice_label(choices: type[models.Choices], value: Any) -> str:
    """The name of ``value`` among ``choices`` in the active language; ``value`` itself (as
    text) when it is none of them, e.g. a code stored before the choice was dropped."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)
