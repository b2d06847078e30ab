"""Writes to the social map. Keyword-only, atomic, raising domain errors
(``EditNotAllowed``, ``InvalidServiceData``); each write records a ``ServiceChange`` (who, when,
what) and an access-log event (``directory.service.create`` / ``.update`` / ``.verify``).

Who may write: ``Service.objects.editable_by(user)`` (administrators; coalition editors for the
services that serve one of their municipalities). The import (``import_hsds``) is an operator's
command and writes through ``kansrijk.directory.hsds.importer`` with the same history and log.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kansrijk.audit.models import Action
from kansrijk.audit.services import record_event
from kansrijk.core import compiled
from kansrijk.core.freshness import bump
from kansrijk.core.languages import dutch_language_name
from kansrijk.core.users import actor
from kansrijk.directory.exceptions import EditNotAllowed, InvalidServiceData
from kansrijk.directory.history import EDITABLE_FIELDS, diff, snapshots
from kansrijk.directory.models import (
    ChangeAction,
    ChangeSource,
    Language,
    Location,
    Organization,
    ReferralMethod,
    ReferralMethodKind,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceChange,
    ServiceTaxonomy,
    TaxonomyTerm,
)
from kansrijk.directory.page_selectors import (
    can_edit_service,
    editor_municipalities,
    is_editor,
)
from kansrijk.directory.search import refresh_search_text
from kansrijk.directory.vocabularies import fixed_id
from kansrijk.places.exceptions import PlacesError, UnknownMunicipality
from kansrijk.places.models import Municipality
from kansrijk.places.selectors import get_municipalities, lookup_postcode

if TYPE_CHECKING:
    import datetime

    from django.http import HttpRequest

#: A model (``_replace_links``).
M = TypeVar("M", bound=models.Model)

__all__ = [
    "EDITABLE_FIELDS",
    "create_service",
    "save_location",
    "set_service_locations",
    "update_service",
    "verify_service",
]

# --- Permission and bookkeeping -------------------------------------------------------------------


def _require_editor(user: Any) -> None:
    if not is_editor(user):
        raise EditNotAllowed()


def _record_change(
    *,
    service: Service,
    user: Any,
    action: ChangeAction,
    before: dict[str, Any] | None,
    request: HttpRequest | None,
    source: ChangeSource = ChangeSource.EDITOR,
) -> ServiceChange | None:
    """Write history and audit for a change; ``None`` (and nothing written) when nothing changed."""
    after = snapshots([service.id])[service.id]
    changes = diff(before, after)
    if not changes and action == ChangeAction.UPDATE:
        return None
    now = timezone.now()
    if action != ChangeAction.VERIFY:
        service.last_modified = now
        Service.objects.filter(pk=service.pk).update(last_modified=now)
    refresh_search_text([service.id])
    change = ServiceChange.objects.create(
        service=service,
        service_ref=service.id,
        changed_at=now,
        user=actor(user),
        user_display=getattr(user, "username", "") or "",
        action=action,
        source=source,
        changes=changes,
    )
    record_event(
        request=request,
        user=user,
        event_type=f"directory.service.{action}",
        action=Action.CREATE if action == ChangeAction.CREATE else Action.UPDATE,
        object_type="directory.service",
        object_id=str(service.id),
    )
    return change


# --- Validation helpers ------------------------------------------------------------------------


def _validate_fields(
    fields: Mapping[str, Any], editable: Collection[str] = EDITABLE_FIELDS
) -> None:
    """``InvalidServiceData`` for every field of ``fields`` that is not ``editable``."""
    unknown = sorted(set(fields).difference(editable))
    if unknown:
        raise InvalidServiceData(
            {name: [_("This field cannot be changed here.")] for name in unknown}
        )


def _clean(instance: models.Model, **options: Any) -> None:
    """``instance.full_clean(**options)``, its errors raised as ``InvalidServiceData``."""
    try:
        instance.full_clean(**options)
    except ValidationError as error:
        raise InvalidServiceData(dict(error.message_dict)) from None


def _full_clean(service: Service) -> None:
    _clean(service, exclude=["search_text", "search_stems"], validate_unique=False)


def _resolve_municipalities(values: Iterable[Municipality | str]) -> list[Municipality]:
    try:
        result = get_municipalities(values)
    except UnknownMunicipality as error:
        raise InvalidServiceData({"service_areas": [error.message]}) from None
    if not result:
        raise InvalidServiceData(
            {"service_areas": [_("Choose at least one municipality this service serves.")]}
        )
    return result


def _replace_links(
    model: type[M],
    service: Service,
    key: str,
    wanted: Mapping[Any, Any],
    new: Callable[[Any, Any], M],
) -> None:
    """Make ``service``'s ``model`` rows those of ``wanted`` (by their ``key``): delete the
    others, and create each missing one as ``new(key, value)``. One query when nothing changes
    (an edit of other fields), one more for the deletions and one for the additions."""
    rows = model._default_manager.filter(service=service)
    existing = set(rows.values_list(key, flat=True))
    stale = existing.difference(wanted)
    if stale:
        rows.filter(**{f"{key}__in": stale}).delete()
    missing = [new(k, value) for k, value in wanted.items() if k not in existing]
    if missing:
        model._default_manager.bulk_create(missing)


def municipality_area(service_id: uuid.UUID, municipality: Municipality) -> ServiceArea:
    """The (unsaved) service area by which the service ``service_id`` serves ``municipality``
    as a whole, under its fixed id: what the editor and the import both make."""
    return ServiceArea(
        id=fixed_id("service-area", service_id, municipality.code),
        service_id=service_id,
        municipality=municipality,
        name=municipality.name,
        extent=municipality.code,
        extent_type="text",
    )


def _set_service_areas(service: Service, municipalities: list[Municipality]) -> None:
    _replace_links(
        ServiceArea,
        service,
        "municipality_id",
        {municipality.code: municipality for municipality in municipalities},
        lambda code, municipality: municipality_area(service.id, municipality),
    )


def _set_categories(service: Service, terms: Iterable[TaxonomyTerm | uuid.UUID | str]) -> None:
    ids: set[uuid.UUID] = set()
    for term in terms:
        if isinstance(term, TaxonomyTerm):
            ids.add(term.id)
            continue
        try:
            ids.add(term if isinstance(term, uuid.UUID) else uuid.UUID(str(term)))
        except ValueError:
            raise InvalidServiceData(
                {"categories": [_("Choose categories from the list.")]}
            ) from None
    found = set(TaxonomyTerm.objects.filter(id__in=ids).values_list("id", flat=True))
    if found != ids:
        raise InvalidServiceData({"categories": [_("Choose categories from the list.")]})
    _replace_links(
        ServiceTaxonomy,
        service,
        "taxonomy_term_id",
        dict.fromkeys(ids),
        lambda term_id, _none: ServiceTaxonomy(
            id=fixed_id("attribute", service.id, term_id), service=service, taxonomy_term_id=term_id
        ),
    )


def _set_referral_methods(service: Service, methods: Iterable[Mapping[str, Any]]) -> None:
    wanted: dict[str, Mapping[str, Any]] = {}
    for item in methods:
        method = item.get("method")
        if method not in ReferralMethodKind.values:
            raise InvalidServiceData(
                {"referral_methods": [_("Choose a referral method from the list.")]}
            )
        if method in wanted:
            raise InvalidServiceData(
                {"referral_methods": [_("Each referral method can be given once.")]}
            )
        wanted[str(method)] = item
    values = {
        method: {
            "instructions": str(item.get("instructions") or "").strip(),
            "contact": str(item.get("contact") or "").strip()[:500],
        }
        for method, item in wanted.items()
    }
    rows = ReferralMethod.objects.filter(service=service)
    existing = {row.method: row for row in rows}
    stale = [row.pk for method, row in existing.items() if method not in values]
    if stale:
        rows.filter(pk__in=stale).delete()
    changed = False
    for method, fields in values.items():
        row = existing.get(method)
        if row is not None and any(getattr(row, name) != value for name, value in fields.items()):
            rows.filter(pk=row.pk).update(**fields)
            changed = True
    missing = [
        ReferralMethod(
            id=fixed_id("referral-method", service.id, method),
            service=service,
            method=method,
            **fields,
        )
        for method, fields in values.items()
        if method not in existing
    ]
    if missing:
        ReferralMethod.objects.bulk_create(missing)
        changed = True
    if changed:
        bump("directory")  # ``update`` and ``bulk_create`` send no signals


def _set_languages(service: Service, codes: Iterable[str]) -> None:
    wanted = {str(code).strip().lower() for code in codes if str(code).strip()}
    if any(len(code) > 10 or not code.isalpha() for code in wanted):
        raise InvalidServiceData(
            {"languages": [_("Give languages as ISO 639 codes, such as nl, en or ar.")]}
        )
    _replace_links(
        Language,
        service,
        "code",
        dict.fromkeys(sorted(wanted)),
        lambda code, _none: Language(
            id=fixed_id("language", service.id, code),
            service=service,
            code=code,
            name=dutch_language_name(code),
        ),
    )


def _apply_collections(
    service: Service,
    *,
    service_areas: Iterable[Municipality | str] | None,
    categories: Iterable[TaxonomyTerm | uuid.UUID | str] | None,
    referral_methods: Iterable[Mapping[str, Any]] | None,
    languages: Iterable[str] | None,
) -> None:
    if service_areas is not None:
        _set_service_areas(service, _resolve_municipalities(service_areas))
    if categories is not None:
        _set_categories(service, categories)
    if referral_methods is not None:
        _set_referral_methods(service, referral_methods)
    if languages is not None:
        _set_languages(service, languages)


# --- Services ----------------------------------------------------------------------------------------


@transaction.atomic
def create_service(
    *,
    user: Any,
    organization: Organization,
    fields: Mapping[str, Any],
    service_areas: Iterable[Municipality | str],
    categories: Iterable[TaxonomyTerm | uuid.UUID | str] = (),
    referral_methods: Iterable[Mapping[str, Any]] = (),
    languages: Iterable[str] = (),
    request: HttpRequest | None = None,
) -> Service:
    """A new service of ``organization`` serving ``service_areas`` (municipalities or CBS codes).

    ``fields`` holds service fields from ``EDITABLE_FIELDS``; ``referral_methods`` dicts with
    ``method`` (``ReferralMethodKind``), ``instructions`` and ``contact``. The user must be allowed
    to edit the result (a coalition editor: it serves one of their municipalities).
    """
    _require_editor(user)
    _validate_fields(fields)
    municipalities = _resolve_municipalities(service_areas)
    service = Service(organization=organization, **fields)
    _full_clean(service)
    service.save()
    _apply_collections(
        service,
        service_areas=municipalities,
        categories=categories,
        referral_methods=referral_methods,
        languages=languages,
    )
    if not can_edit_service(user, service):
        raise EditNotAllowed(
            _("You may only add services for the municipalities of your coalition.")
        )
    _record_change(
        service=service, user=user, action=ChangeAction.CREATE, before=None, request=request
    )
    return service


def _locked(service: Service) -> Service:
    """``service`` read again and locked for this transaction (``select_for_update``), as SQL
    compiled once per process (``core.compiled``: every save of the editor locks)."""
    found = compiled.objects(
        "directory.service-for-update",
        lambda p: Service.objects.select_for_update().filter(pk=p[0]),
        [compiled.db_value(Service._meta.pk, service.pk)],
    )
    if not found:
        raise Service.DoesNotExist(f"Service {service.pk} does not exist.")
    return found[0]


@transaction.atomic
def update_service(
    *,
    service: Service,
    user: Any,
    fields: Mapping[str, Any] | None = None,
    service_areas: Iterable[Municipality | str] | None = None,
    categories: Iterable[TaxonomyTerm | uuid.UUID | str] | None = None,
    referral_methods: Iterable[Mapping[str, Any]] | None = None,
    languages: Iterable[str] | None = None,
    request: HttpRequest | None = None,
) -> ServiceChange | None:
    """Change a service. Collections given (not ``None``) replace what the service had.

    Returns the ``ServiceChange`` written, or ``None`` when nothing actually changed.
    """
    if not can_edit_service(user, service):
        raise EditNotAllowed()
    fields = dict(fields or {})
    _validate_fields(fields)
    before = snapshots([service.id])[service.id]
    locked = _locked(service)
    for name, value in fields.items():
        setattr(locked, name, value)
    _full_clean(locked)
    locked.save(update_fields=list(fields) or None)
    _apply_collections(
        locked,
        service_areas=service_areas,
        categories=categories,
        referral_methods=referral_methods,
        languages=languages,
    )
    if not can_edit_service(user, locked):
        raise EditNotAllowed(
            _("After this change the service would no longer serve your municipalities.")
        )
    change = _record_change(
        service=locked, user=user, action=ChangeAction.UPDATE, before=before, request=request
    )
    service.refresh_from_db()
    return change


@transaction.atomic
def verify_service(
    *,
    service: Service,
    user: Any,
    request: HttpRequest | None = None,
    today: datetime.date | None = None,
) -> ServiceChange:
    """Mark the service as checked today (``assured_date``), by this user."""
    if not can_edit_service(user, service):
        raise EditNotAllowed()
    before = snapshots([service.id])[service.id]
    service.assured_date = today or timezone.localdate()
    service.assurer_email = (getattr(user, "email", "") or "")[:254]
    service.save(update_fields=["assured_date", "assurer_email"])
    change = _record_change(
        service=service, user=user, action=ChangeAction.VERIFY, before=before, request=request
    )
    assert change is not None
    return change


# --- Locations -------------------------------------------------------------------------------------


LOCATION_FIELDS = frozenset(
    {
        "name",
        "alternate_name",
        "description",
        "transportation",
        "url",
        "location_type",
        "address_1",
        "address_2",
        "city",
        "postal_code",
        "latitude",
        "longitude",
        "is_demo",
    }
)


@transaction.atomic
def save_location(
    *,
    user: Any,
    organization: Organization,
    fields: Mapping[str, Any],
    location: Location | None = None,
) -> Location:
    """Create or change a location. The postcode gives the PC4 area, the municipality and, when
    no coordinates are given, the point (the PC4 centre). A coalition editor may only place
    locations in their municipalities."""
    _require_editor(user)
    _validate_fields(fields, LOCATION_FIELDS)
    location = location or Location(organization=organization)
    for name, value in fields.items():
        setattr(location, name, value)
    if location.postal_code:
        try:
            area = lookup_postcode(location.postal_code)
        except PlacesError as error:
            raise InvalidServiceData({"postal_code": [error.message]}) from None
        location.postcode_area = area
        location.municipality_id = area.municipality_id
        if "latitude" not in fields and "longitude" not in fields and area.has_coordinates:
            location.latitude, location.longitude = area.latitude, area.longitude
    if not user.is_superuser:
        allowed = set(editor_municipalities(user).values_list("code", flat=True))
        if location.municipality_id not in allowed:
            raise EditNotAllowed(
                _("You may only add locations in the municipalities of your coalition.")
            )
    _clean(location)
    location.last_modified = timezone.now()
    location.save()
    service_ids = list(
        ServiceAtLocation.objects.filter(location=location).values_list("service_id", flat=True)
    )
    refresh_search_text(service_ids)
    return location


@transaction.atomic
def set_service_locations(
    *,
    service: Service,
    user: Any,
    locations: Iterable[Location],
    request: HttpRequest | None = None,
) -> ServiceChange | None:
    """The locations where the service is delivered (replaces the previous set)."""
    if not can_edit_service(user, service):
        raise EditNotAllowed()
    before = snapshots([service.id])[service.id]
    _replace_links(
        ServiceAtLocation,
        service,
        "location_id",
        {location.id: location for location in locations},
        lambda location_id, location: ServiceAtLocation(
            id=fixed_id("service-at-location", service.id, location_id),
            service=service,
            location=location,
        ),
    )
    return _record_change(
        service=service, user=user, action=ChangeAction.UPDATE, before=before, request=request
    )
