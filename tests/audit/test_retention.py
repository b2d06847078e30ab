"""The purge writes an event that it happened (how many, which period), and the retention
cannot go below the legal minimum (NEN 7513: five years) without an override that is logged."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from kansrijk.audit.checks import retention_check
from kansrijk.audit.models import AccessEvent
from kansrijk.audit.retention import MINIMUM_DAYS, RetentionBelowMinimum, RetentionPolicy
from kansrijk.audit.services import purge_expired, retention_cutoff
from tests.audit.helpers import at, make_event

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2031, 6, 15, 10, 0, tzinfo=datetime.UTC)


@time_machine.travel(NOW, tick=False)
def test_a_purge_records_how_many_it_removed_and_from_which_period():
    make_event(occurred_at=at(2019, 3, 1))
    make_event(occurred_at=at(2020, 5, 2))
    kept = make_event(occurred_at=at(2030, 1, 1))
    assert purge_expired() == 2
    event = AccessEvent.objects.get(event_type="audit.purge")
    assert (event.action, event.outcome, event.purpose) == ("delete", "success", "audit.retention")
    assert event.object_type == "audit.accessevent"
    assert event.details == (
        "removed=2 from=2019-03-01T12:00:00+00:00 before=2026-06-15T10:00:00+00:00 "
        f"retention_days={MINIMUM_DAYS}"
    )
    assert set(AccessEvent.objects.values_list("pk", flat=True)) == {kept.pk, event.pk}


@time_machine.travel(NOW, tick=False)
def test_a_purge_that_removes_nothing_is_recorded_too():
    assert purge_expired() == 0
    event = AccessEvent.objects.get(event_type="audit.purge")
    assert event.details.startswith("removed=0 from=- before=")


@time_machine.travel(NOW, tick=False)
def test_the_purge_record_itself_outlives_later_purges():
    purge_expired()
    first = AccessEvent.objects.get(event_type="audit.purge")
    with time_machine.travel(NOW + datetime.timedelta(days=400), tick=False):
        purge_expired()
    assert AccessEvent.objects.filter(pk=first.pk).exists()


@pytest.mark.parametrize("days", [0, 30, 365, MINIMUM_DAYS - 1])
def test_a_retention_below_the_legal_minimum_is_refused_and_nothing_is_removed(settings, days):
    settings.AUDIT_RETENTION_DAYS = days
    settings.AUDIT_RETENTION_OVERRIDE = ""
    old = make_event(occurred_at=at(2020, 1, 1))
    with pytest.raises(RetentionBelowMinimum, match=r"legal minimum|at least 1"):
        purge_expired()
    with pytest.raises(CommandError, match="AUDIT_RETENTION"):
        call_command("purge_audit", stdout=io.StringIO())
    assert AccessEvent.objects.filter(pk=old.pk).exists()
    assert not AccessEvent.objects.filter(event_type="audit.purge").exists()
    (error,) = retention_check()
    assert error.id == "kansrijk.audit.E001"


@time_machine.travel(NOW, tick=False)
def test_an_override_allows_a_shorter_retention_and_is_itself_logged(settings):
    settings.AUDIT_RETENTION_DAYS = 365
    settings.AUDIT_RETENTION_OVERRIDE = "DPIA 2031-04, agreed with the DPO"
    make_event(occurred_at=at(2029, 1, 1))
    kept = make_event(occurred_at=at(2031, 1, 1))
    assert purge_expired() == 1
    override = AccessEvent.objects.get(event_type="audit.retention.override")
    assert override.details == (
        f"days=365 minimum={MINIMUM_DAYS} reason=DPIA 2031-04, agreed with the DPO"
    )
    purge = AccessEvent.objects.get(event_type="audit.purge")
    assert "retention_days=365" in purge.details
    assert AccessEvent.objects.filter(pk=kept.pk).exists()
    (warning,) = retention_check()
    assert warning.id == "kansrijk.audit.W001"


def test_a_longer_retention_needs_no_override_and_the_default_passes_the_check(settings):
    assert retention_check() == []
    settings.AUDIT_RETENTION_DAYS = 10 * 365
    assert retention_check() == []
    assert retention_cutoff(NOW) == NOW - datetime.timedelta(days=10 * 365)


def test_five_years_are_calendar_years_even_with_two_leap_days():
    """From 2028-03-01 back to 2023-03-01 there are 1827 days (2024 and 2028 are leap years):
    the 1826-day default would remove a day too early, the calendar keeps it."""
    now = datetime.datetime(2028, 3, 1, 12, tzinfo=datetime.UTC)
    policy = RetentionPolicy(days=MINIMUM_DAYS)
    assert policy.cutoff(now) == datetime.datetime(2023, 3, 1, 12, tzinfo=datetime.UTC)
    leap = datetime.datetime(2028, 2, 29, 12, tzinfo=datetime.UTC)
    assert policy.cutoff(leap) <= datetime.datetime(2023, 2, 28, 12, tzinfo=datetime.UTC)
