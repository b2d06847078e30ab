"""The steps of published versions as plain values, kept per process (the pathway page).

A published version's steps never change; what they show of a service does. ``version_steps``
keeps both in this process (services apart, forgotten one by one when the social map changes)
and ``as_step_views`` / ``step_views`` give what the page's templates read.
"""

from __future__ import annotations

import hashlib
import marshal
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from kansrijk.core import compiled
from kansrijk.core.freshness import Kept
from kansrijk.directory.changes import ChangeWatch
from kansrijk.directory.models import ReferralMethodKind, Service, ServiceStatus
from kansrijk.pathways.models import PathwayStep, StepKind
from kansrijk.pathways.resolution import TABLE_SECONDS

__all__ = [
    "METHOD_FIELDS",
    "SERVICE_FIELDS",
    "STEP_FIELDS",
    "MethodList",
    "MethodView",
    "OrganisationView",
    "PlainService",
    "PlainStep",
    "ServiceView",
    "StepView",
    "as_step_views",
    "services_stamp",
    "stamp",
    "step_views",
    "version_steps",
]

# --- Steps as plain values (the pathway page) ---------------------------------------------------


#: What the pathway page shows of a step (``PathwayStep`` fields), of the service it names
#: (``Service`` fields; then its organisation's name and its referral methods) and of a referral
#: method (``ReferralMethod`` fields). Each list is the one place its fields are named: the
#: queries load them, the views below carry them by name to the templates
#: (``_pathway_body.html``, ``_step_service.html``, ``directory/_how_to_refer.html``). To show
#: one more field: add it to its list here, to its view class, and to the template.
STEP_FIELDS = ("position", "kind", "title", "text", "tips")
SERVICE_FIELDS = (
    "name",
    "status",
    "alert",
    "application_process",
    "email",
    "url",
    "response_time_days",
)
METHOD_FIELDS = ("method", "contact", "instructions")


class MethodList(list[Any]):
    """Referral methods with ``all()``, so templates read them as they read a related manager."""

    def all(self) -> MethodList:
        return self


@dataclass(frozen=True)
class OrganisationView:
    name: str


@dataclass(frozen=True)
class MethodView:
    """A referral method as templates read it (the attribute names of ``ReferralMethod``)."""

    method: str
    contact: str
    instructions: str

    @property
    def get_method_display(self) -> str:
        return str(ReferralMethodKind(self.method).label) if self.method in _METHOD_KINDS else ""


@dataclass(frozen=True)
class ServiceView:
    """What the pathway page shows of a service (the attribute names of ``Service``)."""

    pk: Any
    name: str
    organization: OrganisationView | None
    status: str
    alert: str
    application_process: str
    email: str
    url: str
    response_time_days: int | None
    referral_methods: MethodList = field(default_factory=MethodList)

    @property
    def get_status_display(self) -> str:
        return str(ServiceStatus(self.status).label) if self.status in _STATUSES else self.status


@dataclass(frozen=True)
class StepView:
    """A step as the pathway page shows it (the attribute names of ``PathwayStep``)."""

    position: int
    kind: str
    title: str
    text: str
    tips: str
    service: ServiceView | None

    @property
    def is_urgent(self) -> bool:
        return self.kind == StepKind.URGENT_SAFETY

    @property
    def get_kind_display(self) -> str:
        return str(StepKind(self.kind).label) if self.kind in _STEP_KINDS else self.kind


_METHOD_KINDS = frozenset(ReferralMethodKind.values)
_STATUSES = frozenset(ServiceStatus.values)
_STEP_KINDS = frozenset(StepKind.values)


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


#: A version's steps as plain values: tuples of strings, numbers and ``None`` (what ``marshal``
#: keeps). A step is the values of ``STEP_FIELDS`` and, last, its service (``None`` when it names
#: none); a service is its id, the values of ``SERVICE_FIELDS``, its organisation's name and,
#: last, its referral methods, each the values of ``METHOD_FIELDS``.
PlainMethod = tuple[str, ...]
PlainService = tuple[Any, ...]
PlainStep = tuple[Any, ...]
#: A step as kept per version: its service as an id only (services are kept apart).
_BareStep = tuple[Any, ...]
_KIND = STEP_FIELDS.index("kind")
_POSITION = STEP_FIELDS.index("position")


def _with_ids(queryset: QuerySet[Any], column: str, params: list[Any]) -> QuerySet[Any]:
    """``queryset``, only the rows whose ``column`` is one of the ids in ``params``: on
    PostgreSQL one list of them (``= ANY(%s)``: one parameter, so the same short SQL for any
    number of ids, quick to send and to plan), elsewhere the ids themselves (an ``IN`` list)."""
    if len(params) == 1 and isinstance(params[0], list):
        quote = connection.ops.quote_name
        sql = f"{quote(queryset.model._meta.db_table)}.{quote(column)} = ANY(%s)"
        ids = RawSQL(sql, (params[0],), output_field=BooleanField())  # noqa: S611 - names quoted
        return queryset.filter(ids)
    return queryset.filter(**{f"{column}__in": params})


def _steps_of_versions(params: list[Any]) -> QuerySet[Any]:
    return (
        _with_ids(PathwayStep.objects.all(), "version_id", params)
        .order_by("version_id", "position")
        .values_list("version_id", *STEP_FIELDS, "service_id")
    )


def _services_of(params: list[Any]) -> QuerySet[Any]:
    return (
        _with_ids(Service.objects.all(), "id", params)
        .order_by("pk", "referral_methods__method", "referral_methods__id")
        .values_list(
            "id",
            *SERVICE_FIELDS,
            "organization__name",
            *(f"referral_methods__{name}" for name in METHOD_FIELDS),
            "referral_methods__id",
        )
    )


#: Elsewhere than on PostgreSQL: how many ids one query takes at most, and the sizes its list of
#: ids is padded to (with ids nothing has), so that the ORM compiles each query for twenty sizes
#: only, while at most about a fifth of the ids are padding.
_BATCH = 128
_BATCH_SIZES = (1, 2, 3, 4, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 56, 64, 80, 96, 112, _BATCH)


def _rows_for_ids(
    name: str,
    queryset: Callable[[list[Any]], QuerySet[Any]],
    ids: list[Any],
    padding: Callable[[int], Any],
    field: Any = None,
) -> list[tuple[Any, ...]]:
    """The rows of ``queryset`` for ``ids`` (see ``_with_ids``): one query on PostgreSQL, one
    per ``_BATCH`` ids elsewhere, the ids as ``field`` gives them to the database (a UUID is
    text on SQLite)."""
    if not ids:
        return []
    if connection.vendor == "postgresql":
        return compiled.rows(name, queryset, [list(ids)])
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        size = next(size for size in _BATCH_SIZES if size >= len(chunk))
        params = [*chunk, *(padding(number) for number in range(1, size - len(chunk) + 1))]
        if field is not None:
            params = [compiled.db_value(field, value) for value in params]
        rows += compiled.rows(name, queryset, params)
    return rows


def _load_steps(version_ids: list[int]) -> dict[int, tuple[_BareStep, ...]]:
    """The steps of several versions, in display order (urgent safety steps first), their
    services as ids: one query per ``_BATCH`` versions."""
    found: dict[int, list[_BareStep]] = {}
    for version_id, *values, service_id in _rows_for_ids(
        "steps-of-versions", _steps_of_versions, version_ids, lambda number: -number
    ):
        found.setdefault(version_id, []).append(
            (*values, str(_uuid(service_id)) if service_id is not None else None)
        )
    return {
        version_id: tuple(
            sorted(
                steps,
                key=lambda s: (0 if s[_KIND] == StepKind.URGENT_SAFETY else 1, s[_POSITION]),
            )
        )
        for version_id, steps in found.items()
    }


def _load_services(service_ids: list[str]) -> dict[str, PlainService]:
    """What steps show of these services, with their referral methods: one query per
    ``_BATCH`` services."""
    found: dict[str, PlainService] = {}
    service: tuple[Any, ...] | None = None
    methods: list[PlainMethod] = []
    method_ids: set[Any] = set()
    rows = _rows_for_ids(
        "services-of-steps",
        _services_of,
        [uuid.UUID(service_id) for service_id in service_ids],
        lambda number: uuid.UUID(int=number),
        field=Service._meta.pk,
    )
    # A row: the id, SERVICE_FIELDS, the organisation's name, METHOD_FIELDS, the method's id.
    method_start = 2 + len(SERVICE_FIELDS)
    for row in rows:
        if service is None or row[0] != service[0]:
            if service is not None:
                found[service[1]] = (*service[1:], tuple(methods))
            service = (row[0], str(_uuid(row[0])), *row[1:method_start])
            methods = []
            method_ids = set()
        method = row[method_start:-1]
        if method[0] is not None and row[-1] not in method_ids:
            method_ids.add(row[-1])
            methods.append(tuple(value or "" for value in method))
    if service is not None:
        found[service[1]] = (*service[1:], tuple(methods))
    return found


def step_views(version_id: int) -> list[StepView]:
    """The steps of a version with their services and referral methods, urgent safety steps
    first: two queries of plain values (no model instances)."""
    steps = _load_steps([int(version_id)]).get(int(version_id), ())
    services = _load_services(list(dict.fromkeys(s[-1] for s in steps if s[-1] is not None)))
    return as_step_views(
        (*step[:-1], services.get(step[-1]) if step[-1] is not None else None) for step in steps
    )


def as_step_views(steps: Iterable[PlainStep]) -> list[StepView]:
    """Step views (what the templates read) of kept steps; a service in several steps is one
    view."""
    services: dict[str, ServiceView] = {}
    views = []
    for *values, plain in steps:
        service = None
        if plain is not None:
            service = services.get(plain[0])
            if service is None:
                pk, *fields, organisation, methods = plain
                service = services[pk] = ServiceView(
                    pk=uuid.UUID(pk),
                    organization=OrganisationView(organisation)
                    if organisation is not None
                    else None,
                    referral_methods=MethodList(
                        MethodView(**dict(zip(METHOD_FIELDS, method, strict=True)))
                        for method in methods
                    ),
                    **dict(zip(SERVICE_FIELDS, fields, strict=True)),
                )
        views.append(StepView(**dict(zip(STEP_FIELDS, values, strict=True)), service=service))
    return views


def stamp(values: Any) -> str:
    """A digest of plain values (16 hex digits), the same in every process: part of the keys
    of what is rendered from them."""
    return hashlib.blake2b(repr(values).encode(), digest_size=8).hexdigest()


def services_stamp(steps: Iterable[PlainStep]) -> str:
    """A digest of what ``steps`` show of the services they name: it changes exactly when one
    of those services is shown differently."""
    return stamp([step[-1] for step in steps if step[-1] is not None])


# --- Steps and services, in memory (the pathway page) ------------------------------------------

#: Versions and services a process keeps at most (every published version and every service in
#: the country fit: about 21,000 versions and 20,000 services in the benchmark data, 25 MB).
_STEPS_MAX = 40_000
_SERVICES_MAX = 100_000


def _forget_changed_services(kept: Kept[str, bytes], old: str, new: str) -> None:
    """Forget the kept services changed since the social map's token was read last, each change
    once (all of them when many changed: an import)."""
    if not len(kept):
        _services_watch.skip()
        return
    changed = _services_watch.changed()
    if changed is None:
        kept.forget()
    else:
        kept.forget(str(service_id) for service_id in changed)


#: Per version: the steps (``_BareStep``) ``marshal``-ed, and the ids of the services they name
#: (space-separated). Per service: what the steps show of it (``PlainService``) ``marshal``-ed.
#: Bytes and strings rather than objects: a worker keeps tens of thousands, and as objects
#: (even as tuples) they made the garbage collector's full collections take a few tenths of a
#: second; unpacking takes microseconds. A published version's steps never change; what they
#: show of a service does (``_forget_changed_services``).
_steps: Kept[int, tuple[bytes, str]] = Kept(
    "pathways.version-steps", seconds=TABLE_SECONDS, size=_STEPS_MAX
)
_services: Kept[str, bytes] = Kept(
    "pathways.step-services",
    seconds=TABLE_SECONDS,
    size=_SERVICES_MAX,
    kinds=("directory",),
    on_change=_forget_changed_services,
)
#: The changes of the social map the kept services have been told of.
_services_watch = ChangeWatch()


def version_steps(version_id: int, *, with_versions: Iterable[int] = ()) -> tuple[PlainStep, ...]:
    """The steps of a published version with what they show of their services (as
    ``PlainStep``; ``as_step_views`` for the renderer), kept in this process.

    A published version's steps never change; they are kept for ``TABLE_SECONDS`` at most.
    What they show of a service does change: services are kept apart, and when the social
    map's token changes (every write, seen within ``freshness.TOKEN_SECONDS``) the ones changed
    since are forgotten (one query; all of them when many changed). They too are kept for
    ``TABLE_SECONDS`` at most, which bounds how long a change no token sees takes to show.

    ``with_versions``: versions likely asked for next (the pathway page passes those of the
    municipality's table). The ones not kept yet are loaded with this one, and the services of
    all of them not kept yet in one more query, so that the other pages of that municipality
    need no query at all."""
    with_versions = tuple(with_versions)
    steps, loaded_with = _kept_steps(version_id, with_versions)
    service_ids = list(dict.fromkeys(step[-1] for step in steps if step[-1] is not None))
    # Services not kept are loaded with those of the versions just loaded with this one (or,
    # when it was kept, of the municipality's others), so that their pages need no query either.
    services = _kept_services(service_ids, loaded_with or with_versions, always=bool(loaded_with))
    return tuple(
        (*step[:-1], services.get(step[-1]) if step[-1] is not None else None) for step in steps
    )


def _kept_steps(
    version_id: int, with_versions: Iterable[int]
) -> tuple[tuple[_BareStep, ...], list[int]]:
    """The kept steps of a version, loaded (with ``with_versions`` not kept) when not kept;
    and the versions that were loaded (none when it was kept)."""
    kept = _steps.get(version_id)
    if kept is not None:
        steps: tuple[_BareStep, ...] = marshal.loads(kept[0])  # noqa: S302 - our own bytes
        return steps, []
    wanted = [version_id]
    wanted += [
        other for other in with_versions if other != version_id and _steps.get(other) is None
    ]
    loaded = _load_steps(wanted)
    for other in wanted:
        other_steps = loaded.get(other, ())
        names = " ".join(step[-1] for step in other_steps if step[-1] is not None)
        _steps.put(other, (marshal.dumps(other_steps), names))
    return loaded.get(version_id, ()), wanted


def _kept_services(
    service_ids: list[str], with_versions: Iterable[int], *, always: bool = False
) -> dict[str, PlainService]:
    """The kept services; those not kept are loaded, with the services of ``with_versions``
    that are not kept either (one query). ``always``: load those of ``with_versions`` even when
    all of ``service_ids`` are kept."""
    found: dict[str, PlainService] = {}
    missing: dict[str, None] = {}
    for service_id, entry in zip(service_ids, map(_services.get, service_ids), strict=True):
        if entry is None:
            missing[service_id] = None
        else:
            found[service_id] = marshal.loads(entry)  # noqa: S302 - our own bytes
    if not missing and not always:
        return found
    wanted = dict(missing)
    for version in with_versions:
        kept_version = _steps.get(version)
        for service_id in kept_version[1].split() if kept_version is not None else ():
            if _services.get(service_id) is None:
                wanted[service_id] = None
    if not wanted:
        return found
    loaded = _load_services(list(wanted))
    _services.put_many({service_id: marshal.dumps(plain) for service_id, plain in loaded.items()})
    found.update((service_id, loaded[service_id]) for service_id in missing if service_id in loaded)
    return found
