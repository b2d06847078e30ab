"""Reads of pathways: the overview for professionals, published versions, the editors' lists.

Which pathway applies where is ``kansrijk.pathways.resolution``; the steps the pathway page
shows, kept per process, ``kansrijk.pathways.steps``. Drafts and editing are for the
coalition's editors (``Pathway.objects.editable_by(user)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Prefetch, QuerySet

from kansrijk.core.choices import VersionStatus
from kansrijk.core.phases import PHASE_FIELDS, Phase
from kansrijk.pathways.models import Pathway, PathwayVersion
from kansrijk.pathways.resolution import (
    candidates,
    check_phase,
    resolved_url,
    step_queryset,
)
from kansrijk.places.models import Municipality
from kansrijk.places.selectors import get_municipality
from kansrijk.situations.models import FactorKind, Situation

__all__ = [
    "OverviewCell",
    "OverviewRow",
    "editable_pathways",
    "pathway_for_page",
    "pathway_overview",
    "phase_label",
    "published_version",
    "risk_situations",
    "version_with_steps",
    "versions_of",
]


def risk_situations(phase: str | None = None) -> QuerySet[Situation]:
    """The active vulnerable situations of the catalogue (risk factors), in catalogue order."""
    queryset = Situation.objects.filter(is_active=True, kind=FactorKind.RISK).select_related(
        "domain"
    )
    if phase:
        queryset = queryset.filter(**{PHASE_FIELDS[check_phase(phase)]: True})
    return queryset.order_by("domain__position", "position", "name")


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
            Prefetch("steps", queryset=step_queryset().order_by("position")),
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


def pathway_overview(
    *, municipality: Municipality | str, phases: Sequence[str] | None = None
) -> list[OverviewRow]:
    """Per active situation of the catalogue, which pathway applies in ``municipality`` for each
    phase (and whether it is a default). Two queries, plus one for a municipality code."""
    phases = [check_phase(p) for p in phases] if phases else list(PHASE_FIELDS)
    municipality = get_municipality(municipality)
    situations = list(risk_situations())
    chosen = candidates(municipality, None, phases)
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
        .prefetch_related(Prefetch("steps", queryset=step_queryset().order_by("position")))
        .get(pathway=pathway, number=number)
    )


def pathway_for_page(pk: int) -> Pathway:
    """A pathway with coalition, situation, owner and current version. Raises ``DoesNotExist``."""
    return Pathway.objects.select_related("coalition", "situation", "owner", "current_version").get(
        pk=pk
    )
