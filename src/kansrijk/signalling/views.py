"""Pages of signalling: the broad conversation, the grading rules, the preconception guide.

All three are GET-only and store nothing: no rows, no session data, no access-log entry. What
was ticked lives only in the URL of the result page (factor codes, a municipality and a phase;
nothing that identifies a person).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kansrijk.signalling.exceptions import NoPublishedGuide, NoPublishedRules
from kansrijk.signalling.explain import GRADE_MEANING, explanation, threshold_sentences
from kansrijk.signalling.forms import ConversationForm, GuidePlaceForm
from kansrijk.signalling.grading import Grade, GradingRules, grade
from kansrijk.signalling.models import NodeKind
from kansrijk.signalling.selectors import (
    by_domain,
    catalogue,
    compile_rules,
    current_guide,
    current_rule_set,
    guide_services,
    local_offer,
    municipality_choices,
    published_rule_set,
    published_versions,
    walk_guide,
)
from kansrijk.situations.models import Phase

FORM_KEYS = ("municipality", "postcode", "phase", "factor")


@require_GET
def conversation(request: HttpRequest) -> HttpResponse:
    """Tick factors, get the grade with its reasons and the local pathways and interventions."""
    rules: GradingRules | None = None
    rules_error = ""
    try:
        rule_set = current_rule_set()
        rules = compile_rules(rule_set, catalogue())
    except NoPublishedRules as exc:
        rule_set = None
        rules_error = str(exc)
    bound = any(key in request.GET for key in FORM_KEYS)
    form = ConversationForm(
        request.GET if bound else None,
        initial={"phase": Phase.PREGNANCY},
        rules=rules,
        municipalities=municipality_choices(),
    )
    context: dict[str, Any] = {
        "form": form,
        "rules": rules,
        "rule_set": rule_set,
        "rules_error": rules_error,
        "ticked": set(request.GET.getlist("factor")) if bound else set(),
        "phase_value": str(form["phase"].value() or Phase.PREGNANCY),
    }
    if rules is not None:
        context["risk_groups"] = by_domain(rules.risks())
        context["protective_groups"] = by_domain(rules.protective())
    if bound and rules is not None and form.is_valid():
        assessment = grade(set(form.cleaned_data["factor"]), rules)
        municipality = form.cleaned_data["place"]
        phase = form.cleaned_data["phase"]
        context.update(
            assessment=assessment,
            explanation=explanation(assessment, rules),
            municipality=municipality,
            phase_label=Phase(phase).label,
            offer=local_offer(municipality=municipality, risks=assessment.risks, phase=phase),
        )
    return render(request, "signalling/conversation.html", context)


@require_GET
def rules_page(request: HttpRequest) -> HttpResponse:
    """The published grading rules in plain Dutch, for coalitions and professionals."""
    version = request.GET.get("version", "")
    try:
        if version:
            if not version.isdigit():
                raise Http404
            data = published_rule_set(int(version))
        else:
            data = current_rule_set()
    except NoPublishedRules as exc:
        if version:
            raise Http404 from exc
        return render(request, "signalling/rules.html", {"rules_error": str(exc)}, status=200)
    rules = compile_rules(data, catalogue())
    current_version: int | None = data.version
    if version:
        try:
            current_version = current_rule_set().version
        except NoPublishedRules:
            current_version = None
    unknown_codes = sorted(set(data.weights) - set(rules.factors))
    return render(
        request,
        "signalling/rules.html",
        {
            "rule_set": data,
            "rules": rules,
            "is_current": data.version == current_version,
            "versions": published_versions(),
            "risk_groups": by_domain(rules.risks()),
            "protective_groups": by_domain(rules.protective()),
            "floors": rules.floors(),
            "thresholds": threshold_sentences(rules),
            "grades": [(Grade(g), GRADE_MEANING[Grade(g)]) for g in Grade.values],
            "unknown_codes": unknown_codes,
        },
    )


@require_GET
def guide(request: HttpRequest) -> HttpResponse:
    """The Wegwijzer preconceptie, one question at a time (``?answer=…`` repeated), with the
    local services of the social map at the outcome."""
    try:
        tree = current_guide()
    except NoPublishedGuide as exc:
        return render(request, "signalling/guide.html", {"guide_error": str(exc)})
    answers = [a for a in request.GET.getlist("answer") if a][:20]
    step = walk_guide(tree, answers)
    has_place = bool(request.GET.get("municipality") or request.GET.get("postcode"))
    place_form = GuidePlaceForm(
        request.GET if has_place else None, municipalities=municipality_choices()
    )
    municipality = None
    place_query = ""
    context: dict[str, Any] = {}
    if has_place and place_form.is_valid():
        municipality = place_form.cleaned_data["place"]
        postcode = place_form.cleaned_data.get("postcode") or ""
        kind, value = ("postcode", postcode) if postcode else ("municipality", municipality.code)
        place_query = urlencode({kind: value})
        context.update(place=value, place_kind=kind)
    context.update(
        tree=tree,
        step=step,
        node=step.node,
        answers_so_far=[answer.code for _node, answer in step.trail],
        place_form=place_form,
        place_query=place_query,
        # The question was asked and submitted without choosing an answer.
        no_answer=not step.invalid and request.GET.get("asked") == step.node.code,
        # Links back to each earlier question keep the answers before it.
        trail=[
            {
                "question": node,
                "answer": answer,
                "answers_before": [a.code for _n, a in step.trail[:index]],
            }
            for index, (node, answer) in enumerate(step.trail)
        ],
    )
    if step.node.kind == NodeKind.OUTCOME and municipality is not None:
        context["municipality"] = municipality
        context["services"] = guide_services(
            node=step.node,
            municipality=municipality,
            postcode=context.get("place", "") if context.get("place_kind") == "postcode" else "",
        )
    return render(request, "signalling/guide.html", context)
