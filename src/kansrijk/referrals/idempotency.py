"""``Idempotency-Key`` for POST requests: a retry returns the first result; the same key with
another request body is refused (``IdempotencyKeyReused``, the API's 422).

How it holds under concurrency: the record is inserted *first*, in the same transaction as the
work. A second request with the same key blocks on the unique index (PostgreSQL) or on the
write lock (SQLite, ``BEGIN IMMEDIATE``) until the first commits, then fails to insert and
replays the committed result. Should the work fail, the record is rolled back with it, so a
failed request can be retried with the same key.

The record keeps the status code and which object the response showed, not the body: no copy
of client data is kept, and a replay shows that object as it is now.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from kansrijk.referrals.exceptions import (
    IdempotencyKeyInProgress,
    IdempotencyKeyReused,
    InvalidReferral,
)
from kansrijk.referrals.models import IdempotencyRecord

_KEY = re.compile(r"^[\x21-\x7e]{1,100}$")


@dataclass(frozen=True)
class Outcome:
    status: int
    object_type: str
    object_id: str
    replayed: bool = False


def request_hash(scope: str, body: Any) -> str:
    canonical = json.dumps({"scope": scope, "body": body}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def validate_key(key: str) -> str:
    if not _KEY.match(key):
        from django.utils.translation import gettext_lazy as _

        raise InvalidReferral(
            {
                "Idempotency-Key": [
                    _("The Idempotency-Key is 1 to 100 visible ASCII characters, e.g. a UUID.")
                ]
            }
        )
    return key


def run_idempotent(
    *,
    user: Any,
    key: str | None,
    scope: str,
    body: Any,
    work: Callable[[], tuple[int, str, str]],
) -> Outcome:
    """Run ``work`` (returning status, object type, object id) at most once per (user, key).

    ``scope`` names the operation (method and path), so one key cannot be replayed against
    another endpoint. Without a key, ``work`` simply runs.
    """
    if not key:
        status, object_type, object_id = work()
        return Outcome(status, object_type, object_id)
    validate_key(key)
    digest = request_hash(scope, body)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                user=user,
                key=key,
                request_hash=digest,
                response_status=0,
                response_type="",
                response_id="",
            )
            status, object_type, object_id = work()
            record.response_status = status
            record.response_type = object_type
            record.response_id = str(object_id)
            record.save(update_fields=["response_status", "response_type", "response_id"])
            return Outcome(status, object_type, str(object_id))
    except IntegrityError:
        existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if existing is None:
            # The other request has not committed, or rolled back after all (PostgreSQL
            # waits for it instead; SQLite's shared-cache test database does not).
            raise IdempotencyKeyInProgress() from None
    if existing.request_hash != digest:
        raise IdempotencyKeyReused()
    return Outcome(
        existing.response_status, existing.response_type, existing.response_id, replayed=True
    )
