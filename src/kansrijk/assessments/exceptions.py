"""Domain errors of self-assessments (see ``kansrijk.coalitions.exceptions`` for the base and
the errors both apps share)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kansrijk.coalitions.exceptions import InvalidInput, NotAllowed, NotFound, WorkspaceError

__all__ = [
    "InvalidInput",
    "LinkNotUsable",
    "NotAllowed",
    "NotInvited",
    "RoundClosed",
    "RoundNotFound",
]


class RoundNotFound(NotFound):
    code = "ronde-niet-gevonden"
    default_message = _("No round with this id, or you may not see it.")


class NotInvited(WorkspaceError, PermissionError):
    code = "niet-uitgenodigd"
    status = 403
    default_message = _("You are not invited to answer this round.")


class RoundClosed(WorkspaceError):
    code = "ronde-gesloten"
    status = 409
    default_message = _("This round is closed: answers are no longer accepted.")


class LinkNotUsable(WorkspaceError):
    code = "link-niet-geldig"
    status = 404
    default_message = _(
        "This link does not work (any more): it has been used, it has expired or the round is "
        "closed. Ask the coordinator of the coalition for a new one."
    )
