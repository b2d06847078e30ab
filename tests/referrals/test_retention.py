"""Retention with a frozen clock: closed referrals are deleted REFERRAL_RETENTION_DAYS after
closing, leaving anonymous counts; the access log stays."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.management import call_command

from kansrijk.audit.models import AccessEvent
from kansrijk.referrals import retention, services
from kansrijk.referrals.models import (
    Consent,
    ContactAttempt,
    IdempotencyRecord,
    OutboxMessage,
    Referral,
    ReferralStatistic,
    StatusEvent,
)
from kansrijk.referrals.outbox import deliver_all_due
from kansrijk.referrals.workflow import Status
from tests.referrals.factories import ReferralWorld, make_referral, reach

pytestmark = pytest.mark.django_db

SENT = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=datetime.UTC)  # a Monday


def _closed_referral(world: ReferralWorld, **kwargs: object) -> Referral:
    with time_machine.travel(SENT, tick=False) as clock:
        referral = make_referral(world, status=Status.ACCEPTED, pathway_ref="zorgpad-42", **kwargs)
        clock.shift(datetime.timedelta(days=2))  # Wednesday: 2 working days
        reach(world, referral)
        clock.shift(datetime.timedelta(days=1))
        return services.record_outcome(referral=referral, user=world.intake, outcome="help_started")


def test_kept_until_the_period_ends_then_deleted_with_counts(
    world: ReferralWorld, settings: object
) -> None:
    settings.REFERRAL_RETENTION_DAYS = 365  # type: ignore[attr-defined]
    referral = _closed_referral(world)
    rejected_at = SENT + datetime.timedelta(days=10)
    with time_machine.travel(SENT, tick=False):
        other = make_referral(world, status=Status.REQUESTED)
    with time_machine.travel(rejected_at, tick=False):
        services.reject_referral(
            referral=other, user=world.intake, reason="Vol.", reason_code="no_capacity"
        )
    closed_at = Referral.objects.get(pk=referral.pk).closed_at
    assert closed_at is not None
    log_rows = AccessEvent.objects.count()

    with time_machine.travel(closed_at + datetime.timedelta(days=364), tick=False):
        assert retention.purge_expired().referrals == 0
    assert Referral.objects.filter(pk=referral.pk).exists()

    with time_machine.travel(closed_at + datetime.timedelta(days=366), tick=False):
        result = retention.purge_expired(batch_size=1)
    assert result.referrals == 1
    assert not Referral.objects.filter(pk=referral.pk).exists()
    assert not Consent.objects.filter(referral_id=referral.pk).exists()
    assert not StatusEvent.objects.filter(referral_id=referral.pk).exists()
    assert not ContactAttempt.objects.filter(referral_id=referral.pk).exists()
    # The rejected one closed later and is still there.
    assert Referral.objects.filter(pk=other.pk).exists()
    stat = ReferralStatistic.objects.get()
    assert (stat.month, stat.municipality_code, stat.service_ref, stat.pathway_ref) == (
        datetime.date(2025, 3, 1),
        "GM0090",
        str(world.service.pk),
        "zorgpad-42",
    )
    assert (stat.final_status, stat.outcome, stat.count) == ("completed", "help_started", 1)
    assert stat.contact_days == {"2": 1}
    # The access log is not touched (it is kept five years) and holds no client data.
    assert AccessEvent.objects.count() == log_rows
    assert AccessEvent.objects.filter(object_id=str(referral.pk)).exists()

    with time_machine.travel(rejected_at + datetime.timedelta(days=400), tick=False):
        assert retention.purge_expired().referrals == 1
        assert retention.purge_expired().referrals == 0  # a second run removes nothing
    rejected = ReferralStatistic.objects.get(final_status="rejected")
    assert (rejected.reason_code, rejected.count, rejected.contact_days) == ("no_capacity", 1, {})


def test_counts_add_up(world: ReferralWorld) -> None:
    first = _closed_referral(world)
    second = _closed_referral(world)
    with time_machine.travel(max(first.closed_at, second.closed_at) + datetime.timedelta(days=400)):
        retention.purge_expired()
    stat = ReferralStatistic.objects.get()
    assert stat.count == 2
    assert stat.contact_days == {"2": 2}


def test_configurable_period(world: ReferralWorld, settings: object) -> None:
    settings.REFERRAL_RETENTION_DAYS = 30  # type: ignore[attr-defined]
    referral = _closed_referral(world)
    with time_machine.travel(referral.closed_at + datetime.timedelta(days=31), tick=False):
        assert retention.purge_expired().referrals == 1


def test_open_referrals_and_recent_drafts_stay(world: ReferralWorld) -> None:
    with time_machine.travel(SENT, tick=False):
        open_one = make_referral(world, status=Status.IN_PROGRESS)
        draft = make_referral(world)
    with time_machine.travel(SENT + datetime.timedelta(days=10), tick=False):
        assert retention.purge_expired().drafts == 0
    with time_machine.travel(SENT + datetime.timedelta(days=800), tick=False):
        result = retention.purge_expired()
    assert result.referrals == 0
    assert result.drafts == 1
    assert Referral.objects.filter(pk=open_one.pk).exists()
    assert not Referral.objects.filter(pk=draft.pk).exists()


def test_idempotency_records_and_sent_messages_are_purged(world: ReferralWorld) -> None:
    with time_machine.travel(SENT, tick=False):
        make_referral(world, status=Status.REQUESTED)
        deliver_all_due()
        IdempotencyRecord.objects.create(
            user=world.midwife,
            key="k",
            request_hash="x",
            response_status=201,
            response_type="referral",
            response_id="1",
        )
    with time_machine.travel(SENT + datetime.timedelta(days=40), tick=False):
        result = retention.purge_expired()
    assert result.idempotency_records == 1
    assert result.outbox_messages == 1
    assert not IdempotencyRecord.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_command(world: ReferralWorld, capsys: pytest.CaptureFixture[str]) -> None:
    referral = _closed_referral(world)
    with time_machine.travel(referral.closed_at + datetime.timedelta(days=400), tick=False):
        call_command("purge_referrals")
    assert "Removed 1 closed referral(s)" in capsys.readouterr().out
    with pytest.raises(Exception, match="batch-size"):
        call_command("purge_referrals", "--batch-size", "0")
