"""Reads of signalling. All of it is public, non-personal information: the rules, the guide, and
what is on offer in a municipality. Nothing is filtered per user and nothing is written.

The published rule set is kept in this process, keyed by its primary key and version: a
published version never changes (see ``models``). The rules in force, compiled with the
catalogue, and the interventions on offer are kept too, until their data's version token
changes (``kansrijk.core.freshness``).
"""

from __future__ import annotations

import datetime
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from kansrijk.core.freshness import Kept, changed_kinds
from kansrijk.core.phases import PHASE_FIELDS
from kansrijk.directory.changes import ChangeWatch
from kansrijk.directory.exceptions import InvalidSearch, UnknownCategory
from kansrijk.directory.models import Service
from kansrijk.directory.search.ranking import search_services
from kansrijk.interventions.models import Intervention
from kansrijk.interventions.selectors import available_interventions
from kansrijk.pathways.models import StepKind
from kansrijk.pathways.resolution import ResolvedPathway, resolve_pathways
from kansrijk.places.models import Municipality
from kansrijk.signalling.exceptions import NoPublishedGuide, NoPublishedRules
from kansrijk.signalling.grading import (
    PROTECTIVE,
    RISK,
    FactorRule,
    GradingRules,
    Reinforcement,
    Threshold,
)
from kansrijk.signalling.models import (
    DecisionAnswer,
    DecisionNode,
    DecisionTree,
    GradingRuleSet,
)
from kansrijk.situations.models import FactorKind, Situation

GUIDE_SLUG = "wegwijzer-preconceptie"

# --- Rules ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeightData:
    weight: int
    floor: str
    note: str


@dataclass(frozen=True)
class RuleSetData:
    """A published rule set as plain values (what the cache holds)."""

    pk: int
    version: int
    valid_from: datetime.date
    published_at: datetime.datetime | None
    description: str
    sources: tuple[dict[str, str], ...]
    default_risk_weight: int
    default_protective_weight: int
    any_risk_minimum: str
    weights: dict[str, WeightData]
    thresholds: tuple[Threshold, ...]
    reinforcements: tuple[Reinforcement, ...]

    @classmethod
    def from_model(cls, rule_set: GradingRuleSet) -> RuleSetData:
        return cls(
            pk=rule_set.pk,
            version=rule_set.version,
            valid_from=rule_set.valid_from,
            published_at=rule_set.published_at,
            description=rule_set.description,
            sources=tuple(s for s in rule_set.sources if isinstance(s, dict)),
            default_risk_weight=rule_set.default_risk_weight,
            default_protective_weight=rule_set.default_protective_weight,
            any_risk_minimum=rule_set.any_risk_minimum,
            weights={
                w.factor_code: WeightData(w.weight, w.floor, w.note)
                for w in rule_set.factor_weights.all()
            },
            thresholds=tuple(
                sorted(
                    (Threshold(t.grade, t.min_balance) for t in rule_set.thresholds.all()),
                    key=lambda t: t.min_balance,
                )
            ),
            reinforcements=tuple(
                Reinforcement(r.min_domains, r.min_balance, r.grade, r.note)
                for r in sorted(
                    rule_set.reinforcements.all(), key=lambda r: (r.min_domains, r.min_balance)
                )
            ),
        )


#: Published rule sets by (primary key, version): a published version never changes.
_rule_sets: Kept[tuple[int, int], RuleSetData] = Kept(
    "signalling.rule-sets", seconds=float("inf"), size=50
)


def _rule_set_data(pk: int, version: int) -> RuleSetData:
    def read() -> RuleSetData:
        rule_set = GradingRuleSet.objects.prefetch_related(
            "factor_weights", "thresholds", "reinforcements"
        ).get(pk=pk)
        return RuleSetData.from_model(rule_set)

    return _rule_sets.get_or_make((pk, version), read)


def current_rule_set(today: datetime.date | None = None) -> RuleSetData:
    """The published rule set in force today. Raises ``NoPublishedRules``."""
    row = GradingRuleSet.objects.current(today).values_list("pk", "version").first()
    if row is None:
        raise NoPublishedRules()
    return _rule_set_data(*row)


def published_rule_set(version: int) -> RuleSetData:
    """A published rule set by version number (also an earlier or a future one)."""
    row = (
        GradingRuleSet.objects.published()
        .filter(version=version)
        .values_list("pk", "version")
        .first()
    )
    if row is None:
        raise NoPublishedRules()
    return _rule_set_data(*row)


def published_versions() -> list[dict[str, Any]]:
    return list(
        GradingRuleSet.objects.published()
        .order_by("-version")
        .values("version", "valid_from", "published_at")
    )


def catalogue() -> list[Situation]:
    """The active risk and protective factors with their life domain, in display order."""
    return list(
        Situation.objects.active()
        .select_related("domain")
        .order_by("domain__position", "domain__name", "position", "name")
    )


def compile_rules(data: RuleSetData, situations: Iterable[Situation]) -> GradingRules:
    """The rule set joined with the catalogue: what ``grading.grade`` needs. No queries."""
    factors = []
    for situation in situations:
        kind = RISK if situation.kind == FactorKind.RISK else PROTECTIVE
        default = data.default_risk_weight if kind == RISK else data.default_protective_weight
        own = data.weights.get(situation.code)
        factors.append(
            FactorRule(
                code=situation.code,
                kind=kind,
                name=situation.name,
                domain=situation.domain.code,
                domain_name=situation.domain.name,
                domain_position=situation.domain.position,
                position=situation.position,
                weight=own.weight if own else default,
                floor=own.floor if own else "",
                note=own.note if own else "",
                need_category=situation.need_category,
            )
        )
    return GradingRules.build(
        version=data.version,
        factors=factors,
        thresholds=data.thresholds,
        reinforcements=data.reinforcements,
        any_risk_minimum=data.any_risk_minimum,
    )


def current_rules(today: datetime.date | None = None) -> GradingRules:
    """The rules in force today, ready for ``grade()``: two queries when the version is cached."""
    return compile_rules(current_rule_set(today), catalogue())


# --- The rules and what is on offer, kept in this process ------------------------------------------

#: Seconds the compiled rules are kept at most; a new rule set or a change to the catalogue
#: shows within ``freshness.TOKEN_SECONDS`` (the rules and situations tokens), a rule set that
#: comes into force at midnight with the new day.
SNAPSHOT_SECONDS = 600.0
#: Seconds the country's interventions on offer are kept at most; a change to the interventions,
#: or to a service that delivers one, shows within ``freshness.TOKEN_SECONDS`` (one that sets no
#: ``last_modified``, SQL by hand, within these seconds).
OFFER_SECONDS = 600.0


@dataclass(frozen=True)
class RulesSnapshot:
    """The rule set in force with the catalogue compiled in."""

    data: RuleSetData
    rules: GradingRules
    #: What ``explain`` gave per (ticked factors, language) with these rules (see the API).
    explained: dict[Any, Any] = field(default_factory=dict, compare=False)


_snapshots: Kept[datetime.date, RulesSnapshot] = Kept(
    "signalling.rules", seconds=SNAPSHOT_SECONDS, size=2, kinds=("rules", "situations")
)


def rules_snapshot() -> RulesSnapshot:
    """``current_rule_set()`` compiled with ``catalogue()``, kept for the day until the rules
    or the catalogue change (three queries then, none in between). Raises
    ``NoPublishedRules``."""
    today = timezone.localdate()
    snapshot = _snapshots.get(today)
    if snapshot is None:
        data = current_rule_set(today)
        snapshot = _snapshots.put(today, RulesSnapshot(data, compile_rules(data, catalogue())))
    return snapshot


#: Explanations kept per snapshot at most (then they start over).
EXPLAINED_MAX = 5000


@dataclass(frozen=True)
class InterventionOnOffer:
    """An active intervention as plain values, with where it is on offer."""

    pk: int
    slug: str
    name: str
    url: str | None
    situations: frozenset[str]
    phases: frozenset[str]
    municipalities: frozenset[str]


@dataclass
class _Offers:
    """The country's interventions on offer (``_all_interventions``), and the services changed
    since that deliver one: where those interventions are on offer is read again before the
    offers are used next (``_up_to_date``)."""

    items: tuple[InterventionOnOffer, ...]
    changed: set[uuid.UUID] = field(default_factory=set)


def _offers_changed(kept: Kept[str, _Offers], old: str, new: str) -> None:
    """Keep the offers when only the social map changed, and note the services changed since,
    to read again where the interventions they deliver are on offer (a service's areas or
    status, ``_up_to_date``); forget them when the interventions or the catalogue changed, or
    an import changed many services. An edit of a service every second made every worker read
    the whole country's offers again (three queries, ~50 ms of PostgreSQL's time) whenever the
    edited service delivered an intervention, and the next assessment waited for it."""
    if changed_kinds(old, new) != {"directory"} or not len(kept):
        kept.forget()
        _offers_watch.skip()
        return
    changed = _offers_watch.changed()
    if changed is None:
        kept.forget()
        return
    with _offers_lock:
        for offers in kept.as_dict().values():
            offers.changed |= changed


#: The changes of the social map the offers have been told of.
_offers_watch = ChangeWatch()
_offers_lock = threading.Lock()
_offers: Kept[str, _Offers] = Kept(
    "signalling.offers",
    seconds=OFFER_SECONDS,
    size=1,
    kinds=("directory", "interventions", "situations"),
    on_change=_offers_changed,
)


def _where(**links: Any) -> dict[int, set[str]]:
    """Per intervention (of the links to services that ``links`` filter), the municipalities
    where it is on offer: where a service that delivers it and is not defunct has a service
    area (the definition of ``interventions.selectors.available_interventions``). One query."""
    through = Intervention.services.through
    where: dict[int, set[str]] = {}
    for intervention_id, code in (
        through.objects.filter(service__in=Service.objects.visible(), **links)
        .values_list("intervention_id", "service__service_areas__municipality_id")
        .distinct()
    ):
        if code is not None:
            where.setdefault(intervention_id, set()).add(code)
    return where


def _all_interventions() -> tuple[InterventionOnOffer, ...]:
    """Every active intervention by name, with the municipalities where it is on offer
    (``_where``). Three queries for the whole country."""
    where = _where()
    phase_fields = list(PHASE_FIELDS.items())
    queryset = (
        Intervention.objects.active()
        .prefetch_related(Prefetch("situations", queryset=Situation.objects.only("id", "code")))
        .only("id", "slug", "name", "url", *PHASE_FIELDS.values())
        .order_by("name", "slug")
    )
    return tuple(
        InterventionOnOffer(
            pk=item.pk,
            slug=item.slug,
            name=item.name,
            url=intervention_url(item.slug) or item.url or None,
            situations=frozenset(addressed_situations(item)),
            phases=frozenset(phase for phase, name in phase_fields if getattr(item, name)),
            municipalities=frozenset(where.get(item.pk, ())),
        )
        for item in queryset
    )


def _up_to_date(offers: _Offers) -> tuple[InterventionOnOffer, ...]:
    """The offers, where the interventions that the services changed since deliver are on
    offer read again: one query when none of them delivers one (most edits: a description, a
    service outside the menu), two otherwise. Their links to interventions did not change (that
    bumps the interventions' token, which forgets the offers), so the interventions to read
    again are the ones they deliver now, and a fresh ``_all_interventions`` would give the same
    (``tests/signalling/test_api.py``)."""
    with _offers_lock:
        if offers.changed:
            through = Intervention.services.through
            affected = set(
                through.objects.filter(service_id__in=offers.changed).values_list(
                    "intervention_id", flat=True
                )
            )
            if affected:
                where = _where(intervention_id__in=affected)
                offers.items = tuple(
                    replace(item, municipalities=frozenset(where.get(item.pk, ())))
                    if item.pk in affected
                    else item
                    for item in offers.items
                )
            offers.changed = set()  # after the reads: a failed one leaves them to do again
        return offers.items


def interventions_on_offer(municipality: Municipality | str) -> list[InterventionOnOffer]:
    """The active interventions on offer in the municipality (any situation, any phase), by
    name. The country's interventions are kept in this process until the interventions or the
    catalogue change, or ``OFFER_SECONDS`` pass; a change of a service that delivers one reads
    again where the interventions it delivers are on offer."""
    code = municipality.code if isinstance(municipality, Municipality) else municipality
    offers = _offers.get("all")
    if offers is None:
        _offers_watch.skip()  # the changes from now on are the ones the offers do not hold
        offers = _offers.put("all", _Offers(_all_interventions()))
    return [item for item in _up_to_date(offers) if code in item.municipalities]


def offered_for(
    interventions: Iterable[InterventionOnOffer], codes: Iterable[str], phase: str
) -> list[tuple[InterventionOnOffer, list[str]]]:
    """The interventions for this phase that address at least one of ``codes``, with the codes
    they address (sorted): the most addressed first, then by name (``available_interventions``'
    order). No queries."""
    wanted = set(codes)
    found = []
    for item in interventions:
        if phase not in item.phases:
            continue
        addressed = item.situations & wanted
        if addressed:
            found.append((item, sorted(addressed)))
    found.sort(key=lambda pair: -len(pair[1]))
    return found


@dataclass
class DomainGroup:
    code: str
    name: str
    factors: list[FactorRule] = field(default_factory=list)


def by_domain(factors: Iterable[FactorRule]) -> list[DomainGroup]:
    groups: dict[str, DomainGroup] = {}
    for factor in factors:
        group = groups.setdefault(factor.domain, DomainGroup(factor.domain, factor.domain_name))
        group.factors.append(factor)
    return list(groups.values())


# --- Guide ---------------------------------------------------------------------------------------


@dataclass
class GuideStep:
    """Where a walk through the tree ended: the node, the answers that led there, and any answer
    codes that did not fit (the walk stops at the last node that made sense)."""

    tree: DecisionTree
    node: DecisionNode
    trail: list[tuple[DecisionNode, DecisionAnswer]]
    invalid: list[str]


def current_guide(today: datetime.date | None = None, slug: str = GUIDE_SLUG) -> DecisionTree:
    tree = DecisionTree.objects.current(today).filter(slug=slug).first()
    if tree is None:
        raise NoPublishedGuide()
    return tree


def walk_guide(tree: DecisionTree, answers: list[str]) -> GuideStep:
    """Follow answer codes from the first question. Two queries whatever the path."""
    nodes = {n.pk: n for n in tree.nodes.all()}
    by_node: dict[int, dict[str, DecisionAnswer]] = {}
    for answer in DecisionAnswer.objects.filter(node__tree=tree).order_by("position", "code"):
        by_node.setdefault(answer.node_id, {})[answer.code] = answer
    for node in nodes.values():
        node.answer_list = list(by_node.get(node.pk, {}).values())
    root = next(n for n in nodes.values() if n.is_root)
    node = root
    trail: list[tuple[DecisionNode, DecisionAnswer]] = []
    invalid: list[str] = []
    for code in answers:
        answer = by_node.get(node.pk, {}).get(code)
        if answer is None:
            invalid.append(code)
            break
        trail.append((node, answer))
        node = nodes[answer.target_id]
    return GuideStep(tree=tree, node=node, trail=trail, invalid=invalid)


# --- What is on offer locally --------------------------------------------------------------------


@dataclass(frozen=True)
class OfferedIntervention:
    """An intervention on offer in the municipality, the ticked risks it addresses, and its
    page on the menu card (``None`` when that module's pages are not mounted)."""

    intervention: Intervention
    situations: frozenset[str]
    url: str | None

    @property
    def slug(self) -> str:
        return self.intervention.slug

    @property
    def name(self) -> str:
        return self.intervention.name

    @property
    def local_services(self) -> list[Any]:
        return list(self.intervention.services.all())


#: Pathway steps whose service is where the professional refers to.
_REFER_KINDS = frozenset({StepKind.REFER, StepKind.HANDOVER})


@dataclass
class SituationOffer:
    """For one ticked risk: the pathway that applies here (or none) and the interventions on
    offer that address it."""

    code: str
    name: str
    domain_name: str
    need_category: str
    pathway: ResolvedPathway | None
    interventions: list[OfferedIntervention] = field(default_factory=list)

    @property
    def fallback(self) -> str | None:
        return self.pathway.fallback if self.pathway else None

    @property
    def referable_services(self) -> list[Any]:
        """The services one can refer to through Kansrijk for this risk: those of the
        pathway's refer and warm-handover steps, then those offering its interventions; each
        once (prefetched: no query)."""
        found: dict[Any, Any] = {}
        steps = self.pathway.version.ordered_steps if self.pathway else []
        for step in steps:
            if step.kind in _REFER_KINDS and step.service is not None:
                found.setdefault(step.service.pk, step.service)
        for offered in self.interventions:
            for service in offered.local_services:
                found.setdefault(service.pk, service)
        return [s for s in found.values() if s.organization.account_organisation_id is not None]


@dataclass
class LocalOffer:
    municipality: Municipality
    phase: str
    situations: list[SituationOffer]
    interventions: list[OfferedIntervention]


def local_offer(
    *, municipality: Municipality, risks: Iterable[FactorRule], phase: str
) -> LocalOffer:
    """Pathways and interventions for the ticked risks, in a constant number of queries."""
    risks = list(risks)
    codes = [f.code for f in risks]
    pathways = resolve_pathways(municipality=municipality, situations=codes, phase=phase)
    interventions = (
        [
            OfferedIntervention(
                intervention=intervention,
                situations=frozenset(addressed_situations(intervention) & set(codes)),
                url=intervention_url(intervention.slug),
            )
            for intervention in available_interventions(
                municipality=municipality, situation_codes=codes, phase=phase
            )
        ]
        if codes
        else []
    )
    situations = [
        SituationOffer(
            code=factor.code,
            name=factor.name,
            domain_name=factor.domain_name,
            need_category=factor.need_category,
            pathway=pathways.get(factor.code),
            interventions=[i for i in interventions if factor.code in i.situations],
        )
        for factor in risks
    ]
    return LocalOffer(
        municipality=municipality, phase=phase, situations=situations, interventions=interventions
    )


def addressed_situations(item: Intervention) -> set[str]:
    """The situation codes an available intervention addresses (prefetched: no query)."""
    return {situation.code for situation in item.situations.all()}


def intervention_url(slug: str) -> str | None:
    """The intervention's page on the menu card, if that module's pages are mounted."""
    try:
        return reverse("interventions:detail", args=[slug])
    except NoReverseMatch:
        return None


# --- Local services for a guide outcome ----------------------------------------------------------

GUIDE_SERVICE_LIMIT = 5


def guide_services(
    *, node: DecisionNode, municipality: Municipality, postcode: str = ""
) -> list[Any]:
    """Services in the social map for an outcome. Each search of the node is tried in order and
    the first that finds anything is used; a search combines a need ``category``, a full-text
    ``text`` and a ``name`` the service's name must contain (e.g. "Nu Niet Zwanger")."""
    for search in node.service_searches:
        if not isinstance(search, dict):
            continue
        try:
            queryset = search_services(
                text=search.get("text") or None,
                category=search.get("category") or None,
                municipality=municipality,
                postcode=postcode or None,
            )
            if search.get("name"):
                queryset = queryset.filter(name__icontains=str(search["name"]))
            found = list(queryset[:GUIDE_SERVICE_LIMIT])
        except (UnknownCategory, InvalidSearch):
            continue
        if found:
            return found
    return []
