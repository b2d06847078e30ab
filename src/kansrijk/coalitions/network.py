"""The referral network of a coalition: who refers to whom, for families of the coalition's
municipalities, in a period — counts only, through the shared suppression rules
(``kansrijk.monitoring.suppression``: every count under 10, 0 included, shows as "< 10"; a
total never gives a suppressed part away; a share needs 10 in its numerator and complement).

Nodes are organisations: the coalition's members, and the organisations outside it that send
or receive its families' referrals (marked as such). Edges are (sending, receiving)
organisation pairs. Per receiving service: how many referrals, the share declined and the share
answered late (first contact after the service's response date, or none and that date passed).

Live referrals only: referrals deleted after the retention period survive as anonymous counts
(``ReferralStatistic``) that do not keep the sending organisation, so they cannot be drawn as
pairs; the page says so.
"""

from __future__ import annotations

import datetime
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kansrijk.accounts.models import Organisation
from kansrijk.audit.models import Action
from kansrijk.audit.services import record_event
from kansrijk.coalitions.access import Access
from kansrijk.coalitions.models import MemberDomain
from kansrijk.directory.models import Service
from kansrijk.monitoring.suppression import (
    SUPPRESSED_TEXT,
    THRESHOLD,
    protect_parts,
    publish,
    suppress_count,
)
from kansrijk.referrals.models import Referral
from kansrijk.referrals.workflow import Status

if TYPE_CHECKING:
    from django.http import HttpRequest

OUTSIDE = "outside"
#: How a count is shown that is withheld to protect another (rule 5 of the suppression module).
WITHHELD_TEXT = _("not shown")


@dataclass(frozen=True)
class Node:
    organisation_id: int
    name: str
    domain: str  # a MemberDomain, or "outside" for an organisation outside the coalition
    is_member: bool
    x: float
    y: float
    sent: str
    received: str
    #: A member that received fewer than 10 referrals (or none) in the period.
    receives_few: bool


@dataclass(frozen=True)
class Edge:
    source: Node
    target: Node
    count: int | None  # None: suppressed or withheld
    shown: str


@dataclass(frozen=True)
class ServiceRow:
    name: str
    organisation: str
    received: str
    declined: str  # a percentage as shown, or "< 10" / "—"
    late: str
    declined_often: bool
    late_often: bool


@dataclass(frozen=True)
class Network:
    start: datetime.date
    end: datetime.date
    total: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    services: tuple[ServiceRow, ...]

    @property
    def quiet_members(self) -> list[Node]:
        return [n for n in self.nodes if n.is_member and n.receives_few]


#: A service "often" declines or answers late from this share on (shown shares only).
OFTEN = 0.2


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The last twelve whole months up to and including today."""
    today = today or timezone.localdate()
    try:
        start = today.replace(year=today.year - 1) + datetime.timedelta(days=1)
    except ValueError:
        start = today.replace(year=today.year - 1, day=28)
    return start, today


def _share(numerator: int, denominator: int) -> tuple[str, float | None]:
    if denominator == 0:
        return "—", None
    shown = publish(
        unit="percentage",
        numerator=numerator,
        denominator=denominator,
        value=100 * numerator / denominator,
    )
    if shown.suppressed or shown.value is None:
        return SUPPRESSED_TEXT, None
    return f"{shown.value:.0f} %", shown.value / 100


def shown(n: int, hidden: bool) -> str:
    """A count as it may be shown: "< 10" under the threshold (0 included), "not shown" when
    it is large enough but withheld so that it does not give a small count away."""
    if n < THRESHOLD:
        return SUPPRESSED_TEXT
    return str(WITHHELD_TEXT) if hidden else str(n)


def _layout(count: int, index: int) -> tuple[float, float]:
    if count == 1:
        return 0.0, 0.0
    angle = 2 * math.pi * index / count - math.pi / 2
    return round(math.cos(angle), 4), round(math.sin(angle), 4)


def build(
    access: Access,
    start: datetime.date,
    end: datetime.date,
    *,
    request: HttpRequest | None = None,
) -> Network:
    """The network of ``access.coalition`` for referrals sent from ``start`` to ``end``
    (inclusive). Logged as a search of referral statistics."""
    coalition = access.coalition
    codes = list(coalition.municipalities.values_list("code", flat=True))
    members = {
        m.organisation_id: m
        for m in coalition.members.select_related("organisation").order_by(
            "domain", "organisation__name"
        )
    }
    first = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    after = timezone.make_aware(
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min)
    )
    pairs: Counter[tuple[int, int]] = Counter()
    per_service: dict[Any, Counter[str]] = defaultdict(Counter)
    today = timezone.localdate()
    rows = (
        Referral.objects.filter(
            client_municipality_id__in=codes, sent_at__gte=first, sent_at__lt=after
        )
        .order_by()
        .values_list(
            "sender_organisation_id",
            "receiver_organisation_id",
            "service_id",
            "status",
            "response_due_on",
            "first_contact_at",
        )
    )
    for sender, receiver, service_id, status, due, contact in rows.iterator(chunk_size=5000):
        pairs[(sender, receiver)] += 1
        tally = per_service[service_id]
        tally["received"] += 1
        tally["declined"] += status == Status.REJECTED
        if due is not None and status != Status.REJECTED:
            tally["timed"] += 1
            contacted = timezone.localdate(contact) if contact is not None else None
            tally["late"] += (contacted is not None and contacted > due) or (
                contacted is None and due < today
            )
    involved = set(members) | {o for pair in pairs for o in pair}
    outsiders = {
        o.pk: o
        for o in Organisation.objects.filter(pk__in=involved - set(members)).order_by("name")
    }
    sent: Counter[int] = Counter()
    received: Counter[int] = Counter()
    for (sender, receiver), n in pairs.items():
        sent[sender] += n
        received[receiver] += n
    total = sum(pairs.values())

    # Which pair counts may be shown beside the totals (rule 5: no total gives a part away).
    hidden: set[tuple[int, int]] = {pair for pair, n in pairs.items() if n < THRESHOLD}
    for organisation in involved:
        incoming = {pair: n for pair, n in pairs.items() if pair[1] == organisation}
        outgoing = {pair: n for pair, n in pairs.items() if pair[0] == organisation}
        if received[organisation] >= THRESHOLD:
            hidden |= set(protect_parts(received[organisation], incoming))
        if sent[organisation] >= THRESHOLD:
            hidden |= set(protect_parts(sent[organisation], outgoing))
    # The organisations' totals are parts of the grand total: the same rule.
    hidden_received: set[int] = set()
    hidden_sent: set[int] = set()
    if total >= THRESHOLD:
        hidden_received = set(protect_parts(total, {o: received[o] for o in involved}))
        hidden_sent = set(protect_parts(total, {o: sent[o] for o in involved}))

    ordered = [(o, members[o].organisation.name, members[o].domain, True) for o in members] + [
        (o.pk, o.name, OUTSIDE, False) for o in outsiders.values()
    ]
    nodes: dict[int, Node] = {}
    for index, (pk, name, domain, is_member) in enumerate(ordered):
        x, y = _layout(len(ordered), index)
        nodes[pk] = Node(
            organisation_id=pk,
            name=name,
            domain=domain,
            is_member=is_member,
            x=x,
            y=y,
            sent=shown(sent[pk], pk in hidden_sent),
            received=shown(received[pk], pk in hidden_received),
            receives_few=received[pk] < THRESHOLD,
        )
    edges = tuple(
        Edge(
            source=nodes[sender],
            target=nodes[receiver],
            count=None if (sender, receiver) in hidden else n,
            shown=shown(n, (sender, receiver) in hidden),
        )
        for (sender, receiver), n in sorted(
            pairs.items(), key=lambda item: (nodes[item[0][0]].name, nodes[item[0][1]].name)
        )
    )
    services = Service.objects.filter(pk__in=list(per_service)).select_related("organization")
    service_rows = []
    for service in services:
        tally = per_service[service.pk]
        declined, declined_share = _share(tally["declined"], tally["received"])
        late, late_share = _share(tally["late"], tally["timed"])
        service_rows.append(
            ServiceRow(
                name=service.name,
                organisation=service.organization.name,
                received=suppress_count(tally["received"]),
                declined=declined,
                late=late,
                declined_often=declined_share is not None and declined_share >= OFTEN,
                late_often=late_share is not None and late_share >= OFTEN,
            )
        )
    service_rows.sort(key=lambda r: (r.organisation, r.name))
    record_event(
        request=request,
        event_type="coalitions.network.view",
        action=Action.SEARCH,
        object_type="coalitions.coalition",
        object_id=str(coalition.pk),
        purpose="coalition.monitoring",
        role=access.role,
    )
    return Network(
        start=start,
        end=end,
        total=suppress_count(total),
        nodes=tuple(nodes.values()),
        edges=edges,
        services=tuple(service_rows),
    )


DOMAIN_ORDER = [*MemberDomain.values, OUTSIDE]
