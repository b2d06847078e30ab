"""Helpers for the apps' choices (Django's ``TextChoices`` and ``IntegerChoices``)."""

from __future__ import annotations

from typing import Any

from django.db import models

__all__ = ["choice_label"]


def choice_label(choices: type[models.Choices], value: Any) -> str:
    """The name of ``value`` among ``choices`` in the active language; ``value`` itself (as
    text) when it is none of them, e.g. a code stored before the choice was dropped."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)
