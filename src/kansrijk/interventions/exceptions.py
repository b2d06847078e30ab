"""Domain errors of the menukaart. ``kansrijk.core.errors`` says what their messages and codes
are."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kansrijk.core.errors import DomainError, UnknownValue


class InterventionsError(DomainError):
    code = "menukaart-fout"
    default_message = _("Something went wrong with the intervention menu.")


class UnknownIntervention(UnknownValue, InterventionsError, LookupError):
    code = "onbekende-interventie"
    value_message = _("%(value)s is not an intervention on the menu.")


class InvalidFilter(InterventionsError, ValueError):
    """A filter value that is not allowed. ``field`` names the filter."""

    code = "ongeldig-filter"

    def __init__(self, field: str, message: str | Promise) -> None:
        self.field = field
        super().__init__(message)


class MenukaartError(InterventionsError):
    """The menukaart file is missing or not valid (for operators; the message names the entry)."""

    code = "ongeldige-menukaart"
