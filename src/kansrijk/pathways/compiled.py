"""Querysets the pathway page runs often, compiled to SQL once per process.

Filling what a process keeps for a municipality (which pathway applies, the steps of its
versions and their services) runs a few querysets that differ only in their parameters. The
ORM builds and compiles a queryset every time it runs, which cost more than running these
queries; ``rows`` compiles each once (per database alias and number of parameters) and runs
the SQL with the parameters of the moment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from kansrijk.core.freshness import Kept

__all__ = ["rows"]

#: Per name, database alias and number of parameters: the SQL, and the ORM's converters of its
#: columns (position, converters, expression), so that values come as the queryset gives them.
_compiled: Kept[tuple[str, str, int], tuple[str, list[tuple[int, list[Any], Any]]]] = Kept(
    "pathways.compiled-sql", seconds=float("inf"), size=64
)


def rows(
    name: str, queryset: Callable[[list[Any]], QuerySet[Any]], params: list[Any]
) -> list[tuple[Any, ...]]:
    """The rows of ``queryset(params)`` (a ``values_list`` queryset) whose SQL takes exactly
    ``params``, in order; ``name`` names the queryset (the same name, the same queryset)."""
    key = (name, connection.alias, len(params))
    entry = _compiled.get(key)
    if entry is None:
        compiler = queryset(params).query.get_compiler(using=connection.alias)
        sql, compiled_params = compiler.as_sql()
        if list(compiled_params) != list(params):  # pragma: no cover - not such a query
            return list(queryset(params))
        columns = [column[0] for column in compiler.select[: compiler.col_count]]
        converters = [
            (position, list(functions), expression)
            for position, (functions, expression) in compiler.get_converters(columns).items()
        ]
        entry = _compiled.put(key, (sql, converters))
    sql, converters = entry
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    if not converters:
        return found
    converted = []
    for row in found:
        values = list(row)
        for position, functions, expression in converters:
            value = values[position]
            for function in functions:
                value = function(value, expression, connection)
            values[position] = value
        converted.append(tuple(values))
    return converted
