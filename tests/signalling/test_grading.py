"""The grade: examples from the Rotterdam / Erasmus MC definition (with the default rule set) and
properties that hold for *any* rule set (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kansrijk.signalling.grading import (
    GRADE_ORDER,
    RULE_ANY_RISK,
    RULE_BALANCE,
    RULE_FLOOR,
    RULE_REINFORCEMENT,
    FactorRule,
    GradingRules,
    InvalidRules,
    Reinforcement,
    Threshold,
    UnknownFactors,
    grade,
    grade_rank,
)
from kansrijk.signalling.selectors import current_rules
from tests.signalling.conftest import factor, make_rules

# --- Examples with hand-made rules (no database) -------------------------------------------------

RULES = make_rules(
    factor("geld", domain="geld", weight=2),
    factor("roken", domain="leefstijl"),
    factor("relatie", domain="relaties"),
    factor("stress", domain="psyche"),
    factor("geweld", domain="veiligheid", weight=3, floor="zeer-kwetsbaar"),
    factor("dakloos", domain="wonen", weight=2, floor="kwetsbaar"),
    factor("netwerk", kind="protective", domain="relaties"),
    factor("inkomen", kind="protective", domain="geld"),
    factor("coping", kind="protective", domain="psyche"),
)


def test_nothing_ticked_is_self_reliant_by_the_balance():
    result = grade(set(), RULES)
    assert result.grade == "zelfredzaam"
    assert result.balance == 0
    assert [o.rule for o in result.decided_by] == [RULE_BALANCE]


def test_only_protective_factors_is_self_reliant():
    result = grade({"netwerk", "inkomen"}, RULES)
    assert result.grade == "zelfredzaam"
    assert result.balance == -2
    assert result.protective_score == 2


def test_one_risk_is_potentially_vulnerable():
    result = grade({"roken"}, RULES)
    assert result.grade == "potentieel-kwetsbaar"
    assert {o.rule for o in result.decided_by} == {RULE_BALANCE, RULE_ANY_RISK}


def test_risks_balanced_by_protective_factors_stay_potentially_vulnerable():
    """The definition: risk factors present but balanced by protective factors."""
    result = grade({"geld", "netwerk", "inkomen"}, RULES)
    assert result.balance == 0
    assert result.grade == "potentieel-kwetsbaar"
    assert result.deciding_rule.rule == RULE_ANY_RISK


def test_imbalance_in_two_domains_is_vulnerable():
    result = grade({"geld", "roken"}, RULES)
    assert result.grade == "kwetsbaar"
    assert result.risk_score == 3
    assert [d.code for d in result.risk_domains] == ["geld", "leefstijl"]
    assert result.deciding_rule.rule == RULE_REINFORCEMENT


def test_reinforcing_risks_in_three_domains_are_very_vulnerable():
    """The definition: problems in several life domains that reinforce each other."""
    result = grade({"geld", "roken", "relatie"}, RULES)
    assert result.balance == 4
    assert result.grade == "zeer-kwetsbaar"
    assert result.deciding_rule.rule == RULE_REINFORCEMENT
    assert result.deciding_rule.min_domains == 3
    # The balance alone would have said "kwetsbaar".
    balance = next(o for o in result.outcomes if o.rule == RULE_BALANCE)
    assert balance.grade == "kwetsbaar"


def test_protective_factors_can_undo_the_reinforcement():
    result = grade({"geld", "roken", "relatie", "netwerk", "coping"}, RULES)
    assert result.balance == 2
    assert result.grade == "kwetsbaar"
    assert all(o.min_domains != 3 for o in result.outcomes)


def test_domestic_violence_sets_a_floor_whatever_the_protection():
    result = grade({"geweld", "netwerk", "inkomen", "coping"}, RULES)
    assert result.balance == 0
    assert result.grade == "zeer-kwetsbaar"
    assert result.deciding_rule.rule == RULE_FLOOR
    assert result.deciding_rule.factors == ("geweld",)


def test_homelessness_sets_at_least_vulnerable():
    result = grade({"dakloos"}, RULES)
    assert result.grade == "kwetsbaar"
    assert result.deciding_rule.rule == RULE_FLOOR


def test_a_floor_below_the_balance_does_not_lower_it():
    result = grade({"dakloos", "geld", "roken", "relatie"}, RULES)
    assert result.grade == "zeer-kwetsbaar"
    assert result.deciding_rule.rule == RULE_REINFORCEMENT


def test_unknown_factor_codes_are_refused():
    with pytest.raises(UnknownFactors) as info:
        grade({"roken", "bestaat-niet", "ook-niet"}, RULES)
    assert info.value.codes == ("bestaat-niet", "ook-niet")


def test_weight_zero_counts_neither_weight_nor_domain():
    rules = make_rules(factor("a", domain="x", weight=0), factor("b", domain="y"))
    result = grade({"a", "b"}, rules)
    assert result.risk_score == 1
    assert [d.code for d in result.risk_domains] == ["y"]
    assert result.grade == "potentieel-kwetsbaar"


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"factors": [factor("a", weight=-1)]}, "negative"),
        ({"factors": [factor("a", floor="heel-erg")]}, "floor"),
        ({"factors": [factor("a", kind="neutral")]}, "kind"),
        (
            {"thresholds": [Threshold("kwetsbaar", 1), Threshold("zeer-kwetsbaar", 1)]},
            "rise",
        ),
        ({"thresholds": [Threshold("kwetsbaar", 1), Threshold("kwetsbaar", 3)]}, "one threshold"),
        ({"thresholds": [Threshold("zelfredzaam", 0)]}, "one threshold"),
        ({"reinforcements": [Reinforcement(0, 1, "kwetsbaar")]}, "domain"),
        ({"any_risk_minimum": "beetje"}, "unknown grade"),
    ],
)
def test_inconsistent_rules_are_refused(kwargs, problem):
    with pytest.raises(InvalidRules, match=problem):
        make_rules(**kwargs)


# --- Examples with the default rule set ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("factors", "expected", "decided_by"),
    [
        (set(), "zelfredzaam", RULE_BALANCE),
        ({"steun-netwerk", "stabiel-inkomen"}, "zelfredzaam", RULE_BALANCE),
        ({"roken"}, "potentieel-kwetsbaar", RULE_BALANCE),
        ({"geldzorgen", "steun-netwerk", "stabiel-inkomen"}, "potentieel-kwetsbaar", RULE_ANY_RISK),
        ({"geldzorgen", "roken"}, "kwetsbaar", RULE_REINFORCEMENT),
        ({"geldzorgen", "roken", "relatieproblemen"}, "zeer-kwetsbaar", RULE_REINFORCEMENT),
        (
            {"geldzorgen", "werkloosheid", "psychische-problemen", "stress"},
            "zeer-kwetsbaar",
            RULE_BALANCE,
        ),
        (
            {"huiselijk-geweld", "steun-netwerk", "goede-partnerrelatie"},
            "zeer-kwetsbaar",
            RULE_FLOOR,
        ),
        ({"dakloosheid"}, "kwetsbaar", RULE_FLOOR),
    ],
)
def test_default_rules_follow_the_definition(default_rules, factors, expected, decided_by):
    rules = current_rules()
    result = grade(factors, rules)
    assert result.grade == expected
    assert result.deciding_rule.rule == decided_by


@pytest.mark.django_db
def test_every_code_in_the_default_rules_is_in_the_catalogue(default_rules):
    from kansrijk.signalling.selectors import current_rule_set

    data = current_rule_set()
    rules = current_rules()
    assert set(data.weights) <= set(rules.factors)
    assert {f.code for f in rules.floors()} == {"huiselijk-geweld", "dakloosheid"}


# --- Properties for any rule set -----------------------------------------------------------------

DOMAINS = ["a", "b", "c", "d"]
GRADES = st.sampled_from(GRADE_ORDER)


@st.composite
def rule_sets(draw: st.DrawFn) -> GradingRules:
    count = draw(st.integers(min_value=1, max_value=12))
    factors = []
    for index in range(count):
        kind = draw(st.sampled_from(["risk", "protective"]))
        factors.append(
            FactorRule(
                code=f"f{index}",
                kind=kind,
                name=f"F{index}",
                domain=draw(st.sampled_from(DOMAINS)),
                domain_name="",
                weight=draw(st.integers(min_value=0, max_value=5)),
                floor=draw(st.one_of(st.just(""), GRADES)) if kind == "risk" else "",
            )
        )
    grades = draw(
        st.lists(st.sampled_from(GRADE_ORDER[1:]), unique=True, max_size=3).map(
            lambda gs: sorted(gs, key=grade_rank)
        )
    )
    starts = sorted(
        draw(st.lists(st.integers(-5, 15), unique=True, min_size=len(grades), max_size=len(grades)))
    )
    thresholds = [Threshold(g, b) for g, b in zip(grades, starts, strict=True)]
    reinforcements = draw(
        st.lists(
            st.builds(
                Reinforcement,
                min_domains=st.integers(1, 4),
                min_balance=st.integers(-3, 10),
                grade=GRADES,
            ),
            max_size=3,
        )
    )
    return GradingRules.build(
        version=1,
        factors=factors,
        thresholds=thresholds,
        reinforcements=reinforcements,
        any_risk_minimum=draw(GRADES),
    )


@st.composite
def rules_and_factors(draw: st.DrawFn) -> tuple[GradingRules, set[str], str]:
    rules = draw(rule_sets())
    codes = sorted(rules.factors)
    ticked = set(draw(st.lists(st.sampled_from(codes), unique=True)))
    extra = draw(st.sampled_from(codes))
    return rules, ticked, extra


@settings(max_examples=300, deadline=None)
@given(rules_and_factors())
def test_adding_a_risk_never_lowers_the_grade(case):
    rules, ticked, extra = case
    if rules.factors[extra].kind != "risk":
        return
    assert grade(ticked | {extra}, rules).rank >= grade(ticked, rules).rank


@settings(max_examples=300, deadline=None)
@given(rules_and_factors())
def test_adding_a_protective_factor_never_raises_the_grade(case):
    rules, ticked, extra = case
    if rules.factors[extra].kind != "protective":
        return
    assert grade(ticked | {extra}, rules).rank <= grade(ticked, rules).rank


@settings(max_examples=300, deadline=None)
@given(rules_and_factors())
def test_a_floor_factor_always_gives_at_least_its_floor(case):
    rules, ticked, _extra = case
    result = grade(ticked, rules)
    for code in ticked:
        if rules.factors[code].floor:
            assert result.rank >= grade_rank(rules.factors[code].floor)


@settings(max_examples=300, deadline=None)
@given(rules_and_factors())
def test_the_grade_is_the_highest_rule_and_is_explained(case):
    rules, ticked, _extra = case
    result = grade(ticked, rules)
    assert result.rank == max(grade_rank(o.grade) for o in result.outcomes)
    assert result.decided_by
    assert all(o.grade == result.grade for o in result.decided_by)
    assert set(result.decided_by) <= set(result.outcomes)
    assert {f.code for f in result.risks + result.protective} == ticked
    assert result.balance == result.risk_score - result.protective_score
    assert result.risk_score == sum(f.weight for f in result.risks)
    # Every counted domain holds a ticked risk with weight.
    for domain in result.risk_domains:
        assert all(rules.factors[c].domain == domain.code for c in domain.factors)


@settings(max_examples=200, deadline=None)
@given(rules_and_factors(), st.randoms())
def test_the_order_of_ticking_does_not_matter(case, random):
    rules, ticked, _extra = case
    shuffled = list(ticked)
    random.shuffle(shuffled)
    assert grade(shuffled, rules) == grade(ticked, rules)
