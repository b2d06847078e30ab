"""The date-time of a keyset cursor (``core.cursors``): exact to the microsecond, both ways."""

from __future__ import annotations

import datetime

from kansrijk.core.cursors import microseconds, moment


def test_a_moment_goes_to_microseconds_and_back_exactly() -> None:
    at = datetime.datetime(2026, 12, 6, 8, 30, 15, 123_457, tzinfo=datetime.UTC)
    assert microseconds(at) == 1_796_545_815_123_457
    assert moment(microseconds(at)) == at
    before_1970 = datetime.datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=datetime.UTC)
    assert microseconds(before_1970) == -1
    assert moment(-1) == before_1970


def test_a_moment_out_of_range_is_none() -> None:
    assert moment(10**19) is None
    assert moment(-(10**19)) is None
