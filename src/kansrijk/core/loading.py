"""What a load of reference data (places, the situation catalogue, the menukaart) did."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from kansrijk.core.phases import PHASE_FIELDS


@dataclass(frozen=True)
class LoadCounts:
    """What one load did to one table: the source's rows, how many of them were created, updated
    or unchanged, and how many rows of the table are not in the source."""

    total: int
    created: int
    updated: int
    unchanged: int
    not_in_source: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def report(self, table: str, source: str = "the file") -> str:
        """One line of a load command's output, e.g. ``situations: 41 in the file, 41 created,
        0 updated, 0 unchanged``; the rows the source no longer has are named when there are
        any (a load keeps them)."""
        line = (
            f"{table}: {self.total} in {source}, {self.created} created, "
            f"{self.updated} updated, {self.unchanged} unchanged"
        )
        if self.not_in_source:
            line += f", {self.not_in_source} in the database but not in {source} (kept)"
        return line


def key_problems(
    where: str, item: Mapping[str, Any], required: Iterable[str], allowed: Iterable[str]
) -> list[str]:
    """What is wrong with the keys of one object of a source document (``where`` names it):
    required keys it lacks, and keys it should not have."""
    problems = []
    missing = set(required) - item.keys()
    unknown = item.keys() - set(allowed)
    if missing:
        problems.append(f"{where}: missing {', '.join(sorted(missing))}.")
    if unknown:
        problems.append(f"{where}: unknown keys {', '.join(sorted(unknown))}.")
    return problems


def phases_problems(where: str, phases: Any) -> list[str]:
    """What is wrong with the ``phases`` of one object of a source document: they must be a
    non-empty list of distinct phases (``core.phases``)."""
    if (
        not isinstance(phases, list)
        or not phases
        or any(phase not in PHASE_FIELDS for phase in phases)
        or len(set(phases)) != len(phases)
    ):
        return [f"{where}: phases must be a non-empty list of {', '.join(PHASE_FIELDS)}."]
    return []


def name_problems(where: str, name: Any, limit: int) -> list[str]:
    """What is wrong with the ``name`` of one object of a source document: it must be text of
    1 to ``limit`` characters."""
    if not isinstance(name, str) or not name.strip() or len(name) > limit:
        return [f"{where}: name must be text of 1 to {limit} characters."]
    return []
