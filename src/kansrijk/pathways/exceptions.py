"""Domain errors of the pathways app. Messages are lazy translations: ``str(error)`` gives them in
the active language; ``code`` is stable for programs (and the problem+json ``code``)."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class PathwayError(Exception):
    code = "zorgpad-fout"
    default_message: str | Promise = _("Something went wrong with the pathway.")

    def __init__(self, message: str | Promise | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(self.message)

    def __str__(self) -> str:
        return str(self.message)


class VersionNotEditable(PathwayError):
    """A published version was about to change. Start a new draft instead."""

    code = "versie-gepubliceerd"
    default_message = _("A published version cannot be changed. Start a new draft to make changes.")


class EditNotAllowed(PathwayError, PermissionError):
    code = "niet-toegestaan"
    default_message = _("You may only change the pathways of your own coalition.")


class InvalidPathway(PathwayError, ValueError):
    """Input that breaks a rule. ``errors`` maps a field (or ``steps``) to its messages."""

    code = "ongeldig-zorgpad"
    default_message = _("The pathway is not valid.")

    def __init__(self, errors: dict[str, list[Any]], message: str | Promise | None = None) -> None:
        self.errors = errors
        super().__init__(message)

    @property
    def message_dict(self) -> dict[str, list[str]]:
        return {field: [str(m) for m in messages] for field, messages in self.errors.items()}

    @property
    def messages(self) -> list[str]:
        return [message for messages in self.message_dict.values() for message in messages]


class UnknownMunicipality(PathwayError, LookupError):
    code = "onbekende-gemeente"

    def __init__(self, value: str) -> None:
        self.value = value
        super().__init__(
            _("%(value)s is not a municipality. Use a CBS code such as GM0090.") % {"value": value}
        )


class InvalidPhase(PathwayError, ValueError):
    code = "onbekende-fase"

    def __init__(self, value: str) -> None:
        self.value = value
        super().__init__(
            _("%(value)s is not a phase. Use preconception, pregnancy or postnatal.")
            % {"value": value}
        )
