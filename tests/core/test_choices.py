"""``core.choices.choice_label``: a choice's name in the active language, or the stored value."""

from __future__ import annotations

from django.utils import translation

from kansrijk.accounts.roles import Role
from kansrijk.core.choices import choice_label
from kansrijk.interventions.models import BuildingBlock


def test_the_name_of_a_choice_in_the_active_language() -> None:
    with translation.override("en"):
        assert choice_label(Role, "analyst") == "Analyst"
        assert choice_label(BuildingBlock, 1) == "1. Early start: a healthy pregnancy"
    with translation.override("nl"):
        assert choice_label(Role, Role.ANALYST) == str(Role.ANALYST.label)
        assert choice_label(Role, "analyst") != "Analyst"


def test_a_value_that_is_no_choice_is_shown_as_it_is() -> None:
    assert choice_label(Role, "dropped_role") == "dropped_role"
    assert choice_label(BuildingBlock, 9) == "9"
    assert choice_label(Role, ["not", "hashable"]) == "['not', 'hashable']"
