"""Date arithmetic the apps share."""

from __future__ import annotations

import datetime
from typing import TypeVar

from django.utils.dateparse import parse_date, parse_datetime

_Day = TypeVar("_Day", datetime.date, datetime.datetime)


def years_before(day: _Day, years: int) -> _Day:
    """The same date (or moment) ``years`` earlier; 28 February for a 29 February in a year
    that has none."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def parse_moment(text: str, *, zone: datetime.tzinfo = datetime.UTC) -> datetime.datetime | None:
    """A moment given in a query (ISO 8601), as an aware date-time; a date alone is its first
    moment, a moment without an offset is in ``zone``. ``None`` for text that names no moment,
    also when it is well formed but impossible (``2025-13-40``, ``+99:00``), for which Django's
    parsers raise ``ValueError``: an API's bad parameter, never a 500."""
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            if day is None:
                return None
            moment = datetime.datetime.combine(day, datetime.time.min)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
    except (ValueError, OverflowError):
        return None
    return moment
