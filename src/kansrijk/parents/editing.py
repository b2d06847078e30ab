"""Writes to the parent pages by their editors. Keyword-only, atomic, raising domain errors
(``EditNotAllowed``, ``InvalidContent``); nothing is written when they are raised.

Who writes what (``models.national_editor``, ``LocalAddition.objects.editable_by``):

- national content editors (the operator, coalition editors of a national coalition) write the
  pages' texts in every language, each marked *draft* or *checked by a native speaker*;
- national content editors also write the costs overview's figures: an amount per item and
  year, with its official source and date;
- coalition editors write local additions for the municipalities of their role, an
  administrator for the municipalities they administer; nobody else writes.

Each write records an access-log event (``parents.translation.update``,
``parents.local_addition.create`` …) and, on the row, who changed it and when; a refused
attempt is logged too (outcome ``denied``). Saves raise the ``parents`` version token
(``core.freshness``), so every cache that holds a parent page's text (the pathway page's
hand-over links) is stale at once.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kansrijk.audit.models import Action
from kansrijk.audit.services import record_event, record_refusal
from kansrijk.parents import languages
from kansrijk.parents.choices import TranslationStatus
from kansrijk.parents.models import (
    CostFigure,
    CostItem,
    CostItemText,
    LastChanged,
    LocalAddition,
    Page,
    PageTranslation,
    local_municipality_codes,
    national_editor,
)
from kansrijk.parents.readability import Readability, measure
from kansrijk.parents.text import plain_text

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = [
    "COST_FIGURE_FIELDS",
    "COST_TEXT_FIELDS",
    "LOCAL_ADDITION",
    "LOCAL_ADDITION_EVENTS",
    "LOCAL_FIELDS",
    "TRANSLATION_FIELDS",
    "EditNotAllowed",
    "InvalidContent",
    "Saved",
    "create_local_addition",
    "delete_local_addition",
    "readability_of",
    "record_denied",
    "save_cost_figure",
    "save_cost_text",
    "save_translation",
    "update_local_addition",
]

#: What ``save_translation`` accepts.
TRANSLATION_FIELDS = frozenset({"title", "summary", "body", "status", "checked_by", "checked_on"})
#: What ``create_local_addition`` / ``update_local_addition`` accept.
LOCAL_FIELDS = frozenset({"municipality", "language", "title", "body", "url", "phone", "status"})
_TEXT_FIELDS = ("title", "summary", "body")
_COST_TEXT_FIELDS = ("title", "explanation")
_STATUS_FIELDS = ("status", "checked_by", "checked_on")
#: What ``save_cost_text`` accepts.
COST_TEXT_FIELDS = frozenset({*_COST_TEXT_FIELDS, *_STATUS_FIELDS})


class EditNotAllowed(Exception):
    def __init__(self, message: str = "") -> None:
        super().__init__(message or str(_("You may not change this text.")))
        self.message = message or str(_("You may not change this text."))


class InvalidContent(Exception):
    """Bad input: ``errors`` maps field names (``"__all__"`` for the whole) to messages."""

    def __init__(self, errors: Mapping[str, list[Any]]) -> None:
        super().__init__(errors)
        self.errors = {key: [str(m) for m in messages] for key, messages in errors.items()}


@dataclass(frozen=True)
class Saved:
    """The outcome of a save: the row, whether anything changed, and (Dutch texts) the B1 check."""

    instance: Any
    changed: bool
    readability: Readability | None
    #: The text changed, so a translation that was checked is a draft again.
    back_to_draft: bool = False


def readability_of(title: str, summary: str, body: str) -> Readability:
    """The B1 measure of a Dutch text as the readability test measures a page."""
    return measure(plain_text(f"## {title}\n\n{summary}\n\n{body}".strip()))


def _text(value: Any) -> Any:
    """A text as stored: without surrounding space, with ``\n`` line ends (a browser sends
    ``\r\n``, which would otherwise count as a change)."""
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


def _refuse(
    *, request: HttpRequest | None, user: Any, event_type: str, object_type: str, object_id: str
) -> EditNotAllowed:
    record_refusal(
        request=request,
        user=user,
        event_type=event_type,
        action=Action.UPDATE,
        object_type=object_type,
        object_id=object_id,
    )
    return EditNotAllowed()


def _unknown_fields(data: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise InvalidContent({name: [_("This field cannot be changed here.")] for name in unknown})


def _clean(instance: Any, exclude: list[str]) -> None:
    errors: dict[str, list[Any]] = {}
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    # Model validation leaves a text field's max_length to forms: the write checks it itself.
    for field in instance._meta.get_fields():
        limit = getattr(field, "max_length", None)
        value = getattr(instance, getattr(field, "attname", ""), None)
        if limit and isinstance(value, str) and len(value) > limit and field.name not in errors:
            try:
                MaxLengthValidator(limit)(value)
            except ValidationError as error:
                errors[field.name] = list(error.messages)
    if errors:
        raise InvalidContent(errors)


def _check_status(instance: Any, errors: dict[str, list[Any]]) -> None:
    if instance.status == TranslationStatus.CHECKED:
        if not (instance.checked_by or "").strip():
            errors.setdefault("checked_by", []).append(
                _("Name the native speaker who checked this translation.")
            )
        if instance.checked_on is None:
            errors.setdefault("checked_on", []).append(_("Give the date it was checked."))
        elif instance.checked_on > timezone.localdate():
            errors.setdefault("checked_on", []).append(_("The date cannot be in the future."))


# --- Page texts --------------------------------------------------------------------------------


def save_translation(
    *,
    user: Any,
    page: Page,
    language: str,
    data: Mapping[str, Any],
    request: HttpRequest | None = None,
) -> Saved:
    """Create or change the text of ``page`` in ``language`` (see ``_save_text``)."""
    saved = _save_text(
        _PAGE_TEXT, user=user, of=page, key=page.slug, language=language, data=data, request=request
    )
    if saved.changed:
        Page.objects.filter(pk=page.pk).update(updated_at=saved.instance.updated_at)
    return saved


def save_cost_text(
    *,
    user: Any,
    item: CostItem,
    language: str,
    data: Mapping[str, Any],
    request: HttpRequest | None = None,
) -> Saved:
    """Create or change the title and explanation of a cost item in ``language``."""
    return _save_text(
        _COST_TEXT, user=user, of=item, key=item.code, language=language, data=data, request=request
    )


@dataclass(frozen=True)
class _TextKind:
    """A text that national editors write in every language: its model, the field that names
    what it is the text of, its text fields, its access-log object type and event, and how
    its Dutch (source) text is measured for readability."""

    model: Any
    of: str
    text_fields: tuple[str, ...]
    object_type: str
    event: str
    readability: Callable[[Any], Readability]


def _page_readability(text: PageTranslation) -> Readability:
    return readability_of(text.title, text.summary, text.body)


def _cost_readability(text: CostItemText) -> Readability:
    return measure(text.explanation)


_PAGE_TEXT = _TextKind(
    PageTranslation,
    "page",
    _TEXT_FIELDS,
    "parents.page_translation",
    "parents.translation",
    _page_readability,
)
_COST_TEXT = _TextKind(
    CostItemText,
    "item",
    _COST_TEXT_FIELDS,
    "parents.cost_text",
    "parents.cost_text",
    _cost_readability,
)


def _save_text(
    kind: _TextKind,
    *,
    user: Any,
    of: Any,
    key: str,
    language: str,
    data: Mapping[str, Any],
    request: HttpRequest | None,
) -> Saved:
    """Create or change a text in ``language`` of ``of`` (a page or a cost item, which ``key``
    names in the access log).

    Dutch is the source: it has no status of its own. A translation is *draft* or *checked by a
    native speaker* (who, and when). A translation whose text changes is a draft again unless
    it is marked checked on the day of the change (or later): a check is of one text.
    """
    parent = {kind.of: of}
    object_id = f"{key}/{language}"
    if not national_editor(user):
        raise _refuse(
            request=request,
            user=user,
            event_type=f"{kind.event}.update",
            object_type=kind.object_type,
            object_id=object_id,
        )
    if language not in languages.CODES:
        raise InvalidContent({"language": [_("There is no such language.")]})
    fields = frozenset({*kind.text_fields, *_STATUS_FIELDS})
    _unknown_fields(data, fields)
    with transaction.atomic():
        text = kind.model.objects.select_for_update().filter(**parent, language=language).first()
        creating = text is None
        if text is None:
            text = kind.model(**parent, language=language)
        before = {name: getattr(text, name) for name in fields}
        is_source = language == languages.DEFAULT
        for name, value in data.items():
            if is_source and name not in kind.text_fields:
                continue  # the source is not a translation: no status of its own
            setattr(text, name, _text(value))
        if text.status == TranslationStatus.DRAFT:
            text.checked_by, text.checked_on = "", None
        text_changed = any(getattr(text, n) != before[n] for n in kind.text_fields)
        back_to_draft = False
        if (
            not is_source
            and not creating
            and text_changed
            and before["status"] == TranslationStatus.CHECKED
            and text.status == TranslationStatus.CHECKED
            and (text.checked_on or datetime.date.min) < timezone.localdate()
        ):
            text.status = TranslationStatus.DRAFT
            text.checked_by, text.checked_on = "", None
            back_to_draft = True
        _clean(text, exclude=[*parent, "updated_by"])
        errors: dict[str, list[Any]] = {}
        _check_status(text, errors)
        if errors:
            raise InvalidContent(errors)
        changed = creating or any(getattr(text, n) != before[n] for n in fields)
        if changed:
            if isinstance(text, LastChanged):
                text.stamp(user)
            text.save()
            record_event(
                request=request,
                user=user,
                event_type=f"{kind.event}.create" if creating else f"{kind.event}.update",
                action=Action.CREATE if creating else Action.UPDATE,
                object_type=kind.object_type,
                object_id=object_id,
            )
    readability = kind.readability(text) if is_source else None
    return Saved(text, changed, readability, back_to_draft)


# --- Local additions ---------------------------------------------------------------------------


#: The access log's object type of a local addition, and the event of each write to one.
LOCAL_ADDITION = "parents.local_addition"
LOCAL_ADDITION_EVENTS = {
    Action.CREATE: "parents.local_addition.create",
    Action.UPDATE: "parents.local_addition.update",
    Action.DELETE: "parents.local_addition.delete",
}


def _record_local(request: HttpRequest | None, user: Any, action: Action, pk: Any) -> None:
    """Log a write (``action``) to the local addition ``pk``."""
    record_event(
        request=request,
        user=user,
        event_type=LOCAL_ADDITION_EVENTS[action],
        action=action,
        object_type=LOCAL_ADDITION,
        object_id=str(pk),
    )


def _save_local(
    request: HttpRequest | None, user: Any, action: Action, addition: LocalAddition
) -> None:
    """Save a new or changed local addition as ``user``'s (``stamp``) and log the write."""
    addition.stamp(user)
    addition.save()
    _record_local(request, user, action, addition.pk)


def _refuse_local(
    request: HttpRequest | None, user: Any, action: Action, object_id: str
) -> EditNotAllowed:
    """Log a refused write (``action``) of a local addition (``object_id``: the addition, or
    the page a new one was for); the caller raises what it returns."""
    return _refuse(
        request=request,
        user=user,
        event_type=LOCAL_ADDITION_EVENTS[action],
        object_type=LOCAL_ADDITION,
        object_id=object_id,
    )


def _require_municipality(user: Any, code: str) -> bool:
    codes = local_municipality_codes(user)
    return codes is None or code in codes


def _apply_local(addition: LocalAddition, data: Mapping[str, Any]) -> None:
    if "status" in data and data["status"] not in TranslationStatus.values:
        raise InvalidContent({"status": [_("Choose draft or checked.")]})
    for name, value in data.items():
        if name == "municipality":
            code = getattr(value, "code", value)
            addition.municipality_id = str(code or "").strip().upper()
        else:
            setattr(addition, name, _text(value))
    if addition.language == languages.DEFAULT:
        addition.status = TranslationStatus.CHECKED


def _local_readability(addition: LocalAddition) -> Readability | None:
    if addition.language != languages.DEFAULT:
        return None
    return readability_of(addition.title, "", addition.body)


def _check_local(user: Any, addition: LocalAddition) -> None:
    errors: dict[str, list[Any]] = {}
    if addition.language not in languages.CODES:
        errors["language"] = [_("There is no such language.")]
    if not addition.municipality_id:
        errors["municipality"] = [_("Choose the municipality this addition is for.")]
    elif not _require_municipality(user, addition.municipality_id):
        errors["municipality"] = [_("You write local additions for your own municipalities only.")]
    if errors:
        raise InvalidContent(errors)
    from kansrijk.places.models import Municipality

    if not Municipality.objects.filter(code=addition.municipality_id).exists():
        raise InvalidContent({"municipality": [_("There is no such municipality.")]})
    _clean(addition, exclude=["page", "municipality", "updated_by"])


def create_local_addition(
    *, user: Any, page: Page, data: Mapping[str, Any], request: HttpRequest | None = None
) -> Saved:
    """Add a local addition to ``page`` for one of the editor's municipalities."""
    if local_municipality_codes(user) == frozenset():
        raise _refuse_local(request, user, Action.CREATE, page.slug)
    _unknown_fields(data, LOCAL_FIELDS)
    addition = LocalAddition(page=page, is_demo=False)
    _apply_local(addition, data)
    _check_local(user, addition)
    with transaction.atomic():
        _save_local(request, user, Action.CREATE, addition)
    return Saved(addition, True, _local_readability(addition))


def record_denied(
    *, request: HttpRequest, event_type: str, object_type: str, object_id: str
) -> None:
    """Log a refused write (for a view that refuses before any write is tried)."""
    _refuse(
        request=request,
        user=request.user,
        event_type=event_type,
        object_type=object_type,
        object_id=object_id,
    )


def _editable(user: Any, addition: LocalAddition, request: Any, action: Action) -> None:
    if not LocalAddition.objects.editable_by(user).filter(pk=addition.pk).exists():
        raise _refuse_local(request, user, action, str(addition.pk))


def _local_values(addition: LocalAddition) -> dict[str, Any]:
    """What an editor sets of a local addition (its municipality by code)."""
    values = {name: getattr(addition, name) for name in LOCAL_FIELDS - {"municipality"}}
    values["municipality"] = addition.municipality_id
    return values


def update_local_addition(
    *,
    user: Any,
    addition: LocalAddition,
    data: Mapping[str, Any],
    request: HttpRequest | None = None,
) -> Saved:
    """Change a local addition of one of the editor's municipalities (and keep it in them)."""
    _editable(user, addition, request, Action.UPDATE)
    _unknown_fields(data, LOCAL_FIELDS)
    with transaction.atomic():
        current = LocalAddition.objects.select_for_update().get(pk=addition.pk)
        before = _local_values(current)
        _apply_local(current, data)
        _check_local(user, current)
        changed = _local_values(current) != before
        if changed:
            _save_local(request, user, Action.UPDATE, current)
    return Saved(current, changed, _local_readability(current))


def delete_local_addition(
    *, user: Any, addition: LocalAddition, request: HttpRequest | None = None
) -> None:
    _editable(user, addition, request, Action.DELETE)
    with transaction.atomic():
        pk = addition.pk
        addition.delete()
        _record_local(request, user, Action.DELETE, pk)


# --- Cost figures ----------------------------------------------------------------------------

#: What ``save_cost_figure`` accepts.
COST_FIGURE_FIELDS = frozenset({"amount", "source_name", "source_url", "source_date", "note"})


def save_cost_figure(
    *,
    user: Any,
    item: CostItem,
    year: int,
    data: Mapping[str, Any],
    request: HttpRequest | None = None,
) -> Saved:
    """Set the official amount of ``item`` for ``year``, with its source and date (the costs
    page shows it for that year only; a year without one says so)."""
    object_id = f"{item.code}/{year}"
    if not national_editor(user):
        raise _refuse(
            request=request,
            user=user,
            event_type="parents.cost_figure.update",
            object_type="parents.cost_figure",
            object_id=object_id,
        )
    _unknown_fields(data, COST_FIGURE_FIELDS)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InvalidContent({"year": [_("Give a year from 2000 to 2100.")]})
    with transaction.atomic():
        figure = CostFigure.objects.select_for_update().filter(item=item, year=year).first()
        creating = figure is None
        if figure is None:
            figure = CostFigure(item=item, year=year, is_demo=False)
        before = {name: getattr(figure, name) for name in COST_FIGURE_FIELDS}
        for name, value in data.items():
            setattr(figure, name, _text(value))
        _clean(figure, exclude=["item", "updated_by"])
        errors: dict[str, list[Any]] = {}
        if figure.amount is not None and figure.amount < 0:
            errors["amount"] = [_("An amount cannot be below zero.")]
        if figure.source_date is not None and figure.source_date > timezone.localdate():
            errors["source_date"] = [_("The date cannot be in the future.")]
        if errors:
            raise InvalidContent(errors)
        changed = creating or any(getattr(figure, n) != before[n] for n in COST_FIGURE_FIELDS)
        if changed:
            figure.is_demo = False  # an editor's figure, with its source, is not an example
            figure.stamp(user)
            figure.save()
            record_event(
                request=request,
                user=user,
                event_type="parents.cost_figure.create"
                if creating
                else "parents.cost_figure.update",
                action=Action.CREATE if creating else Action.UPDATE,
                object_type="parents.cost_figure",
                object_id=object_id,
            )
    return Saved(figure, changed, None)
