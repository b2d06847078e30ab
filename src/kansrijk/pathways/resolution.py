"""Which pathway applies: resolution.

Published pathways are public information (like the social map): nothing here filters them per
user.

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import Prefetch, Q, QuerySet, Subquery, prefetch_related_objects
from django.urls import reverse

from kansrijk.core import compiled
from kansrijk.core.freshness import Kept
from kansrijk.core.phases import PHASE_FIELDS
from kansrijk.directory.models import ReferralMethod
from kansrijk.pathways import cache as page_cache
from kansrijk.pathways.exceptions import InvalidPhase
from kansrijk.pathways.models import (
    SCOPE_RANK,
    Pathway,
    PathwayScope,
    PathwayStep,
    PathwayVersion,
    VersionStatus,
    review_cutoff,
)
from kansrijk.places.exceptions import UnknownMunicipality
from kansrijk.places.models import Municipality
from kansrijk.places.selectors import get_municipality
from kansrijk.situations.models import Situation

__all__ = [
    "FALLBACK_NATIONAL",
    "FALLBACK_REGIONAL",
    "MunicipalityPathways",
    "PathwayChoice",
    "ResolvedPathway",
    "ResolvedSummary",
    "candidates",
    "check_phase",
    "municipality_pathways",
    "resolve_pathway",
    "resolve_pathways",
    "resolve_summaries",
    "resolved_url",
    "step_queryset",
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


def check_phase(phase: str) -> str:
    if phase not in PHASE_FIELDS:
        raise InvalidPhase(str(phase))
    return phase


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
    if situation_codes is None and part == "local":
        # Every municipality's table is filled so: the SQL compiled once per process.
        rows = compiled.rows(
            f"candidates:{part}:{','.join(phases)}",
            lambda params: _candidate_values(params[0], None, phases, part),
            [municipality_code],
        )
    else:
        rows = list(
            _candidate_values(
                municipality_code,
                list(situation_codes) if situation_codes is not None else None,
                phases,
                part,
            )
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


def _candidate_values(
    municipality_code: str,
    situation_codes: list[str] | None,
    phases: Sequence[str],
    part: str,
) -> QuerySet[Pathway, tuple[Any, ...]]:
    """The values ``_candidate_rows`` reads of each pathway ``_covering`` gives."""
    return _covering(municipality_code, situation_codes, phases, part).values_list(
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


def _best(ranked: Iterable[_Ranked]) -> dict[tuple[str, str], PathwayChoice]:
    """For each (situation code, phase) the best choice: the lowest scope rank (municipal,
    regional, national); within a rank the most recently published, then the lowest id."""
    best: dict[tuple[str, str], tuple[tuple[int, float, int], PathwayChoice]] = {}
    for order, code, phase, choice in ranked:
        key = (code, phase)
        if key not in best or order < best[key][0]:
            best[key] = (order, choice)
    return {key: choice for key, (_order, choice) in best.items()}


def candidates(
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


def step_queryset() -> QuerySet[PathwayStep]:
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
    ``candidates`` for all situations and phases) and thrown away as a whole when a pathway,
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
    found = compiled.rows(
        "municipality-name",
        lambda params: Municipality.objects.filter(code=params[0]).values_list("name"),
        [code],
    )
    name = found[0][0] if found else None
    if name is None:
        raise UnknownMunicipality(str(municipality))
    phases = list(PHASE_FIELDS)
    national = _national.get_or_make(
        "national", lambda: _candidate_rows(code, None, phases, "national")
    )
    choices = _best([*_candidate_rows(code, None, phases, "local"), *national])
    return _tables.put(code, MunicipalityPathways(code=code, name=name, choices=choices))


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
    check_phase(phase)
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
            versions, Prefetch("steps", queryset=step_queryset().order_by("position"))
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
    phases = [check_phase(p) for p in phases] if phases else list(PHASE_FIELDS)
    municipality = get_municipality(municipality)
    chosen = candidates(municipality, situations, phases)
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
