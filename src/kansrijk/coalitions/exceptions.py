"""Domain errors of the coalition's workspace (and of self-assessments, which build on it).
Messages are lazy translations: ``str(error)`` gives them in the active language; ``code`` is
stable for programs (the problem+json ``code``) and ``status`` is the HTTP status of the API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kansrijk.core.errors import DomainError, InputError, NotPermitted


class WorkspaceError(DomainError):
    code = "coalitie-fout"
    status = 400
    default_message = _("Something went wrong in the coalition's workspace.")


class NotFound(WorkspaceError, LookupError):
    code = "niet-gevonden"
    status = 404
    default_message = _("Not found, or you may not see it.")


class NotAllowed(NotPermitted, WorkspaceError):
    status = 403
    default_message = _("Only the coalition's coordinator may do this.")


class InvalidInput(InputError, WorkspaceError, ValueError):
    """Input that breaks a rule. ``errors`` maps a field (or a statement code) to messages."""

    code = "ongeldige-invoer"
    default_message = _("The input is not valid.")
