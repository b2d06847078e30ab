"""The self-assessment API: opening rounds, answering, results — the access rules of the pages,
problem+json for bad input, nothing cached."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from kansrijk.assessments import services
from kansrijk.assessments.models import Response, Round
from kansrijk.assessments.services import AnswerInput
from kansrijk.audit.models import AccessEvent
from tests.coalitions.conftest import closes
from tests.conftest import _login_verified as login_verified

pytestmark = pytest.mark.django_db

ROUNDS = "/api/v1/assessment-rounds"


def api(client: Client, user: Any) -> Client:
    """Logged in, with the second factor passed (professionals and intake handlers need it)."""
    return login_verified(client, user)


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def open_round(ws: Any, people: list[Any] | None = None, **kwargs: Any) -> Round:
    round_, _links = services.open_round(
        user=ws.coordinator,
        coalition=ws.coalition,
        instrument_version=ws.instrument,
        closes_on=kwargs.pop("closes_on", closes()),
        respondents=people,
        **kwargs,
    )
    return round_


def answer(ws: Any, round_: Round, user: Any, p01: int = 4) -> None:
    services.answer_as_user(
        user=user,
        round_=round_,
        answers={"P01": AnswerInput(p01), "P02": AnswerInput(None), "S01": AnswerInput(3)},
        submit=True,
    )


def test_instruments(client: Client, workspace: Any) -> None:
    assert client.get("/api/v1/instruments").status_code in {401, 403}
    response = api(client, workspace.midwife).get("/api/v1/instruments")
    assert response.status_code == 200
    (instrument,) = response.json()
    assert instrument["code"] == "proef"
    assert instrument["is_example"] is True
    assert instrument["scale"] == {
        "min": 1,
        "max": 5,
        "labels": ["helemaal niet", "niet", "neutraal", "wel", "helemaal wel"],
        "allow_unknown": True,
    }
    assert [p["code"] for p in instrument["parts"]] == ["problematiek", "samenwerking"]
    assert instrument["parts"][0]["statements"][0] == {
        "code": "P01",
        "text": "We kennen de cijfers.",
    }
    assert "no-store" in response["Cache-Control"]


def test_the_coordinator_opens_a_round(client: Client, workspace: Any) -> None:
    response = post(
        api(client, workspace.coordinator),
        ROUNDS,
        {"coalition": workspace.coalition.pk, "instrument": "proef", "closes_on": str(closes())},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    round_ = Round.objects.get(pk=body["id"])
    assert body["invited"] == 6 == round_.invitations.count()
    assert body["instrument"] == "proef"
    assert response["Location"] == f"{ROUNDS}/{round_.pk}"
    chosen = post(
        client,
        ROUNDS,
        {
            "coalition": workspace.coalition.pk,
            "instrument": "proef",
            "closes_on": str(closes()),
            "respondents": ["verloskundige", "jgz", "welzijn", "redacteur"],
            "title": "Voorjaar",
        },
    )
    assert chosen.status_code == 201
    assert chosen.json()["invited"] == 4
    assert chosen.json()["title"] == "Voorjaar"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"instrument": "bestaat-niet"}, "instrument"),
        ({"closes_on": "2020-01-01"}, "closes_on"),
        ({"closes_on": "morgen"}, "closes_on"),
        ({"respondents": ["verloskundige", "medewerker.rotterdam"]}, "respondents"),
        ({"respondents": ["niemand"]}, "respondents"),
        ({"respondents": "verloskundige"}, "respondents"),
        ({"coalition": "een"}, "coalition"),
        ({"title": "x" * 201}, "title"),
    ],
)
def test_bad_rounds_are_refused_with_a_problem(
    client: Client, workspace: Any, body: dict[str, Any], field: str
) -> None:
    data = {"coalition": workspace.coalition.pk, "instrument": "proef", "closes_on": str(closes())}
    response = post(api(client, workspace.coordinator), ROUNDS, {**data, **body})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]
    assert not Round.objects.exists()


@pytest.mark.parametrize("body", ["[]", "null", "{", "[" * 100 + "]" * 100, '{"coalition": {}}'])
def test_bodies_that_are_not_a_round(client: Client, workspace: Any, body: str) -> None:
    response = api(client, workspace.coordinator).post(
        ROUNDS, body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert not Round.objects.exists()


def test_only_the_coordinator_opens_and_others_do_not_see_the_coalition(
    client: Client, workspace: Any
) -> None:
    data = {"coalition": workspace.coalition.pk, "instrument": "proef", "closes_on": str(closes())}
    assert post(api(client, workspace.analyst), ROUNDS, data).status_code == 403
    assert post(api(client, workspace.outsider), ROUNDS, data).status_code == 404
    assert (
        post(api(client, workspace.coordinator), ROUNDS, {**data, "coalition": 999999}).status_code
        == 404
    )
    assert not Round.objects.exists()
    assert (
        AccessEvent.objects.filter(event_type="assessments.round.create", outcome="denied").count()
        == 3
    )


def responses_path(round_: Round) -> str:
    return f"{ROUNDS}/{round_.pk}/responses"


def test_answering_once_then_replacing(client: Client, workspace: Any) -> None:
    round_ = open_round(workspace, [workspace.midwife])
    body = {"answers": {"P01": 4, "P02": None, "S01": 2}, "comments": {"S01": "Nog niet."}}
    first = post(api(client, workspace.midwife), responses_path(round_), body)
    assert first.status_code == 201, first.json()
    assert first.json() == {"round": round_.pk, "submitted": True, "replaced": False}
    again = post(client, responses_path(round_), {"answers": {"P01": 5, "P02": 1, "S01": 2}})
    assert again.status_code == 200
    assert again.json()["replaced"] is True
    assert Response.objects.filter(round=round_).count() == 1
    assert "no-store" in first["Cache-Control"]


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"P01": 6, "P02": None, "S01": 2}, "answers.P01"),
        ({"P01": 0, "P02": None, "S01": 2}, "answers.P01"),
        ({"P01": 3, "P02": None, "S01": 2, "X9": 1}, "answers.X9"),
        ({"P01": 3, "S01": 2}, "answers.P02"),
        ({"P01": True, "P02": None, "S01": 2}, "answers.P01"),
        ({"P01": "drie", "P02": None, "S01": 2}, "answers.P01"),
        ({"P01": 2.5, "P02": None, "S01": 2}, "answers.P01"),
        ({}, "answers"),
    ],
)
def test_bad_answers_are_refused(client: Client, workspace: Any, answers: Any, field: str) -> None:
    round_ = open_round(workspace, [workspace.midwife])
    response = post(api(client, workspace.midwife), responses_path(round_), {"answers": answers})
    assert response.status_code == 400, response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"], response.json()
    assert not Response.objects.exists()


def test_answers_after_closing_or_by_others_are_refused(client: Client, workspace: Any) -> None:
    round_ = open_round(workspace, [workspace.midwife], closes_on=closes(1))
    body = {"answers": {"P01": 4, "P02": None, "S01": 2}}
    # A member user who is not invited, and a coordinator of the coalition who is not invited.
    assert post(api(client, workspace.jgz), responses_path(round_), body).status_code == 404
    assert post(api(client, workspace.coordinator), responses_path(round_), body).status_code == 403
    assert post(api(client, workspace.outsider), responses_path(round_), body).status_code == 404
    assert post(api(client, workspace.midwife), f"{ROUNDS}/abc/responses", body).status_code == 404
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        closed = post(api(client, workspace.midwife), responses_path(round_), body)
    assert closed.status_code == 409
    assert closed.json()["code"] == "ronde-gesloten"
    assert not Response.objects.exists()


def test_results_appear_from_the_threshold(client: Client, workspace: Any) -> None:
    people = [workspace.midwife, workspace.jgz, workspace.welfare]
    round_ = open_round(workspace, people)
    path = f"{ROUNDS}/{round_.pk}/results"
    for person in people[:2]:
        answer(workspace, round_, person)
    below = api(client, workspace.coordinator).get(path).json()
    assert below["respondents"] == 2
    assert below["threshold"] == 3
    assert below["suppressed"] is True
    for part in below["parts"]:
        assert part["n"] is None
        assert part["mean"] is None
        for statement in part["statements"]:
            assert {k: v for k, v in statement.items() if k != "code"} == dict.fromkeys(
                ["n", "unknown", "mean", "median", "spread", "distribution", "previous_mean"]
            )
    answer(workspace, round_, people[2], p01=1)
    shown = api(client, workspace.analyst).get(path).json()
    assert shown["suppressed"] is False
    p01 = shown["parts"][0]["statements"][0]
    assert p01["code"] == "P01"
    assert p01["n"] == 3
    assert p01["mean"] == 3.0
    assert p01["median"] == 4.0
    assert p01["distribution"] == {"1": 1, "2": 0, "3": 0, "4": 2, "5": 0}
    p02 = shown["parts"][0]["statements"][1]
    assert p02["n"] == 0
    assert p02["unknown"] == 3
    assert p02["mean"] is None
    assert shown["parts"][0]["n"] == 3
    assert (
        AccessEvent.objects.filter(
            event_type="assessments.results.view", object_id=str(round_.pk), outcome="success"
        ).count()
        == 2
    )


def test_results_are_for_the_coordinator_and_analysts(client: Client, workspace: Any) -> None:
    round_ = open_round(workspace, [workspace.midwife])
    path = f"{ROUNDS}/{round_.pk}/results"
    assert api(client, workspace.midwife).get(path).status_code == 403
    assert api(client, workspace.editor).get(path).status_code == 404
    assert api(client, workspace.outsider).get(path).status_code == 404


def test_results_wait_for_closing_when_so_configured(
    client: Client, workspace: Any, settings: Any
) -> None:
    settings.ASSESSMENT_RESULTS_WHILE_OPEN = False
    people = [workspace.midwife, workspace.jgz, workspace.welfare]
    round_ = open_round(workspace, people)
    for person in people:
        answer(workspace, round_, person)
    body = api(client, workspace.coordinator).get(f"{ROUNDS}/{round_.pk}/results").json()
    assert body["suppressed"] is True
    assert body["respondents"] == 3
    services.close_round(user=workspace.coordinator, round_=round_)
    assert client.get(f"{ROUNDS}/{round_.pk}/results").json()["suppressed"] is False
