"""Domain errors of the situations catalogue. ``kansrijk.core.errors`` says what their messages
and codes are."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kansrijk.core.errors import DomainError, UnknownValue
from kansrijk.core.phases import INVALID_PHASE_MESSAGE


class SituationsError(DomainError):
    code = "situaties-fout"
    default_message = _("Something went wrong with the situations catalogue.")


class UnknownSituation(UnknownValue, SituationsError, LookupError):
    """No (active) situation has this code."""

    code = "onbekende-situatie"
    value_message = _("%(value)s is not a known situation. Use a code such as geldzorgen or roken.")


class InvalidPhase(SituationsError, ValueError):
    code = "ongeldige-fase"
    default_message = INVALID_PHASE_MESSAGE


class InvalidKind(SituationsError, ValueError):
    code = "ongeldige-soort"
    default_message = _("Choose a kind: risk or protective.")


class UnknownDomain(UnknownValue, SituationsError, LookupError):
    code = "onbekend-levensdomein"
    value_message = _("%(value)s is not a known life domain. Use a code such as geld-en-werk.")


class CatalogueError(SituationsError):
    """The catalogue file is missing or not valid (for operators; the message names the entry)."""

    code = "ongeldige-catalogus"
