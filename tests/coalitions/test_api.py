"""The coalition API: the user's coalitions with her roles, and the improvement actions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from kansrijk.assessments import services as assessments
from kansrijk.audit.models import AccessEvent
from kansrijk.coalitions.models import ImprovementAction
from tests.coalitions.conftest import closes
from tests.conftest import _login_verified as login

pytestmark = pytest.mark.django_db


def actions_path(ws: Any) -> str:
    return f"/api/v1/coalitions/{ws.coalition.pk}/actions"


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def test_the_users_coalitions_with_her_roles(client: Client, workspace: Any) -> None:
    assert client.get("/api/v1/coalitions").status_code in {401, 403}
    login(client, workspace.coordinator)
    body = client.get("/api/v1/coalitions").json()
    assert [c["name"] for c in body] == ["Kansrijke Start Smallingerland"]
    assert body[0]["roles"] == ["coalition_coordinator", "member"]
    assert body[0]["municipalities"] == [{"code": "GM0090", "name": "Smallingerland"}]
    login(client, workspace.midwife)
    assert [c["roles"] for c in client.get("/api/v1/coalitions").json()] == [["member"]]
    login(client, workspace.outsider)
    assert [c["name"] for c in client.get("/api/v1/coalitions").json()] == [
        "Kansrijke Start Rotterdam"
    ]


def test_making_and_listing_actions(client: Client, workspace: Any) -> None:
    round_, _links = assessments.open_round(
        user=workspace.coordinator,
        coalition=workspace.coalition,
        instrument_version=workspace.instrument,
        closes_on=closes(),
        respondents=[workspace.midwife],
    )
    login(client, workspace.coordinator)
    response = post(
        client,
        actions_path(workspace),
        {
            "title": "Cijfers bespreken",
            "due_on": "2027-03-01",
            "round": round_.pk,
            "statements": ["P01"],
            "organisation": workspace.orgs["gemeente"].pk,
            "person": "Anna",
            "indicator_codes": ["vroeggeboorte"],
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["statements"] == ["P01"]
    assert body["status"] == "open"
    assert body["overdue"] is False
    assert body["organisation_name"] == "Gemeente Smallingerland"
    listing = client.get(actions_path(workspace))
    assert [a["title"] for a in listing.json()] == ["Cijfers bespreken"]
    assert "no-store" in listing["Cache-Control"]
    login(client, workspace.analyst)
    assert client.get(actions_path(workspace)).status_code == 200
    refused = post(client, actions_path(workspace), {"title": "x", "due_on": "2027-01-01"})
    assert refused.status_code == 403
    listed = AccessEvent.objects.filter(event_type="coalitions.action.list", outcome="success")
    assert listed.count() == 2


def test_who_may_not_write_is_refused_before_the_body_is_read(
    client: Client, workspace: Any
) -> None:
    """A member who is not the coordinator gets 403 and a refusal record, whatever she sends:
    the right is checked first, so a broken body tells her nothing and is logged as refused."""
    login(client, workspace.analyst)
    for body in ("{not json", json.dumps({"title": "x"})):
        response = client.post(actions_path(workspace), body, content_type="application/json")
        assert response.status_code == 403, response.content
    assert AccessEvent.objects.filter(outcome="denied").count() == 2
    assert not ImprovementAction.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"due_on": "2027-01-01"}, "title"),
        ({"title": "x"}, "due_on"),
        ({"title": "x", "due_on": "2027-01-01", "status": "klaar"}, "status"),
        ({"title": "x", "due_on": "2027-01-01", "statements": ["X9"]}, "statements"),
        ({"title": "x", "due_on": "2027-01-01", "pathways": [999999]}, "pathways"),
        (
            {
                "title": "x",
                "due_on": "2027-01-01",
                "services": ["00000000-0000-0000-0000-000000000000"],
            },
            "services",
        ),
        ({"title": "x", "due_on": "2027-01-01", "services": ["geen-uuid"]}, "services.0"),
        ({"title": "x", "due_on": "2027-01-01", "round": 999999}, "round"),
        ({"title": "x", "due_on": "2027-01-01", "organisation": 999999}, "organisation"),
        (
            {"title": "x", "due_on": "2027-01-01", "indicator_codes": ["Geen Code"]},
            "indicator_codes",
        ),
    ],
)
def test_bad_actions_are_refused(
    client: Client, workspace: Any, body: dict[str, Any], field: str
) -> None:
    login(client, workspace.coordinator)
    response = post(client, actions_path(workspace), body)
    assert response.status_code == 400, response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"], response.json()
    assert not ImprovementAction.objects.exists()


def test_another_coalitions_actions_do_not_exist(client: Client, workspace: Any) -> None:
    login(client, workspace.outsider)
    assert client.get(actions_path(workspace)).status_code == 404
    body = {"title": "x", "due_on": "2027-01-01"}
    assert post(client, actions_path(workspace), body).status_code == 404
    assert client.get("/api/v1/coalitions/abc/actions").status_code == 404
    login(client, workspace.editor)
    assert client.get(actions_path(workspace)).status_code == 403
    assert AccessEvent.objects.filter(outcome="denied").count() == 4
