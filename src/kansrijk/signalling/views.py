"""Pages of signalling: the broad conversation, the grading rules, the preconception guide.

The conversation is posted (with a CSRF token) and its answers are kept in the visitor's
browser for the result page (``kansrijk.signalling.answers``): never in a URL, never on the
server, not in the access log. The rules and the guide are GET-only and store nothing.
Only when an installation turns on the monitor's anonymous demand signal
(``KANSRIJK_DEMAND_SIGNAL``, docs/privacy.md) does a professional's posted conversation add 1 to
a count per (municipality, phase, risk factor, month).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kansrijk.core.params import whole_number
from kansrijk.core.phases import Phase
from kansrijk.monitoring.services import count_graded_conversation, demand_signal_enabled
from kansrijk.places.selectors import municipality_choices
from kansrijk.referrals.models import referral_scope
from kansrijk.signalling import answers
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
    published_rule_set,
    published_versions,
    walk_guide,
)

FORM_KEYS = ("municipality", "postcode", "phase", "factor")


def _see_other(name: str) -> HttpResponseRedirect:
    """A 303 to the page ``name``: the browser follows it with a GET, so a reload never
    posts the form again."""
    response = HttpResponseRedirect(reverse(name))
    response.status_code = 303
    return response


def _conversation_context(data: QueryDict | None, *, outcome: bool = True) -> dict[str, Any]:
    """The form (bound to ``data`` when given) with the rules, and (with ``outcome``) the
    grade and the local offer when ``data`` is valid."""
    rules: GradingRules | None = None
    rules_error = ""
    try:
        rule_set = current_rule_set()
        rules = compile_rules(rule_set, catalogue())
    except NoPublishedRules as exc:
        rule_set = None
        rules_error = str(exc)
    form = ConversationForm(
        data,
        initial={"phase": Phase.PREGNANCY},
        rules=rules,
        municipalities=municipality_choices(),
    )
    context: dict[str, Any] = {
        "form": form,
        "rules": rules,
        "rule_set": rule_set,
        "rules_error": rules_error,
        "ticked": set(data.getlist("factor")) if data is not None else set(),
        "phase_value": str(form["phase"].value() or Phase.PREGNANCY),
        "answers_minutes": answers.max_age_seconds() // 60,
        # What the page says is kept must include the monitor's count when it is on.
        "demand_signal": demand_signal_enabled(),
    }
    if rules is not None:
        context["risk_groups"] = by_domain(rules.risks())
        context["protective_groups"] = by_domain(rules.protective())
    context["valid"] = data is not None and rules is not None and form.is_valid()
    if context["valid"] and outcome and rules is not None:
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
    return context


@never_cache
@require_http_methods(["GET", "POST"])
def conversation(request: HttpRequest) -> HttpResponse:
    """The form (GET); its answers (POST) are checked, kept in this browser and shown on the
    result page (303). Answers in the address are not read, and the address is cleaned."""
    if request.method == "GET":
        if any(key in request.GET for key in FORM_KEYS):
            return redirect("signalling:conversation")
        return render(request, "signalling/conversation.html", _conversation_context(None))
    # Only checked here: the result page grades them.
    context = _conversation_context(request.POST, outcome=False)
    if context["valid"]:
        cleaned = context["form"].cleaned_data
        rules = context["rules"]
        count_graded_conversation(
            user=request.user,
            municipality_code=cleaned["place"].code,
            phase=cleaned["phase"],
            risk_codes=[
                code
                for code in cleaned["factor"]
                if code in rules.factors and rules.factors[code].kind == "risk"
            ],
        )
        response = _see_other("signalling:outcome")
        answers.remember(
            response,
            answers.Answers(
                municipality=cleaned.get("municipality") or "",
                postcode=cleaned.get("postcode") or "",
                phase=cleaned["phase"],
                factors=tuple(cleaned["factor"]),
                place=cleaned["place"].code,
            ),
        )
        return response
    status = 400 if context["rules"] is not None else 200
    return render(request, "signalling/conversation.html", context, status=status)


@never_cache
@require_safe
def outcome(request: HttpRequest) -> HttpResponse:
    """The grade with its reasons and the local offer, for the answers kept in this browser.
    Without them (none given, or older than ``SIGNALLING_ANSWERS_MINUTES``) the page says so
    above an empty form."""
    kept = answers.recall(request)
    if kept is None:
        context = _conversation_context(None)
        context["no_answers"] = True
        return render(request, "signalling/conversation.html", context)
    context = _conversation_context(kept.as_form_data())
    context["can_refer"] = bool(referral_scope(request.user).sender_org_ids)
    # Answers that no longer fit the published rules (a factor withdrawn since) show as errors.
    status = 200 if "assessment" in context or context["rules"] is None else 400
    return render(request, "signalling/conversation.html", context, status=status)


@require_POST
def restart(request: HttpRequest) -> HttpResponse:
    """ "Start a new conversation": the answers are deleted from the browser."""
    response = _see_other("signalling:conversation")
    answers.forget(response)
    return response


@require_safe
def rules_page(request: HttpRequest) -> HttpResponse:
    """The published grading rules in plain Dutch, for coalitions and professionals."""
    version = request.GET.get("version", "")
    try:
        if version:
            number = whole_number(version, digits=9)
            if number is None:
                raise Http404
            data = published_rule_set(number)
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


#: What the guide's forms post; never read from an address.
GUIDE_KEYS = ("answer", "asked", "municipality", "postcode")


@require_http_methods(["GET", "HEAD", "POST"])
def guide(request: HttpRequest) -> HttpResponse:
    """The Wegwijzer preconceptie, one question at a time, with the local services of the
    social map at the outcome. The answers so far travel in the posted form (the GET shows the
    first question): in an address they would land in server and proxy logs and the browser
    history, as the conversation's factors did. Answers in an address are not read, and the
    address is cleaned. Nothing is kept."""
    if request.method != "POST" and any(key in request.GET for key in GUIDE_KEYS):
        return redirect("signalling:guide")
    data = request.POST if request.method == "POST" else QueryDict()
    try:
        tree = current_guide()
    except NoPublishedGuide as exc:
        return render(request, "signalling/guide.html", {"guide_error": str(exc)})
    answers = [a for a in data.getlist("answer") if a][:20]
    step = walk_guide(tree, answers)
    has_place = bool(data.get("municipality") or data.get("postcode"))
    place_form = GuidePlaceForm(data if has_place else None, municipalities=municipality_choices())
    municipality = None
    context: dict[str, Any] = {}
    if has_place and place_form.is_valid():
        municipality = place_form.cleaned_data["place"]
        postcode = place_form.cleaned_data.get("postcode") or ""
        kind, value = ("postcode", postcode) if postcode else ("municipality", municipality.code)
        context.update(place=value, place_kind=kind)
    context.update(
        tree=tree,
        step=step,
        node=step.node,
        answers_so_far=[answer.code for _node, answer in step.trail],
        place_form=place_form,
        # The question was asked and submitted without choosing an answer.
        no_answer=not step.invalid and data.get("asked") == step.node.code,
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
