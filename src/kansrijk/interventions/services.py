"""Writes of the menukaart: loading the interventions shipped in ``data/menukaart.json`` and
linking them to the demo services of the social map.

``load_menukaart()`` is idempotent: interventions are matched by their stable ``slug`` and only
changed fields are written. Facts the file does not state are not overwritten on a reload:
``recognition``, ``recognition_source`` and ``financing_laws`` are written only when the entry has
them (a new intervention starts as "not assessed" with no financing), so levels an editor entered
in the admin from the databank survive. An intervention no longer in the file is kept.

Where an intervention is on offer follows from the services that deliver it. For the demo, the
loader links each intervention to the *demo* services of the social map whose name contains the
intervention's name or one of its ``match`` names (``CenteringZwangerschap`` matches
``Centering Zwangerschap``: case, accents, spaces and punctuation are ignored). Links are only
added, never removed, and real (non-demo) services are never linked automatically.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from kansrijk.core import freshness, loading
from kansrijk.core.phases import PHASE_FIELDS
from kansrijk.interventions.exceptions import MenukaartError
from kansrijk.interventions.models import (
    BuildingBlock,
    FinancingLaw,
    Intervention,
    ProviderKind,
    RecognitionLevel,
)
from kansrijk.situations.models import Situation
from kansrijk.situations.text import compact

DATA_DIR = Path(__file__).resolve().parent / "data"
MENUKAART_FILE = DATA_DIR / "menukaart.json"

#: Match names shorter than this (after removing spaces) are ignored, so that abbreviations such as
#: "MIM" do not link unrelated services.
MIN_MATCH_LENGTH = 6

_REQUIRED = {"slug", "name", "building_block", "phases"}
_KEYS = _REQUIRED | {
    "alternate_names",
    "target_group",
    "situations",
    "provider_kind",
    "description",
    "url",
    "source",
    "match",
    "recognition",
    "recognition_source",
    "financing_laws",
}
#: Keys written only when the entry has them (see the module doc).
_OPTIONAL_FACTS = ("recognition", "recognition_source", "financing_laws")


@dataclass(frozen=True)
class MenukaartResult(loading.LoadCounts):
    service_links_added: int


def validate_menukaart(data: Any, situation_codes: set[str]) -> None:
    """Check the structure and the rules of a menukaart document. Raises ``MenukaartError``."""
    if not isinstance(data, dict) or not isinstance(data.get("interventions"), list):
        raise MenukaartError("The menukaart must be a JSON object with a list 'interventions'.")
    problems: list[str] = []
    slugs: set[str] = set()
    url_validator = URLValidator(schemes=["http", "https"])
    for where, item in loading.source_objects(
        data["interventions"], problems, list_name="interventions", kind="intervention", key="slug"
    ):
        slug = item.get("slug")
        problems += loading.key_problems(where, item, _REQUIRED, _KEYS)
        problems += loading.slug_problems(where, "slug", slug, slugs, 80)
        problems += loading.name_problems(where, item.get("name"), 200)
        if item.get("building_block") not in BuildingBlock.values:
            problems.append(f"{where}: building_block must be 1, 2 or 3.")
        problems += loading.phases_problems(where, item.get("phases"))
        for key in ("alternate_names", "match"):
            if key in item and not loading.is_word_list(item[key]):
                problems.append(f"{where}: {key} must be a list of names.")
        situations = item.get("situations", [])
        if not loading.is_word_list(situations):
            problems.append(f"{where}: situations must be a list of situation codes.")
        else:
            unknown_codes = sorted(set(situations) - situation_codes)
            if unknown_codes:
                problems.append(f"{where}: unknown situations {', '.join(unknown_codes)}.")
        if item.get("provider_kind", ProviderKind.OTHER) not in ProviderKind.values:
            problems.append(
                f"{where}: provider_kind must be one of {', '.join(ProviderKind.values)}."
            )
        if "recognition" in item and item["recognition"] not in RecognitionLevel.values:
            problems.append(
                f"{where}: recognition must be one of {', '.join(RecognitionLevel.values)}."
            )
        if "financing_laws" in item:
            laws = item["financing_laws"]
            if not isinstance(laws, list) or any(law not in FinancingLaw.values for law in laws):
                problems.append(
                    f"{where}: financing_laws must be a list of {', '.join(FinancingLaw.values)}."
                )
        for key in ("target_group", "description", "source", "recognition_source"):
            if key in item and not isinstance(item[key], str):
                problems.append(f"{where}: {key} must be text.")
        for key, limit in (("source", 500), ("recognition_source", 500)):
            if isinstance(item.get(key), str) and len(item[key]) > limit:
                problems.append(f"{where}: {key} is longer than {limit} characters.")
        url = item.get("url", "")
        if not isinstance(url, str):
            problems.append(f"{where}: url must be text.")
        elif url:
            try:
                url_validator(url)
            except ValidationError:
                problems.append(f"{where}: url {url!r} is not a web address.")
    if problems:
        raise MenukaartError("The menukaart is not valid:\n- " + "\n- ".join(problems))


def read_menukaart(path: Path | None = None) -> dict[str, Any]:
    """Read and validate the menukaart file (the situations catalogue must be loaded)."""
    path = path or MENUKAART_FILE
    data = loading.read_source(path, MenukaartError, "Menukaart")
    validate_menukaart(data, set(Situation.objects.values_list("code", flat=True)))
    return data


def _values(item: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    phases = set(item["phases"])
    values: dict[str, Any] = {
        "name": item["name"].strip(),
        "alternate_names": [n.strip() for n in item.get("alternate_names", [])],
        "building_block": item["building_block"],
        "target_group": item.get("target_group", "").strip(),
        "provider_kind": item.get("provider_kind", ProviderKind.OTHER),
        "description": item.get("description", "").strip(),
        "url": item.get("url", ""),
        "source": item.get("source", "").strip(),
        **{field: phase in phases for phase, field in PHASE_FIELDS.items()},
    }
    for key in _OPTIONAL_FACTS:
        if key in item:
            values[key] = item[key]
    if creating:
        values.setdefault("recognition", RecognitionLevel.NOT_ASSESSED)
        values.setdefault("financing_laws", [])
    return values


@transaction.atomic
def load_menukaart(path: Path | None = None) -> MenukaartResult:
    """Create or update the interventions of the menukaart file (default ``data/menukaart.json``)
    and link them to demo services of the social map. Loads the situations catalogue first when
    it is empty. Validates the whole file first, writes in one transaction. Safe to run again."""
    if not Situation.objects.exists():
        from kansrijk.situations.services import load_catalogue

        load_catalogue()
    data = read_menukaart(path)
    situations = {s.code: s.pk for s in Situation.objects.only("pk", "code")}
    existing = {i.slug: i for i in Intervention.objects.prefetch_related("situations").order_by()}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for item in data["interventions"]:
        wanted_situations = {situations[code] for code in item.get("situations", [])}
        intervention = existing.get(item["slug"])
        if intervention is None:
            intervention = Intervention(slug=item["slug"], **_values(item, creating=True))
            intervention.save()
            intervention.situations.set(wanted_situations)
            counts["created"] += 1
            continue
        values = _values(item, creating=False)
        changed = [f for f, v in values.items() if getattr(intervention, f) != v]
        current_situations = {s.pk for s in intervention.situations.all()}
        if not changed and current_situations == wanted_situations:
            counts["unchanged"] += 1
            continue
        for field in changed:
            setattr(intervention, field, values[field])
        if changed:
            intervention.save()
        if current_situations != wanted_situations:
            intervention.situations.set(wanted_situations)
        counts["updated"] += 1
    in_file = {item["slug"] for item in data["interventions"]}
    links = link_demo_services(
        {item["slug"]: [item["name"], *item.get("match", [])] for item in data["interventions"]}
    )
    return MenukaartResult(
        total=len(data["interventions"]),
        not_in_source=len(set(existing) - in_file),
        service_links_added=links,
        **counts,
    )


def _matches(service_names: list[str], keys: list[str]) -> bool:
    return any(key in name for key in keys for name in service_names)


@transaction.atomic
def link_demo_services(names_by_slug: dict[str, list[str]] | None = None) -> int:
    """Link interventions to the demo services whose name (or alternate name) contains one of
    the intervention's names. ``names_by_slug`` defaults to each intervention's name and other
    names. Only adds links; returns how many were added. A fixed number of queries."""
    from kansrijk.directory.models import Service

    interventions = {i.slug: i for i in Intervention.objects.active().order_by()}
    if names_by_slug is None:
        names_by_slug = {
            slug: [i.name, *(i.alternate_names or [])] for slug, i in interventions.items()
        }
    services = [
        (pk, [compact(name), compact(alternate)])
        for pk, name, alternate in Service.objects.visible()
        .filter(is_demo=True)
        .values_list("pk", "name", "alternate_name")
    ]
    through = Intervention.services.through
    existing = set(through.objects.values_list("intervention_id", "service_id"))
    new_links = []
    for slug, names in names_by_slug.items():
        intervention = interventions.get(slug)
        if intervention is None:
            continue
        keys = [key for key in (compact(name) for name in names) if len(key) >= MIN_MATCH_LENGTH]
        for service_pk, service_names in services:
            pair = (intervention.pk, service_pk)
            if pair not in existing and _matches(service_names, keys):
                existing.add(pair)
                new_links.append(through(intervention_id=intervention.pk, service_id=service_pk))
    through.objects.bulk_create(new_links, ignore_conflicts=True)
    if new_links:
        freshness.bump("interventions")  # bulk writes send no signals
    return len(new_links)
