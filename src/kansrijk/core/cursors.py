"""The date-time in a keyset cursor. A page of a list ordered by a date-time and an id continues
after the position of its last row; the cursor writes that date-time as whole microseconds since
1970 (UTC), exact where a float timestamp is not. The audit log's search and the referral lists
write their cursors this way."""

from __future__ import annotations

import datetime

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def microseconds(at: datetime.datetime) -> int:
    """``at`` (aware) as whole microseconds since 1970, UTC."""
    delta = at - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def moment(microseconds: int) -> datetime.datetime | None:
    """The date-time ``microseconds`` after 1970 (UTC); ``None`` when it is out of range."""
    try:
        return _EPOCH + datetime.timedelta(microseconds=microseconds)
    except OverflowError:
        return None
