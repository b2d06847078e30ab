"""Reads for the pages of the social map, on top of ``kansrijk.directory.selectors``.

The directory itself is public; what is filtered per user here is what a coalition editor may
maintain (``Service.objects.editable_by``) and the municipalities they maintain it for.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from kansrijk.accounts.roles import Role
from kansrijk.accounts.scope import administration_scope
from kansrijk.core import compiled
from kansrijk.core.freshness import Kept
from kansrijk.core.languages import LANGUAGE_NAMES, language_name
from kansrijk.core.users import signed_in
from kansrijk.directory.history import COLLECTIONS, SNAPSHOT_FIELDS
from kansrijk.directory.models import (
    ReferralMethodKind,
    Schedule,
    Service,
    ServiceChange,
    ServiceStatus,
    Weekday,
    coalition_editor_params,
    only_coalition_editor,
)
from kansrijk.directory.selectors import need_categories
from kansrijk.places import selectors as places
from kansrijk.places.models import Municipality

__all__ = [
    "ChangeRow",
    "can_edit_service",
    "category_choices",
    "describe_change",
    "describe_schedule",
    "editor_municipalities",
    "is_editor",
    "language_choices",
    "language_labels",
    "municipality_choices",
    "municipality_names_in",
    "service_history",
    "services_to_verify",
]


# --- Choices for the search form -------------------------------------------------------------------


#: The search form's choices (municipalities, need categories), kept per worker: every search
#: page shows them; they change a few times a year, by a data load (which raises the tokens).
_choices: Kept[str, list[tuple[str, str]]] = Kept(
    "directory.search-choices", seconds=600.0, size=4, kinds=("directory", "places")
)


def _kept(name: str, read: Callable[[], list[tuple[str, str]]]) -> list[tuple[str, str]]:
    return list(_choices.get_or_make(name, read))


#: ``choices_stamp``, kept as the choices are.
_stamp: Kept[str, str] = Kept(
    "directory.search-choices-stamp", seconds=600.0, size=1, kinds=("directory", "places")
)


def choices_stamp() -> str:
    """A digest of the search form's choices that come from the data (municipalities, need
    categories): a page skeleton (``search.html.skeleton``) holds nothing else of the data, so
    it is kept under this rather than emptied by every change of the social map. Made again
    (from the choices, read again) when the tokens change."""
    return _stamp.get_or_make(
        "stamp",
        lambda: hashlib.sha256(
            repr((municipality_choices(), category_choices())).encode()
        ).hexdigest()[:16],
    )


def municipality_choices() -> list[tuple[str, str]]:
    """All municipalities as ``(CBS code, name)``, by name (one query, kept per worker)."""
    return _kept("municipalities", places.municipality_choices)


def category_choices() -> list[tuple[str, str]]:
    """The need categories as ``(code, name)``; sub-categories follow their parent, indented
    (one query, kept per worker)."""
    return _kept("categories", _category_choices)


def _category_choices() -> list[tuple[str, str]]:
    terms = list(need_categories().values_list("code", "name", "parent__code"))
    children: dict[str, list[tuple[str, str]]] = {}
    roots: list[tuple[str, str]] = []
    for code, name, parent in terms:
        if parent:
            children.setdefault(parent, []).append((code, name))
        else:
            roots.append((code, name))
    known = {code for code, _name in roots}
    result: list[tuple[str, str]] = []
    for code, name in roots:
        result.append((code, name))
        result.extend((child, f"— {child_name}") for child, child_name in children.get(code, []))
    # Children whose parent is not a root (deeper trees) still get listed.
    listed = {code for code, _name in result}
    for parent, items in children.items():
        if parent not in known:
            result.extend((code, f"— {name}") for code, name in items if code not in listed)
    return result


def language_choices(extra: list[str] | tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Languages as ``(ISO 639 code, Dutch name)``: Dutch first, then by name; plus ``extra``
    codes a service already has that the list does not know."""
    names = {code: str(name) for code, name in LANGUAGE_NAMES.items()}
    for code in extra:
        names.setdefault(code, code)
    ordered = sorted(names.items(), key=lambda item: (item[0] != "nl", item[1].casefold()))
    return ordered


# --- Editors -----------------------------------------------------------------------------------


def is_editor(user: Any) -> bool:
    """May this user maintain the social map at all (some services, or new ones)?"""
    if not signed_in(user):
        return False
    return bool(
        user.is_superuser
        or user.has_role(Role.ADMINISTRATOR)
        or user.has_role(Role.COALITION_EDITOR)
    )


def editor_municipalities(user: Any) -> QuerySet[Municipality]:
    """The municipalities this user maintains the social map for, by name.

    The operator: every municipality. Administrators: those of their organisations
    (``accounts.scope``). Coalition editors: the municipalities of their coalition-editor
    role assignments. Anyone else: none.
    """
    if not is_editor(user):
        return Municipality.objects.none()
    if user.is_superuser:
        return Municipality.objects.order_by("name", "code")
    condition = Q(role_assignments__user=user, role_assignments__role=Role.COALITION_EDITOR)
    if user.has_role(Role.ADMINISTRATOR):
        condition |= Q(pk__in=administration_scope(user).municipality_codes)
    return Municipality.objects.filter(condition).distinct().order_by("name", "code")


def service_with_organisation(service_id: Any) -> Service | None:
    """The service ``service_id`` with its organisation, or ``None``: what the editor's pages
    open (as SQL compiled once per process, ``core.compiled``: every edit and save reads it)."""
    found = compiled.objects(
        "directory.service-with-organisation",
        lambda p: Service.objects.select_related("organization").filter(pk=p[0]),
        [compiled.db_value(Service._meta.pk, service_id)],
    )
    return found[0] if found else None


def can_edit_service(user: Any, service: Service) -> bool:
    """Whether ``user`` may edit ``service`` (``Service.objects.editable_by``). For a coalition
    editor, the editors' usual case, the query runs as SQL compiled once per process
    (``core.compiled``): the editor's form asks once, its save three times, and building the
    query cost more than running it."""
    if not is_editor(user):
        return False
    params = coalition_editor_params(user)
    if params is None:
        return Service.objects.editable_by(user).filter(pk=service.pk).exists()
    return bool(
        compiled.rows(
            "directory.editable-by-coalition-editor",
            lambda p: (
                Service.objects.editable_by(user)
                .filter(pk=service.pk)
                .order_by()
                .values_list("pk")[:1]
            ),
            [*params, compiled.db_value(Service._meta.pk, service.pk)],
        )
    )


def editor_municipality_choices(user: Any) -> list[tuple[str, str]]:
    """The code and name of each of ``editor_municipalities(user)``, in its order: the choices
    of the editor's form. For a coalition editor as SQL compiled once per process
    (``core.compiled``), as ``can_edit_service``: the form is built on every edit and save."""
    if not only_coalition_editor(user):
        return list(editor_municipalities(user).values_list("code", "name"))
    # ``editor_municipalities``'s filter: the role, then the user (keywords sorted, as ``Q``
    # sorts them).
    return compiled.rows(
        "directory.editor-municipalities.coalition-editor",
        lambda p: editor_municipalities(user).values_list("code", "name"),
        [Role.COALITION_EDITOR, user.pk],
    )


def services_to_verify(user: Any) -> QuerySet[Service]:
    """Services this user may edit that were never verified or not in the last 12 months;
    the longest unverified first."""
    return (
        Service.objects.editable_by(user)
        .exclude(status=ServiceStatus.DEFUNCT)
        .needing_verification()
        .select_related("organization")
        .order_by(F("assured_date").asc(nulls_first=True), "name", "id")
    )


# --- History -------------------------------------------------------------------------------------


def service_history(service: Service) -> QuerySet[ServiceChange]:
    """The changes of a service, newest first."""
    return ServiceChange.objects.filter(service_ref=service.id).order_by("-changed_at", "-id")


@dataclass(frozen=True)
class ChangeRow:
    field: str
    label: str
    old: str
    new: str


def _collection_labels() -> dict[str, str]:
    return {
        "service_areas": _("Municipalities served"),
        "taxonomy_terms": _("Categories"),
        "referral_methods": _("Referral methods"),
        "languages": _("Languages"),
        "locations": _("Locations"),
        "phones": _("Phone numbers"),
        "contacts": _("Contacts"),
        "cost_options": _("Costs"),
        "schedules": _("Opening hours"),
    }


def _field_label(field: str) -> str:
    if field in COLLECTIONS:
        return _collection_labels()[field]
    name = field.removesuffix("_id")
    try:
        model_field = Service._meta.get_field(name)
    except FieldDoesNotExist:  # an old history row may name a field that is gone
        return field
    return str(getattr(model_field, "verbose_name", field)).capitalize()


def _format(field: str, value: Any, municipalities: dict[str, str]) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field == "service_areas" and isinstance(value, list):
        return ", ".join(municipalities.get(str(code), str(code)) for code in value)
    if field == "taxonomy_terms" and isinstance(value, list):
        return ", ".join(
            str(item[1] if isinstance(item, list) and len(item) > 1 else item) for item in value
        )
    if field == "referral_methods" and isinstance(value, list):
        labels = dict(ReferralMethodKind.choices)
        parts = []
        for item in value:
            method = item[0] if isinstance(item, list) else item
            contact = item[1] if isinstance(item, list) and len(item) > 1 else ""
            label = str(labels.get(method, method))
            parts.append(f"{label}: {contact}" if contact else label)
        return "; ".join(parts)
    if field == "languages" and isinstance(value, list):
        return ", ".join(language_name(str(code)) for code in value)
    if field == "status":
        return str(dict(ServiceStatus.choices).get(value, value))
    if isinstance(value, list):
        return "; ".join(
            " ".join(str(part) for part in item if part not in (None, ""))
            if isinstance(item, list)
            else str(item)
            for item in value
        )
    return str(value)


def describe_change(change: ServiceChange, municipalities: dict[str, str]) -> list[ChangeRow]:
    """The rows of one change, in the order of the form, with readable old and new values."""
    order = {name: index for index, name in enumerate([*SNAPSHOT_FIELDS, *COLLECTIONS])}
    rows = []
    for field in sorted(change.changes, key=lambda name: (order.get(name, 999), name)):
        pair = change.changes[field]
        old, new = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        rows.append(
            ChangeRow(
                field=field,
                label=_field_label(field),
                old=_format(field, old, municipalities),
                new=_format(field, new, municipalities),
            )
        )
    return rows


def municipality_names_in(changes: list[ServiceChange]) -> dict[str, str]:
    """``{CBS code: name}`` for every municipality these changes mention (one query)."""
    codes: set[str] = set()
    for change in changes:
        pair = change.changes.get("service_areas")
        if isinstance(pair, list):
            for side in pair:
                if isinstance(side, list):
                    codes.update(str(code) for code in side)
    if not codes:
        return {}
    return dict(Municipality.objects.filter(code__in=codes).values_list("code", "name"))


# --- Display helpers -----------------------------------------------------------------------------


def language_labels(service: Service) -> list[str]:
    """The Dutch names of the languages of a service (prefetched ``languages``)."""
    return [
        str(LANGUAGE_NAMES.get(language.code) or language.name or language.code)
        for language in service.languages.all()
    ]


def describe_schedule(schedule: Schedule) -> str:
    """One line for a schedule: ``maandag, dinsdag: 09:00\u201317:00 (alleen op afspraak)``."""
    labels = dict(Weekday.choices)
    days = [
        str(labels[day]).lower()
        for day in schedule.byday.replace(" ", "").split(",")
        if day in labels
    ]
    parts: list[str] = []
    if days:
        parts.append(", ".join(days))
    if schedule.opens_at and schedule.closes_at:
        hours = f"{schedule.opens_at:%H:%M}\u2013{schedule.closes_at:%H:%M}"  # en dash
        parts = [f"{parts[0]}: {hours}"] if parts else [hours]
    text = parts[0] if parts else ""
    description = schedule.description
    if schedule.opens_at and f"{schedule.opens_at:%H:%M}" in description:
        description = ""  # it only repeats the hours
    extra = " ".join(part for part in (description, schedule.notes) if part)
    if text and extra:
        return f"{text} ({extra})"
    return text or extra
