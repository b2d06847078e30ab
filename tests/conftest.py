"""Fixtures for the whole suite.

The suite runs in parallel (pytest-xdist, ``-n auto`` in pyproject's addopts; ``-n 0`` runs it
in one process). Each worker has its own test database (pytest-django adds ``_gw0``, ``_gw1`` …
to the name on PostgreSQL; on SQLite each worker has its own in-memory database), its own live
server on a free port and its own browser. What tests share outside the database (Redis keys,
ports, files) must be unique per test or per worker.

- The reference data (municipalities, PC4) is loaded once into each worker's test database and
  kept there: a test that flushes the database (transactional tests, the live server) leaves
  its tables out of the flush while their rows are as loaded (``_ReferenceData``), and has it
  loaded again straight after, outside any test transaction, when it changed them. The
  ``places`` fixture makes sure it is there and returns nothing.
- On PostgreSQL those flushes delete rows instead of truncating tables (see
  ``_flush_by_delete``): the same empty tables, in a tenth of the time.
- ``login_verified(client, user)`` logs a user in with a verified second factor.
- Browser tests (marked ``e2e``) come first in the collection, then the other ``slow`` ones:
  the longest first keeps every worker busy until the end.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from pytest_django.fixtures import validate_django_db
from pytest_django.plugin import blocking_manager_key

from kansrijk.accounts.models import User
from tests.factories import TOTPDeviceFactory


def _ensure_reference_data() -> None:
    from kansrijk.places.models import Municipality
    from kansrijk.places.services import load_reference_data

    if not Municipality.objects.exists():
        load_reference_data()


class _ReferenceData:
    """Whether a flush may leave the reference data's tables alone.

    Loading the reference data again after every flush took ~0.3 s, for each of the ~100
    transactional and browser tests of a pass. So the rows as committed are fingerprinted
    (``remember``), and before a flush the fingerprint is taken again (~20 ms): when it is the
    same, the flush leaves those tables out (``keep``); when a test changed a row, or added or
    removed one, in any way (saves, bulk writes, SQL), they are flushed and loaded again."""

    fingerprint: str | None = None
    keep = False
    #: The app's models and their tables, taken once when the test database is set up.
    models: tuple[type[Any], ...] = ()
    tables: frozenset[str] = frozenset()

    @classmethod
    def _fingerprint(cls) -> str:
        digest = hashlib.sha256()
        for model in cls.models:
            for row in model._default_manager.order_by("pk").values_list():
                digest.update(repr(row).encode())
        return digest.hexdigest()

    @classmethod
    def remember(cls) -> None:
        from django.apps import apps

        if not cls.models:
            cls.models = tuple(sorted(apps.get_app_config("places").get_models(), key=str))
            cls.tables = frozenset(model._meta.db_table for model in cls.models)
        _ensure_reference_data()
        cls.fingerprint = cls._fingerprint()

    @classmethod
    def decide(cls) -> None:
        """Before a flush. When the fingerprint cannot be taken (a test left the connection
        unusable), the tables are flushed and loaded again, as they were before."""
        try:
            cls.keep = cls.fingerprint is not None and cls._fingerprint() == cls.fingerprint
        except Exception:
            cls.keep = False


def _leave_reference_data(original: Callable[..., list[str]]) -> Callable[..., list[str]]:
    """``sql_flush`` without the reference data's tables while ``_ReferenceData.keep``."""

    def sql_flush(ops: Any, style: object, tables: list[str], **options: Any) -> list[str]:
        if _ReferenceData.keep:
            tables = [table for table in tables if table not in _ReferenceData.tables]
        return original(ops, style, tables, **options)

    return sql_flush


def _flush_by_delete(original: Callable[..., list[str]]) -> Callable[..., list[str]]:
    """PostgreSQL's ``sql_flush`` for the test database: ``DELETE`` instead of ``TRUNCATE``.

    A transactional test ends with a flush of every table. ``TRUNCATE`` gives each of the ~70
    tables and their indexes new files, which costs ~3 s on this machine; deleting the few rows a
    test wrote costs ~0.2 s. The result is the same: every table empty, sequences untouched (the
    original is used when they are to be reset). Django's foreign keys are deferred, so the order
    of the deletes does not matter; the access log's append-only trigger lets the deletes through
    because they run with the retention purge's transaction-local setting.
    """

    def sql_flush(
        ops: Any,
        style: object,
        tables: list[str],
        *,
        reset_sequences: bool = False,
        allow_cascade: bool = False,
    ) -> list[str]:
        if reset_sequences or allow_cascade or not tables:
            return original(
                ops, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        quote = ops.quote_name
        return [
            "SET LOCAL kansrijk.audit_purge = 'on'",
            # Table names from Django's introspection, quoted.
            *(f"DELETE FROM {quote(table)}" for table in tables),  # noqa: S608
        ]

    return sql_flush


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    from django.db import connection

    operations = type(connection.ops)
    original = operations.sql_flush
    flush = _flush_by_delete(original) if connection.vendor == "postgresql" else original
    operations.sql_flush = _leave_reference_data(flush)  # type: ignore[method-assign]
    with django_db_blocker.unblock():
        _ReferenceData.remember()
    yield
    operations.sql_flush = original  # type: ignore[method-assign]
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock():
            _wait_for_other_sessions(connection)


def _wait_for_other_sessions(connection: Any, seconds: float = 10.0) -> None:
    """Until no other connection uses the test database, for at most ``seconds``: PostgreSQL
    does not drop a database in use. The live server's request threads close theirs when their
    browser has gone, a moment after it closed (``tests/e2e/conftest.py``)."""
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)


def _flushes_the_database(item: pytest.Item) -> bool:
    """Whether pytest-django runs ``item`` as a TransactionTestCase (flushed afterwards)."""
    names = getattr(item, "fixturenames", ())
    if "transactional_db" in names or "live_server" in names:
        return True
    marker = item.get_closest_marker("django_db")
    if marker is None:
        return False
    transaction, reset_sequences, *_ = validate_django_db(marker)
    return bool(transaction or reset_sequences)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Before a flush, whether it may leave the reference data alone; after it, the reference
    data again, committed, when it was flushed, so the next test finds it as the session
    started (without this, every later test would load it in its own transaction)."""
    flushes = _flushes_the_database(item)
    if flushes:
        with item.config.stash[blocking_manager_key].unblock():
            _ReferenceData.decide()
    try:
        result = yield
    finally:
        kept, _ReferenceData.keep = _ReferenceData.keep, False
    if nextitem is not None and flushes and not kept:
        with item.config.stash[blocking_manager_key].unblock():
            _ReferenceData.remember()
    return result


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> Iterator[None]:
    """What workers keep in memory (``kansrijk.core.freshness``: every ``Kept``) or in the
    shared cache does not leak from one test into the next."""
    from django.core.cache import cache

    from kansrijk.core import freshness

    cache.clear()
    freshness.forget_all()
    yield
    cache.clear()
    freshness.forget_all()


@pytest.fixture(autouse=True)
def tokens_held(monkeypatch: pytest.MonkeyPatch) -> None:
    """The version numbers this process read hold for the whole test, not ``TOKEN_SECONDS``
    (2 s): a test that counts the queries of requests made seconds apart on a loaded machine
    does not see a reading of the numbers that only the clock asked for (every signed-in
    request looks at the ``accounts`` token). An hour, not forever: this process's own write
    still has the numbers read again at the next look, as in a worker. A test of what another
    process wrote sets ``TOKEN_SECONDS`` itself (``written_elsewhere``)."""
    from kansrijk.core import freshness

    monkeypatch.setattr(freshness, "TOKEN_SECONDS", 3600.0)


@pytest.fixture
def written_elsewhere(db: None) -> Callable[[str], None]:
    """``written_elsewhere("directory")`` raises the version number of a kind of data in the
    database, as another process's committed write does (``kansrijk.core.freshness``); this
    process sees it once it reads the numbers again (``TOKEN_SECONDS``)."""
    from django.db.models import F

    from kansrijk.core.models import DataVersion

    def write(kind: str) -> None:
        if not DataVersion.objects.filter(kind=kind).update(version=F("version") + 1):
            DataVersion.objects.create(kind=kind, version=1)

    return write


@pytest.fixture(autouse=True)
def _shared_rows_are_asked_for(request: pytest.FixtureRequest) -> None:
    """A test that runs while rows shared by its module or class are in the database
    (``tests/scoped.py``) asks for them: otherwise what it sees depends on the order."""
    from tests.scoped import ACTIVE

    for scope, fixture in ACTIVE.items():
        if request.node.nodeid.startswith(f"{scope}::") and fixture not in request.fixturenames:
            pytest.fail(
                f"{request.node.nodeid} runs while {fixture!r} is in the database: ask for it, or move the test out of {scope}"
            )


@pytest.fixture
def places(db: None) -> None:
    """The national reference data: 342 municipalities and the PC4 table."""
    _ensure_reference_data()


def _login_verified(client: Client, user: User) -> Client:
    device = user.totpdevice_set.filter(confirmed=True).first() or TOTPDeviceFactory(user=user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def login_verified() -> Callable[[Client, User], Client]:
    return _login_verified


def _expected_length(item: pytest.Item) -> int:
    """Browser tests, then the other slow ones, then the rest (sort keys)."""
    if item.get_closest_marker("e2e"):
        return 0
    return 1 if item.get_closest_marker("slow") else 2


#: The fixtures through which a test reaches the suite's database (pytest-django's).
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "live_server",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
    }
)


def uses_the_database(item: pytest.Item) -> bool:
    """Whether ``item`` can reach the suite's database. pytest-django blocks every other test's
    queries, so the answer of any other test cannot depend on which database the suite has."""
    if item.get_closest_marker("django_db") or item.get_closest_marker("postgres"):
        return True
    return not DATABASE_FIXTURES.isdisjoint(getattr(item, "fixturenames", ()))


@pytest.hookimpl(tryfirst=True)  # before ``-m`` selects by these marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Marks every test that uses the database ``database`` and every test under
    ``tests/e2e/`` ``e2e``, then sorts (``_expected_length``)."""
    browser_tests = config.rootpath / "tests" / "e2e"
    for item in items:
        if uses_the_database(item):
            item.add_marker(pytest.mark.database)
        if item.path.is_relative_to(browser_tests):
            item.add_marker(pytest.mark.e2e)
    items.sort(key=_expected_length)
