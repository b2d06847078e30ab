"""Django's PostgreSQL backend, with bulk writes batched under PostgreSQL's parameter limit.

``DATABASES["default"]["ENGINE"]`` on PostgreSQL (conf/base.py). With the parameters bound on the
server — needed for prepared statements — one statement carries at most 65,535 of them: the
protocol counts them in 16 bits, and psycopg refuses more ("number of parameters must be between
0 and 65535"). Django 5.2 batches ``bulk_create``, ``bulk_update`` and the deletes of a cascade
by that kind of limit on SQLite (999), but not on PostgreSQL, where parameters written into the
SQL by the client have none. So a bulk write that passes on SQLite could fail on PostgreSQL.
Here the batch size is the limit divided by the parameters a row takes, as Django's SQLite
backend computes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import Any

from django.db import models
from django.db.backends.postgresql import base, operations

MAX_QUERY_PARAMS = 65_535


class DatabaseOperations(operations.DatabaseOperations):
    def bulk_batch_size(self, fields: Sequence[Any], objs: Sequence[Any]) -> int:
        features = self.connection.features
        if not features.uses_server_side_binding:  # type: ignore[attr-defined]  # not in the stubs
            return super().bulk_batch_size(fields, objs)
        columns = list(
            chain.from_iterable(
                field.fields if isinstance(field, models.CompositePrimaryKey) else [field]
                for field in fields
            )
        )
        if not columns:
            return len(objs)
        return max(MAX_QUERY_PARAMS // len(columns), 1)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
