"""The self-assessment API (mounted at /api/v1/, no trailing slashes; in openapi.yaml).

- ``GET /api/v1/instruments``: the instruments, each with its newest version's scale, parts
  and statements, and the versions loaded.
- ``POST /api/v1/assessment-rounds``: the coordinator opens a round ``{coalition, instrument,
  closes_on, respondents?, title?}`` (instrument by its code; respondents by user name, by
  default every user of the coalition's member organisations) → 201 with its ``id``.
- ``POST /api/v1/assessment-rounds/{id}/responses``: an invited respondent sends in ``{answers:
  {statement_code: integer | null}, comments?: {statement_code: text}}`` (``null``: "don't
  know"; every statement answered) → 201 the first time, 200 when it replaces her answers.
- ``GET /api/v1/assessment-rounds/{id}/results``: the results for the coalition's coordinator
  and analysts; no figure while ``suppressed``.

The same access rules as the pages: a round or coalition the user has no part in is a 404;
every refusal and every read of results is in the access log. Errors are problem+json.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kansrijk.api.problems import with_problems
from kansrijk.api.serializers import validated
from kansrijk.assessments import selectors, services
from kansrijk.assessments.models import Instrument
from kansrijk.assessments.services import AnswerInput
from kansrijk.audit.models import Action
from kansrijk.audit.services import record_refusal
from kansrijk.coalitions.api import WorkspaceAPIView, coalition_access
from kansrijk.coalitions.exceptions import InvalidInput, NotAllowed

ROUND_ID = OpenApiParameter("round_id", OpenApiTypes.INT, OpenApiParameter.PATH)


# --- Instruments -----------------------------------------------------------------------------


class ScaleSerializer(serializers.Serializer[Any]):
    min = serializers.IntegerField(source="scale_min")
    max = serializers.IntegerField(source="scale_max")
    labels = serializers.ListField(child=serializers.CharField(), source="scale_labels")
    allow_unknown = serializers.BooleanField(help_text="Whether null ('don't know') is an answer.")


class StatementOutSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    text = serializers.CharField()


class PartOutSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    statements = StatementOutSerializer(many=True)


class VersionRefSerializer(serializers.Serializer[Any]):
    number = serializers.IntegerField(help_text="1 for the first version loaded, then 2, 3, …")
    version = serializers.CharField(help_text="The version as the document names it.")
    imported_at = serializers.DateTimeField()
    is_example = serializers.BooleanField()


class InstrumentSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["coalition", "professional", "regional"])
    version = serializers.CharField(help_text="The newest version, used by new rounds.")
    number = serializers.IntegerField()
    is_example = serializers.BooleanField(
        help_text="true: the statements are example text written for Kansrijk, not the "
        "official text; show them as such."
    )
    source = serializers.CharField()  # type: ignore[assignment]
    scale = ScaleSerializer()
    parts = PartOutSerializer(many=True)
    versions = VersionRefSerializer(many=True)


def instrument_data(instrument: Instrument) -> dict[str, Any]:
    version = instrument.current_version
    assert version is not None
    statements = list(version.statements.select_related("part").order_by("position"))
    parts = [
        {
            "code": part.code,
            "name": part.name,
            "statements": [
                {"code": s.code, "text": s.text} for s in statements if s.part_id == part.pk
            ],
        }
        for part in version.parts.order_by("position")
    ]
    return {
        "code": instrument.code,
        "name": version.name,
        "kind": instrument.kind,
        "version": version.version,
        "number": version.number,
        "is_example": version.is_example,
        "source": version.source,
        "scale": version,
        "parts": parts,
        "versions": list(instrument.versions.order_by("number")),
    }


class InstrumentListView(WorkspaceAPIView):
    @extend_schema(
        operation_id="instruments_list",
        summary="The assessment instruments",
        description="Each instrument with its newest version (scale, parts, statements) and "
        "the versions loaded. Statements marked `is_example` are example text.",
        responses=with_problems({200: InstrumentSerializer(many=True)}, 403),
        tags=["coalitions"],
    )
    def get(self, request: Request) -> Response:
        rows = [
            instrument_data(i)
            for i in Instrument.objects.filter(current_version__isnull=False)
            .select_related("current_version")
            .order_by("name")
        ]
        return Response(InstrumentSerializer(rows, many=True).data)


# --- Rounds ----------------------------------------------------------------------------------


class RoundInputSerializer(serializers.Serializer[Any]):
    coalition = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    instrument = serializers.SlugField(
        max_length=40, help_text="The instrument's code; its newest version is used."
    )
    closes_on = serializers.DateField(help_text="The last day on which answers are accepted.")
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    respondents = serializers.ListField(
        child=serializers.CharField(max_length=150),
        required=False,
        max_length=5000,
        help_text="User names of users of the coalition's member organisations. Left out: "
        "every one of them.",
    )


class RoundOutSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    coalition = serializers.IntegerField(source="coalition_id")
    instrument = serializers.CharField(source="instrument_version.instrument.code")
    version = serializers.CharField(source="instrument_version.version")
    title = serializers.CharField()
    opened_on = serializers.DateField()
    closes_on = serializers.DateField()
    invited = serializers.IntegerField()


class RoundCollectionView(WorkspaceAPIView):
    @extend_schema(
        operation_id="assessment_rounds_create",
        summary="Open an assessment round",
        description="For the coalition's coordinator. Invites the respondents (by default every "
        "user of the coalition's member organisations), who find it on their start page.",
        request=RoundInputSerializer,
        responses=with_problems({201: RoundOutSerializer}, 400, 403, 404),
        tags=["coalitions"],
    )
    def post(self, request: Request) -> Response:
        data = validated(RoundInputSerializer, request.data)
        access = coalition_access(
            data["coalition"],
            request,
            event_type="assessments.round.create",
            action=Action.CREATE,
            purpose=selectors.PURPOSE,
        )
        found = (
            Instrument.objects.filter(code=data["instrument"])
            .select_related("current_version__instrument")
            .first()
        )
        instrument = found.current_version if found is not None else None
        errors: dict[str, list[Any]] = {}
        if instrument is None:
            errors["instrument"] = [_("No instrument with this code.")]
        respondents = None
        if "respondents" in data:
            names = list(dict.fromkeys(data["respondents"]))
            users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
            unknown = [n for n in names if n not in users]
            if unknown:
                errors["respondents"] = [
                    _("%(name)s is not a user of a member organisation of this coalition.")
                    % {"name": name}
                    for name in unknown
                ]
            respondents = [users[n] for n in names if n in users]
        if errors:
            raise InvalidInput(errors)
        assert instrument is not None
        round_, _links = services.open_round(
            user=request.user,
            request=request,
            coalition=access.coalition,
            instrument_version=instrument,
            closes_on=data["closes_on"],
            title=data.get("title", ""),
            respondents=respondents,
        )
        round_.invited = round_.invitations.count()  # type: ignore[attr-defined]
        return Response(
            RoundOutSerializer(round_).data,
            status=201,
            headers={"Location": f"/api/v1/assessment-rounds/{round_.pk}"},
        )


class ResponseInputSerializer(serializers.Serializer[Any]):
    answers = serializers.DictField(
        child=serializers.IntegerField(allow_null=True, min_value=-1000, max_value=1000),
        allow_empty=False,
        help_text="Statement code → score on the instrument's scale, or null for 'don't know'. "
        "Every statement of the instrument is answered.",
    )
    comments = serializers.DictField(
        child=serializers.CharField(max_length=2000, allow_blank=True),
        required=False,
        help_text="Statement code → an optional comment.",
    )

    def validate_answers(self, value: dict[str, Any]) -> dict[str, Any]:
        raw = self.initial_data.get("answers") if isinstance(self.initial_data, dict) else None
        if isinstance(raw, dict) and any(isinstance(v, bool) for v in raw.values()):
            raise serializers.ValidationError(_("A score is a whole number or null."))
        if len(value) > 1000:
            raise serializers.ValidationError(_("Too many answers."))
        return value


class ResponseOutSerializer(serializers.Serializer[Any]):
    round = serializers.IntegerField()
    submitted = serializers.BooleanField()
    replaced = serializers.BooleanField(help_text="true: earlier answers were replaced.")


class ResponseView(WorkspaceAPIView):
    @extend_schema(
        operation_id="assessment_rounds_respond",
        summary="Send in answers to a round",
        description="By an invited respondent. Answers are anonymous: nobody sees who gave "
        "which answer. Sending in again replaces the answers (200). Refused: answers outside "
        "the scale or to unknown statements (400), after closing (409), by someone who is not "
        "invited (403) or who has no part in the coalition (404).",
        parameters=[ROUND_ID],
        request=ResponseInputSerializer,
        responses=with_problems(
            {201: ResponseOutSerializer, 200: ResponseOutSerializer}, 400, 403, 404, 409
        ),
        tags=["coalitions"],
    )
    def post(self, request: Request, round_id: str) -> Response:
        found = selectors.get_round(
            request.user, round_id, request=request, event_type="assessments.response.submit"
        )
        data = validated(ResponseInputSerializer, request.data)
        comments = data.get("comments", {})
        unknown_comments = set(comments) - set(data["answers"])
        if unknown_comments:
            raise InvalidInput(
                {
                    f"comments.{code}"[:80]: [_("A comment goes with an answer to that statement.")]
                    for code in sorted(unknown_comments)
                }
            )
        answers = {
            code: AnswerInput(value, comments.get(code, ""))
            for code, value in data["answers"].items()
        }
        try:
            result = services.answer_as_user(
                user=request.user, round_=found.round, answers=answers, submit=True, request=request
            )
        except InvalidInput as error:
            raise InvalidInput(
                {f"answers.{code}": messages for code, messages in error.errors.items()}
            ) from None
        return Response(
            {
                "round": found.round.pk,
                "submitted": result.submitted,
                "replaced": not result.created,
            },
            status=201 if result.created else 200,
        )


class StatementResultSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    n = serializers.IntegerField(allow_null=True, help_text="Scores given (not 'don't know').")
    unknown = serializers.IntegerField(allow_null=True, help_text="'Don't know' answers.")
    mean = serializers.FloatField(allow_null=True)
    median = serializers.FloatField(allow_null=True)
    spread = serializers.FloatField(allow_null=True, help_text="Standard deviation.")
    distribution = serializers.DictField(
        child=serializers.IntegerField(),
        allow_null=True,
        help_text="Score → how many gave it (every score of the scale).",
    )
    previous_mean = serializers.FloatField(allow_null=True)


class PartResultSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    n = serializers.IntegerField(allow_null=True, help_text="Scores given in this part.")
    mean = serializers.FloatField(allow_null=True)
    previous_mean = serializers.FloatField(allow_null=True)
    statements = StatementResultSerializer(many=True)


class ResultsSerializer(serializers.Serializer[Any]):
    round = serializers.IntegerField()
    respondents = serializers.IntegerField(
        help_text="Respondents whose answers are in the results."
    )
    answered = serializers.IntegerField(
        help_text="Respondents who have sent in answers by now (some may not be in the results "
        "yet: see `held_back`)."
    )
    held_back = serializers.BooleanField(
        help_text="true: answers sent in or changed since the results were last updated are not "
        "in them. While a round is open, its results are updated only when at least `threshold` "
        "more respondents have answered, so that comparing results cannot reveal one person's "
        "answers; after closing, fewer than that stay out."
    )
    threshold = serializers.IntegerField(
        help_text="Results are shown from this many respondents on (a setting)."
    )
    suppressed = serializers.BooleanField(
        help_text="true: too few respondents (or the round is still open and results wait "
        "for its closing): no figure but the number of respondents."
    )
    is_example = serializers.BooleanField(help_text="The statements are example text.")
    is_demo = serializers.BooleanField()
    previous_round = serializers.IntegerField(allow_null=True)
    parts = PartResultSerializer(many=True)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def results_data(view: selectors.RoundResults) -> dict[str, Any]:
    results = view.results
    parts = []
    for part in view.parts:
        statements = []
        for row in part.statements:
            r = row.result
            statements.append(
                {
                    "code": row.statement.code,
                    "n": r.n,
                    "unknown": r.unknown,
                    "mean": _round(r.mean),
                    "median": r.median,
                    "spread": _round(r.spread),
                    "distribution": (
                        {str(k): v for k, v in r.distribution.items()} if r.distribution else None
                    ),
                    "previous_mean": _round(row.change.previous) if row.change else None,
                }
            )
        parts.append(
            {
                "code": part.part.code,
                "name": part.part.name,
                "n": part.result.n,
                "mean": _round(part.result.mean),
                "previous_mean": _round(part.change.previous) if part.change else None,
                "statements": statements,
            }
        )
    return {
        "round": view.round.pk,
        "respondents": results.respondents,
        "answered": view.answers.answered if view.answers else results.respondents,
        "held_back": view.held_back,
        "threshold": results.threshold,
        "suppressed": results.suppressed,
        "is_example": view.version.is_example,
        "is_demo": view.round.is_demo or view.round.coalition.is_demo,
        "previous_round": view.previous.pk if view.previous and not results.suppressed else None,
        "parts": parts,
    }


class ResultsView(WorkspaceAPIView):
    @extend_schema(
        operation_id="assessment_rounds_results",
        summary="The results of a round",
        description="For the coalition's coordinator and analysts. Per part and per statement: "
        "number of scores, mean, median, spread and distribution; 'don't know' apart. While "
        "`suppressed` (fewer respondents than `threshold`) every figure is null. A statement "
        "with fewer scores than the threshold has no figures either.",
        parameters=[ROUND_ID],
        responses=with_problems({200: ResultsSerializer}, 403, 404),
        tags=["coalitions"],
    )
    def get(self, request: Request, round_id: str) -> Response:
        found = selectors.get_round(
            request.user, round_id, request=request, event_type="assessments.results.view"
        )
        if not found.reads_results:
            record_refusal(
                request=request,
                event_type="assessments.results.view",
                action=Action.READ,
                role=found.role,
                **selectors.round_audit_fields(found.round.pk),
            )
            raise NotAllowed(_("The results are for the coalition's coordinator and analysts."))
        view = selectors.round_results(found, request=request)
        return Response(ResultsSerializer(results_data(view)).data)


__all__ = ["InstrumentListView", "ResponseView", "ResultsView", "RoundCollectionView"]
