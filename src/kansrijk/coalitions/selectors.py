"""Reads of coalitions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from kansrijk.accounts.roles import Role
from kansrijk.coalitions.models import Coalition
from kansrijk.places.models import Municipality

__all__ = ["coalition_members", "coalitions_for_editor", "municipalities_of"]


def coalitions_for_editor(user: Any) -> QuerySet[Coalition]:
    """The coalitions whose pathways ``user`` may change (an administrator: those inside
    their administration scope)."""
    return Coalition.objects.editable_by(user).order_by("name")


def coalition_members(coalition: Coalition, role: str = Role.COALITION_EDITOR) -> QuerySet[Any]:
    """The active users who belong to ``coalition`` in ``role`` (the reverse of
    ``Coalition.objects.with_member``)."""
    user_model = get_user_model()
    in_area = Q(
        role_assignments__role=role,
        role_assignments__municipalities__in=coalition.municipalities.all(),
    )
    condition = in_area
    if coalition.lead_organisation_id:
        condition |= Q(
            role_assignments__role=role,
            role_assignments__organisation_id=coalition.lead_organisation_id,
        ) | Q(
            role_assignments__role=role,
            role_assignments__organisation__isnull=True,
            organisation_id=coalition.lead_organisation_id,
        )
    return (
        user_model.objects.filter(condition, is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def municipalities_of(coalitions: QuerySet[Coalition] | list[Coalition]) -> QuerySet[Municipality]:
    """The municipalities of these coalitions, by name."""
    return (
        Municipality.objects.filter(coalitions__in=coalitions).distinct().order_by("name", "code")
    )
