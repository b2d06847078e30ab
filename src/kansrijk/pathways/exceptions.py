"""Domain errors of the pathways app. ``kansrijk.core.errors`` says what their messages and
codes are."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kansrijk.core.errors import DomainError, InputError, NotPermitted, UnknownValue


class PathwayError(DomainError):
    code = "zorgpad-fout"
    default_message = _("Something went wrong with the pathway.")


class VersionNotEditable(PathwayError):
    """A published version was about to change. Start a new draft instead."""

    code = "versie-gepubliceerd"
    default_message = _("A published version cannot be changed. Start a new draft to make changes.")


class EditNotAllowed(NotPermitted, PathwayError):
    default_message = _("You may only change the pathways of your own coalition.")


class InvalidPathway(InputError, PathwayError, ValueError):
    """Input that breaks a rule. ``errors`` maps a field (or ``steps``) to its messages."""

    code = "ongeldig-zorgpad"
    default_message = _("The pathway is not valid.")


class InvalidPhase(UnknownValue, PathwayError, ValueError):
    code = "onbekende-fase"
    value_message = _("%(value)s is not a phase. Use preconception, pregnancy or postnatal.")
