"""Writes of the coalition's workspace: members and contact persons, agreements, improvement
actions (with their history) and client journeys. Keyword-only, atomic; only the coalition's
coordinator may write (``NotAllowed`` otherwise, logged); bad input raises ``InvalidInput``
with messages per field and changes nothing. Every write records an access-log event
``coalitions.<object>.<verb>``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kansrijk.accounts.models import Organisation
from kansrijk.accounts.roles import Role, primary_role
from kansrijk.assessments.models import Round, Statement
from kansrijk.audit.models import Action
from kansrijk.audit.services import record_event, record_refusal
from kansrijk.coalitions import access as coalition_access
from kansrijk.coalitions.exceptions import InvalidInput, NotAllowed
from kansrijk.coalitions.models import (
    ActionChange,
    ActionStatus,
    Agreement,
    Coalition,
    ContactPerson,
    ImprovementAction,
    Journey,
    Member,
    MemberDomain,
    Touchpoint,
    domain_for_kind,
)
from kansrijk.core.phases import Phase
from kansrijk.core.users import actor
from kansrijk.directory.models import Service
from kansrijk.pathways.models import Pathway, PathwayScope
from kansrijk.situations.models import Situation

if TYPE_CHECKING:
    from django.http import HttpRequest

PURPOSE = "coalition.workspace"
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
#: Accepted agreement documents: extension → (content type, magic bytes at the start).
DOCUMENT_TYPES: dict[str, tuple[str, bytes]] = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
    ),
    ".odt": ("application/vnd.oasis.opendocument.text", b"PK\x03\x04"),
}
INDICATOR_CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,59}$")
MAX_INDICATORS = 20


def require_coordinator(
    *,
    user: Any,
    coalition: Coalition,
    request: HttpRequest | None,
    event_type: str,
    action: str,
    object_type: str = "coalitions.coalition",
    object_id: Any = None,
    purpose: str = PURPOSE,
) -> None:
    """Refuse (and log the refusal, about ``object_id`` or else the coalition, for
    ``purpose``) unless ``user`` coordinates ``coalition``: the workspace's writes, and the
    assessment rounds' (``assessments.services``)."""
    access = coalition_access.access_for(user, coalition.pk)
    if access is not None and access.coordinates:
        return
    record_refusal(
        request=request,
        user=user,
        event_type=event_type,
        action=action,
        object_type=object_type,
        object_id=str(coalition.pk if object_id is None else object_id),
        purpose=purpose,
        role=access.role if access is not None else primary_role(user),
    )
    raise NotAllowed()


def record_coordinator_write(
    *,
    request: HttpRequest | None,
    user: Any,
    event_type: str,
    action: str,
    object_type: str,
    object_id: Any,
    purpose: str = PURPOSE,
) -> None:
    """Record a write that ``require_coordinator`` let through, in the coordinator's role (for
    ``purpose``): the workspace's writes, and the assessment rounds' (``assessments.services``)."""
    record_event(
        request=request,
        user=user,
        event_type=event_type,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        purpose=purpose,
        role=Role.COALITION_COORDINATOR.value,
    )


@dataclass
class _Written:
    """The object a workspace write names in its access-log event: the one it is about, or
    the one its body sets (a new object)."""

    object_id: Any = None


@contextmanager
def _coordinator_write(
    user: Any,
    request: HttpRequest | None,
    coalition: Coalition,
    event_type: str,
    about_id: Any = None,
    about_type: str = "",
) -> Iterator[_Written]:
    """One write of ``coalition``'s workspace (``event_type`` is ``coalitions.<object>.<verb>``).
    Refused, and the refusal logged, unless ``user`` coordinates the coalition: the refusal is
    about object ``about_id`` (of type ``about_type``, else ``<object>``), or else about the
    coalition. Then the body runs atomically and, when it succeeds, the event is logged for
    ``written.object_id``: ``about_id`` when it is of the write's own type, else the id the body
    puts there."""
    object_type, verb = event_type.rsplit(".", 1)
    action = Action(verb)
    require_coordinator(
        user=user,
        coalition=coalition,
        request=request,
        event_type=event_type,
        action=action,
        object_type="coalitions.coalition" if about_id is None else about_type or object_type,
        object_id=about_id,
    )
    written = _Written(None if about_type else about_id)
    with transaction.atomic():
        yield written
        record_coordinator_write(
            request=request,
            user=user,
            event_type=event_type,
            action=action,
            object_type=object_type,
            object_id=written.object_id,
        )


def _text(
    errors: dict[str, list[Any]], name: str, value: str, limit: int, *, required: bool
) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.setdefault(name, []).append(gettext_lazy("This field is required."))
    elif len(value) > limit:
        errors.setdefault(name, []).append(_("At most %(n)s characters.") % {"n": limit})
    return value


# --- Members ------------------------------------------------------------------------------------


def organisations_in_area(coalition: Coalition) -> QuerySet[Organisation]:
    """The organisations that work in the coalition's municipalities (all for a coalition that
    lists none, such as a national one)."""
    organisations = Organisation.objects.all()
    if coalition.municipalities.exists():
        organisations = organisations.filter(
            municipalities__in=coalition.municipalities.all()
        ).distinct()
    return organisations.order_by("name")


@dataclass(frozen=True)
class MemberInput:
    organisation: Organisation | None = None
    new_organisation_name: str = ""
    domain: str = ""
    role: str = ""
    joined_on: datetime.date | None = None


def add_member(
    *, user: Any, request: HttpRequest | None = None, coalition: Coalition, data: MemberInput
) -> Member:
    """Add a partner: an organisation that is in Kansrijk already, or a new one by name (it is
    created, without users, as an organisation of the coalition's municipalities)."""
    with _coordinator_write(user, request, coalition, "coalitions.member.create") as written:
        errors: dict[str, list[Any]] = {}
        name = _text(
            errors, "new_organisation_name", data.new_organisation_name, 200, required=False
        )
        if data.domain not in MemberDomain.values:
            errors["domain"] = [gettext_lazy("Choose medical, social, informal or municipality.")]
        role = _text(errors, "role", data.role, 200, required=False)
        organisation = data.organisation
        if organisation is None and not name:
            errors["organisation"] = [
                gettext_lazy("Choose an organisation, or give the name of a new one.")
            ]
        elif organisation is not None and name:
            errors["organisation"] = [
                gettext_lazy("Choose an organisation or give a new name, not both.")
            ]
        if organisation is None and name:
            organisation = Organisation.objects.filter(name__iexact=name).first()
        if (
            organisation is not None
            and coalition.members.filter(organisation=organisation).exists()
        ):
            errors["organisation"] = [gettext_lazy("This organisation is a member already.")]
        if errors:
            raise InvalidInput(errors)
        if organisation is None:
            organisation = Organisation.objects.create(
                name=name, kind=data.domain, is_demo=coalition.is_demo
            )
            organisation.municipalities.set(coalition.municipalities.all())
        member = Member.objects.create(
            coalition=coalition,
            organisation=organisation,
            domain=data.domain or domain_for_kind(organisation.kind),
            role=role,
            joined_on=data.joined_on,
            is_demo=coalition.is_demo and organisation.is_demo,
        )
        coalition_access.forget(user)
        written.object_id = member.pk
        return member


def update_member(
    *, user: Any, request: HttpRequest | None = None, member: Member, data: MemberInput
) -> Member:
    with _coordinator_write(user, request, member.coalition, "coalitions.member.update", member.pk):
        errors: dict[str, list[Any]] = {}
        if data.domain not in MemberDomain.values:
            errors["domain"] = [gettext_lazy("Choose medical, social, informal or municipality.")]
        role = _text(errors, "role", data.role, 200, required=False)
        if errors:
            raise InvalidInput(errors)
        member.domain = data.domain
        member.role = role
        member.joined_on = data.joined_on
        member.save(update_fields=["domain", "role", "joined_on"])
        return member


def remove_member(*, user: Any, request: HttpRequest | None = None, member: Member) -> None:
    with _coordinator_write(user, request, member.coalition, "coalitions.member.delete", member.pk):
        member.delete()
        coalition_access.forget(user)


@dataclass(frozen=True)
class ContactInput:
    name: str
    function: str = ""
    email: str = ""
    phone: str = ""


def _contact_fields(data: ContactInput) -> dict[str, str]:
    from django.core.validators import validate_email

    errors: dict[str, list[Any]] = {}
    values = {
        "name": _text(errors, "name", data.name, 150, required=True),
        "function": _text(errors, "function", data.function, 150, required=False),
        "email": _text(errors, "email", data.email, 254, required=False),
        "phone": _text(errors, "phone", data.phone, 30, required=False),
    }
    if values["email"] and "email" not in errors:
        try:
            validate_email(values["email"])
        except Exception:
            errors["email"] = [gettext_lazy("Enter a valid e-mail address.")]
    if values["phone"] and not re.fullmatch(r"[0-9 +()\-]{6,30}", values["phone"]):
        errors["phone"] = [gettext_lazy("Enter a phone number: digits, spaces, +, - and ().")]
    if errors:
        raise InvalidInput(errors)
    return values


def add_contact(
    *, user: Any, request: HttpRequest | None = None, member: Member, data: ContactInput
) -> ContactPerson:
    with _coordinator_write(
        user, request, member.coalition, "coalitions.contact.create", member.pk, "coalitions.member"
    ) as written:
        contact = ContactPerson.objects.create(member=member, **_contact_fields(data))
        written.object_id = contact.pk
        return contact


def update_contact(
    *, user: Any, request: HttpRequest | None = None, contact: ContactPerson, data: ContactInput
) -> ContactPerson:
    with _coordinator_write(
        user, request, contact.member.coalition, "coalitions.contact.update", contact.pk
    ):
        for name, value in _contact_fields(data).items():
            setattr(contact, name, value)
        contact.save()
        return contact


def remove_contact(
    *, user: Any, request: HttpRequest | None = None, contact: ContactPerson
) -> None:
    with _coordinator_write(
        user, request, contact.member.coalition, "coalitions.contact.delete", contact.pk
    ):
        contact.delete()


# --- Agreements -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes


@dataclass(frozen=True)
class AgreementInput:
    title: str
    parties: Sequence[Member] = ()
    text: str = ""
    agreed_on: datetime.date | None = None
    review_on: datetime.date | None = None
    document: Upload | None = None
    remove_document: bool = False


def check_document(upload: Upload) -> tuple[str, str]:
    """The cleaned file name and content type of an agreement document; ``InvalidInput`` when
    it is too large or not a PDF, Word (.docx) or OpenDocument (.odt) file."""
    name = re.sub(r"[^\w.\- ]", "_", upload.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])[:200]
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if len(upload.content) > MAX_DOCUMENT_BYTES:
        raise InvalidInput({"document": [gettext_lazy("The document is larger than 5 MB.")]})
    if not upload.content:
        raise InvalidInput({"document": [gettext_lazy("The document is empty.")]})
    kind = DOCUMENT_TYPES.get(extension)
    if kind is None or not upload.content.startswith(kind[1]):
        raise InvalidInput(
            {"document": [gettext_lazy("Upload a PDF, Word (.docx) or OpenDocument (.odt) file.")]}
        )
    return name, kind[0]


def _agreement_values(coalition: Coalition, data: AgreementInput) -> dict[str, Any]:
    errors: dict[str, list[Any]] = {}
    values: dict[str, Any] = {
        "title": _text(errors, "title", data.title, 200, required=True),
        "text": _text(errors, "text", data.text, 20_000, required=False),
        "agreed_on": data.agreed_on,
        "review_on": data.review_on,
    }
    if data.review_on is None:
        errors["review_on"] = [gettext_lazy("Give the date by which the agreement is reviewed.")]
    elif data.agreed_on is not None and data.review_on < data.agreed_on:
        errors["review_on"] = [gettext_lazy("The review date lies before the date of agreement.")]
    if any(m.coalition_id != coalition.pk for m in data.parties):
        errors["parties"] = [gettext_lazy("Choose the parties among the coalition's members.")]
    if data.document is not None:
        try:
            values["document_name"], values["document_type"] = check_document(data.document)
            values["document"] = data.document.content
        except InvalidInput as error:
            errors.update(error.errors)
    elif data.remove_document:
        values.update({"document": None, "document_name": "", "document_type": ""})
    if errors:
        raise InvalidInput(errors)
    return values


def create_agreement(
    *, user: Any, request: HttpRequest | None = None, coalition: Coalition, data: AgreementInput
) -> Agreement:
    with _coordinator_write(user, request, coalition, "coalitions.agreement.create") as written:
        agreement = Agreement.objects.create(
            coalition=coalition, is_demo=coalition.is_demo, **_agreement_values(coalition, data)
        )
        agreement.parties.set(data.parties)
        written.object_id = agreement.pk
        return agreement


def update_agreement(
    *, user: Any, request: HttpRequest | None = None, agreement: Agreement, data: AgreementInput
) -> Agreement:
    with _coordinator_write(
        user, request, agreement.coalition, "coalitions.agreement.update", agreement.pk
    ):
        for name, value in _agreement_values(agreement.coalition, data).items():
            setattr(agreement, name, value)
        agreement.save()
        agreement.parties.set(data.parties)
        return agreement


def delete_agreement(
    *, user: Any, request: HttpRequest | None = None, agreement: Agreement
) -> None:
    with _coordinator_write(
        user, request, agreement.coalition, "coalitions.agreement.delete", agreement.pk
    ):
        agreement.delete()


# --- Improvement actions ----------------------------------------------------------------------


@dataclass(frozen=True)
class ActionInput:
    title: str
    due_on: datetime.date | None
    description: str = ""
    organisation: Organisation | None = None
    person: str = ""
    status: str = ActionStatus.OPEN
    round: Round | None = None
    statements: Sequence[Statement] = ()
    pathways: Sequence[Pathway] = ()
    services: Sequence[Service] = ()
    indicator_codes: Sequence[str] = ()
    note: str = ""


def linkable_statements(coalition: Coalition) -> QuerySet[Statement]:
    """Statements of the instrument versions the coalition has held rounds with."""
    return (
        Statement.objects.filter(version__rounds__coalition=coalition)
        .distinct()
        .select_related("part", "version__instrument")
    )


def linkable_pathways(coalition: Coalition) -> QuerySet[Pathway]:
    """The coalition's own pathways and the municipal pathways of its municipalities."""
    condition = Q(coalition=coalition)
    if coalition.municipalities.exists():
        condition |= Q(
            scope=PathwayScope.MUNICIPAL, municipalities__in=coalition.municipalities.all()
        )
    return (
        Pathway.objects.filter(condition)
        .distinct()
        .select_related("situation", "current_version")
        .order_by("situation__name", "pk")
    )


def linkable_services(coalition: Coalition) -> QuerySet[Service]:
    """The services of the coalition's member organisations and those serving its area."""
    members = coalition.members.values("organisation_id")
    condition = Q(organization__account_organisation_id__in=members)
    if coalition.municipalities.exists():
        condition |= Q(service_areas__municipality__in=coalition.municipalities.all())
    return (
        Service.objects.filter(condition).distinct().select_related("organization").order_by("name")
    )


def _all_among(chosen: Sequence[Any], rows: QuerySet[Any]) -> bool:
    """Whether every one of ``chosen`` is one of ``rows`` (one query)."""
    ids = {item.pk for item in chosen}
    return rows.filter(pk__in=ids).count() == len(ids)


def _action_values(coalition: Coalition, data: ActionInput) -> dict[str, Any]:
    errors: dict[str, list[Any]] = {}
    values: dict[str, Any] = {
        "title": _text(errors, "title", data.title, 200, required=True),
        "description": _text(errors, "description", data.description, 5000, required=False),
        "person": _text(errors, "person", data.person, 150, required=False),
        "due_on": data.due_on,
        "status": data.status,
        "organisation": data.organisation,
        "round": data.round,
        "indicator_codes": list(
            dict.fromkeys(c.strip() for c in data.indicator_codes if c.strip())
        ),
    }
    if data.due_on is None:
        errors["due_on"] = [gettext_lazy("Give the date by which it is done.")]
    if data.status not in ActionStatus.values:
        errors["status"] = [gettext_lazy("Choose open, in progress, done or dropped.")]
    if (
        data.organisation is not None
        and not coalition.members.filter(organisation=data.organisation).exists()
    ):
        errors["organisation"] = [
            gettext_lazy("Choose one of the coalition's member organisations.")
        ]
    if data.round is not None and data.round.coalition_id != coalition.pk:
        errors["round"] = [gettext_lazy("Choose a round of this coalition.")]
    if data.statements and not _all_among(data.statements, linkable_statements(coalition)):
        errors["statements"] = [
            gettext_lazy("Choose statements of the instruments this coalition has used.")
        ]
    if data.pathways and not _all_among(data.pathways, linkable_pathways(coalition)):
        errors["pathways"] = [
            gettext_lazy("Choose pathways of this coalition or of its municipalities.")
        ]
    if data.services and not _all_among(data.services, linkable_services(coalition)):
        errors["services"] = [
            gettext_lazy("Choose services of the coalition's members or of its area.")
        ]
    codes = values["indicator_codes"]
    if len(codes) > MAX_INDICATORS:
        errors["indicator_codes"] = [_("At most %(n)s indicators.") % {"n": MAX_INDICATORS}]
    elif any(not INDICATOR_CODE.fullmatch(code) for code in codes):
        errors["indicator_codes"] = [
            gettext_lazy("An indicator code has lower-case letters, digits, '.', '_' and '-'.")
        ]
    note = _text(errors, "note", data.note, 500, required=False)
    if errors:
        raise InvalidInput(errors)
    values["_note"] = note
    return values


def _display(action: ImprovementAction) -> dict[str, str]:
    """The action's fields as they read in its history."""
    return {
        "title": action.title,
        "description": action.description,
        "organisation": action.organisation.name if action.organisation else "",
        "person": action.person,
        "due_on": action.due_on.isoformat() if action.due_on else "",
        "status": str(ActionStatus(action.status).label) if action.status else "",
        "statements": ", ".join(sorted(s.code for s in action.statements.all())),
        "pathways": ", ".join(sorted(str(p) for p in action.pathways.all())),
        "services": ", ".join(sorted(s.name for s in action.services.all())),
        "indicator_codes": ", ".join(action.indicator_codes or []),
    }


def _set_links(action: ImprovementAction, data: ActionInput) -> None:
    action.statements.set(data.statements)
    action.pathways.set(data.pathways)
    action.services.set(data.services)


def _record_action_change(
    action: ImprovementAction, user: Any, *, before: Mapping[str, str], note: str
) -> None:
    """Add to the action's history what changed since ``before`` (``_display`` of the action
    then; empty for a new one) with ``note``; nothing when neither says anything."""
    after = _display(action)
    changes = {
        name: [before.get(name, ""), value]
        for name, value in after.items()
        if before.get(name, "") != value
    }
    if changes or note:
        ActionChange.objects.create(
            action=action,
            changed_by=actor(user),
            changed_by_display=getattr(user, "username", ""),
            changes=changes,
            note=note,
        )


def create_action(
    *, user: Any, request: HttpRequest | None = None, coalition: Coalition, data: ActionInput
) -> ImprovementAction:
    with _coordinator_write(user, request, coalition, "coalitions.action.create") as written:
        values = _action_values(coalition, data)
        note = values.pop("_note")
        action = ImprovementAction.objects.create(
            coalition=coalition,
            created_by=actor(user),
            is_demo=coalition.is_demo,
            **values,
        )
        _set_links(action, data)
        _record_action_change(action, user, before={}, note=note or _("Action created."))
        written.object_id = action.pk
        return action


def update_action(
    *,
    user: Any,
    request: HttpRequest | None = None,
    action: ImprovementAction,
    data: ActionInput,
) -> ImprovementAction:
    """Change an action; the change (old and new value of each field) goes in its history."""
    with _coordinator_write(user, request, action.coalition, "coalitions.action.update", action.pk):
        action = ImprovementAction.objects.select_for_update().get(pk=action.pk)
        values = _action_values(action.coalition, data)
        note = values.pop("_note")
        before = _display(action)
        for name, value in values.items():
            setattr(action, name, value)
        action.updated_at = timezone.now()
        action.save()
        _set_links(action, data)
        _record_action_change(action, user, before=before, note=note)
        return action


# --- Client journeys ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TouchpointInput:
    title: str
    role: str
    moment: str = ""
    description: str = ""
    organisation: Organisation | None = None
    situations: Sequence[Situation] = ()
    pathway: Pathway | None = None
    service: Service | None = None


@dataclass(frozen=True)
class JourneyInput:
    introduction: str = ""
    touchpoints: Sequence[TouchpointInput] = field(default_factory=tuple)


MAX_TOUCHPOINTS = 40


def save_journey(
    *,
    user: Any,
    request: HttpRequest | None = None,
    coalition: Coalition,
    phase: str,
    data: JourneyInput,
) -> Journey:
    """Replace the journey of ``phase`` with these touchpoints, in this order."""
    with _coordinator_write(user, request, coalition, "coalitions.journey.update") as written:
        errors: dict[str, list[Any]] = {}
        if phase not in Phase.values:
            errors["phase"] = [gettext_lazy("Unknown phase.")]
        introduction = _text(errors, "introduction", data.introduction, 5000, required=False)
        if len(data.touchpoints) > MAX_TOUCHPOINTS:
            errors["touchpoints"] = [_("At most %(n)s touchpoints.") % {"n": MAX_TOUCHPOINTS}]
        members = set(coalition.members.values_list("organisation_id", flat=True))
        pathways = set(linkable_pathways(coalition).values_list("pk", flat=True))
        named = {p.service.pk for p in data.touchpoints if p.service is not None}
        services_ok = (
            set(linkable_services(coalition).filter(pk__in=named).values_list("pk", flat=True))
            if named
            else set()
        )
        cleaned: list[dict[str, Any]] = []
        for i, point in enumerate(data.touchpoints):
            prefix = f"touchpoints.{i}"
            point_errors: dict[str, list[Any]] = {}
            row = {
                "title": _text(point_errors, "title", point.title, 200, required=True),
                "role": _text(point_errors, "role", point.role, 100, required=True),
                "moment": _text(point_errors, "moment", point.moment, 100, required=False),
                "description": _text(
                    point_errors, "description", point.description, 3000, required=False
                ),
                "organisation": point.organisation,
                "pathway": point.pathway,
                "service": point.service,
            }
            if point.organisation is not None and point.organisation.pk not in members:
                point_errors["organisation"] = [
                    gettext_lazy("Choose one of the coalition's member organisations.")
                ]
            if point.pathway is not None and point.pathway.pk not in pathways:
                point_errors["pathway"] = [
                    gettext_lazy("Choose a pathway of this coalition or of its municipalities.")
                ]
            if point.service is not None and point.service.pk not in services_ok:
                point_errors["service"] = [
                    gettext_lazy("Choose services of the coalition's members or of its area.")
                ]
            for name, messages in point_errors.items():
                errors[f"{prefix}.{name}"] = messages
            cleaned.append({"row": row, "situations": list(point.situations)})
        if errors:
            raise InvalidInput(errors)
        journey, _created = Journey.objects.get_or_create(
            coalition=coalition, phase=phase, defaults={"is_demo": coalition.is_demo}
        )
        journey.introduction = introduction
        journey.save()
        journey.touchpoints.all().delete()
        for position, item in enumerate(cleaned, start=1):
            touchpoint = Touchpoint.objects.create(
                journey=journey, position=position, **item["row"]
            )
            touchpoint.situations.set(item["situations"])
        written.object_id = journey.pk
        return journey


def touchpoints_from(journey: Journey) -> list[TouchpointInput]:
    """The journey's touchpoints as input (to edit or copy them)."""
    return [
        TouchpointInput(
            title=t.title,
            role=t.role,
            moment=t.moment,
            description=t.description,
            organisation=t.organisation,
            situations=list(t.situations.all()),
            pathway=t.pathway,
            service=t.service,
        )
        for t in journey.touchpoints.prefetch_related("situations").select_related(
            "organisation", "pathway", "service"
        )
    ]


def member_organisations(coalition: Coalition) -> Iterable[Organisation]:
    return Organisation.objects.filter(coalition_memberships__coalition=coalition).order_by("name")
