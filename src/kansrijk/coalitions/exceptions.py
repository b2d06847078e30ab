"""Domain errors of the coalition's workspace (and of self-assessments, which build on it).
Messages are lazy translations: ``str(error)`` gives them in the active language; ``code`` is
stable for programs (the problem+json ``code``) and ``status`` is the HTTP status of the API."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class WorkspaceError(Exception):
    code = "coalitie-fout"
    status = 400
    default_message: str | Promise = _("Something went wrong in the coalition's workspace.")

    def __init__(self, message: str | Promise | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(self.message)

    def __str__(self) -> str:
        return str(self.message)


class NotFound(WorkspaceError, LookupError):
    code = "niet-gevonden"
    status = 404
    default_message = _("Not found, or you may not see it.")


class NotAllowed(WorkspaceError, PermissionError):
    code = "niet-toegestaan"
    status = 403
    default_message = _("Only the coalition's coordinator may do this.")


class InvalidInput(WorkspaceError, ValueError):
    """Input that breaks a rule. ``errors`` maps a field (or a statement code) to messages."""

    code = "ongeldige-invoer"
    default_message = _("The input is not valid.")

    def __init__(self, errors: dict[str, list[Any]], message: str | Promise | None = None) -> None:
        self.errors = errors
        super().__init__(message)

    @property
    def message_dict(self) -> dict[str, list[str]]:
        return {field: [str(m) for m in messages] for field, messages in self.errors.items()}
