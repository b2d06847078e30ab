"""The roles a user can hold, and which of them see client data (and so need two factors)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PROFESSIONAL = "professional", _("Professional")
    INTAKE_HANDLER = "intake_handler", _("Intake handler")
    COALITION_EDITOR = "coalition_editor", _("Coalition editor")
    COALITION_COORDINATOR = "coalition_coordinator", _("Coalition coordinator")
    ANALYST = "analyst", _("Analyst")
    ADMINISTRATOR = "administrator", _("Administrator")


#: Roles that see personal data of clients (referrals, the access log): NEN 7510 asks for
#: two-factor authentication before any such page is shown.
CLIENT_DATA_ROLES: frozenset[str] = frozenset(
    {Role.PROFESSIONAL, Role.INTAKE_HANDLER, Role.ADMINISTRATOR}
)

#: Roles whose scope is a set of municipalities (the coalition's area), not only an organisation.
MUNICIPALITY_SCOPED_ROLES: frozenset[str] = frozenset(
    {Role.COALITION_EDITOR, Role.COALITION_COORDINATOR, Role.ANALYST}
)
