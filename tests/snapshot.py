"""A copy of the test database's rows, taken once per worker and put back before later tests.

Browser tests need the whole demo committed (a live server reads it from another connection), and
every such test ends with a flush. Loading the demo costs ~12 s on this machine (most of it the
monitor's 35,000 generated figures), before each of the 18 browser tests that use it.
``restored(name, build)`` runs ``build()`` the first time a worker asks for ``name``, copies every
table's rows aside, and from then on puts exactly those rows back instead (~0.5 s): the same data,
because the demo loaders are deterministic and the copy is taken from their result.

- PostgreSQL: the rows go to a schema of their own (``CREATE TABLE … AS TABLE``); putting them
  back deletes every table's rows and inserts the copies in one transaction (foreign keys are
  deferred, so the order does not matter), then sets the sequences past the highest id.
- SQLite: SQLite's online backup copies the whole database to a second in-memory database and
  back.

What lives outside the database (process caches, the shared cache) is forgotten before every
test anyway (``tests/conftest.py``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction

#: The copies this process holds: their names, and for SQLite the copy itself.
_COPIES: dict[str, sqlite3.Connection | None] = {}


def restored(name: str, build: Callable[[], Any]) -> None:
    """The rows ``build()`` leaves in the (flushed) database: built once, then copied back."""
    if name not in _COPIES:
        build()
        _COPIES[name] = _copy(name)
    else:
        _put_back(name)


def _schema(name: str) -> str:
    return connection.ops.quote_name(f"kansrijk_copy_{name}")


def _tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True))


def _copy(name: str) -> sqlite3.Connection | None:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(copy)
        return copy
    quote = connection.ops.quote_name
    schema = _schema(name)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        cursor.execute(f"CREATE SCHEMA {schema}")
        for table in _tables():
            # Names from Django's introspection, quoted.
            cursor.execute(f"CREATE TABLE {schema}.{quote(table)} AS TABLE {quote(table)}")
    return None


def _columns(cursor: Any, table: str) -> str:
    """The columns a row can be inserted with (not the generated ones), quoted."""
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0"
        " AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
        [connection.ops.quote_name(table)],
    )
    return ", ".join(connection.ops.quote_name(column) for (column,) in cursor.fetchall())


def _put_back(name: str) -> None:
    copy = _COPIES[name]
    if copy is not None:
        connection.ensure_connection()
        copy.backup(connection.connection)
        return
    quote = connection.ops.quote_name
    schema = _schema(name)
    tables = _tables()
    with transaction.atomic(), connection.cursor() as cursor:
        # The access log's append-only trigger lets the deletes through with the retention
        # purge's transaction-local setting (as the test flush does, tests/conftest.py).
        cursor.execute("SET LOCAL kansrijk.audit_purge = 'on'")
        for table in tables:
            cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608
        for table in tables:
            columns = _columns(cursor, table)
            cursor.execute(
                f"INSERT INTO {quote(table)} ({columns}) SELECT {columns} FROM {schema}.{quote(table)}"  # noqa: S608
            )
        for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(statement)
