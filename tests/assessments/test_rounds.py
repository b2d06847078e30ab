"""Rounds, invitations and answers: who may do what, the rules of answering, personal links,
anonymity, and that a replaced answer counts once."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kansrijk.assessments import services
from kansrijk.assessments.exceptions import (
    InvalidInput,
    LinkNotUsable,
    NotAllowed,
    NotInvited,
    RoundClosed,
)
from kansrijk.assessments.models import Invitation, Response
from kansrijk.assessments.selectors import compute_results
from kansrijk.assessments.services import AnswerInput, LinkInvitee
from kansrijk.audit.models import AccessEvent
from tests.coalitions.conftest import closes

pytestmark = pytest.mark.django_db

ALL = {"P01": AnswerInput(4), "P02": AnswerInput(None), "S01": AnswerInput(2, "Lastig.")}


def open_round(ws: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("closes_on", closes())
    round_, links = services.open_round(
        user=ws.coordinator, coalition=ws.coalition, instrument_version=ws.instrument, **kwargs
    )
    return round_, links


def test_the_coordinator_opens_a_round_for_every_member_user_by_default(workspace: Any) -> None:
    round_, links = open_round(workspace)
    invited = set(round_.invitations.values_list("user__username", flat=True))
    assert invited == {"coordinator", "analist", "redacteur", "verloskundige", "jgz", "welzijn"}
    assert links == []
    assert round_.title.startswith("Proefinstrument ")
    assert AccessEvent.objects.filter(
        event_type="assessments.round.create", object_id=str(round_.pk), outcome="success"
    ).exists()
    # Invited users with an address hear of it (after the commit).
    assert len(mail.outbox) == 0 or all("Proefinstrument" in m.subject for m in mail.outbox)


def test_invited_users_are_mailed(workspace: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        open_round(workspace, respondents=[workspace.midwife])
    assert [m.to for m in mail.outbox] == [[workspace.midwife.email]]
    assert "anonymous" in mail.outbox[0].body


def test_respondents_must_be_users_of_member_organisations(workspace: Any) -> None:
    with pytest.raises(InvalidInput) as error:
        open_round(workspace, respondents=[workspace.midwife, workspace.outsider_member])
    assert "medewerker.rotterdam is not a user of a member organisation" in str(
        error.value.message_dict["respondents"]
    )
    assert not workspace.coalition.assessment_rounds.exists()


@pytest.mark.parametrize("days", [-1, 400])
def test_the_closing_date_must_be_within_a_year(workspace: Any, days: int) -> None:
    with pytest.raises(InvalidInput) as error:
        open_round(workspace, closes_on=closes(days))
    assert "closes_on" in error.value.errors


@pytest.mark.parametrize("who", ["analyst", "editor", "midwife", "outsider"])
def test_only_the_coordinator_opens_rounds(workspace: Any, who: str) -> None:
    with pytest.raises(NotAllowed):
        services.open_round(
            user=getattr(workspace, who),
            coalition=workspace.coalition,
            instrument_version=workspace.instrument,
            closes_on=closes(),
        )
    denied = AccessEvent.objects.get(event_type="assessments.round.create")
    assert denied.outcome == "denied"
    assert denied.user == getattr(workspace, who)


def test_save_come_back_send_in_and_replace(workspace: Any) -> None:
    round_, _links = open_round(workspace, respondents=[workspace.midwife])
    saved = services.answer_as_user(
        user=workspace.midwife, round_=round_, answers={"P01": AnswerInput(3)}, submit=False
    )
    assert not saved.submitted
    assert not saved.created
    invitation = round_.invitations.get()
    assert invitation.responded_at is None
    answers, submitted = services.own_answers(invitation)
    assert answers == {"P01": AnswerInput(3, "")}
    assert not submitted
    # Sending in needs every statement.
    with pytest.raises(InvalidInput) as error:
        services.answer_as_user(
            user=workspace.midwife, round_=round_, answers={"P01": AnswerInput(3)}, submit=True
        )
    assert set(error.value.errors) == {"P02", "S01"}
    first = services.answer_as_user(user=workspace.midwife, round_=round_, answers=ALL, submit=True)
    assert first.created
    assert first.submitted
    invitation.refresh_from_db()
    assert invitation.responded_at is not None
    again = services.answer_as_user(
        user=workspace.midwife,
        round_=round_,
        answers={**ALL, "P01": AnswerInput(5)},
        submit=True,
    )
    assert not again.created
    assert Response.objects.filter(round=round_).count() == 1
    results = compute_results(round_)
    assert results.respondents == 1


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"P01": AnswerInput(6)}, "P01", "Give a score from 1 to 5."),
        ({"P01": AnswerInput(0)}, "P01", "Give a score from 1 to 5."),
        ({"X99": AnswerInput(3)}, "X99", "No statement with this code"),
        ({"P01": AnswerInput(True)}, "P01", "A score is a whole number."),  # type: ignore[arg-type]
        ({"P01": AnswerInput(3, "x" * 2001)}, "P01", "at most 2000 characters"),
    ],
)
def test_answers_outside_the_scale_or_to_unknown_statements_are_refused(
    workspace: Any, answers: dict[str, AnswerInput], field: str, message: str
) -> None:
    round_, _links = open_round(workspace, respondents=[workspace.midwife])
    with pytest.raises(InvalidInput) as error:
        services.answer_as_user(
            user=workspace.midwife, round_=round_, answers=answers, submit=False
        )
    assert message in " ".join(error.value.message_dict[field])
    assert not Response.objects.exists()


def test_dont_know_only_where_the_instrument_allows_it(workspace: Any) -> None:
    version = workspace.instrument
    version.allow_unknown = False
    version.save(update_fields=["allow_unknown"])
    round_, _links = open_round(workspace, respondents=[workspace.midwife])
    with pytest.raises(InvalidInput) as error:
        services.answer_as_user(
            user=workspace.midwife, round_=round_, answers={"P02": AnswerInput(None)}, submit=False
        )
    assert "P02" in error.value.errors


def test_people_who_are_not_invited_cannot_answer(workspace: Any) -> None:
    round_, _links = open_round(workspace, respondents=[workspace.midwife])
    for user in (workspace.jgz, workspace.outsider_member):
        with pytest.raises(NotInvited):
            services.answer_as_user(user=user, round_=round_, answers=ALL, submit=True)
    assert (
        AccessEvent.objects.filter(
            event_type="assessments.response.submit", outcome="denied"
        ).count()
        == 2
    )
    assert not Response.objects.exists()


def test_no_answers_after_closing(workspace: Any) -> None:
    round_, _links = open_round(workspace, respondents=[workspace.midwife], closes_on=closes(2))
    with (
        time_machine.travel(timezone.now() + datetime.timedelta(days=4)),
        pytest.raises(RoundClosed),
    ):
        services.answer_as_user(user=workspace.midwife, round_=round_, answers=ALL, submit=True)
    services.close_round(user=workspace.coordinator, round_=round_)
    round_.refresh_from_db()
    with pytest.raises(RoundClosed):
        services.answer_as_user(user=workspace.midwife, round_=round_, answers=ALL, submit=True)
    assert not Response.objects.exists()


def test_a_personal_link_works_once_and_reaches_nothing_else(workspace: Any, rf: Any) -> None:
    _round, links = open_round(
        workspace,
        respondents=[],
        link_invitees=[
            LinkInvitee("Ingrid Vrijwilliger", "ingrid@example.org", workspace.orgs["welfare"].pk)
        ],
    )
    (link,) = links
    invitation = link.invitation
    assert invitation.token_hash
    assert link.token not in invitation.token_hash
    assert Invitation.objects.filter(token_hash=services.token_hash(link.token)).exists()
    assert services.send_link(link, rf.get("/"))
    assert mail.outbox[-1].to == ["ingrid@example.org"]
    assert link.token in mail.outbox[-1].body
    found = services.invitation_for_token(link.token)
    assert found == invitation
    services.save_answers(invitation=found, answers={"P01": AnswerInput(2)}, submit=False)
    # Saved, not sent in: the link still works, to come back.
    assert services.own_answers(services.invitation_for_token(link.token))[0]["P01"].value == 2
    services.save_answers(invitation=found, answers=ALL, submit=True)
    with pytest.raises(LinkNotUsable):
        services.invitation_for_token(link.token)
    with pytest.raises(LinkNotUsable):
        services.save_answers(invitation=found, answers=ALL, submit=True)
    with pytest.raises(LinkNotUsable):
        services.invitation_for_token("not-a-token")


def test_a_personal_link_expires_with_the_round(workspace: Any) -> None:
    _round, links = open_round(
        workspace, respondents=[], closes_on=closes(1), link_invitees=[LinkInvitee("Piet")]
    )
    token = links[0].token
    assert services.invitation_for_token(token)
    with (
        time_machine.travel(timezone.now() + datetime.timedelta(days=3)),
        pytest.raises(LinkNotUsable),
    ):
        services.invitation_for_token(token)


def test_link_invitees_are_checked(workspace: Any) -> None:
    with pytest.raises(InvalidInput) as error:
        open_round(
            workspace,
            link_invitees=[
                LinkInvitee(" "),
                LinkInvitee("Anna", "geen-adres"),
                LinkInvitee("Bert", "", workspace.orgs["gemeente"].pk + 999),
            ],
        )
    assert len(error.value.errors["invitees"]) == 3


def test_answers_carry_nobody_and_the_log_names_the_round_only(workspace: Any) -> None:
    round_, _links = open_round(workspace, respondents=[workspace.midwife])
    services.answer_as_user(user=workspace.midwife, round_=round_, answers=ALL, submit=True)
    response = Response.objects.get()
    fields = {f.name for f in Response._meta.get_fields()}
    assert fields == {"id", "round", "respondent_key", "submitted", "answers"}
    invitation = round_.invitations.get()
    assert response.respondent_key not in {str(invitation.pk), str(workspace.midwife.pk)}
    event = AccessEvent.objects.get(event_type="assessments.response.submit")
    assert (event.object_type, event.object_id) == ("assessments.round", str(round_.pk))
    assert str(response.pk) not in {event.object_id, event.on_behalf_of, event.client_ref}


def test_answers_are_found_again_after_the_secret_key_changes(
    workspace: Any, settings: Any
) -> None:
    round_, _links = open_round(workspace, respondents=[workspace.midwife])
    services.answer_as_user(user=workspace.midwife, round_=round_, answers=ALL, submit=True)
    old = settings.SECRET_KEY
    with override_settings(
        SECRET_KEY="een-nieuwe-geheime-sleutel-" + "x" * 30, SECRET_KEY_FALLBACKS=[old]
    ):
        services.answer_as_user(user=workspace.midwife, round_=round_, answers=ALL, submit=True)
        assert Response.objects.count() == 1
        invitation = round_.invitations.get()
        assert Response.objects.get().respondent_key == services.respondent_key(
            round_.pk, invitation.pk
        )


def test_withdrawing_an_unanswered_invitation(workspace: Any) -> None:
    round_, _links = open_round(workspace, respondents=[workspace.midwife, workspace.jgz])
    midwife = round_.invitations.get(user=workspace.midwife)
    services.answer_as_user(user=workspace.midwife, round_=round_, answers=ALL, submit=True)
    with pytest.raises(InvalidInput):
        services.withdraw_invitation(user=workspace.coordinator, invitation=midwife)
    jgz = round_.invitations.get(user=workspace.jgz)
    services.answer_as_user(
        user=workspace.jgz, round_=round_, answers={"P01": AnswerInput(1)}, submit=False
    )
    services.withdraw_invitation(user=workspace.coordinator, invitation=jgz)
    assert round_.invitations.count() == 1
    assert Response.objects.count() == 1  # the saved draft went with it


SUBMISSION = st.tuples(
    st.integers(min_value=0, max_value=3),
    st.fixed_dictionaries(
        {
            "P01": st.integers(1, 5),
            "P02": st.one_of(st.none(), st.integers(1, 5)),
            "S01": st.integers(1, 5),
        }
    ),
)


@pytest.mark.slow
@given(submissions=st.lists(SUBMISSION, min_size=1, max_size=8))
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_a_replaced_answer_counts_once(workspace: Any, submissions: list[Any]) -> None:
    """However often respondents send in again, each counts once, with her last answers. (The
    workspace fixture is shared by the examples; each example's writes are rolled back.)"""
    people = [workspace.midwife, workspace.jgz, workspace.welfare, workspace.editor]
    with transaction.atomic():
        round_, _links = open_round(workspace, respondents=people)
        last: dict[int, dict[str, int | None]] = {}
        for who, values in submissions:
            services.answer_as_user(
                user=people[who],
                round_=round_,
                answers={code: AnswerInput(v) for code, v in values.items()},
                submit=True,
            )
            last[who] = values
        with override_settings(ASSESSMENT_MIN_RESPONDENTS=1):
            results = compute_results(round_)
        assert results.respondents == len(last)
        assert Response.objects.filter(round=round_).count() == len(last)
        p01 = results.statement("P01")
        assert p01 is not None
        assert p01.distribution is not None
        expected = dict.fromkeys(range(1, 6), 0)
        for values in last.values():
            expected[values["P01"]] += 1  # type: ignore[index]
        assert p01.distribution == expected
        assert round_.invitations.exclude(responded_at=None).count() == len(last)
        transaction.set_rollback(True)
