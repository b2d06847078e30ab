"""Pages of the monitor: pick a municipality, its overview per phase, one indicator (trend,
comparison with the same size class), the national map per indicator and period, and the upload
page for analysts. Public indicators are public; the loop's own figures only for coordinators
and analysts of the municipality (``loop``). Downloads: ``?download=csv`` or ``xlsx`` on the
page that shows the table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.messages import get_messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from kansrijk.core.forbidden import forbidden_page
from kansrijk.core.models import with_demo_mark
from kansrijk.monitoring import loop, selectors
from kansrijk.monitoring.cache import filled, fragment, kept
from kansrijk.monitoring.charts import (
    Chart,
    Download,
    Link,
    Table,
    map_spec,
    strip_spec,
    trend_spec,
)
from kansrijk.monitoring.exports import table_response
from kansrijk.monitoring.forms import PlaceForm, UploadForm
from kansrijk.monitoring.importing import ImportFailed, Scope, import_uploads
from kansrijk.monitoring.models import Indicator, period_label
from kansrijk.monitoring.selectors import Figure
from kansrijk.places.models import Municipality
from kansrijk.places.services import ATTRIBUTION

BOUNDARIES = "monitoring/gemeenten-2025.geojson"
DASH = "\u2013"
_FORMATS = ("csv", "xlsx")


def _downloads(request: HttpRequest, what: str) -> list[Download]:
    query = request.GET.copy()
    links = []
    for fmt in _FORMATS:
        query["download"] = fmt
        query["tabel"] = what
        links.append(
            Download(
                _("Download %(what)s (%(format)s)")
                % {"what": _("table"), "format": fmt.upper() if fmt == "csv" else ".xlsx"},
                f"{request.path}?{query.urlencode()}",
            )
        )
    return links


def _download_requested(request: HttpRequest, what: str) -> str | None:
    fmt = request.GET.get("download")
    if fmt in _FORMATS and request.GET.get("tabel") == what:
        return fmt
    return None


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 3)


def _export_cells(figure: Figure | None) -> list[Any]:
    """value, numerator, denominator, suppressed, demo — numbers as numbers."""
    if figure is None:
        return ["", "", "", "", ""]
    if figure.suppressed:
        return [figure.display, "", "", _("yes"), _("yes") if figure.is_demo else _("no")]
    return [
        _number(figure.value),
        _number(figure.numerator),
        _number(figure.denominator),
        _("no"),
        _("yes") if figure.is_demo else _("no"),
    ]


def _indicator_chart(
    request: HttpRequest,
    indicator: Indicator,
    key: str,
    title: str,
    description: str,
    spec: dict[str, Any],
    table: Table,
    is_demo: bool,
    figures: Sequence[Figure | None],
) -> Chart:
    """A chart of ``indicator``'s ``figures``, with its downloads, its source (and the figures'
    own sources) and whether its definition is public."""
    return Chart(
        key=key,
        title=title,
        description=description,
        spec=spec,
        table=table,
        downloads=_downloads(request, key),
        is_demo=is_demo,
        source=indicator.source_reference,
        figure_sources=selectors.figure_sources(figures),
        definition_complete=indicator.definition_public,
    )


def _chart_download(chart: Chart, *, name: str, fmt: str) -> HttpResponse:
    """``chart``'s table as a CSV or .xlsx download, with the notes the chart shows."""
    return table_response(
        chart.table,
        name=name,
        fmt=fmt,
        source=chart.source,
        figure_sources=chart.figure_sources,
        definition_complete=chart.definition_complete,
        is_demo=chart.is_demo,
    )


def _municipalities_table(title: str, figures: Sequence[Figure], rows: list[list[Any]]) -> Table:
    """The table of a chart of municipal ``figures``: ``rows`` to show, every figure to export."""
    return Table(
        caption=title,
        columns=[_("Municipality"), _("Value")],
        rows=rows,
        numeric=[False, True],
        export_columns=[
            _("Code"),
            _("Municipality"),
            _("value"),
            _("numerator"),
            _("denominator"),
            _("suppressed"),
            _("demo"),
        ],
        export_rows=[[f.area_code, f.area_name, *_export_cells(f)] for f in figures],
    )


def _shown(figure: Figure | None) -> str:
    if figure is None:
        return DASH
    return with_demo_mark(figure.display, figure.is_demo)


# --- Picking a municipality --------------------------------------------------------------------


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    form = PlaceForm(request.GET if request.GET else None)
    if request.GET and form.is_valid():
        return redirect("monitoring:municipality", code=form.cleaned_data["place"].code)
    indicators = selectors.public_indicators()
    return render(
        request,
        "monitoring/index.html",
        {
            "form": form,
            "place_form": None if form.is_bound else _place_form(request),
            "indicators": indicators,
            "attribution": ATTRIBUTION,
        },
        status=400 if request.GET and not form.is_valid() else 200,
    )


PLACE_FORM = "monitoring/includes/place_form.html"


def _place_form(request: HttpRequest) -> str:
    """The unbound municipality picker (the same on every page; kept rendered)."""
    return fragment(PLACE_FORM, (), lambda: render_to_string(PLACE_FORM, {"form": PlaceForm()}))


def _municipality(code: str) -> Municipality:
    found = selectors.municipality_or_none(code)
    if found is None:
        raise Http404
    return found


PAGE_TEMPLATE = "monitoring/municipality.html"
PHASE_TEMPLATE = "monitoring/includes/overview_phase.html"
ROW_TEMPLATE = "monitoring/includes/overview_row.html"


@require_safe
def municipality(request: HttpRequest, code: str) -> HttpResponse:
    place = _municipality(code)
    if request.user.is_authenticated or len(get_messages(request)):
        return _municipality_page(request, place)
    # The same page for every anonymous visitor of this address and language without messages
    # waiting: kept whole (it holds no CSRF token and no personal data; ``monitoring.cache``),
    # and built from kept skeletons (``cache.filled``).
    content = kept(
        "municipality",
        (place.code, get_language(), request.get_full_path()),
        lambda: _municipality_page(request, place, anonymous=True).content,
    )
    return HttpResponse(content)


def _overview(place: Municipality, groups: list[selectors.PhaseGroup]) -> SafeString:
    """The overview's tables, one per phase, as markup (``cache.filled``: a page has 40 rows,
    which the template engine renders once per kind of row and language, not per page)."""
    zero = "0" * 12
    pattern = reverse("monitoring:indicator", args=[place.code, zero])
    phases = []
    for group in groups:
        rows = []
        for row in group.rows:
            period = row.latest or row.country
            change = row.change
            flags = {
                "incomplete": not row.indicator.definition_public,
                "own_demo": bool(row.latest and row.latest.is_demo),
                "region_demo": bool(row.region and row.region.is_demo),
                "country_demo": bool(row.country and row.country.is_demo),
                "has_change": change is not None,
            }
            values = {
                "url": pattern.replace(zero, row.indicator.code, 1),
                "name": row.indicator.name,
                "place": place.name,
                "period": period.period if period else DASH,
                "own": row.latest.display if row.latest else DASH,
                "region": row.region.display if row.region else DASH,
                "country": row.country.display if row.country else DASH,
                "arrow": change.arrow if change else "",
                "judgement": (change.judgement or "neutral") if change else "",
                "change": change.label if change else "",
            }
            rows.append(filled(ROW_TEMPLATE, flags, values))
        phases.append(
            filled(
                PHASE_TEMPLATE,
                {},
                {
                    "phase": group.phase,
                    "label": group.label,
                    "name": place.name,
                    "rows": mark_safe("".join(rows)),  # noqa: S308 - filled markup
                },
            )
        )
    return mark_safe("\n".join(phases))  # noqa: S308 - filled markup


def _municipality_page(
    request: HttpRequest, place: Municipality, *, anonymous: bool = False
) -> HttpResponse:
    """The page of ``place``; for an anonymous visitor from kept skeletons (``cache.filled``),
    the same markup as the template renders."""
    groups = selectors.municipality_overview(place)
    sources = selectors.figure_sources(
        figure
        for group in groups
        for row in group.rows
        for figure in (row.latest, row.region, row.country)
    )
    flags = {
        "is_demo": any(row.is_demo for group in groups for row in group.rows),
        "has_figure_sources": bool(sources),
    }
    values = {
        "figure_sources": sources,
        "name": place.name,
        "region_name": place.ggd_region.name,
        "province_name": place.province.name,
        "overview": _overview(place, groups),
    }
    constants = {"place_form": _place_form(request), "attribution": ATTRIBUTION}
    if anonymous:
        return HttpResponse(
            filled(PAGE_TEMPLATE, flags, values, constants=constants, request=request)
        )
    context: dict[str, Any] = {**constants, **flags, **values}
    if loop.may_see(request.user, place.code):
        context["loop"] = loop.overview(place, user=request.user, request=request)
    return render(request, PAGE_TEMPLATE, context)


# --- One indicator for a municipality ------------------------------------------------------------


def _trend_chart(
    request: HttpRequest, indicator: Indicator, place: Municipality
) -> tuple[Chart, bool]:
    rows = selectors.trend(indicator, place)
    names = [place.name, place.ggd_region.name, _("the Netherlands")]
    points = []
    is_demo = False
    for row in rows:
        for name, figure in zip(names, (row.municipality, row.region, row.country), strict=True):
            if figure is None:
                continue
            is_demo = is_demo or figure.is_demo
            if figure.value is not None:
                points.append(
                    {
                        "period": row.period,
                        "area": name,
                        "value": figure.value,
                        "shown": figure.display,
                    }
                )
    title = _("%(indicator)s in %(municipality)s") % {
        "indicator": indicator.name,
        "municipality": place.name,
    }
    description = _(
        "Trend over the periods: %(municipality)s compared with %(region)s and the Netherlands. "
        "The table below has the same figures."
    ) % {"municipality": place.name, "region": place.ggd_region.name}
    table = Table(
        caption=title,
        columns=[_("Period"), *names],
        rows=[
            [row.period, _shown(row.municipality), _shown(row.region), _shown(row.country)]
            for row in rows
        ],
        numeric=[False, True, True, True],
        export_columns=[
            _("Period"),
            *[
                f"{name} {DASH} {column}"
                for name in names
                for column in (
                    _("value"),
                    _("numerator"),
                    _("denominator"),
                    _("suppressed"),
                    _("demo"),
                )
            ],
        ],
        export_rows=[
            [
                row.period,
                *_export_cells(row.municipality),
                *_export_cells(row.region),
                *_export_cells(row.country),
            ]
            for row in rows
        ],
    )
    chart = _indicator_chart(
        request,
        indicator,
        "trend",
        title,
        description,
        trend_spec(
            title=title,
            description=description,
            unit=indicator.unit,
            points=points,
            series=names,
            is_demo=is_demo,
        ),
        table,
        is_demo,
        [figure for row in rows for figure in (row.municipality, row.region, row.country)],
    )
    return chart, bool(rows)


def _comparison_chart(
    request: HttpRequest, indicator: Indicator, place: Municipality, period: tuple[int, int]
) -> Chart | None:
    comparison = selectors.size_class_figures(indicator, place, period)
    if comparison is None or not comparison.figures:
        return None
    is_demo = any(f.is_demo for f in comparison.figures)
    title = _("%(indicator)s in municipalities of %(class)s, %(period)s") % {
        "indicator": indicator.name,
        "class": comparison.label,
        "period": comparison.period,
    }
    median = (
        selectors.format_value(indicator.unit, comparison.median)
        if comparison.median is not None
        else DASH
    )
    description = _(
        "%(count)s municipalities of the same size class; %(municipality)s highlighted. "
        "Median of the values shown: %(median)s."
    ) % {"count": len(comparison.figures), "municipality": place.name, "median": median}
    url = lambda code: reverse("monitoring:indicator", args=[code, indicator.code])  # noqa: E731
    values = [
        {
            "name": f.area_name,
            "value": f.value,
            "shown": f.display,
            "selected": f.area_code == place.code,
            "url": url(f.area_code),
        }
        for f in comparison.figures
        if f.value is not None
    ]
    table = _municipalities_table(
        title,
        comparison.figures,
        [
            [Link(f.area_name, url(f.area_code)), _shown(f)]
            for f in sorted(comparison.figures, key=lambda f: (f.value is None, -(f.value or 0)))
        ],
    )
    return _indicator_chart(
        request,
        indicator,
        "vergelijking",
        title,
        description,
        strip_spec(
            title=title,
            description=description,
            unit=indicator.unit,
            values=values,
            is_demo=is_demo,
        ),
        table,
        is_demo,
        comparison.figures,
    )


@require_safe
def indicator(request: HttpRequest, code: str, indicator: str) -> HttpResponse:
    place = _municipality(code)
    item = selectors.indicator_or_none(indicator)
    if item is None:
        raise Http404
    trend, has_values = _trend_chart(request, item, place)
    fmt = _download_requested(request, "trend")
    if fmt:
        return _chart_download(trend, name=f"{item.code}-{place.code}", fmt=fmt)
    periods = selectors.periods(item)
    comparison = _comparison_chart(request, item, place, periods[0]) if periods else None
    fmt = _download_requested(request, "vergelijking")
    if fmt and comparison is not None:
        return _chart_download(comparison, name=f"{item.code}-{place.code}-grootteklasse", fmt=fmt)
    return render(
        request,
        "monitoring/indicator.html",
        {
            "municipality": place,
            "indicator": item,
            "trend": trend,
            "has_values": has_values,
            "comparison": comparison,
            "attribution": ATTRIBUTION,
        },
    )


# --- The map ---------------------------------------------------------------------------------


def _period_from(request: HttpRequest, periods: list[tuple[int, int]]) -> tuple[int, int] | None:
    wanted = request.GET.get("periode", "")
    for period in periods:
        if period_label(*period) == wanted:
            return period
    if wanted:
        raise Http404
    return periods[0] if periods else None


@require_safe
def map_page(request: HttpRequest, indicator: str) -> HttpResponse:
    item = selectors.indicator_or_none(indicator)
    if item is None:
        raise Http404
    periods = selectors.periods(item)
    period = _period_from(request, periods)
    chart = None
    if period is not None:
        figures = selectors.map_figures(item, period)
        is_demo = any(f.is_demo for f in figures)
        url = lambda code: reverse("monitoring:indicator", args=[code, item.code])  # noqa: E731
        title = _("%(indicator)s per municipality, %(period)s") % {
            "indicator": item.name,
            "period": period_label(*period),
        }
        suppressed = sum(f.suppressed for f in figures)
        description = _(
            "Map of the Netherlands with %(count)s municipalities; darker is a higher value. "
            "Grey: no figure or fewer than 10 people (%(suppressed)s municipalities). Choose a "
            "municipality on the map or in the table to open its page."
        ) % {"count": len(figures), "suppressed": suppressed}
        table = _municipalities_table(
            title,
            figures,
            [[Link(f.area_name, url(f.area_code)), _shown(f)] for f in figures],
        )
        chart = _indicator_chart(
            request,
            item,
            "kaart",
            title,
            description,
            map_spec(
                title=title,
                description=description,
                boundaries_url=static(BOUNDARIES),
                values=[
                    {
                        "code": f.area_code,
                        "name": f.area_name,
                        "value": f.value,
                        "shown": f.display,
                        "url": url(f.area_code),
                    }
                    for f in figures
                ],
                is_demo=is_demo,
            ),
            table,
            is_demo,
            figures,
        )
        fmt = _download_requested(request, "kaart")
        if fmt:
            return _chart_download(chart, name=f"{item.code}-{period_label(*period)}", fmt=fmt)
    return render(
        request,
        "monitoring/map.html",
        {
            "indicator": item,
            "periods": [period_label(*p) for p in periods],
            "period": period_label(*period) if period else "",
            "chart": chart,
            "attribution": ATTRIBUTION,
        },
    )


# --- Upload for analysts -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    areas = loop.analyst_municipalities(request.user)
    if areas is None:
        return forbidden_page(request, _("Uploading figures is for analysts."))
    form = UploadForm(request.POST or None, request.FILES or None)
    report = None
    problems = None
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data["values"]
        indicators = form.cleaned_data.get("indicators")
        try:
            report = import_uploads(
                values=(values.name, values.read()) if values else None,
                indicators=(indicators.name, indicators.read()) if indicators else None,
                scope=Scope(areas=frozenset(areas), catalogue=False),
            )
        except ImportFailed as failure:
            problems = failure.report.problems
            loop.log_upload(request, ok=False)
        else:
            loop.log_upload(request, ok=True)
            messages.success(
                request,
                _("Imported: %(created)s new and %(updated)s changed value(s).")
                % {"created": report.created, "updated": report.updated},
            )
            return redirect("monitoring:upload")
    return render(
        request,
        "monitoring/upload.html",
        {
            "form": form,
            "problems": problems,
            "problem_count": len(problems) if problems else 0,
            "shown_problems": problems[:500] if problems else [],
            "municipalities": Municipality.objects.filter(code__in=areas).order_by("name"),
        },
        status=400 if problems else 200,
    )
