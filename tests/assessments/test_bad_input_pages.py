"""Bad input on the self-assessment pages: a clear message (status 400, or a refusal for a
step that is not allowed) and nothing changed. The API's bad input is in test_api.py, the
answer form's in test_pages.py."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kansrijk.assessments import services
from kansrijk.assessments.models import Invitation, Response, Round
from kansrijk.assessments.services import AnswerInput
from tests.coalitions.conftest import closes
from tests.conftest import _login_verified as login

pytestmark = pytest.mark.django_db

NO_LINKS = {"links-TOTAL_FORMS": "0", "links-INITIAL_FORMS": "0"}


def good_round(ws: Any) -> dict[str, Any]:
    return {
        "instrument_version": ws.instrument.pk,
        "closes_on": closes().isoformat(),
        "respondents": [ws.midwife.pk],
        **NO_LINKS,
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"instrument_version": ""}, "This field is required."),
        ({"instrument_version": "999999"}, "Select a valid choice."),
        ({"closes_on": ""}, "This field is required."),
        ({"closes_on": "31-02-2027"}, "Enter a valid date."),
        ({"closes_on": "2000-01-01"}, ""),
        ({"closes_on": "2099-01-01"}, ""),
        ({"title": "x" * 201}, "at most 200 characters"),
        ({"respondents": ["abc"]}, ""),
        ({"links-TOTAL_FORMS": "1", "links-0-name": "", "links-0-email": "a@b.nl"}, ""),
        ({"links-TOTAL_FORMS": "1", "links-0-name": "Ingrid", "links-0-email": "geen"}, ""),
        ({"links-TOTAL_FORMS": "x"}, ""),
    ],
)
def test_opening_a_round_with_bad_input_changes_nothing(
    client: Client, workspace: Any, change: dict[str, Any], message: str
) -> None:
    login(client, workspace.coordinator)
    url = reverse("assessments:round_new", args=[workspace.coalition.pk])
    response = client.post(url, {**good_round(workspace), **change})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Round.objects.exists()
    assert not Invitation.objects.exists()


def test_a_respondent_of_another_coalition_is_refused(client: Client, workspace: Any) -> None:
    login(client, workspace.coordinator)
    url = reverse("assessments:round_new", args=[workspace.coalition.pk])
    response = client.post(
        url, {**good_round(workspace), "respondents": [workspace.outsider_member.pk]}
    )
    assert response.status_code == 400
    assert not Round.objects.exists()


def open_round(ws: Any) -> Round:
    round_, _links = services.open_round(
        user=ws.coordinator,
        coalition=ws.coalition,
        instrument_version=ws.instrument,
        closes_on=closes(),
        respondents=[ws.midwife],
    )
    return round_


@pytest.mark.parametrize(
    "data",
    [
        {"respondents": ["abc"], **NO_LINKS},
        {"respondents": ["999999"], **NO_LINKS},
        {"links-TOTAL_FORMS": "1", "links-INITIAL_FORMS": "0", "links-0-email": "geen"},
        {"links-TOTAL_FORMS": "1", "links-INITIAL_FORMS": "0", "links-0-organisation": "x"},
    ],
)
def test_inviting_with_bad_input_changes_nothing(
    client: Client, workspace: Any, data: dict[str, Any]
) -> None:
    round_ = open_round(workspace)
    login(client, workspace.coordinator)
    response = client.post(reverse("assessments:invite", args=[round_.pk]), data)
    assert response.status_code == 400
    assert round_.invitations.count() == 1


def test_an_answered_invitation_cannot_be_withdrawn(client: Client, workspace: Any) -> None:
    round_ = open_round(workspace)
    services.answer_as_user(
        user=workspace.midwife,
        round_=round_,
        answers={"P01": AnswerInput(3), "P02": AnswerInput(3), "S01": AnswerInput(3)},
        submit=True,
    )
    invitation = round_.invitations.get()
    login(client, workspace.coordinator)
    url = reverse("assessments:withdraw", args=[round_.pk, invitation.pk])
    page = client.post(url, follow=True).content.decode()
    assert "already" in page or "answered" in page
    assert Invitation.objects.filter(pk=invitation.pk).exists()
    assert Response.objects.count() == 1
    # Someone else's invitation number, and a member who tries: refused, nothing changed.
    assert client.post(reverse("assessments:withdraw", args=[round_.pk, 999999])).status_code == 404
    login(client, workspace.midwife)
    assert client.post(url).status_code in (403, 404)
    assert client.post(reverse("assessments:close", args=[round_.pk])).status_code in (403, 404)
    round_.refresh_from_db()
    assert round_.closed_at is None


def test_bad_answers_through_a_personal_link_change_nothing(client: Client, workspace: Any) -> None:
    _round, links = services.open_round(
        user=workspace.coordinator,
        coalition=workspace.coalition,
        instrument_version=workspace.instrument,
        closes_on=closes(),
        respondents=[],
        link_invitees=[services.LinkInvitee(name="Ingrid")],
    )
    for data in (
        {"s-P01": "9", "send": "1"},
        {"s-P01": "x", "save": "1"},
        {"s-P01": "3", "c-P01": "x" * 2001, "save": "1"},
    ):
        assert client.post(links[0].path, data).status_code == 400
    assert not Response.objects.exists()
    assert client.post("/zelfevaluatie/link/geen-token/", {"s-P01": "3"}).status_code == 404
