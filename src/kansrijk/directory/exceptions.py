"""Domain errors of the social map. ``kansrijk.core.errors`` says what their messages and codes
are."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kansrijk.core.errors import DomainError, InputError, NotPermitted, UnknownValue


class DirectoryError(DomainError):
    code = "sociale-kaart-fout"
    default_message = _("Something went wrong in the social map.")


class UnknownCategory(UnknownValue, DirectoryError, LookupError):
    code = "onbekende-categorie"
    value_message = _("%(value)s is not a known category.")


class InvalidSearch(DirectoryError, ValueError):
    code = "ongeldige-zoekvraag"


class EditNotAllowed(NotPermitted, DirectoryError):
    default_message = _("You may not edit this service.")


class InvalidServiceData(InputError, DirectoryError, ValueError):
    """Input for a service that breaks a rule. ``errors`` maps a field to its messages."""

    code = "ongeldige-dienst"
    default_message = _("The service data is not valid.")
