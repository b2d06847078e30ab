"""What an administrator administers: the organisations of their administrator roles and the
municipalities those organisations work in (plus any the role names itself).

The operator of the installation (a superuser) is limited by nothing; an administrator never
sees or changes anything outside this scope — in the admin, the access log or its export.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from kansrijk.accounts.roles import Role
from kansrijk.core.users import signed_in


class AdministrationScope:
    """The organisations (and, computed when first asked, the municipalities) an
    administrator administers; ``operator``: no limits."""

    def __init__(
        self,
        operator: bool,
        organisation_ids: frozenset[int],
        grant_ids: frozenset[int] = frozenset(),
    ) -> None:
        self.operator = operator
        self.organisation_ids = organisation_ids
        self._grant_ids = grant_ids

    @property
    def is_empty(self) -> bool:
        return not (self.operator or self.organisation_ids)

    @cached_property
    def municipality_codes(self) -> frozenset[str]:
        """The municipalities the organisations work in, and those the roles name."""
        if not self.organisation_ids:
            return frozenset()
        from kansrijk.accounts.models import Organisation, RoleAssignment

        of_organisations = Organisation.municipalities.through.objects.filter(
            organisation_id__in=self.organisation_ids
        ).values_list("municipality_id", flat=True)
        of_grants = RoleAssignment.municipalities.through.objects.filter(
            roleassignment_id__in=self._grant_ids
        ).values_list("municipality_id", flat=True)
        return frozenset(of_organisations.union(of_grants))


NOTHING = AdministrationScope(False, frozenset())
EVERYTHING = AdministrationScope(True, frozenset())


def administration_scope(user: Any) -> AdministrationScope:
    """The scope of ``user`` (cached on the user object for the request; one query)."""
    if not signed_in(user) or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return EVERYTHING
    cached: AdministrationScope | None = getattr(user, "_administration_scope", None)
    if cached is not None:
        return cached
    from kansrijk.accounts.models import RoleAssignment

    grants = list(
        RoleAssignment.objects.filter(user_id=user.pk, role=Role.ADMINISTRATOR).values_list(
            "pk", "organisation_id"
        )
    )
    organisation_ids = frozenset(
        org for _pk, organisation_id in grants if (org := organisation_id or user.organisation_id)
    )
    scope = AdministrationScope(False, organisation_ids, frozenset(pk for pk, _org in grants))
    user._administration_scope = scope
    return scope
