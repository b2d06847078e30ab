"""Querysets that hot pages run on every request, compiled to SQL once per process.

The ORM builds and compiles a queryset every time it runs. For the few querysets a busy page
runs on every request (the referral page and its history, the inbox, the pathway page's fills)
that cost more than running the query: on the referral page, building and compiling its five
querysets took about a third of the request. ``rows`` (``values_list`` querysets) and
``objects`` (model querysets, ``select_related`` and ``only`` included) compile a queryset once
per process and *shape*, then run its SQL with the parameters of the moment and build the rows
or instances as the ORM does (its converters, ``Model.from_db`` and its related populators).
``prefetched`` puts related instances where ``prefetch_related`` puts them, so that
``referral.consents.all()`` and the like read them without a query.

**The shape contract.** ``name`` with the number of ``params`` names one SQL text: everything
that changes the SQL (which filters apply, how many values an ``IN`` list holds) must be in
``name``; ``params`` are the values in the order the SQL takes them, as the database takes them
(``db_value``: a UUID is text on SQLite). When a shape is compiled,
the queryset's own parameters must equal ``params`` (else the call runs through the ORM and
nothing is kept). With ``settings.KANSRIJK_COMPILED_CHECK`` (on in the tests) every call also
builds and compiles the queryset and fails on any difference in SQL or parameters: the whole
test suite runs this path against the ORM's own. ``docs/adr/0007-compiled-querysets.md`` gives
the numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Model, QuerySet
from django.db.models.query import (  # type: ignore[attr-defined]
    ModelIterable,
    get_related_populators,
)

from kansrijk.core.freshness import Kept

__all__ = ["ShapeMismatch", "db_value", "filter_params", "objects", "prefetched", "rows"]

M = TypeVar("M", bound=Model)

#: (position, converter functions, expression) of the columns that need converting.
_Converters = list[tuple[int, list[Any], Any]]


class ShapeMismatch(AssertionError):
    """With ``KANSRIJK_COMPILED_CHECK``: a call's queryset compiles to other SQL or other
    parameters than the SQL kept under its name (its ``name`` misses part of its shape)."""


@dataclass(frozen=True)
class _Rows:
    """What running a compiled ``values_list`` query needs."""

    sql: str
    converters: _Converters


@dataclass(frozen=True)
class _Objects(_Rows):
    """What running a compiled model query needs besides: what ``ModelIterable`` works out."""

    model: type[Model]
    init_list: list[str]
    model_columns: slice
    related_populators: list[Any]
    annotations: dict[str, int]


#: Per name, database alias and number of parameters: what running that SQL needs.
_compiled: Kept[tuple[str, str, int], _Rows | _Objects] = Kept(
    "core.compiled-sql", seconds=float("inf"), size=256
)


def rows(
    name: str, queryset: Callable[[list[Any]], QuerySet[Any]], params: list[Any]
) -> list[tuple[Any, ...]]:
    """The rows of ``queryset(params)`` (a ``values_list`` queryset), as tuples."""
    key = (name, connection.alias, len(params))
    entry = _compiled.get(key)
    if entry is None:
        made = queryset(params)
        compiled = _compiled_sql(made, params)
        if compiled is None:
            return list(made)
        compiler, sql = compiled
        entry = _compiled.put(key, _Rows(sql, _converters(compiler)))
    elif _checking():
        _check(name, entry.sql, queryset(params), params)
    assert isinstance(entry, _Rows)
    return _run(entry.sql, params, entry.converters)


def objects(name: str, queryset: Callable[[list[Any]], QuerySet[M]], params: list[Any]) -> list[M]:
    """The instances of ``queryset(params)`` (a model queryset; ``select_related`` and
    ``only`` as the ORM does them; no ``prefetch_related``: see ``prefetched``)."""
    key = (name, connection.alias, len(params))
    entry = _compiled.get(key)
    if entry is None:
        made = queryset(params)
        compiled = _compiled_sql(made, params)
        if (
            compiled is None
            or made._iterable_class is not ModelIterable
            or made._prefetch_related_lookups  # type: ignore[attr-defined]
            or made._known_related_objects  # type: ignore[attr-defined]
        ):
            return list(made)
        entry = _compiled.put(key, _objects_entry(*compiled))
    elif _checking():
        _check(name, entry.sql, queryset(params), params)
    assert isinstance(entry, _Objects)
    db = connection.alias
    found: list[Any] = []
    columns = entry.model_columns
    for row in _run(entry.sql, params, entry.converters):
        obj = entry.model.from_db(db, entry.init_list, row[columns])
        for populator in entry.related_populators:
            populator.populate(row, obj)
        for attribute, position in entry.annotations.items():
            setattr(obj, attribute, row[position])
        found.append(obj)
    return found


def db_value(field: Any, value: Any) -> Any:
    """``value`` of ``field`` as the database takes it in a parameter (as the ORM passes it)."""
    return field.get_db_prep_value(value, connection, prepared=False)


#: Lookups ``filter_params`` knows: one parameter each, none (``isnull``), one per value (``in``).
_ONE_VALUE = frozenset({"", "exact", "lt", "lte", "gt", "gte"})


def filter_params(model: type[Model], conditions: Mapping[str, Any]) -> list[Any]:
    """The parameters of ``model.objects.filter(**conditions)`` in the order its SQL takes them:
    the keywords sorted (as Django's ``Q`` sorts them), each value as the database takes it.
    For conditions on the model's own columns (``status``, ``service_id__in``, ``sent_at__lt``,
    ``first_contact_at__isnull``); anything else is a ``ValueError``."""
    params: list[Any] = []
    for keyword in sorted(conditions):
        name, _, lookup = keyword.partition("__")
        field = model._meta.get_field(name)
        value = conditions[keyword]
        if lookup == "in":
            params.extend(db_value(field, item) for item in value)
        elif lookup in _ONE_VALUE:
            params.append(db_value(field, value))
        elif lookup != "isnull":
            raise ValueError(f"filter_params does not know the lookup of {keyword!r}")
    return params


def prefetched(instance: Model, relation: str, related: list[Any]) -> None:
    """Keep ``related`` as ``instance``'s ``relation`` (a reverse foreign key or a many-to-many
    accessor) where ``prefetch_related`` would keep it: ``getattr(instance, relation).all()``
    then gives ``related`` without a query, and each of a reverse foreign key's instances
    points back to ``instance``. ``related`` must be exactly the rows the relation holds, in
    its order."""
    manager = getattr(instance, relation)
    queryset = manager.get_queryset()  # the relation's own filter, applied only if it runs
    queryset._result_cache = related
    queryset._prefetch_done = True
    if hasattr(manager, "prefetch_cache_name"):  # many-to-many
        cache_name = manager.prefetch_cache_name
    else:  # a reverse foreign key: its instances point back, as after prefetch_related
        cache_name = manager.field.remote_field.cache_name
        for obj in related:
            manager.field.set_cached_value(obj, instance)
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[cache_name] = queryset


def _checking() -> bool:
    return bool(settings.KANSRIJK_COMPILED_CHECK)


def _compiled_sql(queryset: QuerySet[Any], params: Sequence[Any]) -> tuple[Any, str] | None:
    """The compiler of ``queryset`` and its SQL, or None when the SQL's parameters are not
    ``params`` (not a queryset this module can run)."""
    compiler = queryset.query.get_compiler(using=connection.alias)
    try:
        sql, compiled_params = compiler.as_sql()
    except EmptyResultSet:  # e.g. an empty IN list: no SQL to keep, the ORM answers
        return None
    if list(compiled_params) != list(params):
        if _checking():
            raise ShapeMismatch(f"{sql!r} takes {compiled_params!r}, not {list(params)!r}")
        return None
    return compiler, sql


def _check(name: str, sql: str, queryset: QuerySet[Any], params: Sequence[Any]) -> None:
    compiled_sql, compiled_params = queryset.query.get_compiler(using=connection.alias).as_sql()
    if compiled_sql != sql or list(compiled_params) != list(params):
        raise ShapeMismatch(
            f"{name!r} with {len(params)} parameters: kept {sql!r}, now {compiled_sql!r} "
            f"taking {compiled_params!r} (given {list(params)!r})"
        )


def _converters(compiler: Any) -> _Converters:
    columns = [column[0] for column in compiler.select[: compiler.col_count]]
    return [
        (position, list(functions), expression)
        for position, (functions, expression) in compiler.get_converters(columns).items()
    ]


def _objects_entry(compiler: Any, sql: str) -> _Objects:
    """What ``ModelIterable`` works out from a compiled model query, kept with its SQL."""
    select, klass_info = compiler.select, compiler.klass_info
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    return _Objects(
        sql=sql,
        converters=_converters(compiler),
        model=klass_info["model"],
        init_list=[column[0].target.attname for column in select[start:end]],
        model_columns=slice(start, end),
        related_populators=get_related_populators(klass_info, select, connection.alias),
        annotations=dict(compiler.annotation_col_map or {}),
    )


def _run(sql: str, params: Sequence[Any], converters: _Converters) -> list[Any]:
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
