"""``core.dates.years_before``: the same day years earlier, 29 February to 28 February."""

from __future__ import annotations

import datetime

from kansrijk.core.dates import parse_moment, years_before


def test_the_same_day_years_earlier() -> None:
    assert years_before(datetime.date(2026, 12, 6), 1) == datetime.date(2025, 12, 6)
    moment = datetime.datetime(2026, 12, 6, 8, 30, tzinfo=datetime.UTC)
    assert years_before(moment, 5) == datetime.datetime(2021, 12, 6, 8, 30, tzinfo=datetime.UTC)


def test_29_february_becomes_28_february_in_a_year_without_one() -> None:
    assert years_before(datetime.date(2028, 2, 29), 1) == datetime.date(2027, 2, 28)
    assert years_before(datetime.date(2028, 2, 29), 4) == datetime.date(2024, 2, 29)


def test_a_moment_from_a_query() -> None:
    utc = datetime.UTC
    assert parse_moment("2025-03-05T10:30:00Z") == datetime.datetime(2025, 3, 5, 10, 30, tzinfo=utc)
    assert parse_moment("2025-03-05T10:30:00+01:00") == datetime.datetime(
        2025, 3, 5, 9, 30, tzinfo=utc
    )
    # A date is its first moment; a moment without an offset is UTC.
    assert parse_moment("2025-03-05") == datetime.datetime(2025, 3, 5, tzinfo=utc)
    assert parse_moment("2025-03-05T10:30") == datetime.datetime(2025, 3, 5, 10, 30, tzinfo=utc)


def test_a_moment_that_is_no_moment_is_none_not_an_error() -> None:
    """Django's parsers raise ValueError for text that is well formed but names no moment."""
    for text in [
        "",
        "gisteren",
        "2025-13-40",
        "2025-02-30",
        "2025-02-30T12:00:00Z",
        "2025-01-01T25:00:00Z",
        "2025-03-05T00:00:00+99:00",
        "0000-01-01",
    ]:
        assert parse_moment(text) is None, text
