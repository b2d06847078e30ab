"""A demo social map for Smallingerland (Drachten), Rotterdam and Heerlen.

The map is an HSDS 3.0 file, ``data/demo-social-map.json`` (a list of organization documents,
each with its phones, locations and services), loaded by the HSDS importer
(``kansrijk.directory.hsds.importer``) as ``kansrijk import-hsds`` would load it, so the demo
also proves the importer. Kansrijk's own fields travel as attributes with the fixed term ids of
``kansrijk.directory.vocabularies`` (phase, domain, referral methods, cost, response time,
target group, demo); the need categories as links to the terms of ``load_need_categories``.

The organisations are made up, after the world of Kansrijke Start: the
midwife practice, the JGZ with its prenatal home visit, the GGD with Nu Niet Zwanger, the social
district team, debt counselling, GGZ, informal support (Home-Start, Moeders Informeren Moeders),
maternity care, Stevig Ouderschap, VoorZorg, CenteringZwangerschap, Rookvrije Start, the Taalhuis
and the regional Veilig Thuis.

Every service carries the demo attribute, which makes it, its organisation and their locations
demo data (shown as "(demo)"); phone numbers are obviously not real (``0512 000 0xx``,
``010 000 0xxx``, ``045 000 0xxx``); addresses lie in real PC4 areas of the three towns with
made-up streets and numbers. Regional services (GGD, Veilig Thuis, maternity care, GGZ) name every
municipality of the town's GGD region as a service area.

The file's verification dates (``assured_date``) are written as of ``WRITTEN_ON``; ``load()``
moves them by the days since, so the demo always has fresh entries and entries due for
verification ("last verified 400 days ago").

``load()`` is idempotent: every row has a fixed id, the importer updates rows in place and
replaces what hangs from them, so running it again changes nothing but the relative dates. It
needs the reference data (``kansrijk.places``) and links the JGZ, midwife and debt-counselling
organisations to the demo accounts organisations of ``kansrijk.accounts.demo`` when those exist
(an import never sets that link).
"""

from __future__ import annotations

import datetime
import json
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from kansrijk.accounts.demo import PLACES
from kansrijk.accounts.models import Organisation
from kansrijk.directory.hsds.importer import import_hsds
from kansrijk.directory.models import Location, Organization, Service
from kansrijk.directory.vocabularies import load_need_categories

__all__ = ["DATA_FILE", "WRITTEN_ON", "DemoSummary", "documents", "load"]

DATA_FILE = Path(__file__).resolve().parent / "data" / "demo-social-map.json"
#: The day the file's verification dates are written for.
WRITTEN_ON = datetime.date(2026, 12, 6)


@dataclass
class DemoSummary:
    organizations: int = 0
    locations: int = 0
    services: int = 0
    per_municipality: dict[str, int] = field(default_factory=dict)


def documents(today: datetime.date | None = None) -> list[dict[str, Any]]:
    """The organization documents of the demo map, their verification dates moved to ``today``."""
    with DATA_FILE.open(encoding="utf-8") as handle:
        data: list[dict[str, Any]] = json.load(handle)
    shift = (today or timezone.localdate()) - WRITTEN_ON
    for organization in data:
        for service in organization.get("services", []):
            if service.get("assured_date"):
                assured = datetime.date.fromisoformat(service["assured_date"]) + shift
                service["assured_date"] = assured.isoformat()
    return data


@transaction.atomic
def load() -> DemoSummary:
    """Create or reset the demo social map of the three demo municipalities."""
    load_need_categories()
    data = documents()
    with tempfile.TemporaryDirectory(prefix="kansrijk-demo-") as folder:
        path = Path(folder) / DATA_FILE.name
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        import_hsds(path)

    org_ids = [uuid.UUID(organization["id"]) for organization in data]
    service_ids = [
        uuid.UUID(service["id"]) for organization in data for service in organization["services"]
    ]
    # Demo services of demo organisations that this version of the file no longer lists.
    Service.objects.filter(organization_id__in=org_ids, is_demo=True).exclude(
        id__in=service_ids
    ).delete()
    _link_account_organisations(org_ids)

    located = (
        Service.objects.filter(id__in=service_ids)
        .values_list("service_at_locations__location__municipality_id")
        .annotate(count=Count("id", distinct=True))
    )
    return DemoSummary(
        organizations=len(org_ids),
        locations=Location.objects.filter(organization_id__in=org_ids).count(),
        services=len(service_ids),
        per_municipality={code: count for code, count in located if code},
    )


def _link_account_organisations(org_ids: list[uuid.UUID]) -> None:
    """The JGZ, midwife practice and debt counselling of each demo municipality are the demo
    accounts organisations of the same name (``kansrijk.accounts.demo``)."""
    names = [
        name
        for place in PLACES
        for name in (place.midwife_practice, place.youth_health_care, place.debt_counselling)
    ]
    accounts = {org.name: org for org in Organisation.objects.filter(name__in=names)}
    for organization in Organization.objects.filter(id__in=org_ids, name__in=names):
        linked = accounts.get(organization.name)
        if linked is not None and organization.account_organisation_id != linked.pk:
            organization.account_organisation = linked
            organization.save(update_fields=["account_organisation"])
