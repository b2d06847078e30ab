"""Nobody's answers can be worked out by comparing results (issue 15, point 3: "the coordinator
sees who has responded, never what"). The coordinator sees who has answered; results that
followed every answer would give away, by comparing them just before and just after, what that
one person answered. So an open round's results move in steps of at least the threshold of
respondents, a changed answer waits for the next step, and after closing fewer new answers
than the threshold stay out."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kansrijk.accounts.models import User
from kansrijk.assessments import services
from kansrijk.assessments.models import Round
from kansrijk.assessments.selectors import shown_answers
from kansrijk.assessments.services import AnswerInput
from tests.assessments.test_api import ROUNDS, api, open_round
from tests.coalitions.conftest import make_user

pytestmark = pytest.mark.django_db


def people(ws: Any, n: int) -> list[User]:
    return [make_user(f"partner{i}", ws.orgs["welfare"]) for i in range(n)]


def answer(round_: Round, user: User, p01: int, comment: str = "") -> None:
    services.answer_as_user(
        user=user,
        round_=round_,
        answers={"P01": AnswerInput(p01, comment), "P02": AnswerInput(4), "S01": AnswerInput(3)},
        submit=True,
    )


def results(client: Client, round_: Round) -> dict[str, Any]:
    response = client.get(f"{ROUNDS}/{round_.pk}/results")
    assert response.status_code == 200
    return dict(response.json())


def p01(data: dict[str, Any]) -> dict[str, Any]:
    return dict(data["parts"][0]["statements"][0])


def test_an_open_rounds_results_move_only_in_steps_of_the_threshold(
    client: Client, workspace: Any
) -> None:
    group = people(workspace, 7)
    round_ = open_round(workspace, group)
    coordinator = api(client, workspace.coordinator)
    for user in group[:3]:
        answer(round_, user, p01=2)
    first = results(coordinator, round_)
    assert (first["respondents"], first["answered"], first["held_back"]) == (3, 3, False)
    assert p01(first)["distribution"] == {"1": 0, "2": 3, "3": 0, "4": 0, "5": 0}

    # The fourth and fifth answer: the figures stay those of the first three.
    answer(round_, group[3], p01=5, comment="Alleen ik vind dit.")
    answer(round_, group[4], p01=5)
    held = results(coordinator, round_)
    assert (held["respondents"], held["answered"], held["held_back"]) == (3, 5, True)
    assert held["parts"] == first["parts"]
    page = coordinator.get(reverse("assessments:results", args=[round_.pk])).content.decode()
    assert "Alleen ik vind dit." not in page
    assert "5 respondents have sent in answers by now." in page

    # The sixth: three new respondents since the last step, the results take them in.
    answer(round_, group[5], p01=5)
    stepped = results(coordinator, round_)
    assert (stepped["respondents"], stepped["answered"], stepped["held_back"]) == (6, 6, False)
    assert p01(stepped)["distribution"] == {"1": 0, "2": 3, "3": 0, "4": 0, "5": 3}
    page = coordinator.get(reverse("assessments:results", args=[round_.pk])).content.decode()
    assert "Alleen ik vind dit." in page
    # The charts' notes explain this page's marks, not the monitor's "< 10".
    assert "fewer than 3 respondents gave a score" in page
    assert "fewer than 10 people" not in page

    # A changed answer waits for the next step, as a new one does; the analyst sees the same.
    answer(round_, group[0], p01=1)
    changed = results(api(client, workspace.analyst), round_)
    assert (changed["respondents"], changed["answered"], changed["held_back"]) == (6, 6, True)
    assert changed["parts"] == stepped["parts"]

    # Closed with one more respondent than the last step: that one stays out.
    answer(round_, group[6], p01=1)
    services.close_round(user=workspace.coordinator, round_=round_)
    closed = results(api(client, workspace.coordinator), round_)
    assert (closed["respondents"], closed["answered"], closed["held_back"]) == (6, 7, True)
    assert closed["parts"] == stepped["parts"]
    page = client.get(reverse("assessments:results", args=[round_.pk])).content.decode()
    assert "stay out of them" in page
    export = client.get(reverse("assessments:export", args=[round_.pk]))
    summary = load_workbook(io.BytesIO(export.content))["Summary"]
    rows = {row[0]: row[1] for row in summary.iter_rows(values_only=True)}
    assert rows["Respondents"] == 6
    assert str(rows["Held back"]).startswith("7 respondents have sent in answers by now")


def test_a_round_nobody_looked_at_while_open_shows_every_answer_once_closed(
    client: Client, workspace: Any
) -> None:
    group = people(workspace, 4)
    round_ = open_round(workspace, group)
    for user in group:
        answer(round_, user, p01=3)
    services.close_round(user=workspace.coordinator, round_=round_)
    data = results(api(client, workspace.coordinator), round_)
    assert (data["respondents"], data["answered"], data["held_back"]) == (4, 4, False)


def test_enough_new_answers_after_the_last_step_are_all_shown_once_closed(
    client: Client, workspace: Any
) -> None:
    group = people(workspace, 6)
    round_ = open_round(workspace, group)
    coordinator = api(client, workspace.coordinator)
    for user in group[:3]:
        answer(round_, user, p01=2)
    assert results(coordinator, round_)["respondents"] == 3
    for user in group[3:]:
        answer(round_, user, p01=4)
    services.close_round(user=workspace.coordinator, round_=round_)
    data = results(coordinator, round_)
    assert (data["respondents"], data["answered"], data["held_back"]) == (6, 6, False)


def test_the_kept_answers_name_nobody_and_keep_no_order(workspace: Any) -> None:
    group = people(workspace, 3)
    round_ = open_round(workspace, group)
    for i, user in enumerate(group):
        answer(round_, user, p01=5 - i, comment=f"Opmerking {2 - i}")
    shown_answers(round_)
    round_.refresh_from_db()
    kept = round_.published_answers
    assert kept["responses"] == sorted(
        kept["responses"], key=lambda r: json.dumps(r, sort_keys=True)
    )
    assert [r["P01"] for r in kept["responses"]] == [3, 4, 5]
    assert kept["comments"] == {"P01": ["Opmerking 0", "Opmerking 1", "Opmerking 2"]}
    assert set(kept) == {"responses", "comments"}
    assert not any(user.username in json.dumps(kept) for user in group)
