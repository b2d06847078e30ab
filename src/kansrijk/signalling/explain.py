"""An assessment in words, for the page and the API: which factors counted, how they were
weighed, and which rule decided. Also the plain-language reading of the rule set."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kansrijk.core.templatetags.content_language import mark_content
from kansrijk.signalling.grading import (
    RULE_ANY_RISK,
    RULE_BALANCE,
    RULE_FLOOR,
    RULE_REINFORCEMENT,
    Assessment,
    FactorRule,
    Grade,
    GradingRules,
    RuleOutcome,
)

#: What each grade means in practice, after the Rotterdam / Erasmus MC definition.
GRADE_MEANING = {
    Grade.ZELFREDZAAM: gettext_lazy(
        "No risk factors, or risks the family handles well itself. Regular care is enough."
    ),
    Grade.POTENTIEEL_KWETSBAAR: gettext_lazy(
        "There are risk factors, but protective factors still balance them. Keep an eye on them "
        "and discuss them again later."
    ),
    Grade.KWETSBAAR: gettext_lazy(
        "The risk factors outweigh the protective factors. Extra support is needed: follow the "
        "local pathway."
    ),
    Grade.ZEER_KWETSBAAR: gettext_lazy(
        "A serious imbalance: risks in several life domains that reinforce each other, or an "
        "unsafe situation. Support across domains is needed now."
    ),
}

RULE_NAMES = {
    RULE_FLOOR: gettext_lazy("minimum grade of a factor"),
    RULE_REINFORCEMENT: gettext_lazy("risks in several life domains"),
    RULE_BALANCE: gettext_lazy("balance of risk and protective factors"),
    RULE_ANY_RISK: gettext_lazy("at least one risk factor"),
}


def grade_label(grade: str) -> str:
    return str(Grade(grade).label)


def _names(codes: tuple[str, ...], rules: GradingRules, mark: Callable[[str], str]) -> str:
    return ", ".join(mark(rules.factors[c].name if c in rules.factors else c) for c in codes)


def _domain_names(
    assessment: Assessment, codes: tuple[str, ...], mark: Callable[[str], str]
) -> str:
    names = {d.code: d.name for d in assessment.risk_domains}
    return ", ".join(mark(names.get(c, c)) for c in codes)


def outcome_sentence(outcome: RuleOutcome, assessment: Assessment, rules: GradingRules) -> str:
    """The rule's outcome in a sentence (plain text, for the API)."""
    return _outcome_sentence(outcome, assessment, rules, mark=str)


def outcome_html(outcome: RuleOutcome, assessment: Assessment, rules: GradingRules) -> SafeString:
    """The same sentence for a page: the names of factors and life domains (catalogue content,
    in Dutch only) are marked ``lang="nl"`` on a page in another language."""
    html = _outcome_sentence(outcome, assessment, rules, mark=mark_content)
    return mark_safe(html)  # noqa: S308 - the sentence and every value in it are escaped


def _outcome_sentence(
    outcome: RuleOutcome,
    assessment: Assessment,
    rules: GradingRules,
    *,
    mark: Callable[[str], str],
) -> str:
    # With ``mark_content`` the result is HTML: the sentence and the grade are escaped, the
    # marked names already are.
    text: Callable[[object], str] = str if mark is str else escape
    grade = text(grade_label(outcome.grade))
    if outcome.rule == RULE_FLOOR:
        return text(_("%(factor)s is ticked: that always means at least “%(grade)s”.")) % {
            "factor": _names(outcome.factors, rules, mark),
            "grade": grade,
        }
    if outcome.rule == RULE_REINFORCEMENT:
        return text(
            _(
                "Risks in %(count)s life domains (%(domains)s) reinforce each other. Risks in "
                "%(min_domains)s or more domains with a balance of %(min_balance)s or more mean "
                "at least “%(grade)s”."
            )
        ) % {
            "count": len(outcome.domains),
            "domains": _domain_names(assessment, outcome.domains, mark),
            "min_balance": outcome.min_balance,
            "min_domains": outcome.min_domains,
            "grade": grade,
        }
    if outcome.rule == RULE_BALANCE:
        return text(
            _(
                "Risk factors weigh %(risk)s and protective factors %(protective)s: a balance "
                "of %(balance)s, which means “%(grade)s”."
            )
        ) % {
            "risk": assessment.risk_score,
            "protective": assessment.protective_score,
            "balance": assessment.balance,
            "grade": grade,
        }
    return text(
        _(
            "With at least one risk factor the grade is at least “%(grade)s”: protective "
            "factors can balance risks, not make them disappear."
        )
    ) % {"grade": grade}


def summary(assessment: Assessment, rules: GradingRules) -> str:
    """One sentence: the grade and the rule that decided it."""
    decisive = assessment.deciding_rule
    if not assessment.risks:
        return _("No risk factors were ticked: “%(grade)s”.") % {
            "grade": grade_label(assessment.grade)
        }
    return _("%(grade)s: decided by the rule “%(rule)s”.") % {
        "grade": capfirst(grade_label(assessment.grade)),
        "rule": RULE_NAMES[decisive.rule],
    }


def explanation(assessment: Assessment, rules: GradingRules) -> dict[str, Any]:
    """Everything the page and the API show about an assessment."""
    return {
        "grade": assessment.grade,
        "grade_label": grade_label(assessment.grade),
        "meaning": str(GRADE_MEANING[Grade(assessment.grade)]),
        "summary": summary(assessment, rules),
        "rules_version": assessment.rules_version,
        "risk_factors": [_factor(f) for f in assessment.risks],
        "protective_factors": [_factor(f) for f in assessment.protective],
        "risk_score": assessment.risk_score,
        "protective_score": assessment.protective_score,
        "balance": assessment.balance,
        "risk_domains": [
            {"code": d.code, "name": d.name, "factors": list(d.factors)}
            for d in assessment.risk_domains
        ],
        "decided_by": [
            {
                **o.as_dict(),
                "rule_name": str(RULE_NAMES[o.rule]),
                "text": outcome_sentence(o, assessment, rules),
            }
            for o in assessment.decided_by
        ],
        "rules_applied": [
            {
                **o.as_dict(),
                "rule_name": str(RULE_NAMES[o.rule]),
                "text": outcome_sentence(o, assessment, rules),
                "html": outcome_html(o, assessment, rules),
                "decisive": o in assessment.decided_by,
            }
            for o in assessment.outcomes
        ],
    }


def _factor(f: FactorRule) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": f.code,
        "name": f.name,
        "domain": f.domain,
        "domain_name": f.domain_name,
        "weight": f.weight,
    }
    if f.floor:
        data["floor"] = f.floor
    return data


def threshold_sentences(rules: GradingRules) -> list[str]:
    """The thresholds in words, lowest first."""
    sentences = []
    previous = None
    for threshold in rules.thresholds:
        if previous is None:
            sentences.append(
                _("A balance below %(value)s: “%(grade)s”.")
                % {"value": threshold.min_balance, "grade": grade_label(Grade.ZELFREDZAAM)}
            )
        else:
            sentences.append(
                _("From %(low)s to %(high)s: “%(grade)s”.")
                % {
                    "low": previous.min_balance,
                    "high": threshold.min_balance - 1,
                    "grade": grade_label(previous.grade),
                }
            )
        previous = threshold
    if previous is not None:
        sentences.append(
            _("From %(value)s: “%(grade)s”.")
            % {"value": previous.min_balance, "grade": grade_label(previous.grade)}
        )
    return sentences
