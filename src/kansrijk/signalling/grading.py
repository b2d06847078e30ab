"""The vulnerability grade of the broad conversation: a pure function over ticked factors.

``grade(factors, rules)`` needs no database: ``rules`` is a ``GradingRules`` value that holds the
published rule set *and* what the catalogue says about each factor (risk or protective, which
life domain). The views and the API build it with ``selectors.current_rules()``; tests build it
by hand.

How a grade comes about (the reasoning and the sources are in ``docs/signalling-grading.md``):

1. **Balance.** Every ticked risk factor adds its weight, every ticked protective factor
   subtracts its weight. The thresholds map the balance onto the four-step Rotterdam scale.
2. **Any risk.** A ticked risk factor means at least ``any_risk_minimum`` (normally
   *potentieel kwetsbaar*): protective factors can balance risks, not make them disappear.
3. **Reinforcement.** Risks in several life domains reinforce each other: with risks in at
   least ``min_domains`` domains and a balance of at least ``min_balance``, at least ``grade``.
4. **Floors.** Some factors (acute unsafety, domestic violence, homelessness) set a minimum
   grade whatever else is ticked.

The grade is the highest grade any rule gives. Weights are never negative, so adding a risk
never lowers the grade and adding a protective factor never raises it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Grade(models.TextChoices):
    """The four grades of the Rotterdam / Erasmus MC definition, from least to most vulnerable."""

    ZELFREDZAAM = "zelfredzaam", _("self-reliant")
    POTENTIEEL_KWETSBAAR = "potentieel-kwetsbaar", _("potentially vulnerable")
    KWETSBAAR = "kwetsbaar", _("vulnerable")
    ZEER_KWETSBAAR = "zeer-kwetsbaar", _("very vulnerable")


GRADE_ORDER: tuple[str, ...] = tuple(Grade.values)


def grade_rank(grade: str) -> int:
    """0 for zelfredzaam up to 3 for zeer kwetsbaar. Raises ``ValueError`` for anything else."""
    return GRADE_ORDER.index(grade)


def higher(a: str, b: str) -> str:
    return a if grade_rank(a) >= grade_rank(b) else b


RISK = "risk"
PROTECTIVE = "protective"

#: The rule kinds, in the order an explanation names them when several give the same grade.
RULE_FLOOR = "floor"
RULE_REINFORCEMENT = "reinforcement"
RULE_BALANCE = "balance"
RULE_ANY_RISK = "any-risk"
RULE_PRIORITY = (RULE_FLOOR, RULE_REINFORCEMENT, RULE_BALANCE, RULE_ANY_RISK)


class GradingError(ValueError):
    """Base class of the grading errors."""


class UnknownFactors(GradingError):
    """Factor codes that are not (active) in the catalogue."""

    def __init__(self, codes: Iterable[str]) -> None:
        self.codes = tuple(sorted(codes))
        super().__init__(", ".join(self.codes))


class InvalidRules(GradingError):
    """A rule set that cannot grade consistently (e.g. thresholds out of order)."""


# --- Rules ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FactorRule:
    """One factor as the rules see it: from the catalogue (kind, domain, name) and from the rule
    set (weight, floor, note)."""

    code: str
    kind: str
    name: str
    domain: str
    domain_name: str
    weight: int
    floor: str = ""
    note: str = ""
    domain_position: int = 0
    position: int = 0
    need_category: str = ""

    @property
    def floor_label(self) -> str:
        return str(Grade(self.floor).label) if self.floor else ""


@dataclass(frozen=True)
class Threshold:
    grade: str
    min_balance: int


@dataclass(frozen=True)
class Reinforcement:
    min_domains: int
    min_balance: int
    grade: str
    note: str = ""

    @property
    def grade_label(self) -> str:
        return str(Grade(self.grade).label)


@dataclass(frozen=True)
class GradingRules:
    """A rule set ready to grade with. Build it with ``GradingRules.build`` (validates)."""

    version: int
    factors: Mapping[str, FactorRule]
    thresholds: tuple[Threshold, ...]
    reinforcements: tuple[Reinforcement, ...] = ()
    any_risk_minimum: str = Grade.POTENTIEEL_KWETSBAAR

    @classmethod
    def build(
        cls,
        *,
        version: int,
        factors: Iterable[FactorRule],
        thresholds: Iterable[Threshold],
        reinforcements: Iterable[Reinforcement] = (),
        any_risk_minimum: str = Grade.POTENTIEEL_KWETSBAAR,
    ) -> GradingRules:
        factor_map = {f.code: f for f in factors}
        ordered = tuple(sorted(thresholds, key=lambda t: grade_rank(t.grade)))
        for f in factor_map.values():
            if f.kind not in (RISK, PROTECTIVE):
                raise InvalidRules(f"{f.code}: kind must be risk or protective")
            if f.weight < 0:
                raise InvalidRules(f"{f.code}: weights are never negative")
            if f.floor and f.floor not in GRADE_ORDER:
                raise InvalidRules(f"{f.code}: unknown floor grade {f.floor}")
        grades = [t.grade for t in ordered]
        if len(set(grades)) != len(grades) or Grade.ZELFREDZAAM in grades:
            raise InvalidRules("one threshold per grade above zelfredzaam")
        for lower, upper in itertools.pairwise(ordered):
            if upper.min_balance <= lower.min_balance:
                raise InvalidRules("thresholds must rise with the grade")
        for r in reinforcements:
            if r.grade not in GRADE_ORDER or r.min_domains < 1:
                raise InvalidRules("a reinforcement needs a grade and at least one domain")
        if any_risk_minimum not in GRADE_ORDER:
            raise InvalidRules(f"unknown grade {any_risk_minimum}")
        return cls(
            version=version,
            factors=factor_map,
            thresholds=ordered,
            reinforcements=tuple(reinforcements),
            any_risk_minimum=any_risk_minimum,
        )

    @property
    def any_risk_minimum_label(self) -> str:
        return str(Grade(self.any_risk_minimum).label)

    def risks(self) -> list[FactorRule]:
        return _ordered(f for f in self.factors.values() if f.kind == RISK)

    def protective(self) -> list[FactorRule]:
        return _ordered(f for f in self.factors.values() if f.kind == PROTECTIVE)

    def floors(self) -> list[FactorRule]:
        return _ordered(f for f in self.factors.values() if f.floor)

    def balance_grade(self, balance: int) -> str:
        reached = Grade.ZELFREDZAAM.value
        for threshold in self.thresholds:
            if balance >= threshold.min_balance:
                reached = threshold.grade
        return reached


def _ordered(factors: Iterable[FactorRule]) -> list[FactorRule]:
    return sorted(factors, key=lambda f: (f.domain_position, f.domain, f.position, f.name))


# --- Assessment ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DomainRisks:
    code: str
    name: str
    factors: tuple[str, ...]


@dataclass(frozen=True)
class RuleOutcome:
    """A rule that applied, the grade it gives, and the facts it used."""

    rule: str
    grade: str
    factors: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    balance: int | None = None
    min_domains: int | None = None
    min_balance: int | None = None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"rule": self.rule, "grade": self.grade}
        for key in ("factors", "domains"):
            value = getattr(self, key)
            if value:
                data[key] = list(value)
        for key in ("balance", "min_domains", "min_balance"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        if self.note:
            data["note"] = self.note
        return data


@dataclass(frozen=True)
class Assessment:
    """The grade and everything needed to explain it."""

    grade: str
    rules_version: int
    risks: tuple[FactorRule, ...]
    protective: tuple[FactorRule, ...]
    risk_score: int
    protective_score: int
    balance: int
    risk_domains: tuple[DomainRisks, ...]
    outcomes: tuple[RuleOutcome, ...]
    decided_by: tuple[RuleOutcome, ...] = field(default=())

    @property
    def rank(self) -> int:
        return grade_rank(self.grade)

    @property
    def deciding_rule(self) -> RuleOutcome:
        return self.decided_by[0]

    @property
    def grade_label(self) -> str:
        return str(Grade(self.grade).label)

    @property
    def risk_codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.risks)


def grade(factors: Iterable[str], rules: GradingRules) -> Assessment:
    """Grade a set of ticked factor codes (risk and protective mixed) with ``rules``.

    Raises ``UnknownFactors`` for codes the rules do not know.
    """
    codes = set(factors)
    unknown = codes - set(rules.factors)
    if unknown:
        raise UnknownFactors(unknown)
    ticked = _ordered(rules.factors[c] for c in codes)
    risks = tuple(f for f in ticked if f.kind == RISK)
    protective = tuple(f for f in ticked if f.kind == PROTECTIVE)
    risk_score = sum(f.weight for f in risks)
    protective_score = sum(f.weight for f in protective)
    balance = risk_score - protective_score

    domains: dict[str, list[FactorRule]] = {}
    for f in risks:
        if f.weight > 0:
            domains.setdefault(f.domain, []).append(f)
    risk_domains = tuple(
        DomainRisks(code, group[0].domain_name, tuple(f.code for f in group))
        for code, group in domains.items()
    )

    outcomes: list[RuleOutcome] = []
    for f in ticked:
        if f.floor:
            outcomes.append(RuleOutcome(RULE_FLOOR, f.floor, factors=(f.code,), note=f.note))
    for r in rules.reinforcements:
        if len(risk_domains) >= r.min_domains and balance >= r.min_balance:
            outcomes.append(
                RuleOutcome(
                    RULE_REINFORCEMENT,
                    r.grade,
                    domains=tuple(d.code for d in risk_domains),
                    balance=balance,
                    min_domains=r.min_domains,
                    min_balance=r.min_balance,
                    note=r.note,
                )
            )
    outcomes.append(
        RuleOutcome(
            RULE_BALANCE,
            rules.balance_grade(balance),
            factors=tuple(f.code for f in risks + protective),
            balance=balance,
        )
    )
    if risks:
        outcomes.append(
            RuleOutcome(RULE_ANY_RISK, rules.any_risk_minimum, factors=tuple(f.code for f in risks))
        )

    final = Grade.ZELFREDZAAM.value
    for outcome in outcomes:
        final = higher(outcome.grade, final)
    decided_by = tuple(
        sorted(
            (o for o in outcomes if o.grade == final),
            key=lambda o: RULE_PRIORITY.index(o.rule),
        )
    )
    return Assessment(
        grade=final,
        rules_version=rules.version,
        risks=risks,
        protective=protective,
        risk_score=risk_score,
        protective_score=protective_score,
        balance=balance,
        risk_domains=risk_domains,
        outcomes=tuple(outcomes),
        decided_by=decided_by,
    )
