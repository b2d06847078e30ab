"""What a load of reference data (places, the situation catalogue, the menukaart) did."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.db.models import QuerySet

from kansrijk.core import freshness
from kansrijk.core.phases import PHASE_FIELDS

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


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


def sync_rows(rows: QuerySet[Any], wanted: Mapping[Any, dict[str, Any]], kind: str) -> LoadCounts:
    """Make ``rows`` match ``wanted`` (values by primary key): create the missing rows and update
    the changed ones, in a few statements; rows of ``rows`` that are not in ``wanted`` are kept
    and counted. Bulk writes send no signals, so the version of ``kind`` is raised here
    (``kansrijk.core.freshness``) when anything was written. Rows are created in the order of
    ``wanted``."""
    model = rows.model
    key = model._meta.pk.attname
    fields = sorted({field for values in wanted.values() for field in values})
    existing = {row.pop(key): row for row in rows.order_by().values(key, *fields)}
    to_create = [
        model(**{key: pk}, **values) for pk, values in wanted.items() if pk not in existing
    ]
    to_update = [
        model(**{key: pk}, **values)
        for pk, values in wanted.items()
        if pk in existing and existing[pk] != values
    ]
    if to_create:
        model._default_manager.bulk_create(to_create, batch_size=500)
    if to_update:
        model._default_manager.bulk_update(to_update, fields, batch_size=200)
    if to_create or to_update:
        freshness.bump(kind)
    return LoadCounts(
        total=len(wanted),
        created=len(to_create),
        updated=len(to_update),
        unchanged=len(wanted) - len(to_create) - len(to_update),
        not_in_source=len(existing.keys() - wanted.keys()),
    )


def read_source(path: Path, error: type[Exception], what: str) -> Any:
    """The JSON document in ``path``. Raises ``error`` naming the file (``what``, e.g.
    ``"Catalogue"``) when it is missing or not JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{what} file not found: {path}") from None
    except (OSError, ValueError) as exc:
        raise error(f"{what} file {path.name} is not valid JSON: {exc}") from None


def source_objects(
    items: Iterable[Any],
    problems: list[str],
    *,
    list_name: str,
    kind: str = "",
    key: str = "",
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The objects of the list ``list_name`` of a source document, each with the name its
    problems go by: its place (``situations[3]``) or, when it has a text ``key``, ``kind`` and
    that key (``situation 'roken'``). An item that is no object is a problem, and skipped."""
    for index, item in enumerate(items):
        where = f"{list_name}[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: must be an object.")
            continue
        if key and isinstance(item.get(key), str):
            where = f"{kind} {item[key]!r}"
        yield where, item


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


def slug_problems(where: str, key: str, value: Any, seen: set[str], limit: int) -> list[str]:
    """What is wrong with the ``key`` (``code``, ``slug``) that identifies one object of a source
    document: it must be a slug (a-z, 0-9, hyphens) of at most ``limit`` characters that no
    earlier object has. A good one is added to ``seen``."""
    if not isinstance(value, str) or not _SLUG.match(value) or len(value) > limit:
        return [f"{where}: {key} {value!r} is not a slug (a-z, 0-9, hyphens)."]
    if value in seen:
        return [f"{where}: duplicate {key} {value!r}."]
    seen.add(value)
    return []


def is_word_list(value: Any) -> bool:
    """Whether ``value`` of a source document is a list of non-blank texts (names, synonyms,
    codes)."""
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


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
