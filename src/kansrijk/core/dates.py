"""Date arithmetic the apps share."""

from __future__ import annotations

import datetime
from typing import TypeVar

_Day = TypeVar("_Day", datetime.date, datetime.datetime)


def years_before(day: _Day, years: int) -> _Day:
    """The same date (or moment) ``years`` earlier; 28 February for a 29 February in a year
    that has none."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)
