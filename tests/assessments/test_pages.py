"""Answering on the pages: a member with an account, and a person through a personal link that
opens that questionnaire and nothing else; opening a round and the links shown once; the
export and the printable report."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kansrijk.assessments import services
from kansrijk.assessments.models import Invitation, Response, Round
from kansrijk.assessments.services import AnswerInput
from kansrijk.audit.models import AccessEvent
from tests.coalitions.conftest import closes
from tests.conftest import _login_verified as login

pytestmark = pytest.mark.django_db

COMPLETE = {"s-P01": "4", "s-P02": "weet-niet", "s-S01": "2", "c-S01": "Nog niet."}


def open_round(ws: Any, people: list[Any]) -> Round:
    round_, _links = services.open_round(
        user=ws.coordinator,
        coalition=ws.coalition,
        instrument_version=ws.instrument,
        closes_on=closes(),
        respondents=people,
    )
    return round_


def test_a_member_saves_comes_back_and_sends_in(client: Client, workspace: Any) -> None:
    round_ = open_round(workspace, [workspace.midwife])
    login(client, workspace.midwife)
    start = client.get(reverse("core:start")).content.decode()
    assert "Questionnaires for you" in start
    url = reverse("assessments:answer", args=[round_.pk])
    page = client.get(url).content.decode()
    assert "We kennen de cijfers." in page
    assert "example text" in page
    assert client.post(url, {"s-P01": "3", "save": "1"}).status_code == 302
    assert 'value="3" checked' in client.get(url).content.decode()
    incomplete = client.post(url, {"s-P01": "3", "send": "1"})
    assert incomplete.status_code == 400
    assert "2 statements need your attention" in incomplete.content.decode()
    done = client.post(url, {**COMPLETE, "send": "1"})
    assert done.status_code == 302
    assert Response.objects.get().submitted
    assert round_.invitations.get().responded_at is not None


@pytest.mark.parametrize(
    "data",
    [
        {"s-P01": "9", "send": "1"},
        {"s-P01": "drie", "save": "1"},
        {"c-P01": "Alleen een toelichting", "save": "1"},
    ],
)
def test_bad_answers_on_the_page_change_nothing(
    client: Client, workspace: Any, data: dict[str, str]
) -> None:
    round_ = open_round(workspace, [workspace.midwife])
    login(client, workspace.midwife)
    assert client.post(reverse("assessments:answer", args=[round_.pk]), data).status_code == 400
    assert not Response.objects.exists()


def test_a_member_who_is_not_invited(client: Client, workspace: Any) -> None:
    round_ = open_round(workspace, [workspace.midwife])
    login(client, workspace.jgz)
    assert client.get(reverse("assessments:answer", args=[round_.pk])).status_code == 404
    login(client, workspace.coordinator)
    assert client.get(reverse("assessments:answer", args=[round_.pk])).status_code == 403


def test_opening_a_round_with_a_personal_link(client: Client, workspace: Any) -> None:
    login(client, workspace.coordinator)
    url = reverse("assessments:round_new", args=[workspace.coalition.pk])
    form = client.get(url).content.decode()
    assert "Proefinstrument (example text)" in form
    response = client.post(
        url,
        {
            "instrument_version": workspace.instrument.pk,
            "closes_on": closes().isoformat(),
            "respondents": [workspace.midwife.pk, workspace.jgz.pk, workspace.welfare.pk],
            "links-TOTAL_FORMS": "2",
            "links-INITIAL_FORMS": "0",
            "links-0-name": "Ingrid Vrijwilliger",
            "links-0-email": "ingrid@example.org",
            "links-0-organisation": workspace.orgs["welfare"].pk,
            "links-1-name": "",
        },
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    round_ = Round.objects.get()
    assert round_.invitations.count() == 4
    link = Invitation.objects.get(name="Ingrid Vrijwilliger")
    token = html.split("/zelfevaluatie/link/")[1].split("/")[0]
    assert services.token_hash(token) == link.token_hash
    assert token in mail.outbox[-1].body
    assert "sent to ingrid@example.org" in html

    # The link opens this questionnaire, without an account, and nothing else.
    anonymous = Client(headers={"accept-language": "en"})
    page = anonymous.get(f"/zelfevaluatie/link/{token}/")
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"
    assert "We kennen de cijfers." in page.content.decode()
    assert anonymous.get(reverse("assessments:round", args=[round_.pk])).status_code == 302
    assert (
        anonymous.get(reverse("coalitions:overview", args=[round_.coalition_id])).status_code == 302
    )
    saved = anonymous.post(f"/zelfevaluatie/link/{token}/", {"s-P01": "2", "save": "1"})
    assert saved.status_code == 302
    sent = anonymous.post(f"/zelfevaluatie/link/{token}/", {**COMPLETE, "send": "1"})
    assert sent["Location"] == reverse("assessments:thanks")
    used = anonymous.get(f"/zelfevaluatie/link/{token}/")
    assert used.status_code == 404
    assert "does not work" in used.content.decode()
    assert anonymous.get("/zelfevaluatie/link/verzonnen/").status_code == 404
    assert (
        AccessEvent.objects.filter(event_type="assessments.link.open", outcome="denied").count()
        == 2
    )
    assert AccessEvent.objects.filter(
        event_type="assessments.response.submit", on_behalf_of=f"invitation {link.pk}"
    ).exists()


def test_the_export_and_the_report(client: Client, workspace: Any) -> None:
    people = [workspace.midwife, workspace.jgz, workspace.welfare]
    round_ = open_round(workspace, people)
    for i, person in enumerate(people):
        services.answer_as_user(
            user=person,
            round_=round_,
            answers={
                "P01": AnswerInput(2 + i),
                "P02": AnswerInput(None),
                "S01": AnswerInput(4, '=HYPERLINK("https://example.org")' if i == 0 else ""),
            },
            submit=True,
        )
    login(client, workspace.analyst)
    export = client.get(reverse("assessments:export", args=[round_.pk]))
    assert export.status_code == 200
    assert export["Content-Disposition"].startswith('attachment; filename="resultaten-ronde-')
    book = load_workbook(io.BytesIO(export.content))
    assert book.sheetnames == ["Summary", "Parts", "Statements", "Comments"]
    statements = list(book["Statements"].iter_rows(values_only=True))
    p01 = next(r for r in statements if r[1] == "P01")
    assert p01[3:8] == (3, 0, 3, 3, 0.82)
    comment = book["Comments"].cell(row=2, column=3)
    assert comment.value == '=HYPERLINK("https://example.org")'
    assert comment.data_type == "s"  # text, never a formula
    report = client.get(reverse("assessments:report", args=[round_.pk]))
    assert report.status_code == 200
    assert "Printed on" in report.content.decode()
    events = dict(
        AccessEvent.objects.filter(object_id=str(round_.pk)).values_list("event_type", "action")
    )
    assert events["assessments.results.export"] == "export"
    assert events["assessments.results.print"] == "print"


def test_the_export_below_the_threshold_has_no_figures(client: Client, workspace: Any) -> None:
    round_ = open_round(workspace, [workspace.midwife])
    login(client, workspace.coordinator)
    book = load_workbook(
        io.BytesIO(client.get(reverse("assessments:export", args=[round_.pk])).content)
    )
    assert book.sheetnames == ["Summary"]


def test_the_forms_that_list_respondents_write_the_access_log(
    client: Client, workspace: Any
) -> None:
    """Opening a round and inviting list the member organisations' users by name."""
    round_ = open_round(workspace, [workspace.midwife])
    login(client, workspace.coordinator)
    for url in (
        reverse("assessments:round_new", args=[workspace.coalition.pk]),
        reverse("assessments:invite", args=[round_.pk]),
    ):
        before = AccessEvent.objects.filter(event_type="assessments.respondents.list").count()
        response = client.get(url)
        assert response.status_code == 200
        assert workspace.jgz.first_name in response.content.decode()
        events = AccessEvent.objects.filter(event_type="assessments.respondents.list")
        assert events.count() == before + 1, url
        event = events.latest("id")
        assert (event.user, event.action, event.object_id) == (
            workspace.coordinator,
            "read",
            str(workspace.coalition.pk),
        )


def test_the_questionnaires_for_a_respondent_are_labelled_demo_and_example_text(
    client: Client, workspace: Any
) -> None:
    """Where a respondent finds her questionnaires (her start page and "Your questionnaires"),
    a demo round says it is demo and example text says it is example text — as everywhere a
    round or an instrument is shown."""
    workspace.coalition.is_demo = True
    workspace.coalition.save(update_fields=["is_demo"])
    open_round(workspace, [workspace.midwife])
    login(client, workspace.midwife)
    for url in (reverse("core:start"), reverse("assessments:mine")):
        page = client.get(url).content.decode()
        card = page.split('<li class="kr-card">', 1)[1].split("</li>", 1)[0]
        assert 'class="kr-badge kr-badge--demo">demo<' in card, url
        assert 'class="kr-badge kr-badge--example">example text<' in card, url
        assert "coalitions/coalitions.css" in page, f"{url}: the badges' styles"
