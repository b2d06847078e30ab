"""Writing to the access log. Services and selectors call ``record_event`` (and
``record_refusal`` for a refused attempt); nothing else writes AccessEvent rows. Only
references go in: never names, dates of birth or payloads.

A refusal is usually raised as an exception, which rolls back the transaction it happens in,
and with it anything written there. ``record_refusal`` therefore keeps the event aside when it
is inside a transaction and ``refusals_kept`` (``AuditContextMiddleware``: every request)
writes it once the request is done, outside any transaction.
"""

from __future__ import annotations

import contextvars
import datetime
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.db import DatabaseError, connection, transaction
from django.db.models import Min
from django.utils import timezone

from kansrijk.audit.models import AccessEvent, Action, Outcome
from kansrijk.audit.retention import MINIMUM_DAYS, current_policy
from kansrijk.core.users import actor

if TYPE_CHECKING:
    from django.http import HttpRequest

logger = logging.getLogger(__name__)

OBJECT_ID_LENGTH = AccessEvent._meta.get_field("object_id").max_length or 64
DETAILS_LENGTH = AccessEvent._meta.get_field("details").max_length or 255
#: The purpose recorded for the retention purge.
RETENTION_PURPOSE = "audit.retention"


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _build_event(
    *,
    request: HttpRequest | None = None,
    user: Any = None,
    event_type: str,
    action: Action | str,
    outcome: Outcome | str = Outcome.SUCCESS,
    object_type: str = "",
    object_id: str | int = "",
    client_ref: str = "",
    consent_ref: str = "",
    purpose: str = "",
    role: str = "",
    organisation_id: int | None = None,
    on_behalf_of: str = "",
    details: str = "",
) -> AccessEvent:
    if action not in Action.values:
        raise ValueError(f"unknown audit action {action!r}")
    if outcome not in Outcome.values:
        raise ValueError(f"unknown audit outcome {outcome!r}")
    if user is None and request is not None:
        user = getattr(request, "user", None)
    user = actor(user)  # an anonymous visitor is recorded as no user
    if organisation_id is None and user is not None:
        organisation_id = getattr(user, "organisation_id", None)
    return AccessEvent(
        occurred_at=timezone.now(),
        event_type=event_type,
        action=action,
        outcome=outcome,
        user=user,
        user_display=getattr(user, "username", "") if user is not None else "",
        role=role,
        organisation_id=organisation_id,
        on_behalf_of=on_behalf_of,
        purpose=purpose,
        object_type=object_type,
        # An id from a request may be anything: the log keeps at most the column's width.
        object_id=str(object_id)[:OBJECT_ID_LENGTH],
        client_ref=client_ref,
        consent_ref=consent_ref,
        request_id=getattr(request, "request_id", "") if request is not None else "",
        source_ip=_client_ip(request),
        details=details[:DETAILS_LENGTH],
    )


def record_event(*, request: HttpRequest | None = None, **fields: Any) -> AccessEvent:
    """Append one access event.

    ``user``, organisation, request id and source IP are taken from ``request`` (or, for
    events recorded without one, e.g. by a signal, from the request being served) when given.
    ``role`` is the role the user acted in (e.g. ``intake_handler``); ``purpose`` why (e.g.
    ``referral.intake``); ``organisation_id`` the organisation they acted for (default:
    their own); ``details`` a short note of references and counts (e.g. what a purge
    removed). Raises ``ValueError`` for an unknown action or outcome.
    """
    event = _build_event(request=request or current_request(), **fields)
    event.save(force_insert=True)
    return event


_kept_refusals: contextvars.ContextVar[list[AccessEvent] | None] = contextvars.ContextVar(
    "kansrijk_audit_kept_refusals", default=None
)
_current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "kansrijk_audit_current_request", default=None
)


def current_request() -> HttpRequest | None:
    """The request being served (inside ``AuditContextMiddleware``), else ``None``."""
    return _current_request.get()


def record_refusal(
    *, request: HttpRequest | None = None, outcome: Outcome | str = Outcome.DENIED, **fields: Any
) -> AccessEvent:
    """Record a refused attempt (outcome ``denied``, or ``failure`` for e.g. an unknown id)
    so that it is kept although the refusal rolls back the transaction it is raised in.

    Inside ``refusals_kept`` and a transaction, the event is written when ``refusals_kept``
    ends; otherwise at once. Takes the same arguments as ``record_event``."""
    event = _build_event(request=request or current_request(), outcome=outcome, **fields)
    kept = _kept_refusals.get()
    if kept is not None and connection.in_atomic_block:
        kept.append(event)
    else:
        event.save(force_insert=True)
    return event


def _write_kept(events: list[AccessEvent]) -> None:
    for event in events:
        try:
            event.save(force_insert=True)
        except DatabaseError:  # pragma: no cover - the database is gone; say so loudly
            logger.exception("could not write a refused attempt to the access log")


@contextmanager
def refusals_kept(request: HttpRequest | None = None) -> Iterator[None]:
    """Keep refused attempts recorded in this block (see ``record_refusal``) and write them
    at its end; ``request`` is the request events without one are recorded for."""
    kept: list[AccessEvent] = []
    kept_token = _kept_refusals.set(kept)
    request_token = _current_request.set(request)
    try:
        yield
    finally:
        _current_request.reset(request_token)
        _kept_refusals.reset(kept_token)
        _write_kept(kept)


def retention_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    """Events from before this moment are past retention (``audit.retention``)."""
    return current_policy().cutoff(now or timezone.now())


def _set_purge_flag(value: str) -> None:
    """Open (``on``) or close (``off``) the append-only trigger for the current transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('kansrijk.audit_purge', %s, true)", [value])


def _instant(value: datetime.datetime | None) -> str:
    return value.astimezone(datetime.UTC).isoformat(timespec="seconds") if value else "-"


def purge_expired(*, now: datetime.datetime | None = None, batch_size: int = 10_000) -> int:
    """Delete access events older than the retention period (at least 5 years, see
    ``audit.retention``); ``RetentionBelowMinimum`` (nothing deleted) when the setting is
    below the legal minimum without an override.

    The only code path that deletes from the log. On PostgreSQL it opens the append-only
    trigger for one batch at a time, inside that batch's transaction (a transaction-local
    setting), and closes it again before the transaction ends: should this run inside a
    larger transaction, the rest of that transaction is still append-only. Each batch
    commits on its own, so a large first purge does not hold one long transaction.

    The purge is itself logged (``audit.purge``: how many events, from when to when) — also
    when it removes nothing, so the log shows that the job runs — and so is an override of
    the legal minimum (``audit.retention.override``). Running it again removes nothing
    more; returns the number of events removed.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    policy = current_policy()
    policy.check()
    now = now or timezone.now()
    cutoff = policy.cutoff(now)
    if policy.overridden:
        record_event(
            event_type="audit.retention.override",
            action=Action.DELETE,
            object_type="audit.accessevent",
            purpose=RETENTION_PURPOSE,
            details=(f"days={policy.days} minimum={MINIMUM_DAYS} reason={policy.override_reason}"),
        )
    oldest = AccessEvent.objects.filter(occurred_at__lt=cutoff).aggregate(
        oldest=Min("occurred_at")
    )["oldest"]
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(
                AccessEvent.objects.filter(occurred_at__lt=cutoff)
                .order_by()
                .values_list("id", flat=True)[:batch_size]
            )
            if not ids:
                break
            # On an error the atomic block rolls back, which also undoes the setting.
            _set_purge_flag("on")
            count, _ = AccessEvent.objects.filter(id__in=ids).delete()
            _set_purge_flag("off")
        deleted += count
    record_event(
        event_type="audit.purge",
        action=Action.DELETE,
        object_type="audit.accessevent",
        purpose=RETENTION_PURPOSE,
        details=(
            f"removed={deleted} from={_instant(oldest if deleted else None)} "
            f"before={_instant(cutoff)} retention_days={policy.days}"
        ),
    )
    logger.info("audit purge removed %d events older than %s", deleted, cutoff.isoformat())
    return deleted
