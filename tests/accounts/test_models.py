from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from kansrijk.accounts.models import RoleAssignment
from kansrijk.accounts.roles import CLIENT_DATA_ROLES, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(Role))
def test_two_factor_is_required_exactly_for_roles_that_see_client_data(role):
    user = UserFactory(roles=[role])
    assert user.requires_two_factor is (role in CLIENT_DATA_ROLES)


def test_staff_always_needs_two_factors():
    user = UserFactory(is_staff=True)
    assert user.requires_two_factor


def test_role_needs_an_organisation():
    user = UserFactory(organisation=None)
    assignment = RoleAssignment(user=user, role=Role.PROFESSIONAL)
    with pytest.raises(ValidationError) as excinfo:
        assignment.full_clean()
    assert "organisation" in excinfo.value.message_dict


def test_municipality_scope(places):
    from kansrijk.places.models import Municipality

    user = UserFactory(roles=[Role.COALITION_EDITOR])
    assignment = user.role_assignments.get()
    assignment.municipalities.set(Municipality.objects.filter(code__in=["GM0090", "GM0599"]))
    assert assignment.is_municipality_scoped
    assert set(assignment.municipalities.values_list("code", flat=True)) == {"GM0090", "GM0599"}


def test_the_municipalities_of_role_assignments(places):
    from kansrijk.places.models import Municipality

    user = UserFactory(roles=[Role.COALITION_EDITOR, Role.ANALYST])
    editing = user.role_assignments.get(role=Role.COALITION_EDITOR)
    editing.municipalities.set(Municipality.objects.filter(code__in=["GM0090", "GM0599"]))
    user.role_assignments.get(role=Role.ANALYST).municipalities.set(["GM0363"])
    other = UserFactory(roles=[Role.COALITION_EDITOR])
    other.role_assignments.get().municipalities.set(["GM0344"])

    mine = RoleAssignment.objects.filter(user=user)
    assert set(mine.municipality_codes()) == {"GM0090", "GM0599", "GM0363"}
    as_editor = mine.filter(role=Role.COALITION_EDITOR).municipality_codes()
    assert set(as_editor) == {"GM0090", "GM0599"}
    # As a subquery, in one query.
    assert set(Municipality.objects.filter(code__in=as_editor).values_list("code", flat=True)) == {
        "GM0090",
        "GM0599",
    }
    assert not RoleAssignment.objects.none().municipality_codes().exists()
