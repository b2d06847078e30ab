"""The vocabularies of the parent pages that parents see (sections, cost stages and kinds,
units, translation status). Kept apart from the models so that the parents app's catalogues in
the parent-only languages need these labels, not the editors' field names and help texts
(``scripts/messages.py``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Section(models.TextChoices):
    PRECONCEPTION = "preconception", _("Thinking about a child")
    PREGNANCY = "pregnancy", _("Pregnant")
    POSTNATAL = "postnatal", _("After the birth")
    SUPPORT = "support", _("Money, stress and safety")


class TranslationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CHECKED = "checked", _("Checked by a native speaker")


class CostStage(models.TextChoices):
    TRYING = "trying", _("Trying to get pregnant")
    PREGNANCY = "pregnancy", _("Pregnancy")
    BIRTH = "birth", _("The birth")
    MATERNITY = "maternity", _("Maternity week")
    AFTER = "after", _("After the birth")


class CostKind(models.TextChoices):
    INSURED = "insured", _("Paid by the basic insurance")
    DEDUCTIBLE = "deductible", _("Counts towards the deductible")
    OWN_CONTRIBUTION = "own_contribution", _("You pay part yourself")
    ALLOWANCE = "allowance", _("Money you can get")


class CostUnit(models.TextChoices):
    YEAR = "year", _("per year")
    QUARTER = "quarter", _("per quarter")
    MONTH = "month", _("per month")
    HOUR = "hour", _("per hour")
    DAY = "day", _("per day")
    ONCE = "once", _("once")
