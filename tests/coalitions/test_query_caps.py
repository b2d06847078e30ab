"""Query-count caps of the workspace's pages and API: a cap per view, and the same number of
queries with many more partners, contact persons, actions, touchpoints and answers (no query
per row). The respondents' pages (their questionnaires, answering with an account and through
a personal link) have caps of their own."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kansrijk.accounts.models import Organisation
from kansrijk.assessments import services as assessments
from kansrijk.assessments.models import Round
from kansrijk.assessments.services import AnswerInput
from kansrijk.coalitions import services
from kansrijk.coalitions.models import ContactPerson, Member
from kansrijk.situations.models import Situation
from kansrijk.situations.services import load_catalogue
from tests.coalitions.conftest import closes, make_user
from tests.conftest import _login_verified as login

pytestmark = pytest.mark.django_db

CAPS = {
    "overview": 21,
    "members": 16,
    "agreements": 12,
    "actions": 15,
    "journeys": 16,
    "network": 15,
    "rounds": 12,
    "round": 17,
    "results": 22,
    "api-coalitions": 11,
    "api-results": 20,
    "api-actions": 14,
    "list": 10,
    "member": 14,
    "agreement-new": 12,
    "action": 25,
    "action-new": 19,
    "journey": 24,
    "round-new": 18,
    "invite": 19,
    "report": 22,
    "export": 20,
    "instruments": 8,
    "instrument": 8,
    "api-instruments": 8,
}


def urls(ws: Any, round_: Round) -> dict[str, str]:
    pk = ws.coalition.pk
    return {
        "overview": reverse("coalitions:overview", args=[pk]),
        "members": reverse("coalitions:members", args=[pk]),
        "agreements": reverse("coalitions:agreements", args=[pk]),
        "actions": reverse("coalitions:actions", args=[pk]),
        "journeys": reverse("coalitions:journeys", args=[pk]),
        "network": reverse("coalitions:network", args=[pk]),
        "rounds": reverse("assessments:rounds", args=[pk]),
        "round": reverse("assessments:round", args=[round_.pk]),
        "results": reverse("assessments:results", args=[round_.pk]),
        "api-coalitions": "/api/v1/coalitions",
        "api-results": f"/api/v1/assessment-rounds/{round_.pk}/results",
        "api-actions": f"/api/v1/coalitions/{pk}/actions",
        "list": reverse("coalitions:list"),
        "member": reverse("coalitions:member", args=[pk, ws.coalition.members.earliest("pk").pk]),
        "agreement-new": reverse("coalitions:agreement_new", args=[pk]),
        "action": reverse("coalitions:action", args=[pk, ws.coalition.actions.earliest("pk").pk]),
        "action-new": reverse("coalitions:action_new", args=[pk]),
        "journey": reverse("coalitions:journey", args=[pk, "pregnancy"]),
        "round-new": reverse("assessments:round_new", args=[pk]),
        "invite": reverse("assessments:invite", args=[round_.pk]),
        "report": reverse("assessments:report", args=[round_.pk]),
        "export": reverse("assessments:export", args=[round_.pk]),
        "instruments": reverse("assessments:instruments"),
        "instrument": reverse(
            "assessments:instrument",
            args=[round_.instrument_version.instrument.code, round_.instrument_version.number],
        ),
        "api-instruments": "/api/v1/instruments",
    }


def counts(client: Client, pages: dict[str, str]) -> dict[str, int]:
    found = {}
    for name, url in pages.items():
        client.get(url)  # warm the per-process caches
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        # The coalition list goes straight to the user's only coalition.
        assert response.status_code == (302 if name == "list" else 200), name
        found[name] = len(context)
    return found


def grow(ws: Any, round_: Round, start: int, n: int) -> None:
    """``n`` more partners (each with a contact, a user who answers), actions and touchpoints."""
    situations = list(Situation.objects.filter(kind="risk")[:3])
    points = []
    for i in range(start, start + n):
        organisation = Organisation.objects.create(name=f"Partner {i}", kind="social")
        member = Member.objects.create(
            coalition=ws.coalition, organisation=organisation, domain="social"
        )
        ContactPerson.objects.create(member=member, name=f"Contact {i}", email=f"c{i}@example.org")
        user = make_user(f"partner{i}", organisation)
        assessments.invite(user=ws.coordinator, round_=round_, users=[user])
        assessments.answer_as_user(
            user=user,
            round_=round_,
            answers={
                "P01": AnswerInput(1 + i % 5),
                "P02": AnswerInput(None),
                "S01": AnswerInput(3, f"t{i}"),
            },
            submit=True,
        )
        services.create_action(
            user=ws.coordinator,
            coalition=ws.coalition,
            data=services.ActionInput(
                title=f"Actie {i}",
                due_on=timezone.localdate() + datetime.timedelta(days=i - 5),
                organisation=organisation,
                statements=list(round_.instrument_version.statements.all()[:2]),
                indicator_codes=["vroeggeboorte"],
            ),
        )
        points.append(
            services.TouchpointInput(
                title=f"Moment {i}",
                role="verloskundige",
                organisation=organisation,
                situations=situations,
            )
        )
    services.save_journey(
        user=ws.coordinator,
        coalition=ws.coalition,
        phase="pregnancy",
        data=services.JourneyInput(touchpoints=points),
    )


def test_pages_keep_to_their_caps_and_do_not_grow_with_rows(client: Client, workspace: Any) -> None:
    load_catalogue()
    round_, _links = assessments.open_round(
        user=workspace.coordinator,
        coalition=workspace.coalition,
        instrument_version=workspace.instrument,
        closes_on=closes(),
        respondents=[],
    )
    grow(workspace, round_, 0, 3)
    login(client, workspace.coordinator)
    pages = urls(workspace, round_)
    small = counts(client, pages)
    grow(workspace, round_, 3, 12)
    large = counts(client, pages)
    assert large == small
    over = {name: n for name, n in large.items() if n > CAPS[name]}
    assert not over, large


RESPONDENT_CAPS = {"mine": 7, "answer": 13, "link": 4}


def test_the_respondents_pages_keep_to_their_caps(client: Client, workspace: Any) -> None:
    round_, links = assessments.open_round(
        user=workspace.coordinator,
        coalition=workspace.coalition,
        instrument_version=workspace.instrument,
        closes_on=closes(),
        respondents=[workspace.midwife],
        link_invitees=[assessments.LinkInvitee(name="Ingrid")],
    )
    login(client, workspace.midwife)
    found = counts(
        client,
        {
            "mine": reverse("assessments:mine"),
            "answer": reverse("assessments:answer", args=[round_.pk]),
        },
    )
    client.logout()
    found |= counts(client, {"link": links[0].path})
    over = {name: n for name, n in found.items() if n > RESPONDENT_CAPS[name]}
    assert not over, found
