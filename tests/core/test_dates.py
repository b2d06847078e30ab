"""``core.dates.years_before``: the same day years earlier, 29 February to 28 February."""

from __future__ import annotations

import datetime

from kansrijk.core.dates import years_before


def test_the_same_day_years_earlier() -> None:
    assert years_before(datetime.date(2026, 12, 6), 1) == datetime.date(2025, 12, 6)
    moment = datetime.datetime(2026, 12, 6, 8, 30, tzinfo=datetime.UTC)
    assert years_before(moment, 5) == datetime.datetime(2021, 12, 6, 8, 30, tzinfo=datetime.UTC)


def test_29_february_becomes_28_february_in_a_year_without_one() -> None:
    assert years_before(datetime.date(2028, 2, 29), 1) == datetime.date(2027, 2, 28)
    assert years_before(datetime.date(2028, 2, 29), 4) == datetime.date(2024, 2, 29)
