"""Test data made once for a whole module (or class), as Django's ``TestCase.setUpTestData``.

A fixture that writes many rows and whose rows the tests only read (a demo social map, a random
map that a parametrised test searches ten ways) costs its full price before every test. With
``data_for_scope`` it is made once, in a transaction that stays open while the scope's tests
run; each test runs in a savepoint inside it (pytest-django's ``db``), so what a test writes is
undone after it as usual, and the shared rows are rolled back when the scope ends::

    @pytest.fixture(scope="module")
    def demo_map(request: pytest.FixtureRequest) -> Iterator[DemoSummary]:
        yield from data_for_scope(request, load_the_demo_map)

The rows are in the database for every test of the scope that runs after the first one that
asked for them, so every test of that scope that uses the database must ask for the fixture
too: ``tests/conftest.py`` fails one that does not (move it to another module or class). Only
for tests that run in a transaction (``db``, ``django_db``): a transactional test
(``transactional_db``, ``live_server``) in the scope would flush the database under it. Caches
kept in the process are still forgotten before every test (``tests/conftest.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest
from django.db import transaction

T = TypeVar("T")

#: The scopes (node ids of modules or classes) whose shared rows are in the database now, and
#: the name of the fixture that made them.
ACTIVE: dict[str, str] = {}


def data_for_scope(request: pytest.FixtureRequest, build: Callable[[], T]) -> Iterator[T]:
    """Yield what ``build()`` returns, its rows visible to the scope's tests, then undo it."""
    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    atomic = transaction.atomic()
    with blocker.unblock():
        atomic.__enter__()
        try:
            value = build()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    ACTIVE[request.node.nodeid] = request.fixturename
    try:
        yield value
    finally:
        del ACTIVE[request.node.nodeid]
        with blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
