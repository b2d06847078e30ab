"""Closing the loop for the coalition: what came of the referrals, per pathway and
municipality (where the client lives).

Counts only: referrals sent, accepted, completed, rejected (with reasons) and the median number
of working days from sending to first contact. It combines the live referrals with the
anonymous ``ReferralStatistic`` rows that the retention purge keeps, so the figures survive
the deletion of the referrals themselves. Every count below 10 is suppressed (shown as "< 10"),
a median over fewer than 10 referrals is not shown, and a pathway's count is withheld when,
together with the municipality's total, it would give a suppressed count away: the rules of
``kansrijk.monitoring.suppression`` (docs/monitoring.md), so no family can be recognised.

For purged referrals only the final status is known: "accepted" counts the live referrals
that were ever accepted and the purged ones that ended completed or failed (both only
reachable after acceptance); a purged referral cancelled after acceptance counts as not
accepted.

Visible to users with the coalition coordinator or analyst role, for the municipalities of
those role assignments.
"""

from __future__ import annotations

import statistics
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kansrijk.accounts.roles import Role, primary_role
from kansrijk.audit.models import Action
from kansrijk.audit.services import record_event, record_refusal
from kansrijk.core.params import whole_number
from kansrijk.core.users import signed_in
from kansrijk.monitoring.suppression import (
    SUPPRESSED_TEXT,
    THRESHOLD,
    Reason,
    protect_parts,
)
from kansrijk.referrals.exceptions import NotAllowed
from kansrijk.referrals.models import Kind, ReasonCode, Referral, ReferralStatistic
from kansrijk.referrals.workdays import working_days_between
from kansrijk.referrals.workflow import Status

STATS_ROLES = (Role.COALITION_COORDINATOR, Role.ANALYST)
#: Final statuses of a purged referral that imply it was accepted first.
_ACCEPTED_FINAL = frozenset({Status.COMPLETED, Status.FAILED})


def shown(n: int, reason: Reason | None) -> str:
    """A count as shown: ``"< 10"`` when suppressed, "not shown" when withheld to protect
    another count, else the number."""
    if reason is None:
        return str(n)
    if reason == Reason.SECONDARY:
        return _("not shown")
    return SUPPRESSED_TEXT


def municipalities_for(user: Any) -> set[str] | None:
    """The municipality codes of the user's coordinator and analyst roles; ``None`` when the
    user has neither role."""
    if not signed_in(user):
        return None
    from kansrijk.accounts.models import RoleAssignment

    assignments = RoleAssignment.objects.filter(user_id=user.pk, role__in=STATS_ROLES)
    if not assignments.exists():
        return None
    return set(assignments.municipality_codes())


@dataclass
class Tally:
    """The raw counts of one cell: (pathway, municipality), or (pathway, municipality, year)."""

    sent: int = 0
    accepted: int = 0
    completed: int = 0
    rejected: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    contact_days: Counter[int] = field(default_factory=Counter)
    #: Requests for a prenatal home visit (JGZ) among ``sent``.
    prenatal_home_visits: int = 0
    #: Referrals to a service with a response time whose contact happened or whose time ran out,
    #: and of those the ones contacted in time.
    due: int = 0
    in_time: int = 0

    def median_days(self) -> float | None:
        """The median of the working days to first contact (``None`` under the threshold)."""
        total = sum(self.contact_days.values())
        if total < THRESHOLD:
            return None
        values = sorted(self.contact_days.elements())
        return float(statistics.median(values))

    def add(self, other: Tally) -> None:
        self.sent += other.sent
        self.accepted += other.accepted
        self.completed += other.completed
        self.rejected += other.rejected
        self.reasons.update(other.reasons)
        self.contact_days.update(other.contact_days)
        self.prenatal_home_visits += other.prenatal_home_visits
        self.due += other.due
        self.in_time += other.in_time


@dataclass(frozen=True)
class ResultRow:
    pathway_ref: str
    pathway_name: str
    municipality_code: str
    municipality_name: str
    sent: str
    accepted: str
    completed: str
    rejected: str
    reasons: list[tuple[str, str]]
    median_days: str
    contacted: str


def tally(municipality_codes: set[str]) -> dict[tuple[str, str], Tally]:
    """Raw counts per (pathway_ref, municipality code), live and purged together."""
    cells: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for (pathway, code, _year), cell in tally_by_year(municipality_codes).items():
        cells[(pathway, code)].add(cell)
    return dict(cells)


def _response_times(service_refs: set[str]) -> dict[str, int]:
    """The response time (working days) of the services of purged referrals, as they are now."""
    from kansrijk.directory.models import Service

    ids = []
    for ref in service_refs:
        try:
            ids.append(uuid.UUID(ref))
        except ValueError:
            continue
    return {
        str(pk): days
        for pk, days in Service.objects.filter(pk__in=ids, response_time_days__isnull=False)
        .values_list("pk", "response_time_days")
        .iterator()
        if days is not None
    }


def tally_by_year(municipality_codes: set[str]) -> dict[tuple[str, str, int], Tally]:
    """Raw counts per (pathway_ref, municipality code, year sent), live and purged together.

    "Contacted in time": a live referral counts when its service had a response time (its due
    date was set when it was sent) and it was contacted, or the due date has passed; in time when
    the first contact was on or before the due date. For a purged referral only the working days
    to first contact survive: it counts when it was contacted, in time when those days are within
    its service's response time as it is now.
    """
    cells: dict[tuple[str, str, int], Tally] = defaultdict(Tally)
    if not municipality_codes:
        return {}
    today = timezone.localdate()
    live = (
        Referral.objects.filter(
            client_municipality_id__in=municipality_codes, sent_at__isnull=False
        )
        .order_by()
        .values_list(
            "pathway_ref",
            "client_municipality_id",
            "status",
            "accepted_at",
            "status_reason_code",
            "sent_at",
            "first_contact_at",
            "kind",
            "response_due_on",
        )
    )
    for (
        pathway,
        code,
        status,
        accepted_at,
        reason,
        sent_at,
        first_contact,
        kind,
        due_on,
    ) in live.iterator(chunk_size=5000):
        sent_on = timezone.localdate(sent_at)
        cell = cells[(pathway, code, sent_on.year)]
        cell.sent += 1
        cell.accepted += accepted_at is not None
        cell.completed += status == Status.COMPLETED
        cell.prenatal_home_visits += kind == Kind.PRENATAL_HOME_VISIT
        if status == Status.REJECTED:
            cell.rejected += 1
            cell.reasons[reason or ReasonCode.OTHER] += 1
        if first_contact is not None:
            contact_on = timezone.localdate(first_contact)
            cell.contact_days[working_days_between(sent_on, contact_on)] += 1
            if due_on is not None:
                cell.due += 1
                cell.in_time += contact_on <= due_on
        elif due_on is not None and due_on < today:
            cell.due += 1
    purged = list(
        ReferralStatistic.objects.filter(municipality_code__in=municipality_codes)
        .order_by()
        .values_list(
            "pathway_ref",
            "municipality_code",
            "month",
            "final_status",
            "reason_code",
            "count",
            "contact_days",
            "kind",
            "service_ref",
        )
    )
    response_times = _response_times({row[-1] for row in purged})
    for pathway, code, month, status, reason, count, days, kind, service in purged:
        cell = cells[(pathway, code, month.year)]
        cell.sent += count
        if status in _ACCEPTED_FINAL:
            cell.accepted += count
        if status == Status.COMPLETED:
            cell.completed += count
        if status == Status.REJECTED:
            cell.rejected += count
            cell.reasons[reason or ReasonCode.OTHER] += count
        if kind == Kind.PRENATAL_HOME_VISIT:
            cell.prenatal_home_visits += count
        limit = response_times.get(service)
        for key, n in (days or {}).items():
            try:
                day, number = int(key), int(n)
            except (TypeError, ValueError):
                continue
            cell.contact_days[day] += number
            if limit is not None:
                cell.due += number
                cell.in_time += number * (day <= limit)
    return dict(cells)


def _pathway_names(refs: set[str]) -> dict[str, str]:
    from kansrijk.pathways.models import Pathway

    ids = [number for number in map(whole_number, refs) if number is not None]
    names: dict[str, str] = {}
    for pathway in Pathway.objects.filter(pk__in=ids).select_related("current_version"):
        names[str(pathway.pk)] = str(pathway)
    return names


def pathway_labels(refs: set[str]) -> dict[str, str]:
    """How each pathway reference is shown: the pathway's name, "Not from a pathway" for none."""
    names = _pathway_names(refs)
    return {ref: _pathway_label(ref, names) for ref in refs}


def _pathway_label(ref: str, names: dict[str, str]) -> str:
    return names.get(ref) or (
        _("Not from a pathway") if not ref else _("Pathway %(ref)s") % {"ref": ref}
    )


def _municipality_names(codes: set[str]) -> dict[str, str]:
    from kansrijk.places.models import Municipality

    return dict(Municipality.objects.filter(code__in=codes).values_list("code", "name"))


_MEASURES = ("sent", "accepted", "completed", "rejected")


def _protected(cells: dict[tuple[str, str], Tally]) -> dict[tuple[str, str, str], Reason]:
    """Per (pathway, municipality, measure) why the count is not shown: below 10, or withheld
    because the municipality's total (public through the monitor's yearly figures) minus the
    other pathways would give a suppressed count away (``protect_parts``)."""
    hidden: dict[tuple[str, str, str], Reason] = {}
    by_municipality: dict[str, list[str]] = defaultdict(list)
    for pathway, code in cells:
        by_municipality[code].append(pathway)
    for code, pathways in by_municipality.items():
        for measure in _MEASURES:
            parts = {pathway: getattr(cells[(pathway, code)], measure) for pathway in pathways}
            for pathway, reason in protect_parts(sum(parts.values()), parts).items():
                hidden[(pathway, code, measure)] = reason
    return hidden


def rows_for(municipality_codes: set[str]) -> list[ResultRow]:
    cells = tally(municipality_codes)
    pathway_names = _pathway_names({p for p, _c in cells})
    municipality_names = _municipality_names({c for _p, c in cells})
    hidden = _protected(cells)
    rows: list[ResultRow] = []
    for (pathway, code), cell in cells.items():
        median = cell.median_days()

        def count(measure: str, n: int, key: tuple[str, str] = (pathway, code)) -> str:
            return shown(n, hidden.get((*key, measure)))

        rejected_hidden = (pathway, code, "rejected") in hidden
        reasons = (
            {}
            if rejected_hidden
            else protect_parts(cell.rejected, dict(cell.reasons))
            if cell.rejected
            else {}
        )
        rows.append(
            ResultRow(
                pathway_ref=pathway,
                pathway_name=_pathway_label(pathway, pathway_names),
                municipality_code=code,
                municipality_name=municipality_names.get(code, code),
                sent=count("sent", cell.sent),
                accepted=count("accepted", cell.accepted),
                completed=count("completed", cell.completed),
                rejected=count("rejected", cell.rejected),
                reasons=[
                    (
                        str(ReasonCode(r).label) if r in ReasonCode.values else r,
                        shown(n, Reason.SMALL_COUNT if rejected_hidden else reasons.get(r)),
                    )
                    for r, n in cell.reasons.most_common()
                ],
                median_days=(
                    SUPPRESSED_TEXT if median is None else f"{median:g}".replace(".", ",")
                ),
                contacted=shown(
                    sum(cell.contact_days.values()),
                    Reason.SMALL_COUNT if sum(cell.contact_days.values()) < THRESHOLD else None,
                ),
            )
        )
    rows.sort(key=lambda r: (r.municipality_name, r.pathway_ref == "", r.pathway_name))
    return rows


def results_for(user: Any, *, request: Any = None) -> list[ResultRow]:
    """The table for ``user`` (a coordinator or analyst); logged as a search of statistics.
    ``NotAllowed`` (the refusal logged) for anyone else."""
    # The access-log event, shown or refused.
    event: dict[str, Any] = {
        "request": request,
        "user": user,
        "event_type": "referral.statistics",
        "action": Action.SEARCH,
        "object_type": "referral_statistic",
        "purpose": "coalition.monitoring",
    }
    codes = municipalities_for(user)
    if codes is None:
        record_refusal(**event, role=primary_role(user))
        raise NotAllowed(_("The referral results are for coalition coordinators and analysts."))
    rows = rows_for(codes)
    record_event(
        **event,
        role=(
            Role.COALITION_COORDINATOR.value
            if user.has_role(Role.COALITION_COORDINATOR)
            else Role.ANALYST.value
        ),
    )
    return rows
