"""Writes of the situations catalogue: loading the national catalogue shipped in ``data/``.

The catalogue is data (``data/catalogue.json``, sources in ``data/README.md``), edited in the
admin; this loader writes the national version. It is idempotent: rows are matched by their
stable ``code`` and only changed fields are written. A situation that is no longer in the file is
kept (pathways and signalled factors may refer to it); deactivate it in the admin. The active
flag of an existing situation is left alone, so a situation switched off in the admin stays off.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from kansrijk.core import loading
from kansrijk.core.phases import PHASE_FIELDS
from kansrijk.situations.exceptions import CatalogueError
from kansrijk.situations.models import FactorKind, LifeDomain, Situation

DATA_DIR = Path(__file__).resolve().parent / "data"
CATALOGUE_FILE = DATA_DIR / "catalogue.json"

_DOMAIN_KEYS = {"code", "name", "description"}
_SITUATION_KEYS = {
    "code",
    "kind",
    "domain",
    "name",
    "description",
    "synonyms",
    "phases",
    "need_category",
    "source",
}


@dataclass(frozen=True)
class CatalogueResult:
    life_domains: loading.LoadCounts
    situations: loading.LoadCounts

    def tables(self) -> dict[str, loading.LoadCounts]:
        return {"life_domains": self.life_domains, "situations": self.situations}


def need_category_codes() -> set[str]:
    """The social map's need-category codes (from its vocabulary in code and from the database,
    where coalitions may have added terms)."""
    from kansrijk.directory.models import TaxonomyTerm
    from kansrijk.directory.vocabularies import NEED_CATEGORIES, NEED_TAXONOMY_ID

    codes = {code for code, *_ in NEED_CATEGORIES}
    codes |= set(
        TaxonomyTerm.objects.filter(taxonomy_id=NEED_TAXONOMY_ID).values_list("code", flat=True)
    )
    return codes


def read_catalogue(path: Path | None = None) -> dict[str, Any]:
    """Read and validate the catalogue file. Raises ``CatalogueError`` naming what is wrong."""
    path = path or CATALOGUE_FILE
    data = loading.read_source(path, CatalogueError, "Catalogue")
    validate_catalogue(data)
    return data


def validate_catalogue(data: Any) -> None:
    """Check the structure and the rules of a catalogue document. Raises ``CatalogueError``."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise CatalogueError("The catalogue must be a JSON object.")
    domains = data.get("life_domains")
    situations = data.get("situations")
    if not isinstance(domains, list) or not domains:
        problems.append("'life_domains' must be a non-empty list.")
        domains = []
    if not isinstance(situations, list) or not situations:
        problems.append("'situations' must be a non-empty list.")
        situations = []

    domain_codes: set[str] = set()
    for where, domain in loading.source_objects(domains, problems, list_name="life_domains"):
        problems += loading.key_problems(where, domain, {"code", "name"}, _DOMAIN_KEYS)
        problems += loading.slug_problems(where, "code", domain.get("code"), domain_codes, 60)
        problems += loading.name_problems(where, domain.get("name"), 120)

    need_codes = need_category_codes()
    codes: set[str] = set()
    for where, item in loading.source_objects(
        situations, problems, list_name="situations", kind="situation", key="code"
    ):
        code = item.get("code")
        problems += loading.key_problems(
            where, item, {"code", "kind", "domain", "name", "phases"}, _SITUATION_KEYS
        )
        problems += loading.slug_problems(where, "code", code, codes, 60)
        if item.get("kind") not in FactorKind.values:
            problems.append(f"{where}: kind must be one of {', '.join(FactorKind.values)}.")
        if item.get("domain") not in domain_codes:
            problems.append(f"{where}: unknown life domain {item.get('domain')!r}.")
        problems += loading.name_problems(where, item.get("name"), 120)
        if not isinstance(item.get("description", ""), str):
            problems.append(f"{where}: description must be text.")
        if not loading.is_word_list(item.get("synonyms", [])):
            problems.append(f"{where}: synonyms must be a list of words.")
        problems += loading.phases_problems(where, item.get("phases"))
        need = item.get("need_category", "")
        if not isinstance(need, str) or (need and need not in need_codes):
            problems.append(
                f"{where}: need_category {need!r} is not a need category of the social map."
            )
        source = item.get("source", "")
        if not isinstance(source, str) or len(source) > 250:
            problems.append(f"{where}: source must be text of at most 250 characters.")
    if problems:
        raise CatalogueError("The catalogue is not valid:\n- " + "\n- ".join(problems))


def _write(model: type[Any], code: str, values: dict[str, Any], existing: dict[str, Any]) -> str:
    """Create or update one row by code; returns 'created', 'updated' or 'unchanged'."""
    row = existing.get(code)
    if row is None:
        model.objects.create(code=code, **values)
        return "created"
    changed = [field for field, value in values.items() if getattr(row, field) != value]
    if not changed:
        return "unchanged"
    for field in changed:
        setattr(row, field, values[field])
    row.save()
    return "updated"


@transaction.atomic
def load_catalogue(path: Path | None = None) -> CatalogueResult:
    """Create or update the life domains and the risk and protective factors from the catalogue
    file (default ``data/catalogue.json``). Validates the whole file first and writes in one
    transaction, so a bad file changes nothing. Safe to run again."""
    data = read_catalogue(path)

    domain_counts = {"created": 0, "updated": 0, "unchanged": 0}
    domains = {domain.code: domain for domain in LifeDomain.objects.all()}
    for position, item in enumerate(data["life_domains"]):
        outcome = _write(
            LifeDomain,
            item["code"],
            {
                "name": item["name"].strip(),
                "description": item.get("description", "").strip(),
                "position": position,
            },
            domains,
        )
        domain_counts[outcome] += 1
    domains = {domain.code: domain for domain in LifeDomain.objects.all()}

    counts = {"created": 0, "updated": 0, "unchanged": 0}
    existing = {situation.code: situation for situation in Situation.objects.all()}
    for position, item in enumerate(data["situations"]):
        phases = set(item["phases"])
        values: dict[str, Any] = {
            "kind": item["kind"],
            "domain_id": domains[item["domain"]].pk,
            "name": item["name"].strip(),
            "description": item.get("description", "").strip(),
            "synonyms": [s.strip() for s in item.get("synonyms", [])],
            "need_category": item.get("need_category", ""),
            "source": item.get("source", "").strip(),
            "position": position,
            **{field: phase in phases for phase, field in PHASE_FIELDS.items()},
        }
        counts[_write(Situation, item["code"], values, existing)] += 1

    in_file = {item["code"] for item in data["situations"]}
    domains_in_file = {item["code"] for item in data["life_domains"]}
    return CatalogueResult(
        life_domains=loading.LoadCounts(
            total=len(data["life_domains"]),
            not_in_source=len(set(domains) - domains_in_file),
            **domain_counts,
        ),
        situations=loading.LoadCounts(
            total=len(data["situations"]),
            not_in_source=len(set(existing) - in_file),
            **counts,
        ),
    )
