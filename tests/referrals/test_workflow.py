"""The transition table: every (from, to) pair for both sides, reasons, outcomes, and what one
transition writes (the referral, a status event, an access-log record, an outbox message)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kansrijk.audit.models import AccessEvent, Action
from kansrijk.referrals import services, workflow
from kansrijk.referrals.exceptions import (
    InvalidReferral,
    NotAllowed,
    ReferralNotFound,
    StaleVersion,
    TransitionNotAllowed,
)
from kansrijk.referrals.models import OutboxMessage, ReasonCode, StatusEvent
from kansrijk.referrals.workflow import TRANSITIONS, Side, Status
from tests.referrals.factories import ReferralWorld, make_referral

pytestmark = pytest.mark.django_db

ALL = list(Status.values)


def test_table_is_consistent() -> None:
    pairs = {(t.source, t.target) for t in TRANSITIONS}
    assert len(pairs) == len(TRANSITIONS)
    for t in TRANSITIONS:
        assert t.source not in workflow.TERMINAL
        assert t.side in (Side.SENDER, Side.RECEIVER)
    # Every open status can be cancelled by the sender with a reason.
    for status in workflow.OPEN:
        rule = workflow.find(status, Status.CANCELLED)
        assert rule is not None
        assert rule.side == Side.SENDER
        assert rule.reason_required
    # Rejections and failures need a reason; completion needs an outcome.
    for t in TRANSITIONS:
        if t.target in (Status.REJECTED, Status.FAILED, Status.ON_HOLD):
            assert t.reason_required
        if t.target == Status.COMPLETED:
            assert t.outcome_required
    # Every status but draft is reachable.
    assert {t.target for t in TRANSITIONS} == set(ALL) - {Status.DRAFT}


def _attempt(world: ReferralWorld, source: str, target: str, side: str) -> str:
    referral = make_referral(world, status=source)
    user = world.midwife if side == Side.SENDER else world.intake
    try:
        services.transition(
            referral=referral,
            to=target,
            user=user,
            reason="Een reden.",
            outcome="help_started",
            expected_version=referral.version,
        )
    except ReferralNotFound:
        return "not-found"
    except NotAllowed:
        return "not-allowed"
    except TransitionNotAllowed:
        return "forbidden"
    return "ok"


@pytest.mark.parametrize("side", [Side.SENDER, Side.RECEIVER])
@pytest.mark.parametrize("source", ALL)
def test_every_pair(world: ReferralWorld, source: str, side: str) -> None:
    """For one source status and side: each of the ten targets is allowed exactly as the
    table says; other pairs are refused and change nothing."""
    for target in ALL:
        rule = workflow.find(source, target)
        result = _attempt(world, source, target, side)
        if rule is None:
            expected = (
                "not-found" if side == Side.RECEIVER and source == Status.DRAFT else "forbidden"
            )
        elif rule.side == side:
            expected = "ok"
        elif side == Side.RECEIVER and source == Status.DRAFT:
            expected = "not-found"  # the receiver does not see drafts at all
        else:
            expected = "not-allowed"
        assert result == expected, (source, target, side)


def test_refused_transition_changes_nothing(world: ReferralWorld) -> None:
    referral = make_referral(world, status=Status.REQUESTED)
    counts = (
        StatusEvent.objects.count(),
        AccessEvent.objects.count(),
        OutboxMessage.objects.count(),
    )
    with pytest.raises(TransitionNotAllowed):
        services.transition(referral=referral, to=Status.COMPLETED, user=world.intake)
    with pytest.raises(NotAllowed):
        services.transition(referral=referral, to=Status.ACCEPTED, user=world.midwife)
    referral.refresh_from_db()
    assert referral.status == Status.REQUESTED
    assert counts == (
        StatusEvent.objects.count(),
        AccessEvent.objects.count(),
        OutboxMessage.objects.count(),
    )


@pytest.mark.parametrize(
    ("source", "target", "side"),
    [(t.source, t.target, t.side) for t in TRANSITIONS if t.reason_required],
)
def test_reason_required(world: ReferralWorld, source: str, target: str, side: str) -> None:
    referral = make_referral(world, status=source)
    user = world.midwife if side == Side.SENDER else world.intake
    with pytest.raises(InvalidReferral) as info:
        services.transition(referral=referral, to=target, user=user, reason="   ")
    assert "reason" in info.value.errors
    referral.refresh_from_db()
    assert referral.status == source


def test_outcome_required(world: ReferralWorld) -> None:
    referral = make_referral(world, status=Status.IN_PROGRESS)
    with pytest.raises(InvalidReferral) as info:
        services.transition(referral=referral, to=Status.COMPLETED, user=world.intake)
    assert "outcome" in info.value.errors
    with pytest.raises(InvalidReferral):
        services.transition(
            referral=referral, to=Status.COMPLETED, user=world.intake, outcome="nonsense"
        )


def test_colleague_of_the_sender_may_act_for_the_sending_side(world: ReferralWorld) -> None:
    referral = make_referral(world, status=Status.REQUESTED)
    referral = services.transition(
        referral=referral, to=Status.CANCELLED, user=world.colleague, reason="Verhuisd."
    )
    assert referral.status == Status.CANCELLED


def test_outsider_gets_not_found(world: ReferralWorld) -> None:
    referral = make_referral(world, status=Status.REQUESTED)
    with pytest.raises(ReferralNotFound):
        services.transition(referral=referral, to=Status.ACCEPTED, user=world.outsider)


def test_stale_version(world: ReferralWorld) -> None:
    referral = make_referral(world, status=Status.REQUESTED)
    stale = referral.version - 1
    with pytest.raises(StaleVersion) as info:
        services.transition(
            referral=referral, to=Status.ACCEPTED, user=world.intake, expected_version=stale
        )
    assert info.value.current_version == referral.version


def test_one_transition_writes_everything_together(world: ReferralWorld) -> None:
    referral = make_referral(world, status=Status.REQUESTED)
    before_events = AccessEvent.objects.count()
    updated = services.transition(
        referral=referral,
        to=Status.REJECTED,
        user=world.intake,
        reason="Geen plek.",
        reason_code=ReasonCode.NO_CAPACITY,
        expected_version=referral.version,
    )
    assert updated.version == referral.version + 1
    assert updated.closed_at is not None
    assert updated.status_reason == "Geen plek."
    event = StatusEvent.objects.filter(referral=updated).latest("id")
    assert (event.from_status, event.to_status, event.side) == (
        Status.REQUESTED,
        Status.REJECTED,
        Side.RECEIVER,
    )
    assert event.by == world.intake
    assert event.reason_code == ReasonCode.NO_CAPACITY
    assert AccessEvent.objects.count() == before_events + 1
    log = AccessEvent.objects.latest("id")
    assert log.event_type == "referral.status.rejected"
    assert log.action == Action.UPDATE
    assert log.object_id == str(updated.pk)
    assert log.client_ref == updated.client_ref
    assert log.consent_ref
    assert log.role == "intake_handler"
    assert log.purpose == "referral.intake"
    message = OutboxMessage.objects.filter(referral=updated).latest("id")
    assert message.recipient == world.midwife.email
    assert updated.reference in message.subject


def test_sending_is_a_handover_with_due_date(world: ReferralWorld) -> None:
    referral = make_referral(world, status=Status.REQUESTED)
    assert referral.sent_at is not None
    assert referral.response_due_on is not None
    log = AccessEvent.objects.filter(event_type="referral.status.requested").latest("id")
    assert log.action == Action.HANDOVER
    assert log.role == "professional"


def test_accept_sets_received_and_accepted(world: ReferralWorld) -> None:
    referral = make_referral(world, status=Status.ACCEPTED)
    assert referral.received_at is not None
    assert referral.accepted_at is not None


def test_named_wrappers(world: ReferralWorld) -> None:
    referral = make_referral(world, status=Status.REQUESTED)
    referral = services.acknowledge_receipt(referral=referral, user=world.intake)
    assert referral.status == Status.RECEIVED
    assert services.acknowledge_receipt(referral=referral, user=world.intake) is referral
    referral = services.accept_referral(referral=referral, user=world.intake)
    referral = services.record_outcome(
        referral=referral, user=world.intake, outcome="help_completed", outcome_note="Klaar."
    )
    assert referral.status == Status.COMPLETED
    assert referral.outcome == "help_completed"
    other = make_referral(world, status=Status.REQUESTED)
    other = services.reject_referral(referral=other, user=world.intake, reason="Niet passend.")
    assert other.status_reason_code == ReasonCode.OTHER
    third = make_referral(world, status=Status.DRAFT)
    third = services.cancel_referral(referral=third, user=world.midwife)
    assert third.status == Status.CANCELLED


def test_documented_table_matches_the_code() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "referrals.md").read_text()
    block = text.split("<!-- transitions:start -->")[1].split("<!-- transitions:end -->")[0]
    documented = set()
    for line in block.strip().splitlines()[2:]:
        source, target, side, reason, outcome = (c.strip() for c in line.strip("|").split("|"))
        documented.add((source, target, side, reason == "yes", outcome == "yes"))
    assert documented == {
        (t.source, t.target, t.side, t.reason_required, t.outcome_required) for t in TRANSITIONS
    }
