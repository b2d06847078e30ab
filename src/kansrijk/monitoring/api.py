"""Public, read-only API of the monitor.

``GET /api/v1/indicators`` lists the public catalogue; ``GET /api/v1/indicators/{code}/values``
gives values, optionally filtered by ``area`` and ``period`` (both repeatable); without ``area``
every municipality (for maps). Every item went through the suppression module: a suppressed value
has ``suppressed: true`` and ``numerator``, ``denominator`` and ``value`` null. Generated demo
values have ``is_demo: true``. An unknown indicator, area or period is a 400 problem+json.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kansrijk.api.problems import PROBLEM_CONTENT_TYPE, ProblemSerializer, problem_response
from kansrijk.monitoring import selectors
from kansrijk.monitoring.cache import kept
from kansrijk.monitoring.importing import parse_period
from kansrijk.monitoring.models import AreaLevel, Indicator, IndicatorValue, area_level

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


class ValueListSerializer(serializers.Serializer[Any]):
    indicator = serializers.CharField()
    unit = serializers.CharField()
    count = serializers.IntegerField()
    # See IndicatorSerializer.source.
    source = serializers.CharField()  # type: ignore[assignment]
    items = ValueSerializer(many=True)


class _PublicReadOnlyView(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)
    http_method_names = ["get", "head", "options"]


_PROBLEM_400 = OpenApiResponse(
    ProblemSerializer, description="Unknown indicator, area or period (problem+json)."
)


class IndicatorListView(_PublicReadOnlyView):
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
        indicators = list(Indicator.objects.public())
        return Response(
            {"count": len(indicators), "results": IndicatorSerializer(indicators, many=True).data}
        )


class IndicatorValuesView(_PublicReadOnlyView):
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
        responses={200: ValueListSerializer, (400, PROBLEM_CONTENT_TYPE): _PROBLEM_400},
        tags=["monitoring"],
    )
    def get(self, request: Request, code: str) -> Response:
        indicator = selectors.indicator_or_none(code)
        if indicator is None:
            return self._problem(
                request, "indicator", _("Unknown indicator %(code)r.") % {"code": code}
            )
        areas = [a.strip().upper() for a in request.query_params.getlist("area") if a.strip()]
        period_texts = [p.strip() for p in request.query_params.getlist("period") if p.strip()]
        if len(areas) > MAX_FILTERS or len(period_texts) > MAX_FILTERS:
            return self._problem(
                request,
                "area",
                _("Ask for at most %(max)s areas and periods.") % {"max": MAX_FILTERS},
            )
        names = selectors.area_names(areas or None)
        for area in areas:
            if area_level(area) is None or area not in names:
                return self._problem(
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
                return self._problem(
                    request,
                    "period",
                    _("A period is a year (2023) or a range of years (2019-2023)."),
                )
            periods.append(period)
        data = kept(
            "values",
            (
                indicator.code,
                get_language(),
                ",".join(sorted(areas)),
                ",".join(sorted(period_texts)),
            ),
            lambda: self._values(indicator, areas, period_texts, periods, names),
        )
        if isinstance(data, str):
            return self._problem(request, "period", data)
        return Response(data)

    def _values(
        self,
        indicator: Indicator,
        areas: list[str],
        period_texts: list[str],
        periods: list[tuple[int, int]],
        names: dict[str, str],
    ) -> dict[str, Any] | str:
        """The answer's data, or the message of a 400 for a period without values."""
        rows = IndicatorValue.objects.filter(indicator=indicator)
        if areas:
            rows = rows.filter(area_code__in=areas)
        else:
            rows = rows.filter(area_level=AreaLevel.MUNICIPALITY)
        if periods:
            known = set(rows.values_list("period_start", "period_end").distinct())
            unknown = [period_texts[i] for i, p in enumerate(periods) if p not in known]
            if unknown:
                return str(_("No values for period %(period)s.") % {"period": ", ".join(unknown)})
            rows = rows.filter(
                period_start__in={p[0] for p in periods}, period_end__in={p[1] for p in periods}
            )
        wanted = set(periods)
        figures = [
            selectors.figure(indicator, row, names)
            for row in rows.order_by("area_code", "period_end", "period_start").only(
                "area_code",
                "period_start",
                "period_end",
                "numerator",
                "denominator",
                "value",
                "withheld",
                "is_demo",
                "source_note",
            )
            if not wanted or (row.period_start, row.period_end) in wanted
        ]
        return {
            "indicator": indicator.code,
            "unit": indicator.unit,
            "count": len(figures),
            "source": indicator.source_reference,
            "items": [
                {
                    "area": f.area_code,
                    "area_name": f.area_name,
                    "period": f.period,
                    "numerator": f.numerator,
                    "denominator": f.denominator,
                    "value": f.value,
                    "suppressed": f.suppressed,
                    "is_demo": f.is_demo,
                }
                for f in figures
            ],
        }

    def _problem(self, request: Request, field: str, detail: str) -> Response:
        return problem_response(
            400,
            detail,
            code="ongeldige-invoer",
            errors={field: [detail]},
            instance=request.get_full_path(),
        )
