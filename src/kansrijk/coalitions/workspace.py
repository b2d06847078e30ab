"""Reads of the coalition's workspace, for pages and the API: the overview, members with their
contact persons, agreements, improvement actions with their history, client journeys with their
gaps, and the actions shown on a pathway's editor page.

The views check the user's ``Access`` first; the reads that name people (contact persons, the
people responsible for actions) write the access log here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from kansrijk.accounts.roles import Role, administrative_role, primary_role
from kansrijk.audit.models import Action
from kansrijk.audit.services import record_event
from kansrijk.coalitions.access import Access
from kansrijk.coalitions.models import (
    ACTIVE_STATUSES,
    ActionStatus,
    Agreement,
    Coalition,
    ContactPerson,
    ImprovementAction,
    Journey,
    Member,
    Touchpoint,
)
from kansrijk.coalitions.services import PURPOSE, linkable_pathways
from kansrijk.core.phases import PHASE_FIELDS, Phase
from kansrijk.pathways.models import Pathway
from kansrijk.situations.models import FactorKind, Situation

if TYPE_CHECKING:
    from django.http import HttpRequest


def record_access(
    request: HttpRequest | None,
    access: Access,
    event_type: str,
    object_type: str,
    object_id: Any,
    action: Action = Action.READ,
) -> None:
    """Record that ``access``'s user read (or exported: ``action``) something of the workspace
    that names people or holds a document, in the role that gave them access."""
    record_event(
        request=request,
        event_type=event_type,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        purpose=PURPOSE,
        role=access.role,
    )


# --- Members and agreements ---------------------------------------------------------------------


def members_with_contacts(access: Access, *, request: HttpRequest | None = None) -> list[Member]:
    """The members and their contact persons (names people: logged)."""
    members = list(
        access.coalition.members.select_related("organisation")
        .prefetch_related(Prefetch("contacts", queryset=ContactPerson.objects.order_by("name")))
        .order_by("domain", "organisation__name")
    )
    record_access(
        request, access, "coalitions.member.list", "coalitions.coalition", access.coalition.pk
    )
    return members


def agreements(coalition: Coalition) -> QuerySet[Agreement]:
    return (
        coalition.agreements.defer("document")
        .prefetch_related(
            Prefetch("parties", queryset=Member.objects.select_related("organisation"))
        )
        .order_by("review_on", "title")
    )


# --- Actions -----------------------------------------------------------------------------------


def actions(coalition: Coalition, *, status: str = "") -> QuerySet[ImprovementAction]:
    """The coalition's actions, active ones first, then by date."""
    rows = (
        coalition.actions.select_related("organisation", "round")
        .prefetch_related("statements", "pathways__current_version", "services")
        .order_by("due_on", "pk")
    )
    if status == "active":
        rows = rows.filter(status__in=ACTIVE_STATUSES)
    elif status in ActionStatus.values:
        rows = rows.filter(status=status)
    return rows


def action_list(
    access: Access, *, status: str = "", request: HttpRequest | None = None
) -> list[ImprovementAction]:
    rows = list(actions(access.coalition, status=status))
    record_access(
        request, access, "coalitions.action.list", "coalitions.coalition", access.coalition.pk
    )
    return rows


def action_detail(
    access: Access, action_id: Any, *, request: HttpRequest | None = None
) -> ImprovementAction | None:
    try:
        pk = int(action_id)
    except (TypeError, ValueError):
        return None
    action = actions(access.coalition).prefetch_related("changes").filter(pk=pk).first()
    if action is not None:
        record_access(request, access, "coalitions.action.view", "coalitions.action", action.pk)
    return action


@dataclass(frozen=True)
class ActionCounts:
    active: int
    overdue: int
    done: int


def action_counts(coalition: Coalition) -> ActionCounts:
    today = timezone.localdate()
    counts = coalition.actions.aggregate(
        active=Count("pk", filter=Q(status__in=ACTIVE_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=ACTIVE_STATUSES, due_on__lt=today)),
        done=Count("pk", filter=Q(status=ActionStatus.DONE)),
    )
    return ActionCounts(**counts)


def _pathway_role(user: Any, pathway: Pathway) -> str:
    """The role in which ``user`` opens a pathway's editor page: an editor of its coalition,
    else the administrator (or operator) whose scope reaches it."""
    if (
        Coalition.objects.with_member(user, Role.COALITION_EDITOR)
        .filter(pk=pathway.coalition_id)
        .exists()
    ):
        return Role.COALITION_EDITOR.value
    return administrative_role(user) or primary_role(user)


def actions_for_pathway(
    pathway: Pathway, *, request: HttpRequest | None = None
) -> list[ImprovementAction]:
    """The improvement actions linked to a pathway, for its editor's page (active first).
    They name the people responsible: a read is logged when there are any."""
    rows = list(
        pathway.actions.select_related("coalition", "organisation").order_by("due_on", "pk")
    )
    if rows:
        record_event(
            request=request,
            event_type="coalitions.action.list",
            action=Action.READ,
            object_type="pathways.pathway",
            object_id=str(pathway.pk),
            purpose="pathways.maintenance",
            role=_pathway_role(getattr(request, "user", None), pathway),
        )
    return sorted(rows, key=lambda a: (a.status not in ACTIVE_STATUSES, a.due_on, a.pk))


# --- Client journeys ------------------------------------------------------------------------


@dataclass(frozen=True)
class JourneyView:
    phase: str
    label: str
    journey: Journey | None
    touchpoints: tuple[Touchpoint, ...]
    #: Situations of the catalogue for this phase that no touchpoint asks about and for which
    #: the coalition has no published local pathway.
    gaps: tuple[Situation, ...]
    #: Asked about, but no published local pathway follows.
    without_pathway: tuple[Situation, ...]
    #: A published local pathway exists, but no touchpoint asks about the situation.
    not_asked: tuple[Situation, ...]


def journeys(coalition: Coalition) -> list[JourneyView]:
    """One journey per phase (before, during, after pregnancy), with its gaps."""
    existing = {
        j.phase: j
        for j in coalition.journeys.prefetch_related(
            Prefetch(
                "touchpoints",
                queryset=Touchpoint.objects.select_related(
                    "organisation", "pathway__current_version", "pathway__situation", "service"
                )
                .prefetch_related("situations")
                .order_by("position", "pk"),
            )
        )
    }
    situations = list(Situation.objects.active().filter(kind=FactorKind.RISK).order_by("name"))
    published = linkable_pathways(coalition).filter(current_version__isnull=False)
    covered: dict[str, set[int]] = defaultdict(set)
    for situation_id, *flags in published.values_list("situation_id", *PHASE_FIELDS.values()):
        for phase, flag in zip(PHASE_FIELDS, flags, strict=True):
            if flag:
                covered[phase].add(situation_id)
    views = []
    for phase, label in Phase.choices:
        journey = existing.get(phase)
        touchpoints = tuple(journey.touchpoints.all()) if journey else ()
        asked = {s.pk for t in touchpoints for s in t.situations.all()}
        relevant = [s for s in situations if phase in s.phases]
        views.append(
            JourneyView(
                phase=phase,
                label=str(label),
                journey=journey,
                touchpoints=touchpoints,
                gaps=tuple(s for s in relevant if s.pk not in asked and s.pk not in covered[phase]),
                without_pathway=tuple(
                    s for s in relevant if s.pk in asked and s.pk not in covered[phase]
                ),
                not_asked=tuple(
                    s for s in relevant if s.pk not in asked and s.pk in covered[phase]
                ),
            )
        )
    return views


# --- Overview ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    members: int
    members_by_domain: dict[str, int]
    agreements: int
    agreements_overdue: int
    actions: ActionCounts
    journeys: list[JourneyView]


def overview(coalition: Coalition) -> Overview:
    today = timezone.localdate()
    by_domain = dict(coalition.members.values_list("domain").annotate(n=Count("pk")).order_by())
    agreement_counts = coalition.agreements.aggregate(
        total=Count("pk"), overdue=Count("pk", filter=Q(review_on__lt=today))
    )
    return Overview(
        members=sum(by_domain.values()),
        members_by_domain=by_domain,
        agreements=agreement_counts["total"],
        agreements_overdue=agreement_counts["overdue"],
        actions=action_counts(coalition),
        journeys=journeys(coalition),
    )
