"""Retention: closed referrals are kept ``REFERRAL_RETENTION_DAYS`` (default 365) after
closing, then deleted by ``kansrijk purge-referrals`` (run daily). Only anonymous counts stay
behind, in ``ReferralStatistic`` (month, municipality, service, pathway, kind, final status,
outcome, reason, with a histogram of working days to first contact).

Also removed: drafts nobody touched for ``DRAFT_RETENTION_DAYS`` (never sent, so never
counted), idempotency records after ``IDEMPOTENCY_RETENTION``, and outbox messages a month
after they were sent. The access log is not touched here: it is kept five years
(``AUDIT_RETENTION_DAYS``, ``kansrijk purge-audit``) and holds only references.
"""

from __future__ import annotations

import datetime
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from kansrijk.referrals import workflow
from kansrijk.referrals.models import IdempotencyRecord, Referral, ReferralStatistic
from kansrijk.referrals.outbox import purge_sent
from kansrijk.referrals.workdays import working_days_between
from kansrijk.referrals.workflow import Status

logger = logging.getLogger(__name__)

DRAFT_RETENTION_DAYS = 30
IDEMPOTENCY_RETENTION = datetime.timedelta(days=2)
OUTBOX_RETENTION_DAYS = 30


def retention_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    """Referrals closed before this moment are due for deletion."""
    return (now or timezone.now()) - datetime.timedelta(days=settings.REFERRAL_RETENTION_DAYS)


@dataclass
class PurgeResult:
    referrals: int = 0
    drafts: int = 0
    statistics: int = 0
    idempotency_records: int = 0
    outbox_messages: int = 0


_STAT_FIELDS = (
    "id",
    "sent_at",
    "created_at",
    "first_contact_at",
    "client_municipality_id",
    "service_id",
    "pathway_ref",
    "kind",
    "status",
    "outcome",
    "status_reason_code",
)


def _month(value: datetime.datetime) -> datetime.date:
    return timezone.localdate(value).replace(day=1)


def _aggregate(rows: list[dict[str, Any]]) -> dict[tuple[Any, ...], tuple[int, Counter[str]]]:
    counts: dict[tuple[Any, ...], int] = defaultdict(int)
    days: dict[tuple[Any, ...], Counter[str]] = defaultdict(Counter)
    for row in rows:
        key = (
            _month(row["sent_at"] or row["created_at"]),
            row["client_municipality_id"],
            str(row["service_id"]),
            row["pathway_ref"],
            row["kind"],
            row["status"],
            row["outcome"],
            row["status_reason_code"],
        )
        counts[key] += 1
        if row["sent_at"] and row["first_contact_at"]:
            n = working_days_between(
                timezone.localdate(row["sent_at"]), timezone.localdate(row["first_contact_at"])
            )
            days[key][str(n)] += 1
    return {key: (count, days[key]) for key, count in counts.items()}


def _add_statistics(rows: list[dict[str, Any]]) -> int:
    created_rows = 0
    for key, (count, histogram) in _aggregate(rows).items():
        month, municipality, service, pathway, kind, final_status, outcome, reason = key
        stat, created = ReferralStatistic.objects.select_for_update().get_or_create(
            month=month,
            municipality_code=municipality,
            service_ref=service,
            pathway_ref=pathway,
            kind=kind,
            final_status=final_status,
            outcome=outcome,
            reason_code=reason,
        )
        created_rows += int(created)
        stat.count += count
        merged = Counter({k: int(v) for k, v in (stat.contact_days or {}).items()})
        merged.update(histogram)
        stat.contact_days = dict(sorted(merged.items(), key=lambda item: int(item[0])))
        stat.save(update_fields=["count", "contact_days"])
    return created_rows


def purge_expired(*, now: datetime.datetime | None = None, batch_size: int = 500) -> PurgeResult:
    """Delete what is past its retention period; returns what was removed. Each batch is one
    transaction (counts and deletion together), so an interrupted run loses nothing and a
    second run removes nothing more."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    now = now or timezone.now()
    result = PurgeResult()
    cutoff = retention_cutoff(now)
    while True:
        with transaction.atomic():
            qs = Referral.objects.filter(
                status__in=workflow.TERMINAL, closed_at__lt=cutoff
            ).order_by()
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True)
            ids = list(qs.values_list("id", flat=True)[:batch_size])
            if not ids:
                break
            rows = list(Referral.objects.filter(id__in=ids).values(*_STAT_FIELDS))
            result.statistics += _add_statistics(rows)
            Referral.objects.filter(id__in=ids).delete()
            result.referrals += len(ids)
    draft_cutoff = now - datetime.timedelta(days=DRAFT_RETENTION_DAYS)
    with transaction.atomic():
        result.drafts = (
            Referral.objects.filter(status=Status.DRAFT, updated_at__lt=draft_cutoff)
            .delete()[1]
            .get("referrals.Referral", 0)
        )
    result.idempotency_records = IdempotencyRecord.objects.filter(
        created_at__lt=now - IDEMPOTENCY_RETENTION
    ).delete()[0]
    result.outbox_messages = purge_sent(now=now, days=OUTBOX_RETENTION_DAYS)
    logger.info(
        "referral purge: %d closed referrals, %d drafts, %d idempotency records, "
        "%d outbox messages removed (closed before %s)",
        result.referrals,
        result.drafts,
        result.idempotency_records,
        result.outbox_messages,
        cutoff.isoformat(),
    )
    return result
