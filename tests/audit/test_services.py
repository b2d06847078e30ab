"""record_event, the fields of the log, and the retention purge (services and command)."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import RequestFactory

from kansrijk.accounts.roles import Role
from kansrijk.audit.models import AccessEvent, Action, Outcome
from kansrijk.audit.services import purge_expired, record_event, retention_cutoff
from tests.audit.helpers import at, make_event
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

#: Every column of the log. References only: no names, dates of birth, addresses or payloads.
REFERENCE_FIELDS = {
    "id",
    "occurred_at",
    "event_type",
    "action",
    "outcome",
    "user",
    "user_display",
    "role",
    "organisation",
    "on_behalf_of",
    "purpose",
    "object_type",
    "object_id",
    "client_ref",
    "consent_ref",
    "request_id",
    "source_ip",
    # A short note of references and counts (e.g. what a purge removed): no free text.
    "details",
}

NOW = datetime.datetime(2031, 6, 15, 10, 0, tzinfo=datetime.UTC)


def test_the_log_has_only_reference_fields():
    names = {field.name for field in AccessEvent._meta.get_fields()}
    assert names == REFERENCE_FIELDS
    # No free text wider than a reference and nothing that could hold a payload.
    for field in AccessEvent._meta.concrete_fields:
        assert field.get_internal_type() not in {"TextField", "JSONField", "BinaryField"}, (
            field.name
        )


@time_machine.travel(NOW, tick=False)
def test_record_event_writes_exactly_the_given_references():
    user = UserFactory(username="j.devries", roles=[Role.INTAKE_HANDLER])
    request = RequestFactory().get("/verwijzingen/7/", REMOTE_ADDR="192.0.2.10")
    request.user = user
    request.request_id = "req-1234567890"

    event = record_event(
        request=request,
        event_type="referral.view",
        action=Action.READ,
        object_type="referral",
        object_id=7,
        client_ref="C-123",
        consent_ref="CONSENT-9",
        purpose="referral.intake",
        role=Role.INTAKE_HANDLER,
        on_behalf_of="colleague",
    )

    stored = AccessEvent.objects.values().get(pk=event.pk)
    assert stored == {
        "id": event.pk,
        "occurred_at": NOW,
        "event_type": "referral.view",
        "action": "read",
        "outcome": "success",
        "user_id": user.pk,
        "user_display": "j.devries",
        "role": "intake_handler",
        "organisation_id": user.organisation_id,
        "on_behalf_of": "colleague",
        "purpose": "referral.intake",
        "object_type": "referral",
        "object_id": "7",
        "client_ref": "C-123",
        "consent_ref": "CONSENT-9",
        "request_id": "req-1234567890",
        "source_ip": "192.0.2.10",
        "details": "",
    }


def test_record_event_without_request_or_user_leaves_references_empty():
    event = record_event(event_type="system.job", action=Action.DELETE, outcome=Outcome.FAILURE)
    event.refresh_from_db()
    assert (event.user_id, event.user_display, event.organisation_id) == (None, "", None)
    assert (event.request_id, event.source_ip, event.object_id) == ("", None, "")
    assert event.outcome == "failure"


@pytest.mark.parametrize(
    ("action", "outcome"),
    [("peek", Outcome.SUCCESS), ("READ", Outcome.SUCCESS), (Action.READ, "maybe")],
)
def test_record_event_rejects_an_unknown_action_or_outcome(action, outcome):
    with pytest.raises(ValueError, match="unknown audit"):
        record_event(event_type="referral.view", action=action, outcome=outcome)
    assert not AccessEvent.objects.exists()


def test_retention_is_five_years():
    assert settings.AUDIT_RETENTION_DAYS >= 5 * 365
    assert retention_cutoff(NOW) == NOW - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)


def _rows_around_the_cutoff() -> dict[str, AccessEvent]:
    cutoff = NOW - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    return {
        "ancient": make_event(occurred_at=at(2020, 1, 1)),
        "just_expired": make_event(occurred_at=cutoff - datetime.timedelta(seconds=1)),
        "at_cutoff": make_event(occurred_at=cutoff),
        "just_kept": make_event(occurred_at=cutoff + datetime.timedelta(seconds=1)),
        "recent": make_event(occurred_at=NOW - datetime.timedelta(days=1)),
    }


@time_machine.travel(NOW, tick=False)
def test_purge_removes_only_events_older_than_five_years_and_twice_is_safe():
    rows = _rows_around_the_cutoff()

    assert purge_expired() == 2
    remaining = set(
        AccessEvent.objects.exclude(event_type="audit.purge").values_list("pk", flat=True)
    )
    assert remaining == {rows[k].pk for k in ("at_cutoff", "just_kept", "recent")}

    assert purge_expired() == 0
    assert AccessEvent.objects.exclude(event_type="audit.purge").count() == 3
    # Each run is in the log, and the second run did not remove the first run's record.
    assert AccessEvent.objects.filter(event_type="audit.purge").count() == 2


@time_machine.travel(NOW, tick=False)
def test_purge_works_in_batches():
    for day in range(1, 8):
        make_event(occurred_at=at(2021, 1, day))
    make_event(occurred_at=NOW)
    assert purge_expired(batch_size=3) == 7
    assert AccessEvent.objects.exclude(event_type="audit.purge").count() == 1


def test_purge_refuses_a_batch_size_below_one():
    with pytest.raises(ValueError, match="batch_size"):
        purge_expired(batch_size=0)


@time_machine.travel(NOW, tick=False)
def test_purge_audit_command_reports_the_number_removed():
    _rows_around_the_cutoff()
    out = io.StringIO()
    call_command("purge_audit", stdout=out)
    assert out.getvalue().startswith("Removed 2 access-log event(s) from before 2026-")
    assert AccessEvent.objects.exclude(event_type="audit.purge").count() == 3

    out = io.StringIO()
    call_command("purge_audit", "--batch-size", "1", stdout=out)
    assert out.getvalue().startswith("Removed 0 access-log event(s)")


def test_purge_audit_command_refuses_a_bad_batch_size():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="batch-size"):
        call_command("purge_audit", "--batch-size", "0", stdout=io.StringIO())


def test_the_console_script_maps_purge_audit(monkeypatch):
    """`kansrijk purge-audit` (the cron line in docs/operations.md) reaches this command."""
    from kansrijk import cli

    called: list[list[str]] = []
    monkeypatch.setattr(
        "django.core.management.execute_from_command_line", lambda argv: called.append(argv)
    )
    cli.main(["kansrijk", "purge-audit"])
    assert called == [["kansrijk", "purge_audit"]]
