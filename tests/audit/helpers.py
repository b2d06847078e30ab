"""Helpers for the access-log tests."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from kansrijk.audit.models import AccessEvent, Action


def make_event(**fields: Any) -> AccessEvent:
    """One access event with explicit fields (bypassing record_event, e.g. for old dates)."""
    values: dict[str, Any] = {
        "event_type": "referral.view",
        "action": Action.READ,
        "occurred_at": timezone.now(),
    }
    values.update(fields)
    return AccessEvent.objects.create(**values)


def at(
    year: int, month: int = 1, day: int = 1, hour: int = 12, minute: int = 0
) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=datetime.UTC)
