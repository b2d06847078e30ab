"""Refused attempts on rounds leave an access-log record with the role the user actually holds
(and the purpose): a coordinator of another coalition, an analyst who is not invited, an editor
who is invited as a partner's user, a member who answers after closing — on the pages and in
the API."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kansrijk.assessments.models import Response
from kansrijk.audit.models import AccessEvent
from tests.assessments.test_api import ROUNDS, open_round, responses_path
from tests.coalitions.conftest import closes
from tests.conftest import _login_verified as login

pytestmark = pytest.mark.django_db

BODY = {"answers": {"P01": 4, "P02": None, "S01": 2}}
FORM = {"P01": "4", "P02": "unknown", "S01": "2", "send": "1"}


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def refusals() -> list[tuple[str, str, str]]:
    return list(
        AccessEvent.objects.filter(outcome="denied")
        .order_by("pk")
        .values_list("event_type", "role", "purpose")
    )


def test_another_coalitions_coordinator_is_refused_in_her_role(
    client: Client, workspace: Any
) -> None:
    round_ = open_round(workspace, [workspace.midwife])
    login(client, workspace.outsider)
    assert client.get(reverse("assessments:results", args=[round_.pk])).status_code == 404
    assert client.get(f"{ROUNDS}/{round_.pk}/results").status_code == 404
    assert post(client, responses_path(round_), BODY).status_code == 404
    opened = post(
        client,
        ROUNDS,
        {"coalition": workspace.coalition.pk, "instrument": "proef", "closes_on": str(closes())},
    )
    assert opened.status_code == 404
    logged = refusals()
    assert len(logged) == 4
    assert {(role, purpose) for _event, role, purpose in logged} == {
        ("coalition_coordinator", "coalition.assessment")
    }


def test_an_analyst_who_is_not_invited_is_refused_as_analyst(
    client: Client, workspace: Any
) -> None:
    round_ = open_round(workspace, [workspace.midwife])
    login(client, workspace.analyst)
    assert post(client, responses_path(round_), BODY).status_code == 403
    assert client.post(reverse("assessments:answer", args=[round_.pk]), FORM).status_code == 403
    assert [role for _event, role, _purpose in refusals()] == ["analyst", "analyst"]
    assert not Response.objects.exists()


def test_an_invited_editor_is_refused_the_results_as_editor(client: Client, workspace: Any) -> None:
    round_ = open_round(workspace, [workspace.editor, workspace.midwife])
    login(client, workspace.editor)
    assert client.get(reverse("assessments:results", args=[round_.pk])).status_code == 403
    assert client.get(f"{ROUNDS}/{round_.pk}/results").status_code == 403
    assert [role for _event, role, _purpose in refusals()] == [
        "coalition_editor",
        "coalition_editor",
    ]


def test_answers_after_closing_are_refused_and_logged_on_the_page_and_in_the_api(
    client: Client, workspace: Any
) -> None:
    round_ = open_round(workspace, [workspace.midwife], closes_on=closes(1))
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        login(client, workspace.midwife)
        page = client.post(reverse("assessments:answer", args=[round_.pk]), FORM)
        api = post(client, responses_path(round_), BODY)
    assert page.status_code == 302
    assert page["Location"] == reverse("assessments:mine")
    assert api.status_code == 409
    assert refusals() == [
        ("assessments.response.submit", "member", "coalition.assessment"),
        ("assessments.response.submit", "member", "coalition.assessment"),
    ]
    assert not Response.objects.exists()
