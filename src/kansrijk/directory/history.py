"""The change history of services: snapshots of what a service says, and their differences.

Why not django-simple-history: it copies one table per model and cannot say that a service's
municipalities, categories or referral methods changed, which are what coalitions ask about. A
snapshot covers the service *and* those collections; ``ServiceChange.changes`` keeps
``{field: [old, new]}`` for what differs. Snapshots are made in bulk (a fixed number of queries
per 500 services) so the import can use them too.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db import models
from django.db.models import QuerySet

from kansrijk.core import compiled
from kansrijk.core.phases import PHASE_FIELD_NAMES
from kansrijk.directory.models import (
    Contact,
    CostOption,
    Language,
    Phone,
    ReferralMethod,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceTaxonomy,
)

#: Service fields a person edits (editor, API) or an import sets; the one list of them.
EDITABLE_FIELDS: tuple[str, ...] = (
    "name",
    "alternate_name",
    "description",
    "url",
    "email",
    "status",
    "interpretation_services",
    "application_process",
    "fees_description",
    "wait_time",
    "accreditations",
    "licenses",
    "alert",
    "eligibility_description",
    "target_group",
    "minimum_age",
    "maximum_age",
    *PHASE_FIELD_NAMES,
    "domain",
    "is_free",
    "response_time_days",
    "is_demo",
)

#: Service fields a snapshot records: the editable ones, the organisation and the assurance.
SNAPSHOT_FIELDS = ["organization_id", *EDITABLE_FIELDS, "assured_date", "assurer_email"]

#: Related collections a snapshot records, as sorted lists: for each, its model and what an
#: item holds (one value, or a list of them).
_COLLECTION_ITEMS: dict[str, tuple[type[models.Model], tuple[str, ...]]] = {
    "service_areas": (ServiceArea, ("municipality_id",)),
    "taxonomy_terms": (
        ServiceTaxonomy,
        ("taxonomy_term__taxonomy__name", "taxonomy_term__code", "value"),
    ),
    "referral_methods": (ReferralMethod, ("method", "contact", "instructions")),
    "languages": (Language, ("code",)),
    "locations": (ServiceAtLocation, ("location_id",)),
    "phones": (Phone, ("number", "extension")),
    "contacts": (Contact, ("name", "email")),
    "cost_options": (CostOption, ("option", "amount", "currency")),
    "schedules": (Schedule, ("id",)),
}
COLLECTIONS = list(_COLLECTION_ITEMS)


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def snapshots(service_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    """``{service id: snapshot}`` for the services that exist. A service save takes two (before
    and after), so each of the ten querysets runs as SQL compiled once per process and batch
    size (``core.compiled``)."""
    ids = list(dict.fromkeys(service_ids))
    result: dict[uuid.UUID, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        params = [compiled.db_value(Service._meta.pk, service_id) for service_id in batch]
        collections: dict[uuid.UUID, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        for name in _COLLECTION_ITEMS:
            rows = compiled.rows(f"directory.snapshot.{name}", _collection_rows(name), params)
            for service_id, *values in rows:
                item = [_plain(value) for value in values]
                collections[service_id][name].append(item[0] if len(item) == 1 else item)
        services = compiled.rows(
            "directory.snapshot",
            lambda p: Service.objects.filter(id__in=p).values_list("id", *SNAPSHOT_FIELDS),
            params,
        )
        for service_id, *values in services:
            snapshot = {
                field: _plain(value) for field, value in zip(SNAPSHOT_FIELDS, values, strict=True)
            }
            for name in COLLECTIONS:
                items = collections[service_id].get(name, [])
                snapshot[name] = sorted(items, key=lambda item: str(item))
            result[service_id] = snapshot
    return result


def _collection_rows(name: str) -> Callable[[list[Any]], QuerySet[Any]]:
    """The queryset of collection ``name``'s rows of the services in its parameters."""
    model, fields = _COLLECTION_ITEMS[name]
    return lambda params: model._default_manager.filter(service_id__in=params).values_list(
        "service_id", *fields
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # Decimal amounts


def diff(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every field that differs (all fields when ``old`` is None)."""
    changes: dict[str, list[Any]] = {}
    for key, value in new.items():
        before = None if old is None else old.get(key)
        if old is None and value in (None, "", [], False):
            continue
        if before != value:
            changes[key] = [_jsonable(before), _jsonable(value)]
    return changes
