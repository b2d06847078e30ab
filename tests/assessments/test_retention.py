"""Retention of link invitees with a frozen clock: ASSESSMENT_INVITEE_RETENTION_DAYS after a
round closed (and its links expired) their names and e-mail addresses are erased; the
invitations (who answered, counts), the answers and everything else stay as they were."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from kansrijk.assessments import retention, services
from kansrijk.assessments.models import Answer, Invitation, Response, Round
from kansrijk.assessments.services import AnswerInput, LinkInvitee
from kansrijk.audit.models import AccessEvent
from tests.coalitions.conftest import closes

pytestmark = pytest.mark.django_db

ALL = {"P01": AnswerInput(4), "P02": AnswerInput(None), "S01": AnswerInput(2, "Lastig.")}


def _open(ws: Any, days: int, *invitees: LinkInvitee) -> tuple[Round, list[Any]]:
    return services.open_round(
        user=ws.coordinator,
        coalition=ws.coalition,
        instrument_version=ws.instrument,
        closes_on=closes(days),
        respondents=[ws.midwife],
        link_invitees=list(invitees),
    )


def _snapshot() -> dict[str, Any]:
    """Every column of every row the purge may not change."""
    return {
        "invitations": list(
            Invitation.objects.order_by("pk").values(
                *(
                    f.attname
                    for f in Invitation._meta.concrete_fields
                    if f.name not in ("name", "email")
                )
            )
        ),
        "responses": sorted(
            Response.objects.values_list("id", "round_id", "respondent_key", "submitted")
        ),
        "answers": sorted(
            Answer.objects.values_list("id", "response_id", "statement_id", "value", "comment")
        ),
        "rounds": list(Round.objects.order_by("pk").values()),
    }


def _closing_moment(round_: Round) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(round_.closes_on + datetime.timedelta(days=1), datetime.time.min)
    )


def test_names_and_addresses_are_erased_after_the_period_and_nothing_else(
    workspace: Any,
) -> None:
    ws = workspace
    welfare = ws.orgs["welfare"].pk
    closed, links = _open(
        ws,
        1,
        LinkInvitee("Ingrid Vrijwilliger", "ingrid@example.org", welfare),
        LinkInvitee("Piet"),
    )
    still_open, _ = _open(ws, 90, LinkInvitee("Olga Open", "olga@example.org"))
    services.save_answers(invitation=links[0].invitation, answers=ALL, submit=True)
    services.answer_as_user(user=ws.midwife, round_=closed, answers=ALL, submit=True)
    before = _snapshot()
    log_rows = AccessEvent.objects.count()
    closing = _closing_moment(closed)

    with time_machine.travel(closing + datetime.timedelta(days=29), tick=False):
        result = retention.purge_expired()
    assert (result.invitations, result.addresses, result.rounds) == (0, 0, 0)
    assert Invitation.objects.filter(email="ingrid@example.org").exists()

    with time_machine.travel(closing + datetime.timedelta(days=31), tick=False):
        result = retention.purge_expired()
        assert (result.invitations, result.addresses, result.rounds) == (2, 1, 1)
        assert retention.purge_expired().invitations == 0  # a second run erases nothing
    erased = Invitation.objects.filter(round=closed, user__isnull=True)
    assert set(erased.values_list("name", "email")) == {("", "")}
    # What the coordinator needs stays: that they were invited, from where, and who answered.
    assert erased.count() == 2
    assert erased.filter(responded_at__isnull=False, organisation_id=welfare).count() == 1
    assert str(erased.first()) == "invitee without an account (name erased)"
    # The open round's invitee, the users' invitations, the answers and the rounds are untouched.
    assert Invitation.objects.filter(
        round=still_open, name="Olga Open", email="olga@example.org"
    ).exists()
    assert _snapshot() == before
    # Each run leaves its counts in the access log, and nothing else of the log changes.
    events = AccessEvent.objects.filter(event_type="assessments.invitees.purge").order_by("id")
    assert AccessEvent.objects.count() == log_rows + 3
    assert [e.details.split(" closed_before")[0] for e in events] == [
        "invitations=0 addresses=0 rounds=0",
        "invitations=2 addresses=1 rounds=1",
        "invitations=0 addresses=0 rounds=0",
    ]
    assert all(e.action == "delete" and "retention_days=30" in e.details for e in events)
    assert not any("ingrid" in e.details.lower() for e in events)


def test_a_round_closed_early_counts_from_its_closing(workspace: Any, settings: Any) -> None:
    settings.ASSESSMENT_INVITEE_RETENTION_DAYS = 7
    round_, _ = _open(workspace, 60, LinkInvitee("Piet", "piet@example.org"))
    services.close_round(user=workspace.coordinator, round_=round_)
    closed_at = Round.objects.get(pk=round_.pk).closed_at
    assert closed_at is not None
    with time_machine.travel(closed_at + datetime.timedelta(days=6), tick=False):
        assert retention.purge_expired().invitations == 0
    with time_machine.travel(closed_at + datetime.timedelta(days=8), tick=False):
        assert retention.purge_expired().addresses == 1
    assert not Invitation.objects.filter(email="piet@example.org").exists()


def test_the_command(workspace: Any, capsys: pytest.CaptureFixture[str], settings: Any) -> None:
    round_, _ = _open(workspace, 1, LinkInvitee("Piet", "piet@example.org"))
    with time_machine.travel(_closing_moment(round_) + datetime.timedelta(days=31), tick=False):
        call_command("purge_invitees")
    out = capsys.readouterr().out
    assert (
        "Erased the name of 1 invitee(s) with a personal link (1 e-mail address(es)) in 1 round(s)"
        in out
    )
    settings.ASSESSMENT_INVITEE_RETENTION_DAYS = -1
    with pytest.raises(Exception, match="must not be negative"):
        call_command("purge_invitees")
