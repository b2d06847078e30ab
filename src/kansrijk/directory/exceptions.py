"""Domain errors of the social map. Messages are lazy translations: ``str(error)`` gives them in the
active language; ``code`` is stable for programs (and the problem+json ``code``)."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DirectoryError(Exception):
    code = "sociale-kaart-fout"
    default_message: str | Promise = _("Something went wrong in the social map.")

    def __init__(self, message: str | Promise | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(self.message)

    def __str__(self) -> str:
        return str(self.message)


class UnknownMunicipality(DirectoryError, LookupError):
    code = "onbekende-gemeente"

    def __init__(self, value: str) -> None:
        self.value = value
        super().__init__(
            _("%(value)s is not a municipality. Use a CBS code such as GM0090.") % {"value": value}
        )


class UnknownCategory(DirectoryError, LookupError):
    code = "onbekende-categorie"

    def __init__(self, value: str) -> None:
        self.value = value
        super().__init__(_("%(value)s is not a known category.") % {"value": value})


class InvalidSearch(DirectoryError, ValueError):
    code = "ongeldige-zoekvraag"


class EditNotAllowed(DirectoryError, PermissionError):
    code = "niet-toegestaan"
    default_message = _("You may not edit this service.")


class InvalidServiceData(DirectoryError, ValueError):
    """Input for a service that breaks a rule. ``errors`` maps a field to its messages."""

    code = "ongeldige-dienst"
    default_message = _("The service data is not valid.")

    def __init__(self, errors: dict[str, list[Any]]) -> None:
        self.errors = errors
        super().__init__()

    @property
    def message_dict(self) -> dict[str, list[str]]:
        return {
            field: [str(message) for message in messages] for field, messages in self.errors.items()
        }
