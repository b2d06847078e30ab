"""Working days in the Netherlands: Monday to Friday except the national public holidays
(New Year, Good Friday is not one, Easter Monday, King's Day, Liberation Day, Ascension Day,
Whit Monday, Christmas). Liberation Day counts every year, as most care organisations do."""

from __future__ import annotations

import datetime

from kansrijk.core.freshness import memo


def _easter(year: int) -> datetime.date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


@memo("referrals.holidays", size=64)
def holidays(year: int) -> frozenset[datetime.date]:
    easter = _easter(year)
    kings_day = datetime.date(year, 4, 27)
    if kings_day.weekday() == 6:  # on a Sunday it moves to Saturday
        kings_day -= datetime.timedelta(days=1)
    return frozenset(
        {
            datetime.date(year, 1, 1),
            easter + datetime.timedelta(days=1),
            kings_day,
            datetime.date(year, 5, 5),
            easter + datetime.timedelta(days=39),
            easter + datetime.timedelta(days=50),
            datetime.date(year, 12, 25),
            datetime.date(year, 12, 26),
        }
    )


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in holidays(day.year)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date ``days`` working days after ``start`` (``start`` itself does not count)."""
    current = start
    remaining = days
    while remaining > 0:
        current += datetime.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end <= start``).

    Arithmetic rather than a walk over the days: whole weeks count five, the rest day by day,
    minus the public holidays on weekdays in between (an inbox row of an old referral would
    otherwise walk hundreds of days)."""
    if end <= start:
        return 0
    weeks, rest = divmod((end - start).days, 7)
    first = start.weekday()
    count = weeks * 5 + sum(1 for i in range(1, rest + 1) if (first + i) % 7 < 5)
    for year in range(start.year, end.year + 1):
        count -= sum(1 for day in holidays(year) if start < day <= end and day.weekday() < 5)
    return count
