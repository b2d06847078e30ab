"""Public, stateless API of signalling: grade a set of factors, and read the published rules.

``POST /api/v1/signalling/assessments`` stores nothing (no rows, no session, no access-log
entry): factors, phase and a municipality or postcode go in; the grade, its explanation, the
pathways that apply (with fallback markers) and the interventions on offer come out. Without
authentication there is no session and so no CSRF check; the endpoint holds no secrets and
changes nothing.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kansrijk.api.problems import error_problem, with_problems
from kansrijk.api.public import PublicReadOnlyView, PublicView
from kansrijk.api.serializers import CodeNameSerializer, PhaseField, code_name, validated
from kansrijk.core.phases import Phase
from kansrijk.pathways.resolution import MunicipalityPathways, municipality_pathways
from kansrijk.places.exceptions import InvalidPostcode, UnknownMunicipality, UnknownPostcode
from kansrijk.places.models import Municipality
from kansrijk.places.selectors import lookup_postcode
from kansrijk.signalling.exceptions import NoPublishedRules
from kansrijk.signalling.explain import explanation
from kansrijk.signalling.grading import GRADE_ORDER, Grade, GradingRules, grade
from kansrijk.signalling.selectors import (
    EXPLAINED_MAX,
    RuleSetData,
    catalogue,
    compile_rules,
    current_rule_set,
    interventions_on_offer,
    offered_for,
    rules_snapshot,
)

MAX_FACTORS = 100


@extend_schema_field(
    {
        "type": "string",
        "enum": list(GRADE_ORDER),
        "description": "A grade of the Rotterdam scale, from least to most vulnerable.",
    }
)
class GradeField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Grade.choices, **kwargs)


# --- Request ---------------------------------------------------------------------------------------


class AssessmentRequestSerializer(serializers.Serializer[Any]):
    factors = serializers.ListField(
        child=serializers.SlugField(max_length=60),
        allow_empty=True,
        max_length=MAX_FACTORS,
        help_text="Codes of the ticked risk and protective factors (see /api/v1/situations).",
    )
    phase = PhaseField()
    municipality = serializers.CharField(
        required=False, allow_blank=True, max_length=10, help_text="CBS code, e.g. GM0090."
    )
    postcode = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text="A Dutch postcode (four digits are enough); used when no municipality is given.",
    )

    def validate_factors(self, value: list[str]) -> list[str]:
        rules: GradingRules = self.context["rules"]
        unknown = sorted({code for code in value if code not in rules.factors})
        if unknown:
            raise serializers.ValidationError(
                _("Unknown factor code(s): %(codes)s. See /api/v1/situations for the codes.")
                % {"codes": ", ".join(unknown)},
                code="unknown-factor",
            )
        return list(dict.fromkeys(value))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        code = (attrs.get("municipality") or "").strip()
        postcode = (attrs.get("postcode") or "").strip()
        if not code and not postcode:
            raise serializers.ValidationError(
                {"municipality": [_("Give a municipality (CBS code) or a postcode.")]},
                code="required",
            )
        try:
            if not code:
                code = lookup_postcode(postcode).municipality_id
            attrs["pathways"] = municipality_pathways(code)
        except UnknownMunicipality as exc:
            raise serializers.ValidationError(
                {"municipality": [str(exc)]}, code="unknown-municipality"
            ) from None
        except (InvalidPostcode, UnknownPostcode) as exc:
            raise serializers.ValidationError({"postcode": [str(exc)]}, code=exc.code) from None
        table = attrs["pathways"]
        attrs["place"] = Municipality(code=table.code, name=table.name)
        return attrs


_PHASES = frozenset(Phase.values)
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


def plain_request(data: dict[str, Any], rules: GradingRules) -> dict[str, Any] | None:
    """What ``AssessmentRequestSerializer`` validates a plainly valid request to — a list of
    known factor codes, a phase and a known municipality code, no postcode — without building
    the serializer; ``None`` for anything else, which the serializer then validates (and
    explains). ``tests/signalling/test_api.py`` checks both agree."""
    factors = data.get("factors")
    phase = data.get("phase")
    code = data.get("municipality")
    if (
        type(factors) is not list
        or len(factors) > MAX_FACTORS
        or type(phase) is not str
        or phase not in _PHASES
        or type(code) is not str
        or "postcode" in data
    ):
        return None
    for factor in factors:
        if (
            type(factor) is not str
            or factor not in rules.factors
            or len(factor) > 60
            or not _SLUG.match(factor)
        ):
            return None
    code = code.strip()
    if not code or len(code) > 10:
        return None
    try:
        table = municipality_pathways(code)
    except UnknownMunicipality:
        return None
    return {
        "factors": list(dict.fromkeys(factors)),
        "phase": phase,
        "municipality": code,
        "pathways": table,
        "place": Municipality(code=table.code, name=table.name),
    }


# --- Response --------------------------------------------------------------------------------------


class FactorSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    domain = serializers.CharField(help_text="Life domain code.")
    domain_name = serializers.CharField()
    weight = serializers.IntegerField()
    floor = serializers.CharField(
        required=False,
        help_text="The minimum grade this factor sets (zelfredzaam, potentieel-kwetsbaar, "
        "kwetsbaar or zeer-kwetsbaar); absent when it sets none.",
    )


class DomainRisksSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    factors = serializers.ListField(child=serializers.CharField())


class RuleOutcomeSerializer(serializers.Serializer[Any]):
    rule = serializers.ChoiceField(
        choices=["floor", "reinforcement", "balance", "any-risk"],
        help_text="floor: a factor's minimum grade; reinforcement: risks in several life "
        "domains; balance: risk minus protective weight; any-risk: the minimum with any risk.",
    )
    rule_name = serializers.CharField()
    grade = GradeField()
    text = serializers.CharField(help_text="The rule as applied, in words.")
    factors = serializers.ListField(child=serializers.CharField(), required=False)
    domains = serializers.ListField(child=serializers.CharField(), required=False)
    balance = serializers.IntegerField(required=False)
    min_domains = serializers.IntegerField(required=False)
    min_balance = serializers.IntegerField(required=False)
    note = serializers.CharField(required=False)
    decisive = serializers.BooleanField(required=False)


class ExplanationSerializer(serializers.Serializer[Any]):
    meaning = serializers.CharField(help_text="What the grade means in practice.")
    summary = serializers.CharField(help_text="The grade and the rule that decided it.")
    risk_factors = FactorSerializer(many=True)
    protective_factors = FactorSerializer(many=True)
    risk_score = serializers.IntegerField()
    protective_score = serializers.IntegerField()
    balance = serializers.IntegerField(help_text="risk_score minus protective_score.")
    risk_domains = DomainRisksSerializer(many=True)
    decided_by = RuleOutcomeSerializer(many=True, help_text="The rules that gave the final grade.")
    rules_applied = RuleOutcomeSerializer(many=True, help_text="Every rule that applied.")


class MunicipalityRefSerializer(CodeNameSerializer):
    pass


class PathwaySuggestionSerializer(serializers.Serializer[Any]):
    situation = serializers.CharField(help_text="The risk factor's code.")
    situation_name = serializers.CharField()
    available = serializers.BooleanField(help_text="False when no pathway applies here.")
    title = serializers.CharField(allow_null=True)
    version = serializers.IntegerField(allow_null=True, help_text="The published version number.")
    fallback = serializers.ChoiceField(
        choices=["regional", "national"],
        allow_null=True,
        help_text="null: the municipality's own pathway; regional or national: a default.",
    )
    url = serializers.CharField(allow_null=True, help_text="The pathway page.")


class InterventionSuggestionSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    situations = serializers.ListField(
        child=serializers.CharField(), help_text="The ticked risks it addresses."
    )
    url = serializers.CharField(allow_null=True, required=False)


class AssessmentSerializer(serializers.Serializer[Any]):
    rules_version = serializers.IntegerField()
    municipality = MunicipalityRefSerializer()
    phase = serializers.ChoiceField(choices=Phase.choices)
    grade = GradeField()
    grade_label = serializers.CharField()
    explanation = ExplanationSerializer()
    pathways = PathwaySuggestionSerializer(many=True)
    interventions = InterventionSuggestionSerializer(many=True)


class ThresholdSerializer(serializers.Serializer[Any]):
    grade = GradeField()
    min_balance = serializers.IntegerField()


class ReinforcementSerializer(serializers.Serializer[Any]):
    min_domains = serializers.IntegerField()
    min_balance = serializers.IntegerField()
    grade = GradeField()
    note = serializers.CharField()


class RuleFactorSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["risk", "protective"])
    domain = serializers.CharField()
    domain_name = serializers.CharField()
    weight = serializers.IntegerField()
    floor = serializers.CharField(help_text="A minimum grade, or empty.")
    note = serializers.CharField()


class SourceSerializer(serializers.Serializer[Any]):
    title = serializers.CharField()
    url = serializers.CharField(required=False)


class RuleSetSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField()
    valid_from = serializers.DateField()
    published_at = serializers.DateTimeField(allow_null=True)
    description = serializers.CharField()
    sources = SourceSerializer(many=True)
    default_risk_weight = serializers.IntegerField()
    default_protective_weight = serializers.IntegerField()
    any_risk_minimum = serializers.CharField(
        help_text="The minimum grade with any risk factor ticked (a grade code)."
    )
    thresholds = ThresholdSerializer(many=True)
    reinforcements = ReinforcementSerializer(many=True)
    factors = RuleFactorSerializer(many=True)


#: What each problem status of this API means, for its OpenAPI description.
_PROBLEMS = {
    400: "Bad input (problem+json): an unknown factor, phase, municipality or postcode.",
    503: "No grading rules have been published yet (problem+json).",
}


# --- Views -----------------------------------------------------------------------------------------


class AssessmentView(PublicView):
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="signalling_assessment_create",
        summary="Grade a broad conversation",
        description=(
            "Stateless: nothing is stored. Give the codes of the ticked risk and protective "
            "factors, the phase and a municipality (CBS code) or postcode. The answer holds the "
            "vulnerability grade on the four-step Rotterdam scale (zelfredzaam, potentieel "
            "kwetsbaar, kwetsbaar, zeer kwetsbaar) with its explanation, the pathway per ticked "
            "risk in that municipality (fallback: null for the municipality's own, regional or "
            "national for a default) and the interventions on offer there."
        ),
        request=AssessmentRequestSerializer,
        responses=with_problems({200: AssessmentSerializer}, 400, 503, descriptions=_PROBLEMS),
        examples=[
            OpenApiExample(
                "Money worries and smoking in Smallingerland",
                value={
                    "factors": ["geldzorgen", "roken"],
                    "phase": "pregnancy",
                    "municipality": "GM0090",
                },
                request_only=True,
            )
        ],
        tags=["signalling"],
    )
    def post(self, request: Request) -> Response:
        try:
            snapshot = rules_snapshot()
        except NoPublishedRules as exc:
            return error_problem(request, 503, exc)
        rules = snapshot.rules
        if not isinstance(request.data, dict):
            raise serializers.ValidationError(
                {"non_field_errors": [_("Send a JSON object.")]}, code="invalid"
            )
        values = plain_request(request.data, rules)
        if values is None:
            values = validated(AssessmentRequestSerializer, request.data, context={"rules": rules})
        table: MunicipalityPathways = values["pathways"]
        phase = values["phase"]
        # The grade and its explanation depend only on the ticked factors, the rules and the
        # language: kept with the rules (a new rule set or catalogue starts afresh).
        key = (frozenset(values["factors"]), get_language())
        known = snapshot.explained.get(key)
        if known is None:
            assessment = grade(key[0], rules)
            explained = explanation(assessment, rules)
            known = (assessment, explained, explanation_payload(explained))
            if len(snapshot.explained) >= EXPLAINED_MAX:
                snapshot.explained.clear()
            snapshot.explained[key] = known
        assessment, explained, explained_payload = known
        pathways = []
        for factor in assessment.risks:
            choice = table.get(factor.code, phase)
            pathways.append(
                {
                    "situation": factor.code,
                    "situation_name": factor.name,
                    "available": choice is not None,
                    "title": choice.title if choice else None,
                    "version": choice.number if choice else None,
                    "fallback": choice.fallback if choice else None,
                    "url": table.url(factor.code, phase) if choice else None,
                }
            )
        codes = [f.code for f in assessment.risks]
        interventions = (
            [
                {"code": item.slug, "name": item.name, "situations": addressed, "url": item.url}
                for item, addressed in offered_for(
                    interventions_on_offer(values["place"]), codes, phase
                )
            ]
            if codes
            else []
        )
        body = {
            "rules_version": assessment.rules_version,
            "municipality": code_name(table),
            "phase": phase,
            "grade": assessment.grade,
            "grade_label": explained["grade_label"],
            "explanation": explained,
            "pathways": pathways,
            "interventions": interventions,
        }
        # Not cached anywhere (the factors describe a person): kansrijk.api.middleware.
        return Response(assessment_payload(body, explained_payload))


_FACTOR_KEYS = ("code", "name", "domain", "domain_name", "weight", "floor")
_OUTCOME_KEYS = (
    "rule",
    "rule_name",
    "grade",
    "text",
    "factors",
    "domains",
    "balance",
    "min_domains",
    "min_balance",
    "note",
    "decisive",
)


def _pick(data: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: data[key] for key in keys if key in data}


def explanation_payload(explained: dict[str, Any]) -> dict[str, Any]:
    """The ``explanation`` of ``assessment_payload``."""
    return {
        "meaning": explained["meaning"],
        "summary": explained["summary"],
        "risk_factors": [_pick(f, _FACTOR_KEYS) for f in explained["risk_factors"]],
        "protective_factors": [_pick(f, _FACTOR_KEYS) for f in explained["protective_factors"]],
        "risk_score": explained["risk_score"],
        "protective_score": explained["protective_score"],
        "balance": explained["balance"],
        "risk_domains": explained["risk_domains"],
        "decided_by": [_pick(o, _OUTCOME_KEYS) for o in explained["decided_by"]],
        "rules_applied": [_pick(o, _OUTCOME_KEYS) for o in explained["rules_applied"]],
    }


def assessment_payload(
    body: dict[str, Any], explained_payload: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What ``AssessmentSerializer(body).data`` gives, built directly from values that already
    have the right types (``tests/signalling/test_api.py`` checks both agree): the serializer
    costs more than everything else the endpoint does once the offer is in memory."""
    return {
        "rules_version": body["rules_version"],
        "municipality": body["municipality"],
        "phase": body["phase"],
        "grade": body["grade"],
        "grade_label": str(body["grade_label"]),
        "explanation": explained_payload or explanation_payload(body["explanation"]),
        "pathways": body["pathways"],
        "interventions": body["interventions"],
    }


def rule_set_payload(data: RuleSetData, rules: GradingRules) -> dict[str, Any]:
    factors = [*rules.risks(), *rules.protective()]
    return {
        "version": data.version,
        "valid_from": data.valid_from,
        "published_at": data.published_at,
        "description": data.description,
        "sources": [s for s in data.sources if s.get("title")],
        "default_risk_weight": data.default_risk_weight,
        "default_protective_weight": data.default_protective_weight,
        "any_risk_minimum": data.any_risk_minimum,
        "thresholds": [{"grade": t.grade, "min_balance": t.min_balance} for t in rules.thresholds],
        "reinforcements": [
            {
                "min_domains": r.min_domains,
                "min_balance": r.min_balance,
                "grade": r.grade,
                "note": r.note,
            }
            for r in rules.reinforcements
        ],
        "factors": [
            {
                "code": f.code,
                "name": f.name,
                "kind": f.kind,
                "domain": f.domain,
                "domain_name": f.domain_name,
                "weight": f.weight,
                "floor": f.floor,
                "note": f.note,
            }
            for f in factors
        ],
    }


class RuleSetView(PublicReadOnlyView):
    @extend_schema(
        operation_id="signalling_rules_retrieve",
        summary="The published grading rules",
        description=(
            "The rule set in force today: per factor its weight and any minimum grade, the "
            "thresholds of the balance, and the reinforcement rules for risks in several life "
            "domains. The reasoning is on the page /signalering/regels/."
        ),
        responses=with_problems({200: RuleSetSerializer}, 503, descriptions=_PROBLEMS),
        tags=["signalling"],
    )
    def get(self, request: Request) -> Response:
        try:
            data = current_rule_set()
        except NoPublishedRules as exc:
            return error_problem(request, 503, exc)
        rules = compile_rules(data, catalogue())
        return Response(RuleSetSerializer(rule_set_payload(data, rules)).data)
