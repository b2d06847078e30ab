"""The outbox: messages written with the change, no client data in them, delivered with retries
and back-off while the mail server is down, safe with several workers."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from kansrijk.referrals import outbox, services
from kansrijk.referrals.models import OutboxMessage
from kansrijk.referrals.workflow import Status
from tests.referrals.concurrency import is_sqlite, retrying, run_in_threads
from tests.referrals.factories import (
    CLIENT_BIRTH,
    CLIENT_FAMILY,
    CLIENT_GIVEN,
    ReferralWorld,
    build_world,
    make_referral,
)
from tests.referrals.mail import FlakyBackend

T0 = datetime.datetime(2025, 6, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def flaky(settings: object) -> Iterator[type[FlakyBackend]]:
    settings.EMAIL_BACKEND = "tests.referrals.mail.FlakyBackend"  # type: ignore[attr-defined]
    FlakyBackend.down = False
    FlakyBackend.calls = 0
    yield FlakyBackend
    FlakyBackend.down = False


@pytest.mark.django_db
def test_messages_go_to_the_other_side_without_client_data(world: ReferralWorld) -> None:
    referral = make_referral(world, status=Status.ACCEPTED)
    messages = list(OutboxMessage.objects.filter(referral=referral).order_by("id"))
    assert [(m.kind, m.recipient) for m in messages] == [
        (OutboxMessage.MessageKind.NEW_REFERRAL, world.intake.email),
        (OutboxMessage.MessageKind.STATUS, world.midwife.email),
    ]
    for message in messages:
        assert referral.reference in message.subject
        assert referral.reference in message.body
        text = message.subject + message.body
        for secret in (CLIENT_GIVEN, CLIENT_FAMILY, CLIENT_BIRTH.isoformat(), "06 12345678"):
            assert secret not in text
    assert "geaccepteerd" in messages[1].body


@pytest.mark.django_db
def test_a_discarded_draft_notifies_nobody(world: ReferralWorld) -> None:
    make_referral(world, status=Status.DRAFT)
    referral = make_referral(world, status=Status.DRAFT)
    services.cancel_referral(referral=referral, user=world.midwife)
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_organisation_address_is_preferred(world: ReferralWorld) -> None:
    world.receiver_org.email = "intake@jgz.example.org"
    world.receiver_org.save()
    make_referral(world, status=Status.REQUESTED)
    assert OutboxMessage.objects.get().recipient == "intake@jgz.example.org"


@pytest.mark.django_db
def test_nobody_to_notify_is_no_message(world: ReferralWorld) -> None:
    world.intake.email = ""
    world.intake.save()
    make_referral(world, status=Status.REQUESTED)
    assert not OutboxMessage.objects.exists()


def test_backoff() -> None:
    minutes = [outbox.backoff(n).total_seconds() / 60 for n in range(1, 10)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert outbox.backoff(0).total_seconds() == 0


@pytest.mark.django_db
def test_nothing_lost_while_the_mail_server_is_down(
    world: ReferralWorld, flaky: type[FlakyBackend]
) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        referral = make_referral(world, status=Status.REQUESTED)
        flaky.down = True
        result = outbox.deliver_all_due()
        assert (result.sent, result.failed) == (0, 1)
        message = OutboxMessage.objects.get()
        assert message.attempts == 1
        assert message.sent_at is None
        assert message.next_attempt_at == T0 + datetime.timedelta(minutes=1)
        assert "SMTPServerDisconnected" in message.last_error
        # Not due again yet.
        clock.shift(datetime.timedelta(seconds=30))
        assert outbox.deliver_all_due().handled == 0
        # Still down a few minutes later: two more failures, the wait doubling.
        clock.shift(datetime.timedelta(seconds=31))
        assert outbox.deliver_all_due().failed == 1
        clock.shift(datetime.timedelta(minutes=2))
        assert outbox.deliver_all_due().failed == 1
        message.refresh_from_db()
        assert message.attempts == 3
        assert message.next_attempt_at == T0 + datetime.timedelta(minutes=3, seconds=1) + (
            datetime.timedelta(minutes=4)
        )
        assert len(mail.outbox) == 0
        # The server comes back.
        flaky.down = False
        clock.shift(datetime.timedelta(minutes=4))
        assert outbox.deliver_all_due().sent == 1
        message.refresh_from_db()
        assert message.sent_at is not None
        assert message.attempts == 4
        assert message.last_error == ""
        assert len(mail.outbox) == 1
        sent = mail.outbox[0]
        assert sent.to == [world.intake.email]
        assert referral.reference in sent.subject
        # Sent is sent.
        clock.shift(datetime.timedelta(hours=2))
        assert outbox.deliver_all_due().handled == 0
        assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_gives_up_after_max_attempts(world: ReferralWorld, flaky: type[FlakyBackend]) -> None:
    make_referral(world, status=Status.REQUESTED)
    OutboxMessage.objects.update(attempts=outbox.MAX_ATTEMPTS - 1)
    flaky.down = True
    result = outbox.deliver_all_due()
    assert result.gave_up == 1
    message = OutboxMessage.objects.get()
    assert message.gave_up_at is not None
    assert not OutboxMessage.objects.pending().exists()


@pytest.mark.django_db
def test_claimed_messages_are_leased(world: ReferralWorld) -> None:
    make_referral(world, status=Status.REQUESTED)
    with time_machine.travel(T0, tick=False):
        OutboxMessage.objects.update(next_attempt_at=T0)
        assert len(outbox._claim(T0, 10)) == 1
        assert outbox._claim(T0, 10) == []  # leased to the first worker
        later = T0 + outbox.LEASE + datetime.timedelta(seconds=1)
        assert len(outbox._claim(later, 10)) == 1  # that worker died: another takes it


@pytest.mark.django_db
def test_command(world: ReferralWorld, capsys: pytest.CaptureFixture[str]) -> None:
    make_referral(world, status=Status.ACCEPTED)
    call_command("deliver_outbox")
    assert "2 sent" in capsys.readouterr().out
    assert len(mail.outbox) == 2
    make_referral(world, status=Status.REQUESTED)
    call_command("deliver_outbox", "--loop", "--max-rounds", "1", "--interval", "0")
    assert "1 sent" in capsys.readouterr().out
    assert not OutboxMessage.objects.pending().exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_send_each_message_once(places: None) -> None:
    world = build_world(suffix=" workers")
    for _ in range(6):
        make_referral(world, status=Status.ACCEPTED)  # 2 messages each
    total = OutboxMessage.objects.count()
    assert total == 12
    results = run_in_threads(lambda i: retrying(lambda: outbox.deliver_all_due(batch_size=2)), 3)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    subjects = sorted(OutboxMessage.objects.values_list("subject", flat=True))
    if is_sqlite():
        # A worker whose write was refused ("table is locked") mid-batch leaves its claimed
        # messages leased; after the lease another round sends them (at least once).
        later = timezone.now() + outbox.LEASE + datetime.timedelta(seconds=1)
        outbox.deliver_all_due(now=later)
        assert {m.subject for m in mail.outbox} == set(subjects)
    else:
        # PostgreSQL: SKIP LOCKED gives each worker its own messages; each is sent once.
        assert sorted(m.subject for m in mail.outbox) == subjects
    assert OutboxMessage.objects.filter(sent_at__isnull=False).count() == total
