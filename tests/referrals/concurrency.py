"""Running work in threads, each with its own database connection.

On SQLite the test database is in memory with a shared cache, where a second writer gets
"database table is locked" at once instead of waiting (the busy timeout does not apply to
shared-cache locks; a production SQLite file with WAL and busy_timeout makes writers wait).
So on SQLite a thread retries such a failure, as an HTTP client retries a failed request (with
the same Idempotency-Key); on PostgreSQL nothing is retried and the database's own
locking is what is tested.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import connection


def is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def _locked(exc: BaseException | None) -> bool:
    while exc is not None:
        if "locked" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _failed_response(result: Any) -> bool:
    """A 500, or a page from Django's middleware instead of an API answer (e.g. the session
    middleware's 400 when it could not save the session under a lock)."""
    status = getattr(result, "status_code", None)
    if status is None:
        return False
    return status >= 500 or "json" not in result.get("Content-Type", "")


def retrying(work: Callable[[], Any], *, attempts: int = 1000) -> Any:
    """``work()``; on SQLite retried while it fails on a lock (an exception mentioning
    "locked", or a failed HTTP response, see ``_failed_response``)."""
    for attempt in range(attempts):
        try:
            result = work()
        except Exception as exc:
            if not is_sqlite() or not _locked(exc) or attempt == attempts - 1:
                raise
        else:
            if not (is_sqlite() and _failed_response(result)) or attempt == attempts - 1:
                return result
        time.sleep(0.002 + 0.001 * (attempt % 7))
    raise AssertionError("unreachable")


def run_in_threads(work: Callable[[int], Any], count: int, *, timeout: float = 300) -> list[Any]:
    """Start ``count`` threads together; returns each one's result (or the exception)."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def target(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except BaseException as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
