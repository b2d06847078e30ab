"""Writing to the access log. Services and selectors call ``record_event``; nothing else
writes AccessEvent rows. Only references go in: never names, dates of birth or payloads."""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from kansrijk.audit.models import AccessEvent, Action, Outcome

if TYPE_CHECKING:
    from django.http import HttpRequest

logger = logging.getLogger(__name__)


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record_event(
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
) -> AccessEvent:
    """Append one access event.

    ``user``, organisation, request id and source IP are taken from ``request`` when given.
    ``role`` is the role the user acted in (e.g. ``intake_handler``); ``purpose`` why
    (e.g. ``referral.intake``). Raises ``ValueError`` for an unknown action or outcome.
    """
    if action not in Action.values:
        raise ValueError(f"unknown audit action {action!r}")
    if outcome not in Outcome.values:
        raise ValueError(f"unknown audit outcome {outcome!r}")
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if organisation_id is None and user is not None:
        organisation_id = getattr(user, "organisation_id", None)
    return AccessEvent.objects.create(
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
        object_id=str(object_id),
        client_ref=client_ref,
        consent_ref=consent_ref,
        request_id=getattr(request, "request_id", "") if request is not None else "",
        source_ip=_client_ip(request),
    )


def retention_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)


def _set_purge_flag(value: str) -> None:
    """Open (``on``) or close (``off``) the append-only trigger for the current transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('kansrijk.audit_purge', %s, true)", [value])


def purge_expired(*, now: datetime.datetime | None = None, batch_size: int = 10_000) -> int:
    """Delete access events older than the retention period (default 5 years).

    The only code path that deletes from the log. On PostgreSQL it opens the append-only
    trigger for one batch at a time, inside that batch's transaction (a transaction-local
    setting), and closes it again before the transaction ends: should this run inside a
    larger transaction, the rest of that transaction is still append-only. Each batch
    commits on its own, so a large first purge does not hold one long transaction.
    Running it again removes nothing more; returns the number of events removed.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    cutoff = retention_cutoff(now)
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
    logger.info("audit purge removed %d events older than %s", deleted, cutoff.isoformat())
    return deleted
