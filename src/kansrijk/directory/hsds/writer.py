"""Writing an import: upsert the built objects by id in one pass, parents first, remove the
children that imported parents no longer have, refresh search text, and record history and the
access log for the services that changed."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone

from kansrijk.audit.models import Action
from kansrijk.audit.services import record_event
from kansrijk.core import freshness
from kansrijk.directory.history import diff, snapshots
from kansrijk.directory.hsds.builder import Builder, existing_ids
from kansrijk.directory.hsds.reader import Issue
from kansrijk.directory.models import (
    ChangeAction,
    ChangeSource,
    Contact,
    CostOption,
    Language,
    Location,
    Organization,
    Phone,
    ReferralMethod,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceChange,
    ServiceTaxonomy,
    Taxonomy,
    TaxonomyTerm,
)
from kansrijk.directory.search import refresh_search_text

ProgressCallback = Callable[[str, int, int], None]


@dataclass
class ImportResult:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    services_changed: int = 0
    services_unchanged: int = 0
    warnings: list[Issue] = field(default_factory=list)
    ignored: Counter[str] = field(default_factory=Counter)
    dry_run: bool = False


#: Child tables and their parent foreign keys: rows of an imported (complete) parent that are not in
#: the import any more are removed.
_CHILDREN: list[tuple[type[models.Model], str, type[models.Model]]] = [
    (ServiceArea, "service_id", Service),
    (ServiceAtLocation, "service_id", Service),
    (ServiceTaxonomy, "service_id", Service),
    (ReferralMethod, "service_id", Service),
    (CostOption, "service_id", Service),
    (Language, "service_id", Service),
    (Phone, "service_id", Service),
    (Contact, "service_id", Service),
    (Schedule, "service_id", Service),
    (Phone, "location_id", Location),
    (Contact, "location_id", Location),
    (Language, "location_id", Location),
    (Schedule, "location_id", Location),
    (Phone, "service_at_location_id", ServiceAtLocation),
    (Contact, "service_at_location_id", ServiceAtLocation),
    (Schedule, "service_at_location_id", ServiceAtLocation),
    (Phone, "contact_id", Contact),
    (Language, "phone_id", Phone),
    (Phone, "organization_id", Organization),
    (Contact, "organization_id", Organization),
]

#: Fields an import never overwrites (ours, or kept by database triggers: search_vector, the
#: point of a service-at-location).
_KEEP_FIELDS: dict[type[models.Model], set[str]] = {
    Organization: {"id", "account_organisation", "created_at", "last_modified"},
    Service: {"id", "created_at", "last_modified", "search_text", "search_stems", "search_vector"},
    Location: {"id", "last_modified"},
    ServiceAtLocation: {"id", "latitude", "longitude"},
    TaxonomyTerm: {"id", "position"},
}

_WRITE_ORDER: list[type[models.Model]] = [
    Taxonomy,
    TaxonomyTerm,
    Organization,
    Location,
    Service,
    ServiceAtLocation,
    ServiceArea,
    Contact,
    Phone,
    Language,
    Schedule,
    CostOption,
    ServiceTaxonomy,
    ReferralMethod,
]


def _update_fields(model: type[models.Model]) -> list[str]:
    keep = _KEEP_FIELDS.get(model, {"id"})
    return [f.name for f in model._meta.concrete_fields if f.name not in keep and not f.primary_key]


def write(
    builder: Builder, result: ImportResult, progress: ProgressCallback | None
) -> list[uuid.UUID]:
    objects = builder.objects
    service_ids = list(objects[Service])
    existing = {model: existing_ids(model, list(objects[model])) for model in _WRITE_ORDER}
    before = snapshots(
        [service_id for service_id in service_ids if service_id in existing[Service]]
    )

    # 1. Remove the children that complete parents no longer have (before inserting, so the
    #    unique constraints such as one area per municipality never see old and new rows at once).
    for child, fk, parent in _CHILDREN:
        parents = sorted(builder.complete[parent])
        keep = set(objects[child])
        for start in range(0, len(parents), 500):
            batch = parents[start : start + 500]
            stale = [
                pk
                for pk in child._default_manager.filter(**{f"{fk}__in": batch}).values_list(
                    "pk", flat=True
                )
                if pk not in keep
            ]
            for offset in range(0, len(stale), 500):
                child._default_manager.filter(pk__in=stale[offset : offset + 500]).delete()

    # 2. Upsert by id, parents first.
    for model in _WRITE_ORDER:
        rows = list(objects[model].values())
        if not rows:
            continue
        fields = _update_fields(model)
        for start in range(0, len(rows), 500):
            model._default_manager.bulk_create(
                rows[start : start + 500],
                update_conflicts=True,
                unique_fields=["id"],
                update_fields=fields,
            )
            if progress:
                progress(
                    str(model._meta.verbose_name_plural), min(start + 500, len(rows)), len(rows)
                )
        label = model._meta.model_name or ""
        result.created[label] += len(set(objects[model]) - existing[model])
        result.updated[label] += len(set(objects[model]) & existing[model])

    freshness.bump("directory")  # bulk writes send no signals

    # 3. Search text of everything that may read differently now.
    affected = set(service_ids)
    affected.update(
        Service.objects.filter(
            organization_id__in=list(objects[Organization])[:10_000]
        ).values_list("id", flat=True)
    )
    affected.update(
        ServiceAtLocation.objects.filter(
            location_id__in=list(objects[Location])[:10_000]
        ).values_list("service_id", flat=True)
    )
    refresh_search_text(sorted(affected))

    # 4. History and access log for services that changed.
    after = snapshots(service_ids)
    now = timezone.now()
    changes: list[ServiceChange] = []
    changed_ids: list[uuid.UUID] = []
    for service_id in service_ids:
        old = before.get(service_id)
        difference = diff(old, after[service_id])
        if old is not None and not difference:
            result.services_unchanged += 1
            continue
        changed_ids.append(service_id)
        changes.append(
            ServiceChange(
                service_id=service_id,
                service_ref=service_id,
                changed_at=now,
                action=ChangeAction.CREATE if old is None else ChangeAction.UPDATE,
                source=ChangeSource.IMPORT,
                changes=difference,
            )
        )
    result.services_changed = len(changes)
    for start in range(0, len(changed_ids), 500):
        Service.objects.filter(id__in=changed_ids[start : start + 500]).update(last_modified=now)
    ServiceChange.objects.bulk_create(changes, batch_size=500)
    for change in changes:
        record_event(
            event_type=f"directory.service.{'create' if change.action == ChangeAction.CREATE else 'update'}",
            action=Action.CREATE if change.action == ChangeAction.CREATE else Action.UPDATE,
            object_type="directory.service",
            object_id=str(change.service_ref),
            purpose="directory.import",
        )
    return service_ids
