"""The roles a user can hold, and which of them see client data (and so need two factors)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from kansrijk.core.choices import choice_label
from kansrijk.core.users import signed_in


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

#: What the access log records as the role of the installation's operator (a superuser, who
#: holds no grant and is scoped to nothing). Not a role anyone can be given.
OPERATOR = "operator"
OPERATOR_LABEL = _("Operator (superuser)")


def primary_role(user: Any) -> str:
    """The role ``user`` acts in where no grant decides it (e.g. a refused attempt): the
    operator for a superuser, else the first of their roles in the order of ``Role``; ``""``
    for a user without roles (or no user)."""
    if not signed_in(user):
        return ""
    if user.is_superuser:
        return OPERATOR
    codes = user.role_codes
    return next((role.value for role in Role if role.value in codes), "")


def administrative_role(user: Any) -> str:
    """The role in which ``user`` administers: the operator for a superuser, administrator for
    a holder of that role, else ``""``."""
    if not signed_in(user):
        return ""
    if user.is_superuser:
        return OPERATOR
    return Role.ADMINISTRATOR.value if user.has_role(Role.ADMINISTRATOR) else ""


def role_label(code: str) -> str:
    """The name of a role (or of the operator) in the current language; the code itself when
    it is neither."""
    if code == OPERATOR:
        return str(OPERATOR_LABEL)
    return choice_label(Role, code)
