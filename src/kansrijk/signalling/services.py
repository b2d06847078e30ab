"""Writes of signalling: loading the default rule set and guide, publishing, new draft versions.

Nothing here writes client data: the broad conversation stores nothing.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kansrijk.signalling.exceptions import InvalidRuleSet, NotADraft
from kansrijk.signalling.grading import (
    GRADE_ORDER,
    FactorRule,
    GradingRules,
    InvalidRules,
    Reinforcement,
    Threshold,
)
from kansrijk.signalling.models import (
    DecisionAnswer,
    DecisionNode,
    DecisionTree,
    FactorWeight,
    GradeThreshold,
    GradingRuleSet,
    NodeKind,
    ReinforcementRule,
    VersionStatus,
)

_V = TypeVar("_V", GradingRuleSet, DecisionTree)

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_RULES_FILE = DATA_DIR / "grading-rules-v1.json"
DEFAULT_GUIDE_FILE = DATA_DIR / "wegwijzer-preconceptie-v1.json"


def _read_json(path: Path | str) -> dict[str, Any]:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidRuleSet(f"{path.name}: {exc}") from exc
    if not isinstance(data, dict):
        raise InvalidRuleSet(f"{path.name}: expected a JSON object")
    return data


# --- Grading rules -------------------------------------------------------------------------------


def validate_rule_set(rule_set: GradingRuleSet) -> None:
    """Raise ``InvalidRuleSet`` when the rule set could not grade consistently."""
    try:
        GradingRules.build(
            version=rule_set.version,
            factors=[
                FactorRule(
                    code=w.factor_code,
                    kind="risk",
                    name=w.factor_code,
                    domain="",
                    domain_name="",
                    weight=w.weight,
                    floor=w.floor,
                )
                for w in rule_set.factor_weights.all()
            ],
            thresholds=[Threshold(t.grade, t.min_balance) for t in rule_set.thresholds.all()],
            reinforcements=[
                Reinforcement(r.min_domains, r.min_balance, r.grade)
                for r in rule_set.reinforcements.all()
            ],
            any_risk_minimum=rule_set.any_risk_minimum,
        )
    except InvalidRules as exc:
        raise InvalidRuleSet(
            _("The rule set is not consistent: %(problem)s") % {"problem": exc}
        ) from exc
    if not rule_set.thresholds.exists():
        raise InvalidRuleSet(_("A rule set needs at least one threshold."))


def _publish(draft: _V, validate: Callable[[_V], None], valid_from: datetime.date | None) -> _V:
    """Publish a draft version (a rule set, a guide), re-read under a row lock: from
    ``valid_from`` (default: its own date) it is the current one. ``NotADraft`` for a published
    version; what ``validate`` raises for one that could not be used."""
    draft = type(draft)._default_manager.select_for_update().get(pk=draft.pk)
    if draft.status != VersionStatus.DRAFT:
        raise NotADraft()
    validate(draft)
    if valid_from is not None:
        draft.valid_from = valid_from
    draft.status = VersionStatus.PUBLISHED
    draft.published_at = timezone.now()
    draft.save()
    return draft


def _published_or_cleared(model: type[_V], **key: Any) -> _V | None:
    """What a load finds of the version ``key`` names: a published one, which it leaves alone;
    else ``None``, and a draft of that version is deleted for the load to write again."""
    existing = model._default_manager.filter(**key).first()
    if existing is not None and not existing.is_published:
        existing.delete()
        return None
    return existing


def _publish_unless_draft(
    loaded: _V, data: Mapping[str, Any], validate: Callable[[_V], None]
) -> _V:
    """Publish a version a load wrote, unless ``data`` says it stays a draft (then it is only
    validated)."""
    if data.get("status", VersionStatus.PUBLISHED) == VersionStatus.PUBLISHED:
        return _publish(loaded, validate, None)
    validate(loaded)
    return loaded


@transaction.atomic
def publish_rule_set(
    *, rule_set: GradingRuleSet, valid_from: datetime.date | None = None
) -> GradingRuleSet:
    """Publish a draft. From ``valid_from`` (default: its own date) it is the current rule set."""
    return _publish(rule_set, validate_rule_set, valid_from)


@transaction.atomic
def new_rule_set_draft(*, source: GradingRuleSet, description: str | None = None) -> GradingRuleSet:
    """A new draft with the next version number and a copy of ``source``'s rules."""
    last = GradingRuleSet.objects.order_by("-version").values_list("version", flat=True).first()
    draft = GradingRuleSet.objects.create(
        version=(last or 0) + 1,
        status=VersionStatus.DRAFT,
        valid_from=timezone.localdate(),
        description=source.description if description is None else description,
        sources=list(source.sources),
        default_risk_weight=source.default_risk_weight,
        default_protective_weight=source.default_protective_weight,
        any_risk_minimum=source.any_risk_minimum,
    )
    FactorWeight.objects.bulk_create(
        FactorWeight(
            rule_set=draft, factor_code=w.factor_code, weight=w.weight, floor=w.floor, note=w.note
        )
        for w in source.factor_weights.all()
    )
    GradeThreshold.objects.bulk_create(
        GradeThreshold(rule_set=draft, grade=t.grade, min_balance=t.min_balance)
        for t in source.thresholds.all()
    )
    ReinforcementRule.objects.bulk_create(
        ReinforcementRule(
            rule_set=draft,
            min_domains=r.min_domains,
            min_balance=r.min_balance,
            grade=r.grade,
            note=r.note,
        )
        for r in source.reinforcements.all()
    )
    return draft


def _grade(value: Any, where: str) -> str:
    if value not in GRADE_ORDER:
        raise InvalidRuleSet(
            f"{where}: unknown grade {value!r}; use one of {', '.join(GRADE_ORDER)}"
        )
    return str(value)


@transaction.atomic
def load_rule_set(data: dict[str, Any]) -> tuple[GradingRuleSet, bool]:
    """Create (and publish, if the data says so) the rule set described by ``data``.

    Idempotent: a version that exists is left alone when published and rewritten when a draft.
    Returns the rule set and whether anything was written.
    """
    try:
        version = int(data["version"])
        valid_from = datetime.date.fromisoformat(str(data.get("valid_from", "2000-01-01")))
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidRuleSet(f"version/valid_from: {exc}") from exc
    published = _published_or_cleared(GradingRuleSet, version=version)
    if published is not None:
        return published, False
    rule_set = GradingRuleSet.objects.create(
        version=version,
        status=VersionStatus.DRAFT,
        valid_from=valid_from,
        description=str(data.get("description", "")),
        sources=list(data.get("sources", [])),
        default_risk_weight=int(data.get("default_risk_weight", 1)),
        default_protective_weight=int(data.get("default_protective_weight", 1)),
        any_risk_minimum=_grade(
            data.get("any_risk_minimum", "potentieel-kwetsbaar"), "any_risk_minimum"
        ),
    )
    seen: set[str] = set()
    weights = []
    for item in data.get("factors", []):
        code = str(item["code"])
        if code in seen:
            raise InvalidRuleSet(f"factors: {code} appears twice")
        seen.add(code)
        weight = int(item.get("weight", 1))
        if weight < 0:
            raise InvalidRuleSet(f"factors: {code} has a negative weight")
        floor = item.get("floor") or ""
        weights.append(
            FactorWeight(
                rule_set=rule_set,
                factor_code=code,
                weight=weight,
                floor=_grade(floor, f"factors: {code}") if floor else "",
                note=str(item.get("note", "")),
            )
        )
    FactorWeight.objects.bulk_create(weights)
    GradeThreshold.objects.bulk_create(
        GradeThreshold(
            rule_set=rule_set,
            grade=_grade(t["grade"], "thresholds"),
            min_balance=int(t["min_balance"]),
        )
        for t in data.get("thresholds", [])
    )
    ReinforcementRule.objects.bulk_create(
        ReinforcementRule(
            rule_set=rule_set,
            min_domains=int(r["min_domains"]),
            min_balance=int(r.get("min_balance", 0)),
            grade=_grade(r["grade"], "reinforcements"),
            note=str(r.get("note", "")),
        )
        for r in data.get("reinforcements", [])
    )
    return _publish_unless_draft(rule_set, data, validate_rule_set), True


def load_default_rules(path: Path | str | None = None) -> dict[str, Any]:
    """Load the default rule set (``data/grading-rules-v1.json``). Safe to run again."""
    rule_set, created = load_rule_set(_read_json(path or DEFAULT_RULES_FILE))
    return {"version": rule_set.version, "status": rule_set.status, "created": created}


# --- Decision tree (Wegwijzer preconceptie) ------------------------------------------------------


def validate_tree(tree: DecisionTree) -> None:
    """One first question; every question has answers; every node can be reached."""
    nodes = list(tree.nodes.prefetch_related("answers"))
    roots = [n for n in nodes if n.is_root]
    if len(roots) != 1:
        raise InvalidRuleSet(_("A decision tree needs exactly one first question."))
    for node in nodes:
        if node.kind == NodeKind.QUESTION and not node.answers.all():
            raise InvalidRuleSet(_("Question %(code)s has no answers.") % {"code": node.code})
        if node.kind == NodeKind.OUTCOME and node.answers.all():
            raise InvalidRuleSet(_("Outcome %(code)s cannot have answers.") % {"code": node.code})
    by_id = {n.pk: n for n in nodes}
    reached = {roots[0].pk}
    todo = [roots[0]]
    while todo:
        node = todo.pop()
        for answer in node.answers.all():
            if answer.target_id not in reached:
                reached.add(answer.target_id)
                todo.append(by_id[answer.target_id])
    unreachable = sorted(n.code for n in nodes if n.pk not in reached)
    if unreachable:
        raise InvalidRuleSet(
            _("These steps cannot be reached: %(codes)s") % {"codes": ", ".join(unreachable)}
        )


@transaction.atomic
def publish_tree(*, tree: DecisionTree, valid_from: datetime.date | None = None) -> DecisionTree:
    """Publish a draft guide. From ``valid_from`` (default: its own date) it is the current one."""
    return _publish(tree, validate_tree, valid_from)


@transaction.atomic
def load_tree(data: dict[str, Any]) -> tuple[DecisionTree, bool]:
    """Create (and publish) the decision tree described by ``data``; idempotent like
    ``load_rule_set``."""
    try:
        slug = str(data["slug"])
        version = int(data["version"])
        valid_from = datetime.date.fromisoformat(str(data.get("valid_from", "2000-01-01")))
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidRuleSet(f"slug/version/valid_from: {exc}") from exc
    published = _published_or_cleared(DecisionTree, slug=slug, version=version)
    if published is not None:
        return published, False
    tree = DecisionTree.objects.create(
        slug=slug,
        version=version,
        status=VersionStatus.DRAFT,
        valid_from=valid_from,
        title=str(data.get("title", slug)),
        description=str(data.get("description", "")),
        sources=list(data.get("sources", [])),
    )
    nodes: dict[str, DecisionNode] = {}
    root = data.get("root")
    for position, item in enumerate(data.get("nodes", [])):
        code = str(item["code"])
        if code in nodes:
            raise InvalidRuleSet(f"nodes: {code} appears twice")
        kind = NodeKind.QUESTION if item.get("answers") else NodeKind.OUTCOME
        nodes[code] = DecisionNode.objects.create(
            tree=tree,
            code=code,
            kind=kind,
            is_root=code == root,
            title=str(item["title"]),
            text=str(item.get("text", "")),
            actions=list(item.get("actions", [])),
            links=list(item.get("links", [])),
            service_searches=list(item.get("services", [])),
            position=position,
        )
    answers = []
    for item in data.get("nodes", []):
        for position, answer in enumerate(item.get("answers", [])):
            target = nodes.get(str(answer["to"]))
            if target is None:
                raise InvalidRuleSet(f"{item['code']}: answer leads to unknown step {answer['to']}")
            answers.append(
                DecisionAnswer(
                    node=nodes[str(item["code"])],
                    code=str(answer["code"]),
                    label=str(answer["label"]),
                    hint=str(answer.get("hint", "")),
                    target=target,
                    position=position,
                )
            )
    for answer in answers:
        answer.save()
    return _publish_unless_draft(tree, data, validate_tree), True


def load_default_guide(path: Path | str | None = None) -> dict[str, Any]:
    """Load the default Wegwijzer preconceptie. Safe to run again."""
    tree, created = load_tree(_read_json(path or DEFAULT_GUIDE_FILE))
    return {"slug": tree.slug, "version": tree.version, "created": created}
