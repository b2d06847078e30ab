"""Who may do what in a coalition's workspace.

- The **coalition coordinator** (kartrekker) of a coalition runs it: members and agreements,
  assessment rounds, improvement actions, client journeys; she sees the referral network and
  who has answered a round (never what).
- The **analyst** of a coalition reads: results, actions, journeys, the referral network. Not
  the contact persons, and not who answered.
- The **coalition editor** sees the actions linked to the pathways she maintains (on the
  pathway's page), and the coalitions in the API.
- A **member**: a user of a member organisation answers the rounds she is invited to.

Belonging to a coalition in a role follows ``Coalition.objects.with_member`` (the role
assignment's municipalities, or the coalition's lead organisation). A coalition a user has no
part in does not exist for her (404), so its name and id do not leak.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from kansrijk.accounts.roles import Role
from kansrijk.coalitions.models import Coalition, Member
from kansrijk.core.users import signed_in


def _ids(user: Any, role: str) -> set[int]:
    return set(Coalition.objects.with_member(user, role).values_list("pk", flat=True))


def organisation_ids(user: Any) -> set[int]:
    """The organisations ``user`` works for: her own and those of her role assignments."""
    if not signed_in(user):
        return set()
    ids = set(
        user.role_assignments.exclude(organisation=None).values_list("organisation_id", flat=True)
    )
    if user.organisation_id:
        ids.add(user.organisation_id)
    return ids


@dataclass(frozen=True)
class Access:
    """What one user may do in one coalition."""

    coalition: Coalition
    coordinates: bool
    analyses: bool
    edits: bool
    is_member: bool

    @property
    def reads_workspace(self) -> bool:
        return self.coordinates or self.analyses

    @property
    def role(self) -> str:
        """The role the user acts in here (for the access log)."""
        if self.coordinates:
            return Role.COALITION_COORDINATOR.value
        if self.analyses:
            return Role.ANALYST.value
        if self.edits:
            return Role.COALITION_EDITOR.value
        return "member" if self.is_member else ""

    @property
    def roles(self) -> list[str]:
        roles = []
        if self.coordinates:
            roles.append(Role.COALITION_COORDINATOR.value)
        if self.analyses:
            roles.append(Role.ANALYST.value)
        if self.edits:
            roles.append(Role.COALITION_EDITOR.value)
        if self.is_member:
            roles.append("member")
        return roles


class UserAccess:
    """The coalitions of one user, worked out once per request (four small queries)."""

    def __init__(self, user: Any) -> None:
        self.user = user
        authenticated = signed_in(user)
        self.coordinated = _ids(user, Role.COALITION_COORDINATOR) if authenticated else set()
        self.analysed = _ids(user, Role.ANALYST) if authenticated else set()
        self.edited = _ids(user, Role.COALITION_EDITOR) if authenticated else set()
        orgs = organisation_ids(user) if authenticated else set()
        self.membered = (
            set(
                Member.objects.filter(organisation_id__in=orgs).values_list(
                    "coalition_id", flat=True
                )
            )
            if orgs
            else set()
        )

    @property
    def all_ids(self) -> set[int]:
        return self.coordinated | self.analysed | self.edited | self.membered

    @property
    def workspace_ids(self) -> set[int]:
        return self.coordinated | self.analysed

    def access(self, coalition: Coalition) -> Access:
        pk = coalition.pk
        return Access(
            coalition=coalition,
            coordinates=pk in self.coordinated,
            analyses=pk in self.analysed,
            edits=pk in self.edited,
            is_member=pk in self.membered,
        )

    def coalitions(self) -> QuerySet[Coalition]:
        return Coalition.objects.filter(pk__in=self.all_ids).order_by("name")

    def workspaces(self) -> QuerySet[Coalition]:
        return Coalition.objects.filter(pk__in=self.workspace_ids).order_by("name")


def user_access(user: Any) -> UserAccess:
    """``UserAccess`` for ``user``, kept on the user object for the rest of the request."""
    cached: UserAccess | None = getattr(user, "_coalition_access", None)
    if cached is None:
        cached = UserAccess(user)
        if user is not None:
            with contextlib.suppress(AttributeError):
                user._coalition_access = cached
    return cached


def forget(user: Any) -> None:
    """Drop the cached access (after a change of members in the same request)."""
    if hasattr(user, "_coalition_access"):
        del user._coalition_access


def access_for(user: Any, coalition_id: Any) -> Access | None:
    """The user's access to coalition ``coalition_id``; ``None`` when she has no part in it
    (or it does not exist): show 404."""
    try:
        pk = int(coalition_id)
    except (TypeError, ValueError):
        return None
    access = user_access(user)
    if pk not in access.all_ids:
        return None
    coalition = Coalition.objects.filter(pk=pk).first()
    return access.access(coalition) if coalition is not None else None


def is_workspace_user(user: Any) -> bool:
    """Whether the user has the coordinator or analyst role at all (for the menu)."""
    return signed_in(user) and (
        user.has_role(Role.COALITION_COORDINATOR) or user.has_role(Role.ANALYST)
    )
