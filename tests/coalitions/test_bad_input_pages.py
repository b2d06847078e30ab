"""Bad input on the workspace's edit pages that test_pages.py does not cover: changing an
improvement action, and an agreement's text fields and dates. A 400 with the form, nothing
changed, no history written."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kansrijk.coalitions import services
from kansrijk.coalitions.models import ActionChange, Agreement, ContactPerson, ImprovementAction
from tests.coalitions.conftest import closes
from tests.conftest import _login_verified as login

pytestmark = pytest.mark.django_db


def make_action(ws: Any) -> ImprovementAction:
    return services.create_action(
        user=ws.coordinator,
        coalition=ws.coalition,
        data=services.ActionInput(
            title="Kennismaking", due_on=closes(), organisation=ws.orgs["gemeente"]
        ),
    )


@pytest.mark.parametrize(
    "change",
    [
        {"title": ""},
        {"title": "x" * 201},
        {"due_on": "2027-02-30"},
        {"due_on": ""},
        {"status": "weg"},
        {"organisation": "999999"},
        {"statements": ["abc"]},
        {"pathways": ["999999"]},
        {"person": "x" * 151},
        {"note": "x" * 501},
    ],
)
def test_changing_an_action_with_bad_input_changes_nothing(
    client: Client, workspace: Any, change: dict[str, Any]
) -> None:
    action = make_action(workspace)
    before = ActionChange.objects.count()
    login(client, workspace.coordinator)
    data = {
        "title": "Kennismaking",
        "due_on": closes().isoformat(),
        "status": "open",
        "organisation": workspace.orgs["gemeente"].pk,
        **change,
    }
    url = reverse("coalitions:action", args=[workspace.coalition.pk, action.pk])
    assert client.post(url, data).status_code == 400
    assert ActionChange.objects.count() == before
    fresh = ImprovementAction.objects.get(pk=action.pk)
    assert (fresh.title, fresh.status, fresh.due_on) == (action.title, "open", action.due_on)


def test_the_analyst_cannot_change_an_action(client: Client, workspace: Any) -> None:
    action = make_action(workspace)
    login(client, workspace.analyst)
    url = reverse("coalitions:action", args=[workspace.coalition.pk, action.pk])
    response = client.post(url, {"title": "Anders", "due_on": closes().isoformat()})
    assert response.status_code == 403
    assert ImprovementAction.objects.get(pk=action.pk).title == "Kennismaking"


@pytest.mark.parametrize(
    "change",
    [
        {"title": ""},
        {"title": "x" * 201},
        {"review_on": "morgen"},
        {"agreed_on": "2027-13-01"},
        {"parties": ["999999"]},
    ],
)
def test_agreements_with_bad_input_change_nothing(
    client: Client, workspace: Any, change: dict[str, Any]
) -> None:
    login(client, workspace.coordinator)
    data = {"title": "Convenant", "review_on": timezone.localdate().isoformat(), **change}
    url = reverse("coalitions:agreement_new", args=[workspace.coalition.pk])
    assert client.post(url, data).status_code == 400
    assert not Agreement.objects.exists()


@pytest.mark.parametrize("value", ["abc", "1.5", "", "-3", "99999999999999999999999"])
def test_removing_a_contact_that_is_no_number_changes_nothing(
    client: Client, workspace: Any, value: str
) -> None:
    """A contact to remove is named by its number; anything else is a 404, not a crash."""
    member = workspace.coalition.members.get(organisation=workspace.orgs["midwives"])
    contact = services.add_contact(
        user=workspace.coordinator, member=member, data=services.ContactInput(name="Anna")
    )
    login(client, workspace.coordinator)
    url = reverse("coalitions:member", args=[workspace.coalition.pk, member.pk])
    response = client.post(url, {"form": "remove-contact", "contact": value})
    assert response.status_code == 404
    assert ContactPerson.objects.filter(pk=contact.pk).exists()


@pytest.mark.parametrize("value", ["abc", "1.5", "-3", "99999999999999999999999", "1e3"])
def test_a_new_action_from_a_round_that_is_no_number(
    client: Client, workspace: Any, value: str
) -> None:
    """``?ronde=`` prefills a new action from a result; a value that names no round of the
    coalition prefills nothing (and the page still works)."""
    login(client, workspace.coordinator)
    url = reverse("coalitions:action_new", args=[workspace.coalition.pk])
    response = client.get(url, {"ronde": value, "stelling": "P01"})
    assert response.status_code == 200
    assert response.context["form"].initial.get("round") is None
