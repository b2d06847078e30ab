"""Reads of pathways.

Published pathways are public information (like the social map): nothing here filters them per
user. Drafts and editing are for the coalition's editors (``Pathway.objects.editable_by(user)``).

**Resolution.** For a municipality, a situation and a phase, the pathway professionals see is:

1. a *municipal* pathway that covers the municipality (a coalition's own, possibly shared by
   several municipalities) — ``fallback`` is ``None``;
2. else a *regional default* that covers it (e.g. one for the whole GGD region) — ``"regional"``;
3. else the *national default* — ``"national"``;
4. else nothing (``None``).

Only published versions count. ``resolve_pathways`` does this for many situations at once in a
constant number of queries (five when the municipality is given as a code).
"""

from __future__ import annotations

import datetime
import marshal
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    F,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from kansrijk.core.freshness import Kept
from kansrijk.core.phases import PHASE_FIELDS, Phase
from kansrijk.directory.models import ReferralMethod, ReferralMethodKind, Service, ServiceStatus
from kansrijk.pathways import cache as page_cache
from kansrijk.pathways.exceptions import InvalidPhase, UnknownMunicipality
from kansrijk.pathways.models import (
    SCOPE_RANK,
    Pathway,
    PathwayScope,
    PathwayStep,
    PathwayVersion,
    StepKind,
    VersionStatus,
    review_cutoff,
)
from kansrijk.places.models import Municipality
from kansrijk.situations.models import FactorKind, Situation

__all__ = [
    "FALLBACK_NATIONAL",
    "FALLBACK_REGIONAL",
    "MunicipalityPathways",
    "OverviewCell",
    "PathwayChoice",
    "ResolvedPathway",
    "ResolvedSummary",
    "as_step_views",
    "editable_pathways",
    "get_municipality",
    "municipality_pathways",
    "pathway_overview",
    "published_version",
    "resolve_pathway",
    "resolve_pathways",
    "resolve_summaries",
    "risk_situations",
    "step_views",
    "version_steps",
    "version_with_steps",
    "versions_of",
]

FALLBACK_REGIONAL = "regional"
FALLBACK_NATIONAL = "national"
_FALLBACK_FOR_SCOPE: dict[str, str | None] = {
    PathwayScope.MUNICIPAL: None,
    PathwayScope.REGIONAL: FALLBACK_REGIONAL,
    PathwayScope.NATIONAL: FALLBACK_NATIONAL,
}


@dataclass(frozen=True)
class ResolvedPathway:
    """The pathway that applies to a municipality, situation and phase.

    ``version`` is the published version, its steps prefetched with their services (and the
    services' organisation and referral methods); ``version.ordered_steps`` puts urgent safety
    steps first. ``fallback`` is ``None`` for the municipality's own pathway, ``"regional"`` or
    ``"national"`` for a default. ``url`` is the pathway page for this municipality and phase.
    """

    version: PathwayVersion
    fallback: str | None
    url: str
    municipality: Municipality
    situation: Situation
    phase: str

    @property
    def pathway(self) -> Pathway:
        return self.version.pathway

    @property
    def is_fallback(self) -> bool:
        return self.fallback is not None


def get_municipality(value: Municipality | str) -> Municipality:
    """A Municipality (code and name) from an instance or a CBS code."""
    if isinstance(value, Municipality):
        return value
    code = str(value).strip().upper()
    try:
        return Municipality.objects.only("code", "name").get(code=code)
    except Municipality.DoesNotExist:
        raise UnknownMunicipality(str(value)) from None


def _check_phase(phase: str) -> str:
    if phase not in PHASE_FIELDS:
        raise InvalidPhase(str(phase))
    return phase


def risk_situations(phase: str | None = None) -> QuerySet[Situation]:
    """The active vulnerable situations of the catalogue (risk factors), in catalogue order."""
    queryset = Situation.objects.filter(is_active=True, kind=FactorKind.RISK).select_related(
        "domain"
    )
    if phase:
        queryset = queryset.filter(**{PHASE_FIELDS[_check_phase(phase)]: True})
    return queryset.order_by("domain__position", "position", "name")


def _covering(
    municipality_code: str,
    situation_codes: list[str] | None,
    phases: Sequence[str],
    part: str = "",
) -> QuerySet[Pathway]:
    """Published pathways for these situations and phases that cover the municipality or are a
    national default (unordered). ``part``: ``"local"`` only those that cover the municipality,
    ``"national"`` only the national defaults (each an index scan; both at once is not)."""
    phase_q = Q()
    for phase in phases:
        phase_q |= Q(**{PHASE_FIELDS[phase]: True})
    covering = Pathway.municipalities.through.objects.filter(
        municipality_id=municipality_code
    ).values("pathway_id")
    where = {
        "local": Q(pk__in=covering),
        "national": Q(scope=PathwayScope.NATIONAL),
    }.get(part, Q(scope=PathwayScope.NATIONAL) | Q(pk__in=covering))
    queryset = (
        Pathway.objects.filter(phase_q, current_version__isnull=False).filter(where).order_by()
    )
    if situation_codes is not None:
        queryset = queryset.filter(situation__code__in=situation_codes)
    return queryset


@dataclass(frozen=True)
class PathwayChoice:
    """The published pathway chosen for a (situation, phase) in a municipality, as plain values:
    what lists, the assessment and the pathway page's heading and footer show."""

    pathway_id: int
    version_id: int
    fallback: str | None
    title: str
    number: int = 0
    published_at: datetime.datetime | None = None
    introduction: str = ""
    situation_name: str = ""
    coalition_name: str = ""
    coalition_is_demo: bool = False
    last_reviewed_on: datetime.date | None = None
    is_demo: bool = False

    @property
    def needs_review(self) -> bool:
        return self.last_reviewed_on is not None and self.last_reviewed_on < review_cutoff()


_Choice = PathwayChoice


_Ranked = tuple[tuple[int, float, int], str, str, PathwayChoice]


def _candidate_rows(
    municipality_code: str,
    situation_codes: Iterable[str] | None,
    phases: Sequence[str],
    part: str = "",
) -> list[_Ranked]:
    """Per published pathway and phase it applies to: its rank, situation code, phase and
    choice (one query; see ``_covering`` for ``part``)."""
    queryset = _covering(
        municipality_code,
        list(situation_codes) if situation_codes is not None else None,
        phases,
        part,
    )
    rows = queryset.values_list(
        "pk",
        "scope",
        "situation__code",
        "current_version_id",
        "current_version__published_at",
        "current_version__title",
        "current_version__number",
        "current_version__introduction",
        "situation__name",
        "coalition__name",
        "coalition__is_demo",
        "last_reviewed_on",
        "is_demo",
        *(PHASE_FIELDS[phase] for phase in phases),
    )
    ranked: list[_Ranked] = []
    for (
        pk,
        scope,
        code,
        version_id,
        published_at,
        title,
        number,
        introduction,
        situation_name,
        coalition_name,
        coalition_is_demo,
        last_reviewed_on,
        is_demo,
        *flags,
    ) in rows:
        order = (SCOPE_RANK[scope], _newest_first(published_at), pk)
        choice = _Choice(
            pk,
            version_id,
            _FALLBACK_FOR_SCOPE[scope],
            title,
            number=number,
            published_at=published_at,
            introduction=introduction,
            situation_name=situation_name,
            coalition_name=coalition_name,
            coalition_is_demo=coalition_is_demo,
            last_reviewed_on=last_reviewed_on,
            is_demo=is_demo,
        )
        for phase, applies in zip(phases, flags, strict=True):
            if applies:
                ranked.append((order, code, phase, choice))
    return ranked


def _best(ranked: Iterable[_Ranked]) -> dict[tuple[str, str], PathwayChoice]:
    """For each (situation code, phase) the best choice: the lowest scope rank (municipal,
    regional, national); within a rank the most recently published, then the lowest id."""
    best: dict[tuple[str, str], tuple[tuple[int, float, int], PathwayChoice]] = {}
    for order, code, phase, choice in ranked:
        key = (code, phase)
        if key not in best or order < best[key][0]:
            best[key] = (order, choice)
    return {key: choice for key, (_order, choice) in best.items()}


def _candidates(
    municipality: Municipality, situation_codes: Iterable[str] | None, phases: Sequence[str]
) -> dict[tuple[str, str], _Choice]:
    """For each (situation code, phase) the best published pathway.

    One query: the published pathways for these situations and phases that cover the
    municipality or are a national default. The lowest scope rank wins (municipal, regional,
    national); within a rank the most recently published, then the lowest id.
    """
    return _best(_candidate_rows(municipality.code, situation_codes, phases))


def _newest_first(value: datetime.datetime | None) -> float:
    return -value.timestamp() if value is not None else 0.0


#: Long texts the pathway page and the API never show: not loaded with the steps' services.
_SERVICE_DEFERRED = (
    "service__search_text",
    "service__search_stems",
    "service__description",
    "service__eligibility_description",
    "service__interpretation_services",
    "service__fees_description",
    "service__accreditations",
    "service__licenses",
    "service__organization__description",
)


def _step_queryset() -> QuerySet[PathwayStep]:
    return (
        PathwayStep.objects.select_related("service__organization")
        .defer(*_SERVICE_DEFERRED)
        .prefetch_related(
            Prefetch(
                "service__referral_methods",
                queryset=ReferralMethod.objects.order_by("method"),
            )
        )
    )


def _versions(version_ids: Iterable[int]) -> dict[int, PathwayVersion]:
    """Published versions with pathway, situation, coalition, steps, services and referral
    methods: three queries whatever the number of versions."""
    queryset = (
        PathwayVersion.objects.filter(pk__in=list(version_ids))
        .select_related("pathway__situation", "pathway__coalition")
        .defer("pathway__situation__search_text", "pathway__situation__description")
        .prefetch_related(Prefetch("steps", queryset=_step_queryset().order_by("position")))
        .order_by()
    )
    return {version.pk: version for version in queryset}


# --- Per municipality, in memory -------------------------------------------------------------


@dataclass(frozen=True)
class MunicipalityPathways:
    """For one municipality: its name and, per (situation code, phase), the pathway that applies
    there (``choices``; a (situation, phase) without any pathway is absent)."""

    code: str
    name: str
    choices: dict[tuple[str, str], PathwayChoice]
    urls: dict[tuple[str, str], str] = field(default_factory=dict, compare=False)

    def get(self, situation: str, phase: str) -> PathwayChoice | None:
        return self.choices.get((situation, phase))

    @cached_property
    def version_ids(self) -> tuple[int, ...]:
        """The published versions shown somewhere in this municipality (each once)."""
        return tuple(dict.fromkeys(choice.version_id for choice in self.choices.values()))

    def url(self, situation: str, phase: str) -> str:
        key = (situation, phase)
        found = self.urls.get(key)
        if found is None:
            found = self.urls[key] = resolved_url(self.code, situation, phase)
        return found


#: Seconds a municipality's table is kept at most (bounds how long a change no token sees
#: takes to show; changes to pathways and the names they show are seen within
#: ``freshness.TOKEN_SECONDS``).
TABLE_SECONDS = float(page_cache.PAGE_TTL)
_TABLES_MAX = 2000
_tables: Kept[str, MunicipalityPathways] = Kept(
    "pathways.municipality-tables",
    seconds=TABLE_SECONDS,
    size=_TABLES_MAX,
    kinds=page_cache.TABLE_KINDS,
)
_national: Kept[str, list[_Ranked]] = Kept(
    "pathways.national-defaults", seconds=TABLE_SECONDS, size=1, kinds=page_cache.TABLE_KINDS
)


def municipality_pathways(municipality: Municipality | str) -> MunicipalityPathways:
    """Which pathway applies for every situation and phase in a municipality. Raises
    ``UnknownMunicipality``.

    Kept in this process per municipality (two queries to fill: the municipality's name and
    ``_candidates`` for all situations and phases) and thrown away as a whole when a pathway,
    or a name a choice shows, changes (``page_cache.TABLE_KINDS``: every publish, re-scope,
    review, creation or deletion of a pathway), or after ``TABLE_SECONDS``."""
    code = (
        municipality.code
        if isinstance(municipality, Municipality)
        else str(municipality).strip().upper()
    )
    table = _tables.get(code)
    if table is not None:
        return table
    name = Municipality.objects.filter(code=code).values_list("name", flat=True).first()
    if name is None:
        raise UnknownMunicipality(str(municipality))
    phases = list(PHASE_FIELDS)
    national = _national.get_or_make(
        "national", lambda: _candidate_rows(code, None, phases, "national")
    )
    choices = _best([*_candidate_rows(code, None, phases, "local"), *national])
    return _tables.put(code, MunicipalityPathways(code=code, name=name, choices=choices))


# --- Steps as plain values (the pathway page) ---------------------------------------------------


class _Methods(list[Any]):
    """Referral methods with ``all()``, so templates read them as they read a related manager."""

    def all(self) -> _Methods:
        return self


@dataclass(frozen=True)
class OrganisationView:
    name: str


@dataclass(frozen=True)
class MethodView:
    method: str
    contact: str
    instructions: str
    key: Any = None

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
    referral_methods: _Methods = field(default_factory=_Methods)

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


_compiled_sql: Kept[tuple[str, str, int], str] = Kept(
    "pathways.compiled-sql", seconds=float("inf"), size=64
)


def _run_compiled(
    name: str, queryset: Callable[[list[Any]], QuerySet[Any]], params: list[Any]
) -> list[tuple[Any, ...]]:
    """Rows of ``queryset(params)``, whose SQL takes exactly ``params`` in order: the ORM compiles
    it once per process (and database alias and number of parameters), the cursor runs it.
    Compiling cost more than running these queries. Values come as the driver gives them."""
    key = (name, connection.alias, len(params))
    sql = _compiled_sql.get(key)
    if sql is None:
        compiled, compiled_params = queryset(params).query.sql_with_params()
        if list(compiled_params) != list(params):  # pragma: no cover - not such a query
            return list(queryset(params))
        sql = _compiled_sql.put(key, compiled)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


#: A version's steps as plain values: tuples of strings, numbers and ``None``. A step is
#: ``(position, kind, title, text, tips, service)``; a service ``(id, name, status, alert,
#: application_process, email, url, response_time_days, organisation name, methods)``; a
#: referral method ``(method, contact, instructions)``.
PlainMethod = tuple[str, str, str]
PlainService = tuple[
    str, str, str, str, str, str, str, int | None, str | None, tuple[PlainMethod, ...]
]
PlainStep = tuple[int, str, str, str, str, PlainService | None]
#: A step as kept per version: its service as an id only (services are kept apart).
_BareStep = tuple[int, str, str, str, str, str | None]


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
        .values_list("version_id", "position", "kind", "title", "text", "tips", "service_id")
    )


def _services_of(params: list[Any]) -> QuerySet[Any]:
    return (
        _with_ids(Service.objects.all(), "id", params)
        .order_by("pk", "referral_methods__method", "referral_methods__id")
        .values_list(
            "id",
            "name",
            "status",
            "alert",
            "application_process",
            "email",
            "url",
            "response_time_days",
            "organization__name",
            "referral_methods__method",
            "referral_methods__contact",
            "referral_methods__instructions",
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
) -> list[tuple[Any, ...]]:
    """The rows of ``queryset`` for ``ids`` (see ``_with_ids``): one query on PostgreSQL, one
    per ``_BATCH`` ids elsewhere."""
    if not ids:
        return []
    if connection.vendor == "postgresql":
        return _run_compiled(name, queryset, [list(ids)])
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        size = next(size for size in _BATCH_SIZES if size >= len(chunk))
        params = [*chunk, *(padding(number) for number in range(1, size - len(chunk) + 1))]
        rows += _run_compiled(name, queryset, params)
    return rows


def _load_steps(version_ids: list[int]) -> dict[int, tuple[_BareStep, ...]]:
    """The steps of several versions, in display order (urgent safety steps first), their
    services as ids: one query per ``_BATCH`` versions."""
    found: dict[int, list[_BareStep]] = {}
    for version_id, position, kind, title, text, tips, service_id in _rows_for_ids(
        "steps-of-versions", _steps_of_versions, version_ids, lambda number: -number
    ):
        found.setdefault(version_id, []).append(
            (
                position,
                kind,
                title,
                text,
                tips,
                str(_uuid(service_id)) if service_id is not None else None,
            )
        )
    return {
        version_id: tuple(
            sorted(steps, key=lambda s: (0 if s[1] == StepKind.URGENT_SAFETY else 1, s[0]))
        )
        for version_id, steps in found.items()
    }


def _load_services(service_ids: list[str]) -> dict[str, PlainService]:
    """What steps show of these services, with their referral methods: one query per
    ``_BATCH`` services."""
    found: dict[str, PlainService] = {}
    service: list[Any] | None = None
    methods: list[PlainMethod] = []
    method_ids: set[Any] = set()
    rows = _rows_for_ids(
        "services-of-steps",
        _services_of,
        [uuid.UUID(service_id) for service_id in service_ids],
        lambda number: uuid.UUID(int=number),
    )
    for row in rows:
        if service is None or row[0] != service[0]:
            if service is not None:
                found[service[1]] = (service[1], *service[2:10], tuple(methods))
            service = [row[0], str(_uuid(row[0])), *row[1:9]]
            methods = []
            method_ids = set()
        if row[9] is not None and row[12] not in method_ids:
            method_ids.add(row[12])
            methods.append((row[9], row[10] or "", row[11] or ""))
    if service is not None:
        found[service[1]] = (service[1], *service[2:10], tuple(methods))
    return found


def step_views(version_id: int) -> list[StepView]:
    """The steps of a version with their services and referral methods, urgent safety steps
    first: two queries of plain values (no model instances)."""
    steps = _load_steps([int(version_id)]).get(int(version_id), ())
    services = _load_services(list(dict.fromkeys(s[5] for s in steps if s[5] is not None)))
    return as_step_views(
        (*step[:5], services.get(step[5]) if step[5] is not None else None) for step in steps
    )


def as_step_views(steps: Iterable[PlainStep]) -> list[StepView]:
    """Step views (what the renderer reads) of kept steps; a service in several steps is one
    view."""
    services: dict[str, ServiceView] = {}
    views = []
    for position, kind, title, text, tips, plain in steps:
        service = None
        if plain is not None:
            service = services.get(plain[0])
            if service is None:
                service = services[plain[0]] = ServiceView(
                    pk=uuid.UUID(plain[0]),
                    name=plain[1],
                    organization=OrganisationView(plain[8]) if plain[8] is not None else None,
                    status=plain[2],
                    alert=plain[3],
                    application_process=plain[4],
                    email=plain[5],
                    url=plain[6],
                    response_time_days=plain[7],
                    referral_methods=_Methods(MethodView(*method) for method in plain[9]),
                )
        views.append(StepView(position, kind, title, text, tips, service))
    return views


# --- Steps and services, in memory (the pathway page) ------------------------------------------

#: Versions and services a process keeps at most (every published version and every service in
#: the country fit: about 21,000 versions and 20,000 services in the benchmark data, 25 MB).
_STEPS_MAX = 40_000
_SERVICES_MAX = 100_000
#: More services changed than this since the token was read last (an import): forget them all.
_CHANGED_MAX = 500


def _forget_changed_services(kept: Kept[str, bytes], old: str, new: str) -> None:
    """Forget the kept services changed since the social map's token was read last (all of
    them when many changed)."""
    now = timezone.now()
    since = _services_checked[0]
    _services_checked[0] = now
    changed = page_cache.services_changed_since(since, TABLE_SECONDS) if len(kept) else []
    if len(changed) > _CHANGED_MAX:
        kept.forget()
    else:
        kept.forget(str(_uuid(service_id)) for service_id in changed)


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
#: When the social map's token was read last for the kept services.
_services_checked = [timezone.now()]


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
    service_ids = list(dict.fromkeys(step[5] for step in steps if step[5] is not None))
    # Services not kept are loaded with those of the versions just loaded with this one (or,
    # when it was kept, of the municipality's others), so that their pages need no query either.
    services = _kept_services(service_ids, loaded_with or with_versions, always=bool(loaded_with))
    return tuple(
        (*step[:5], services.get(step[5]) if step[5] is not None else None) for step in steps
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
        names = " ".join(step[5] for step in other_steps if step[5] is not None)
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


def resolved_url(municipality: Municipality | str, situation: str, phase: str) -> str:
    code = municipality.code if isinstance(municipality, Municipality) else municipality
    return reverse("pathways:resolved", args=[code, situation, phase])


def resolve_pathways(
    *,
    municipality: Municipality | str,
    situations: list[str],
    phase: str,
    with_steps: bool = True,
) -> dict[str, ResolvedPathway | None]:
    """The pathway per situation code for a municipality and phase (``None`` where there is none,
    also for an unknown situation code). Raises ``UnknownMunicipality`` and ``InvalidPhase``.

    Three queries whatever the number of situations: the candidate pathways with their published
    version, situation, coalition (and the municipality's name when given as a code), the steps
    with their services, and the services' referral methods. ``with_steps=False`` (for callers
    that only list titles and links) leaves out the last two. When the municipality is given as
    a code, ``ResolvedPathway.municipality`` carries only its code and name.
    """
    _check_phase(phase)
    codes = list(dict.fromkeys(situations))
    result: dict[str, ResolvedPathway | None] = dict.fromkeys(codes)
    if isinstance(municipality, Municipality):
        place: Municipality | None = municipality
        code = municipality.code
    else:
        place = None
        code = str(municipality).strip().upper()
    candidates = (
        _covering(code, codes, [phase])
        .select_related("current_version", "situation", "coalition")
        .defer("situation__search_text", "situation__description", "coalition__description")
    )
    if place is None:
        candidates = candidates.annotate(
            municipality_name=Subquery(Municipality.objects.filter(code=code).values("name")[:1])
        )
    rows = list(candidates)
    if place is None:
        name = next((getattr(p, "municipality_name", None) for p in rows), None)
        place = Municipality(code=code, name=name) if name else get_municipality(code)
    best: dict[str, tuple[tuple[int, float, int], Pathway]] = {}
    for pathway in rows:
        order = (
            SCOPE_RANK[pathway.scope],
            _newest_first(
                pathway.current_version.published_at if pathway.current_version else None
            ),
            pathway.pk,
        )
        situation_code = pathway.situation.code
        if situation_code not in best or order < best[situation_code][0]:
            best[situation_code] = (order, pathway)
    versions: list[PathwayVersion] = []
    for situation_code, (_order, pathway) in best.items():
        version = pathway.current_version
        if version is None or version.status != VersionStatus.PUBLISHED:
            continue
        version.pathway = pathway
        versions.append(version)
        result[situation_code] = ResolvedPathway(
            version=version,
            fallback=_FALLBACK_FOR_SCOPE[pathway.scope],
            url=resolved_url(place, situation_code, phase),
            municipality=place,
            situation=pathway.situation,
            phase=phase,
        )
    if with_steps and versions:
        prefetch_related_objects(
            versions, Prefetch("steps", queryset=_step_queryset().order_by("position"))
        )
    return result


def resolve_pathway(
    *, municipality: Municipality | str, situation: str, phase: str
) -> ResolvedPathway | None:
    """The pathway for one situation; see ``resolve_pathways``."""
    return resolve_pathways(municipality=municipality, situations=[situation], phase=phase)[
        situation
    ]


@dataclass(frozen=True)
class ResolvedSummary:
    """A resolved pathway without its steps (for lists): which pathway, and whether a default."""

    situation_code: str
    phase: str
    fallback: str | None
    pathway: Pathway
    url: str


def resolve_summaries(
    *,
    municipality: Municipality | str,
    situations: Sequence[str] | None = None,
    phases: Sequence[str] | None = None,
) -> list[ResolvedSummary]:
    """For a municipality, the pathway per (situation, phase) that has one, in catalogue order.
    ``situations`` ``None``: every situation; ``phases`` ``None``: all three. Three queries
    (plus one for a municipality code) whatever the numbers."""
    phases = [_check_phase(p) for p in phases] if phases else list(PHASE_FIELDS)
    municipality = get_municipality(municipality)
    chosen = _candidates(municipality, situations, phases)
    pathways = {
        p.pk: p
        for p in Pathway.objects.filter(
            pk__in={choice.pathway_id for choice in chosen.values()}
        ).select_related("situation__domain", "coalition", "current_version")
    }
    result = [
        ResolvedSummary(
            situation_code=code,
            phase=phase,
            fallback=choice.fallback,
            pathway=pathways[choice.pathway_id],
            url=resolved_url(municipality, code, phase),
        )
        for (code, phase), choice in chosen.items()
        if choice.pathway_id in pathways
    ]
    phase_order = {phase: index for index, phase in enumerate(PHASE_FIELDS)}
    result.sort(
        key=lambda r: (
            r.pathway.situation.domain.position,
            r.pathway.situation.position,
            r.pathway.situation.name,
            phase_order[r.phase],
        )
    )
    return result


def published_version(pathway_id: int, number: int | None = None) -> PathwayVersion:
    """A published version (the current one unless ``number``) with steps, services and
    referral methods. Raises ``PathwayVersion.DoesNotExist``."""
    queryset = PathwayVersion.objects.filter(pathway_id=pathway_id, status=VersionStatus.PUBLISHED)
    if number is None:
        queryset = queryset.filter(pathway__current_version_id=F("pk"))
    else:
        queryset = queryset.filter(number=number)
    version = (
        queryset.select_related(
            "pathway__situation", "pathway__coalition", "pathway__current_version"
        )
        .prefetch_related(
            Prefetch("steps", queryset=_step_queryset().order_by("position")),
            Prefetch("pathway__municipalities", queryset=Municipality.objects.order_by("code")),
        )
        .first()
    )
    if version is None:
        raise PathwayVersion.DoesNotExist
    return version


# --- The overview for professionals ---------------------------------------------------------


@dataclass(frozen=True)
class OverviewCell:
    phase: str
    fallback: str | None
    title: str
    url: str


@dataclass
class OverviewRow:
    situation: Situation
    cells: dict[str, OverviewCell | None] = field(default_factory=dict)

    def cell_list(self, phases: Sequence[str]) -> list[tuple[str, OverviewCell | None, bool]]:
        """Per phase: the cell (``None``: no pathway) and whether the situation applies then."""
        return [
            (phase, self.cells.get(phase), getattr(self.situation, PHASE_FIELDS[phase]))
            for phase in phases
        ]

    @property
    def has_any(self) -> bool:
        return any(cell is not None for cell in self.cells.values())


def pathway_overview(
    *, municipality: Municipality | str, phases: Sequence[str] | None = None
) -> list[OverviewRow]:
    """Per active situation of the catalogue, which pathway applies in ``municipality`` for each
    phase (and whether it is a default). Two queries, plus one for a municipality code."""
    phases = [_check_phase(p) for p in phases] if phases else list(PHASE_FIELDS)
    municipality = get_municipality(municipality)
    situations = list(risk_situations())
    chosen = _candidates(municipality, None, phases)
    rows: list[OverviewRow] = []
    for situation in situations:
        row = OverviewRow(situation=situation)
        for phase in phases:
            if not getattr(situation, PHASE_FIELDS[phase]):
                row.cells[phase] = None
                continue
            found = chosen.get((situation.code, phase))
            row.cells[phase] = (
                OverviewCell(
                    phase=phase,
                    fallback=found.fallback,
                    title=found.title or situation.name,
                    url=resolved_url(municipality, situation.code, phase),
                )
                if found
                else None
            )
        rows.append(row)
    return rows


def phase_label(phase: str) -> str:
    return str(Phase(phase).label)


# --- Editors -----------------------------------------------------------------------------------


def editable_pathways(user: Any) -> QuerySet[Pathway]:
    """The pathways ``user`` may edit, with what the editor's list shows, stale ones first."""
    return (
        Pathway.objects.editable_by(user)
        .select_related("situation", "coalition", "owner", "current_version")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=PathwayVersion.objects.filter(status=VersionStatus.DRAFT).only(
                    "id", "pathway_id", "number", "status"
                ),
                to_attr="drafts",
            )
        )
        .order_by("last_reviewed_on", "situation__name", "id")
    )


def versions_of(pathway: Pathway) -> QuerySet[PathwayVersion]:
    return pathway.versions.select_related("created_by", "published_by").order_by("-number")


def version_with_steps(pathway: Pathway, number: int) -> PathwayVersion:
    """One version of a pathway with its steps and services. Raises ``PathwayVersion.DoesNotExist``."""
    return (
        PathwayVersion.objects.select_related(
            "pathway__situation", "pathway__coalition", "pathway__owner", "published_by"
        )
        .prefetch_related(Prefetch("steps", queryset=_step_queryset().order_by("position")))
        .get(pathway=pathway, number=number)
    )


def pathway_for_page(pk: int) -> Pathway:
    """A pathway with coalition, situation, owner and current version. Raises ``DoesNotExist``."""
    return Pathway.objects.select_related("coalition", "situation", "owner", "current_version").get(
        pk=pk
    )
