"""Public, read-only API of the monitor.

``GET /api/v1/indicators`` lists the public catalogue; ``GET /api/v1/indicators/{code}/values``
gives values, optionally filtered by ``area`` and ``period`` (both repeatable); without ``area``
every municipality (for maps). Every item went through the suppression module: a suppressed value
has ``suppressed: true`` and ``numerator``, ``denominator`` and ``value`` null. Generated demo
values have ``is_demo: true``; a real figure with a source of its own names it (``source``). An
unknown indicator, area or period is a 400 problem+json.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kansrijk.api.problems import field_problem, with_problems
from kansrijk.api.public import PublicReadOnlyView
from kansrijk.core.freshness import Kept
from kansrijk.monitoring import selectors
from kansrijk.monitoring.importing import parse_period
from kansrijk.monitoring.models import Indicator, area_level, period_label

#: At most this many areas and periods per request.
MAX_FILTERS = 400


class IndicatorSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="Stable code, e.g. big2.")
    name = serializers.CharField(source="name_nl", help_text="Dutch name.")
    name_en = serializers.CharField(help_text="English name (may be empty).")
    definition = serializers.CharField()
    numerator = serializers.CharField(help_text="May be empty when the source's is not known.")
    denominator = serializers.CharField(help_text="May be empty when the source's is not known.")
    unit = serializers.CharField(help_text="percentage, count, rate_per_1000 or days.")
    direction = serializers.CharField(help_text="lower_is_better, higher_is_better or neutral.")
    phase = serializers.CharField(help_text="preconception, pregnancy, postnatal or coalition.")
    # DRF's metaclass takes declared fields off the class, so this name does not clash at run time.
    source = serializers.CharField(help_text="RIVM, Perined, CBS, Vektis, JGZ, Kansrijk or other.")  # type: ignore[assignment]
    source_reference = serializers.CharField(
        help_text="Where the definition is published, with its year."
    )
    set = serializers.CharField(source="indicator_set")
    area_levels = serializers.ListField(child=serializers.CharField())
    definition_public = serializers.BooleanField(
        help_text="False when the exact definition is not (completely) in the catalogue."
    )


class IndicatorListSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    results = IndicatorSerializer(many=True)


class ValueSerializer(serializers.Serializer[Any]):
    area = serializers.CharField(source="area_code", help_text="CBS code, e.g. GM0090.")
    area_name = serializers.CharField()
    period = serializers.CharField(help_text="A year (2023) or a pooled range (2019-2023).")
    numerator = serializers.FloatField(allow_null=True)
    denominator = serializers.FloatField(allow_null=True)
    value = serializers.FloatField(allow_null=True)
    suppressed = serializers.BooleanField(
        help_text="True: fewer than 10 people, or it would reveal such a number; all numbers null."
    )
    is_demo = serializers.BooleanField(help_text="A generated demo value, not a real figure.")
    # See IndicatorSerializer.source.
    source = serializers.CharField(  # type: ignore[assignment]
        allow_null=True,
        help_text="Where this figure was published, with its year, when it has a source of its "
        "own (a national figure from a programme document, the CBS reference data); null when "
        "the indicator's source covers it.",
    )


class ValueListSerializer(serializers.Serializer[Any]):
    indicator = serializers.CharField()
    unit = serializers.CharField()
    definition_public = serializers.BooleanField(
        help_text="False: the indicator's exact definition (numerator or denominator) is not "
        "(completely) public or not in the catalogue; see its source."
    )
    count = serializers.IntegerField()
    # See IndicatorSerializer.source.
    source = serializers.CharField()  # type: ignore[assignment]
    items = ValueSerializer(many=True)


#: What each problem status of this API means, for its OpenAPI description.
_PROBLEMS = {
    400: "Unknown indicator, area or period (problem+json).",
}


class IndicatorListView(PublicReadOnlyView):
    @extend_schema(
        operation_id="monitoring_indicators_list",
        summary="List the indicators",
        description=(
            "The public indicator catalogue: definitions with numerator, denominator, unit, "
            "direction, phase, source (with its year) and the area levels they apply to."
        ),
        responses={200: IndicatorListSerializer},
        tags=["monitoring"],
    )
    def get(self, request: Request) -> Response:
        indicators = selectors.public_indicators()
        return Response(
            {"count": len(indicators), "results": IndicatorSerializer(indicators, many=True).data}
        )


#: Answers of the values API, rendered, kept in this process per data version (by indicator,
#: language, areas and periods): the map data of an indicator is asked for again and again.
_answers: Kept[tuple[Any, ...], bytes] = Kept(
    "monitoring.values-answers",
    seconds=selectors.KEPT_SECONDS,
    size=2000,
    kinds=("monitoring", "places"),
)


def _json(data: dict[str, Any]) -> bytes:
    """``data`` as DRF's JSON renderer writes it (compact, UTF-8)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def _values(
    indicator: Indicator,
    areas: list[str],
    period_texts: list[str],
    periods: list[tuple[int, int]],
) -> dict[str, Any] | str:
    """The answer's data, or the message of a 400 for a period without values."""
    kept = selectors.indicator_figures(indicator)
    if areas:
        found = [f for area in sorted(set(areas)) for f in kept.by_area.get(area, ())]
    elif len(periods) == 1:
        found = list(kept.municipal.get(periods[0], ()))
    else:
        found = [f for figures in kept.municipal.values() for f in figures]
    if periods:
        known = {(f.period_start, f.period_end) for f in found}
        unknown = [period_texts[i] for i, p in enumerate(periods) if p not in known]
        if unknown:
            return str(_("No values for period %(period)s.") % {"period": ", ".join(unknown)})
        wanted = set(periods)
        found = [f for f in found if (f.period_start, f.period_end) in wanted]
    found.sort(key=lambda f: (f.area_code, f.period_end, f.period_start))
    return {
        "indicator": indicator.code,
        "unit": indicator.unit,
        "definition_public": indicator.definition_public,
        "count": len(found),
        "source": indicator.source_reference,
        "items": [
            {
                "area": f.area_code,
                "area_name": str(f.area_name),
                "period": f.period,
                "numerator": f.numerator,
                "denominator": f.denominator,
                "value": f.value,
                "suppressed": f.suppressed,
                "is_demo": f.is_demo,
                "source": f.own_source or None,
            }
            for f in found
        ],
    }


def _maps(indicator: Indicator) -> dict[tuple[Any, ...], bytes]:
    """The answers for the map of each period (no area, one period), by their keys."""
    language = get_language()
    answers = {}
    for period in selectors.indicator_figures(indicator).periods:
        data = _values(indicator, [], [period_label(*period)], [period])
        if not isinstance(data, str):
            answers[(indicator.code, language, (), (period,))] = _json(data)
    return answers


class IndicatorValuesView(PublicReadOnlyView):
    @extend_schema(
        operation_id="monitoring_indicator_values_list",
        summary="Values of an indicator",
        description=(
            "Values per area and period. `area` and `period` are optional and repeatable; without "
            "`area` every municipality (for a map). Regional values are computed from the "
            "municipalities. Numbers under 10 about people are suppressed: `suppressed` is true "
            "and `numerator`, `denominator` and `value` are null. An unknown indicator, area or "
            "period is a 400 problem."
        ),
        parameters=[
            OpenApiParameter(
                "code",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="Indicator code, e.g. big2.",
            ),
            OpenApiParameter(
                "area",
                OpenApiTypes.STR,
                many=True,
                description="CBS code: GM0090, GG7206, JZ02, PV21 or NL01. Repeatable.",
            ),
            OpenApiParameter(
                "period", OpenApiTypes.STR, many=True, description="2023 or 2019-2023. Repeatable."
            ),
        ],
        responses=with_problems({200: ValueListSerializer}, 400, descriptions=_PROBLEMS),
        tags=["monitoring"],
    )
    def get(self, request: Request, code: str) -> HttpResponse:
        indicator = selectors.indicator_or_none(code)
        if indicator is None:
            return field_problem(
                request, "indicator", _("Unknown indicator %(code)r.") % {"code": code}
            )
        areas = [a.strip().upper() for a in request.query_params.getlist("area") if a.strip()]
        period_texts = [p.strip() for p in request.query_params.getlist("period") if p.strip()]
        if len(areas) > MAX_FILTERS or len(period_texts) > MAX_FILTERS:
            return field_problem(
                request,
                "area",
                _("Ask for at most %(max)s areas and periods.") % {"max": MAX_FILTERS},
            )
        names = selectors.area_names(areas)
        for area in areas:
            if area_level(area) is None or area not in names:
                return field_problem(
                    request,
                    "area",
                    _(
                        "Unknown area %(area)r: use a CBS code such as GM0090, GG7206, JZ02, PV21 or NL01."
                    )
                    % {"area": area},
                )
        periods = []
        for text in period_texts:
            period = parse_period(text)
            if period is None:
                return field_problem(
                    request,
                    "period",
                    _("A period is a year (2023) or a range of years (2019-2023)."),
                )
            periods.append(period)
        key = (indicator.code, get_language(), tuple(sorted(areas)), tuple(sorted(periods)))
        body = _answers.get(key)
        if body is None and not areas and len(periods) == 1:
            # The map of one period: every period's map of this indicator at once.
            _answers.put_many(_maps(indicator))
            body = _answers.get(key)
        if body is None:
            data = _values(indicator, areas, period_texts, periods)
            if isinstance(data, str):
                return field_problem(request, "period", data)
            body = _answers.put(key, _json(data))
        return HttpResponse(body, content_type="application/json")
