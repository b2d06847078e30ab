"""Reads of the referrals module, already filtered for the user, each one access-logged.

- ``inbox``: the receiving organisation's open referrals, oldest first, with their age in
  working days against the service's response time (keyset pages).
- ``sent_referrals``: the sending organisation's referrals, newest first (keyset pages).
- ``get_referral``: one referral with its history, consents and contact attempts.
- ``allowed_transitions``: what the user may do with it now (for buttons and forms).
- ``client_access_report``: who looked at a client's referrals (verified administrators).

Lists show no client data (reference, service, status, dates), so one search event per list
is logged; opening a referral is logged as a read with the client's pseudonymous reference.
Each records the grant that gave access (``access.py``); a refusal — another organisation's
referral, an unknown id, a list without a grant — is logged here too, for every route.
"""

from __future__ import annotations

import datetime
import functools
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kansrijk.accounts.roles import administrative_role, primary_role
from kansrijk.accounts.scope import administration_scope
from kansrijk.audit.models import AccessEvent, Action, may_search_access_log
from kansrijk.audit.services import record_event, record_refusal
from kansrijk.core import compiled, cursors, keyset
from kansrijk.referrals import access, workflow
from kansrijk.referrals.exceptions import NotAllowed, ReferralNotFound
from kansrijk.referrals.identifiers import client_ref
from kansrijk.referrals.models import (
    Consent,
    ContactAttempt,
    Referral,
    StatusEvent,
    referral_scope,
)
from kansrijk.referrals.workdays import working_days_between
from kansrijk.referrals.workflow import Side, Transition
from kansrijk.situations.models import Situation

PAGE_SIZE = 50
MAX_PAGE_SIZE = 100

_CURSOR = re.compile(r"^(-?\d{1,19})\.([0-9a-f]{32})$")


# --- Cursors ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """A position in a list ordered by (a date-time, id): the page continues after it."""

    at: datetime.datetime
    id: uuid.UUID

    @classmethod
    def parse(cls, value: str | None) -> Cursor | None:
        match = _CURSOR.match(value or "")
        if not match:
            return None
        at = cursors.moment(int(match[1]))
        if at is None:
            return None
        return cls(at, uuid.UUID(hex=match[2]))

    def __str__(self) -> str:
        return f"{cursors.microseconds(self.at)}.{self.id.hex}"


class InvalidCursor(ValueError):
    pass


def _cursor(value: str | None) -> Cursor | None:
    if not value:
        return None
    cursor = Cursor.parse(value)
    if cursor is None:
        raise InvalidCursor(value)
    return cursor


def _page_size(page_size: int) -> int:
    return max(1, min(page_size, MAX_PAGE_SIZE))


# --- Rows -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralRow:
    """A referral in a list, with its age against the service's response time."""

    referral: Referral
    age_working_days: int | None
    response_time_days: int | None
    due_on: datetime.date | None
    overdue: bool


def _row(referral: Referral, today: datetime.date) -> ReferralRow:
    sent = timezone.localdate(referral.sent_at) if referral.sent_at else None
    age = working_days_between(sent, today) if sent else None
    overdue = bool(
        referral.response_due_on
        and referral.first_contact_at is None
        and referral.status in workflow.OPEN
        and today > referral.response_due_on
    )
    return ReferralRow(
        referral=referral,
        age_working_days=age,
        response_time_days=referral.service.response_time_days,
        due_on=referral.response_due_on,
        overdue=overdue,
    )


@dataclass(frozen=True)
class ReferralPage:
    rows: list[ReferralRow]
    next_cursor: str | None

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None


#: What a list row needs (the pages, the API's list items, ``_row``): no client data, and of
#: the service and the organisations only their names. Anything else read from a list row
#: would cost a query per row.
LIST_COLUMNS = (
    "id",
    "reference",
    "kind",
    "status",
    "urgency",
    "version",
    "created_at",
    "updated_at",
    "sent_at",
    "first_contact_at",
    "response_due_on",
    "service",
    "service__name",
    "service__response_time_days",
    "sender_organisation",
    "sender_organisation__name",
    "receiver_organisation",
    "receiver_organisation__name",
)


def _list_columns(qs: QuerySet[Referral]) -> QuerySet[Referral]:
    """What a list needs: no client data is loaded for lists."""
    return qs.select_related("service", "sender_organisation", "receiver_organisation").only(
        *LIST_COLUMNS
    )


@dataclass(frozen=True)
class _List:
    """A referral list before it is paged: the conditions of ``Referral.objects.filter`` on the
    referral's own columns (``None``: the user has no such list) and the date-time column it is
    ordered by (then the id), newest or oldest first."""

    conditions: dict[str, Any] | None
    by: str
    newest_first: bool


# --- Grants for lists -------------------------------------------------------------------------

#: Why a list is refused, per side.
NO_GRANT_MESSAGE: dict[str, Any] = {
    Side.RECEIVER: _("The inbox is for intake handlers of a receiving organisation."),
    Side.SENDER: _("Only professionals can refer."),
}


def _list_grant(user: Any, side: str, *, request: Any, event_type: str) -> access.Acting:
    """The grant under which ``user`` lists ``side``'s referrals; else the refusal is logged
    and ``NotAllowed`` raised."""
    acting = access.acting_for_list(user, side)
    if acting is None:
        access.refuse_list(user, request=request, event_type=event_type, action=Action.SEARCH)
        raise NotAllowed(NO_GRANT_MESSAGE[side])
    return acting


def search_grant(user: Any, *, request: Any = None, event_type: str) -> access.Acting:
    """The grant under which ``user`` searches referrals of both sides (the FHIR Task search):
    the intake handler's if they hold it, else the professional's; else the refusal is logged
    and ``NotAllowed`` raised."""
    acting = access.acting_for_list(user, Side.RECEIVER) or access.acting_for_list(
        user, Side.SENDER
    )
    if acting is None:
        access.refuse_list(user, request=request, event_type=event_type, action=Action.SEARCH)
        raise NotAllowed(_("Only professionals and intake handlers can search referrals."))
    return acting


def require_grant(user: Any, side: str, *, request: Any = None, event_type: str) -> None:
    """``NotAllowed`` (the refusal logged) unless ``user`` holds the grant of ``side`` — for
    pages that start something, such as the form for a new referral."""
    if access.acting_for_list(user, side) is None:
        access.refuse_list(user, request=request, event_type=event_type, action=Action.CREATE)
        raise NotAllowed(NO_GRANT_MESSAGE[side])


# --- Inbox ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxFilter:
    status: str = ""
    service_id: str = ""
    urgency: str = ""
    overdue: bool = False


def _inbox_list(user: Any, filters: InboxFilter | None = None) -> _List:
    """Open referrals for the user's receiving organisation(s), oldest first."""
    filters = filters or InboxFilter()
    scope = referral_scope(user)
    if not scope.receiver_org_ids:
        return _List(None, by="sent_at", newest_first=False)
    statuses = [filters.status] if filters.status in workflow.OPEN else sorted(workflow.OPEN)
    conditions: dict[str, Any] = {
        "receiver_organisation_id__in": scope.receiver_org_ids,
        "status__in": statuses,
    }
    if filters.service_id:
        conditions["service_id"] = filters.service_id
    if filters.urgency:
        conditions["urgency"] = filters.urgency
    if filters.overdue:
        conditions["first_contact_at__isnull"] = True
        conditions["response_due_on__lt"] = timezone.localdate()
    return _List(conditions, by="sent_at", newest_first=False)


def inbox(
    user: Any,
    *,
    request: Any = None,
    filters: InboxFilter | None = None,
    after: str | None = None,
    page_size: int = PAGE_SIZE,
    today: datetime.date | None = None,
) -> ReferralPage:
    """One page of the inbox (``after``: the previous page's ``next_cursor``). Raises
    ``InvalidCursor`` for a malformed cursor, ``NotAllowed`` (logged) for a user who is no
    intake handler of a receiving organisation. Logged as one search event."""
    return _list_page(
        user,
        Side.RECEIVER,
        _inbox_list(user, filters),
        request=request,
        event_type="referral.inbox",
        after=after,
        page_size=page_size,
        today=today,
    )


# --- Sent -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SentFilter:
    status: str = ""


def _sent_list(user: Any, filters: SentFilter | None = None) -> _List:
    """The referrals of the user's sending organisation(s), newest first."""
    filters = filters or SentFilter()
    scope = referral_scope(user)
    if not scope.sender_org_ids:
        return _List(None, by="created_at", newest_first=True)
    conditions: dict[str, Any] = {"sender_organisation_id__in": scope.sender_org_ids}
    if filters.status in workflow.Status.values:
        conditions["status"] = filters.status
    return _List(conditions, by="created_at", newest_first=True)


def sent_referrals(
    user: Any,
    *,
    request: Any = None,
    filters: SentFilter | None = None,
    after: str | None = None,
    page_size: int = PAGE_SIZE,
    today: datetime.date | None = None,
) -> ReferralPage:
    """One page of the sending organisation's referrals, newest first. ``NotAllowed`` (logged)
    for a user who is no professional of a sending organisation. Logged as a search."""
    return _list_page(
        user,
        Side.SENDER,
        _sent_list(user, filters),
        request=request,
        event_type="referral.sent",
        after=after,
        page_size=page_size,
        today=today,
    )


def _list_page(
    user: Any,
    side: str,
    listing: _List,
    *,
    request: Any,
    event_type: str,
    after: str | None,
    page_size: int,
    today: datetime.date | None,
) -> ReferralPage:
    """One page of ``listing``, a list of ``side``'s referrals, continuing after the cursor
    ``after``. Raises ``NotAllowed`` (logged) for a user without the side's grant and
    ``InvalidCursor`` for a malformed cursor. Logged as one search event (``event_type``)."""
    acting = _list_grant(user, side, request=request, event_type=event_type)
    size = _page_size(page_size)
    cursor = _cursor(after)
    rows, more = _page_rows(listing, cursor, size)
    by = listing.by
    next_cursor = str(Cursor(getattr(rows[-1], by), rows[-1].id)) if more else None
    record_event(
        request=request,
        user=user,
        event_type=event_type,
        action=Action.SEARCH,
        object_type="referral",
        **acting.audit_fields(),
    )
    today = today or timezone.localdate()
    return ReferralPage([_row(r, today) for r in rows], next_cursor)


def _page_rows(listing: _List, cursor: Cursor | None, size: int) -> tuple[list[Referral], bool]:
    """The ``size`` rows of ``listing`` after ``cursor`` (``keyset``) and whether more follow:
    one row more than the page is read (``keyset.first_rows``), by SQL compiled once per shape
    (``core.compiled``: which conditions, how many values in each list, a cursor or not)."""
    conditions = listing.conditions
    if conditions is None:
        return [], False
    by, newest_first = listing.by, listing.newest_first
    params = compiled.filter_params(Referral, conditions)
    if cursor is not None:
        at = compiled.db_value(Referral._meta.get_field(by), cursor.at)
        params += [at, at, compiled.db_value(Referral._meta.pk, cursor.id)]

    def queryset(params: list[Any]) -> QuerySet[Referral]:
        order = (f"-{by}", "-id") if newest_first else (by, "id")
        qs = _list_columns(Referral.objects.filter(**conditions).order_by(*order))
        if cursor is not None:
            qs = keyset.beyond(qs, by, cursor.at, cursor.id, newest_first=newest_first)
        return qs[: size + 1]

    shape = ",".join(
        f"{keyword}:{len(value)}" if keyword.endswith("__in") else keyword
        for keyword, value in sorted(conditions.items())
    )
    after = "after" if cursor is not None else "first"
    name = f"referrals.list:{by}:{newest_first}:{shape}:{after}:{size}"
    rows = compiled.objects(name, queryset, params)
    return rows[:size], len(rows) > size


# --- One referral -----------------------------------------------------------------------------


#: Of the related rows a referral page, the API and FHIR show only these columns (the service
#: and the user rows are wide; their other columns cost time in every query for nothing).
DETAIL_RELATED_COLUMNS = (
    "service__name",
    "service__status",
    "service__response_time_days",
    "service__organization_id",
    "sender_organisation__name",
    "sender_organisation__email",
    "receiver_organisation__name",
    "receiver_organisation__email",
    "sender_user__username",
    "sender_user__first_name",
    "sender_user__last_name",
    "sender_user__email",
    "client_municipality__name",
)


def with_detail_columns(queryset: QuerySet[Referral]) -> QuerySet[Referral]:
    """``queryset`` with the rows a referral page shows beside each referral, and of those
    only ``DETAIL_RELATED_COLUMNS``."""
    own = [f.name for f in Referral._meta.concrete_fields]
    return queryset.select_related(
        "service",
        "sender_organisation",
        "receiver_organisation",
        "sender_user",
        "client_municipality",
    ).only(*own, *DETAIL_RELATED_COLUMNS)


#: A referral page's history of a referral, per relation: what ``prefetch_related`` would read
#: (``_with_history`` reads it for one referral).
DETAIL_HISTORY: dict[str, Callable[[], QuerySet[Any]]] = {
    "situations": lambda: Situation.objects.only("code", "name"),
    "consents": lambda: (
        Consent.objects.select_related("organisation", "recorded_by")
        .only(
            *(f.name for f in Consent._meta.concrete_fields),
            "organisation__name",
            "recorded_by__username",
        )
        .order_by("-given_at", "-recorded_at")
    ),
    "status_events": lambda: StatusEvent.objects.order_by("at", "id"),
    "contact_attempts": lambda: ContactAttempt.objects.order_by("at", "id"),
}


def _detail_referral(user: Any, pk: uuid.UUID) -> Referral | None:
    """The referral ``pk`` with the rows its page shows beside it, if ``user`` may see it
    (``Referral.objects.for_user``); its SQL compiled once per process and scope shape."""
    scope = referral_scope(user)
    if scope.is_empty:
        return None
    senders, receivers = scope.sender_org_ids, scope.receiver_org_ids
    found = compiled.objects(
        f"referrals.detail:{len(senders)}:{len(receivers)}",
        lambda params: with_detail_columns(
            Referral.objects.for_user(user).filter(pk=pk)
        ).order_by(),
        [*scope.condition_params(), compiled.db_value(Referral._meta.pk, pk)],
    )
    return found[0] if found else None


def _history_of(relation: str, params: list[Any]) -> QuerySet[Any]:
    """``relation``'s rows (a ``DETAIL_HISTORY`` name) of the referral ``params[0]``."""
    queryset = DETAIL_HISTORY[relation]()
    if relation == "situations":
        through = Referral.situations.through.objects.filter(referral_id=params[0])
        return queryset.filter(pk__in=through.values("situation_id"))
    return queryset.filter(referral_id=params[0])


def _with_history(referral: Referral) -> Referral:
    """``referral`` with its situations, consents (newest first), status events and contact
    attempts kept as ``prefetch_related`` keeps them, each read by SQL compiled once."""
    params = [compiled.db_value(Referral._meta.pk, referral.pk)]
    for relation in DETAIL_HISTORY:
        related = compiled.objects(
            f"referrals.detail.{relation}", functools.partial(_history_of, relation), params
        )
        compiled.prefetched(referral, relation, related)
    return referral


def get_referral(
    user: Any,
    referral_id: Any,
    *,
    request: Any = None,
    event_type: str = "referral.view",
    action: str = Action.READ,
    log: bool = True,
    history: bool = True,
) -> Referral:
    """The referral with its history, if ``user`` may see it; else ``ReferralNotFound`` (the
    same for unknown ids and other organisations' referrals). Logged as a read (``log``);
    a refusal is always logged, as a read or — for a request that writes — a change.
    ``history=False`` loads the referral and its organisations only (e.g. a FHIR Task)."""
    pk = access.parse_id(referral_id)
    if pk is None:
        _refuse(user, referral_id, request=request, event_type=event_type, action=action)
        raise ReferralNotFound()
    if history:
        referral = _detail_referral(user, pk)
    else:
        referral = (
            Referral.objects.for_user(user)
            .select_related("sender_organisation", "receiver_organisation")
            .filter(pk=pk)
            .first()
        )
    if referral is None:
        _refuse(user, pk, request=request, event_type=event_type, action=action)
        raise ReferralNotFound()
    if history:
        _with_history(referral)
    if log:
        log_read(
            user=user, referral=referral, request=request, event_type=event_type, action=action
        )
    return referral


def _refuse(user: Any, referral_id: Any, *, request: Any, event_type: str, action: str) -> None:
    event_type, action = access.attempted(request, event_type, action)
    access.refuse_referral(user, referral_id, request=request, event_type=event_type, action=action)


def log_read(
    *,
    user: Any,
    referral: Referral,
    request: Any = None,
    event_type: str = "referral.view",
    action: str = Action.READ,
    object_type: str = "referral",
    object_id: Any = None,
) -> None:
    """Write the access-log record of showing ``referral`` to ``user``."""
    consent = next((c for c in referral.consents.all() if c.withdrawn_at is None), None)
    access.record(
        request=request,
        user=user,
        referral=referral,
        side=access.reading_side(referral, user),
        event_type=event_type,
        action=action,
        consent_ref=str(consent.pk) if consent else "",
        object_type=object_type,
        object_id=object_id,
    )


def get_consent(user: Any, consent_id: Any, *, request: Any = None, log: bool = True) -> Consent:
    """A consent of a referral the user may see (logged as a read of the consent; a refusal
    is always logged)."""
    event_type, action = access.attempted(request, "referral.consent.view", Action.READ)
    pk = access.parse_id(consent_id)
    if pk is None:
        access.refuse_consent(
            user, consent_id, request=request, event_type=event_type, action=action
        )
        raise ReferralNotFound()
    consent = (
        Consent.objects.filter(pk=pk, referral__in=Referral.objects.for_user(user))
        .select_related("referral", "organisation", "referral__sender_organisation")
        .first()
    )
    if consent is None:
        access.refuse_consent(user, pk, request=request, event_type=event_type, action=action)
        raise ReferralNotFound()
    if not log:
        return consent
    access.record(
        request=request,
        user=user,
        referral=consent.referral,
        side=access.reading_side(consent.referral, user),
        event_type="referral.consent.view",
        action=Action.READ,
        consent_ref=str(consent.pk),
        object_type="consent",
        object_id=consent.pk,
    )
    return consent


def require_side(
    user: Any, referral: Referral, side: str, *, request: Any = None, event_type: str, action: str
) -> None:
    """Refuse unless ``user`` acts on ``referral`` from ``side``: ``NotAllowed`` when they see
    it from the other side only, ``ReferralNotFound`` when they cannot see it at all. The
    refusal is logged (``access``; kept although a transaction rolls back)."""
    sides = referral.sides_for(user)
    if side not in sides:
        access.refuse_referral(
            user,
            referral.pk,
            referral=referral,
            side=next(iter(sorted(sides)), None),
            request=request,
            event_type=event_type,
            action=action,
        )
        raise NotAllowed() if sides else ReferralNotFound()


def allowed_transitions(user: Any, referral: Referral) -> list[Transition]:
    """The status changes ``user`` may make now (sending needs consent too)."""
    return workflow.allowed_targets(referral.status, set(referral.sides_for(user)))


# --- Access report ----------------------------------------------------------------------------


def client_access_report(
    viewer: Any,
    *,
    given_name: str,
    family_name: str,
    birth_date: datetime.date,
    request: Any = None,
    limit: int = 10_000,
) -> list[AccessEvent]:
    """Who looked at this client's referrals, when and why (newest first), also after the
    referrals were purged: the access log keeps her pseudonymous reference for five years.
    Only for verified administrators; the report itself is logged as an export."""
    if not may_search_access_log(viewer):
        record_refusal(
            request=request,
            user=viewer,
            event_type="referral.access_report",
            action=Action.EXPORT,
            object_type="client",
            purpose="privacy.access_request",
            role=primary_role(viewer),
        )
        raise NotAllowed()
    ref = client_ref(given_name, family_name, birth_date)
    events = list(_client_events(viewer, ref).order_by("-occurred_at", "-id")[:limit])
    record_event(
        request=request,
        user=viewer,
        event_type="referral.access_report",
        action=Action.EXPORT,
        object_type="client",
        client_ref=ref,
        purpose="privacy.access_request",
        role=administrative_role(viewer),
    )
    return events


def _client_events(viewer: Any, ref: str) -> Any:
    """The events about the client ``ref`` that ``viewer`` may report: all for the operator;
    for an administrator those recorded for their organisations and every event about the
    referrals (consents, contact attempts) their organisations sent or received — so also
    the other party's reads and refused attempts by outsiders, while the referrals exist."""
    events = AccessEvent.objects.filter(client_ref=ref)
    scope = administration_scope(viewer)
    if scope.operator:
        return events
    organisations = scope.organisation_ids
    referrals = Referral.objects.filter(client_ref=ref).filter(
        Q(sender_organisation_id__in=organisations) | Q(receiver_organisation_id__in=organisations)
    )
    ids = [str(pk) for pk in referrals.values_list("pk", flat=True)]
    ids += [
        str(pk)
        for pk in Consent.objects.filter(referral__in=referrals).values_list("pk", flat=True)
    ]
    ids += [
        str(pk)
        for pk in ContactAttempt.objects.filter(referral__in=referrals).values_list("pk", flat=True)
    ]
    return events.filter(Q(organisation_id__in=organisations) | Q(object_id__in=ids))


def referral_access_report(
    user: Any, referral: Referral, *, request: Any = None, limit: int = 1000
) -> list[AccessEvent]:
    """Who looked at this referral (and its consents and contact attempts), when and why,
    newest first: for the referral's own parties, e.g. to answer the client. The report is
    logged as a read of the referral."""
    if not referral.sides_for(user):
        raise ReferralNotFound()
    ids = (
        [str(referral.pk)]
        + [str(c.pk) for c in referral.consents.all()]
        + [str(a.pk) for a in referral.contact_attempts.all()]
    )
    events = list(
        AccessEvent.objects.filter(
            object_id__in=ids,
            object_type__in=("referral", "consent", "contact_attempt"),
            client_ref=referral.client_ref,
        )
        .select_related("organisation")
        .order_by("-occurred_at", "-id")[:limit]
    )
    log_read(
        user=user,
        referral=referral,
        request=request,
        event_type="referral.access_report",
        action=Action.READ,
    )
    return events


# --- Receiving services ------------------------------------------------------------------------


def prenatal_home_visit_services(municipality_code: str) -> QuerySet[Any]:
    """The JGZ prenatal home visit services that serve the municipality and take referrals
    through Kansrijk (open for referrals, with an organisation that has accounts here)."""
    from kansrijk.directory.models import Service

    return (
        Service.objects.serving(municipality_code)
        .filter(
            phase_pregnancy=True,
            organization__account_organisation__isnull=False,
        )
        .exclude(status__in=("defunct", "inactive"))
        .filter(
            Q(name__icontains="prenata")
            | Q(alternate_name__icontains="prenata")
            | Q(taxonomy_links__taxonomy_term__name__icontains="prenata")
        )
        .select_related("organization")
        .distinct()
        .order_by("name")
    )


def self_referral_services(municipality_code: str) -> QuerySet[Any]:
    """Those of ``prenatal_home_visit_services`` that take a self-referral: the service lists
    "self-referral" among its referral methods (the JGZ opts in on the social map)."""
    from kansrijk.directory.models import ReferralMethod, ReferralMethodKind

    return prenatal_home_visit_services(municipality_code).filter(
        id__in=ReferralMethod.objects.filter(method=ReferralMethodKind.SELF_REFERRAL).values(
            "service_id"
        )
    )
