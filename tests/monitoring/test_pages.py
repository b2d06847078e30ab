"""The monitor's pages: pick a municipality, its overview per phase, one indicator with trend and
comparison, the map; tables without JavaScript, downloads, suppression everywhere, query caps."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kansrijk.monitoring.models import IndicatorValue

pytestmark = pytest.mark.django_db


def test_pick_a_municipality_or_a_postcode(client, catalogue):
    response = client.get(reverse("monitoring:index"))
    assert response.status_code == 200
    assert "Lokale monitor" in response.content.decode()
    response = client.get(reverse("monitoring:index"), {"postcode": "9203"})
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:municipality", args=["GM0090"])
    assert client.get(reverse("monitoring:index"), {"postcode": "12"}).status_code == 400


def test_overview_per_phase_with_region_country_and_change(
    client, figures, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = client.get(reverse("monitoring:municipality", args=["GM0090"]))
    assert response.status_code == 200
    (row,) = [r for g in response.context["groups"] for r in g.rows if r.indicator.code == "big2"]
    assert row.latest.display == "20,0%"
    assert row.latest.period == "2023"
    assert row.country is not None
    assert row.region is not None
    assert row.region.area_code == "GG7206"
    assert row.change.arrow == "↑"
    assert row.change.judgement == "worse"  # lower is better
    body = response.content.decode()
    assert "Na de geboorte" in body
    assert "hoger dan in 2022 (slechter)" in body


def test_indicator_page_has_trend_table_comparison_and_downloads(client, figures):
    url = reverse("monitoring:indicator", args=["GM0090", "big2"])
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="chart-trend-spec"' in body  # the Vega-Lite spec, as JSON (no inline script)
    assert "<table" in body
    assert "20,0%" in body
    assert response.context["comparison"] is not None
    csv_response = client.get(url, {"download": "csv", "tabel": "trend"})
    assert csv_response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Periode"
    assert rows[2][:2] == ["2023", "20"]
    xlsx = client.get(url, {"download": "xlsx", "tabel": "trend"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in next(sheet.iter_rows(min_row=3, max_row=3))][:2] == ["2022", 15]


def test_suppressed_values_never_leave_the_app(client, figures):
    # Schiermonnikoog: 3 of 20.
    response = client.get(reverse("monitoring:indicator", args=["GM0088", "big2"]))
    body = response.content.decode()
    assert "&lt; 10" in body
    assert "15,0%" not in body  # 3/20
    download = client.get(
        reverse("monitoring:indicator", args=["GM0088", "big2"]),
        {"download": "csv", "tabel": "trend"},
    ).content.decode("utf-8-sig")
    assert "< 10" in download
    assert ";3;" not in download
    assert ";20;" not in download
    # Its GGD region would give the 3 away (the only suppressed municipality there): withheld.
    region = IndicatorValue.objects.get(area_code="GG7206", period_start=2023)
    assert region.withheld
    overview = client.get(reverse("monitoring:municipality", args=["GM0090"]))
    (row,) = [r for g in overview.context["groups"] for r in g.rows if r.indicator.code == "big2"]
    assert row.region.display == "niet getoond"
    assert row.region.value is None


def test_map_page_all_municipalities_with_links(client, figures, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get(reverse("monitoring:map", args=["big2"]), {"periode": "2022"})
    assert response.status_code == 200
    chart = response.context["chart"]
    assert len(chart.table.rows) == 342
    spec = chart.spec
    assert spec["data"]["url"].endswith(".geojson")
    values = spec["transform"][0]["from"]["data"]["values"]
    schier = next(v for v in values if v["code"] == "GM0088")
    assert (schier["value"], schier["shown"]) == (None, "< 10")
    assert next(v for v in values if v["code"] == "GM0090")["url"] == reverse(
        "monitoring:indicator", args=["GM0090", "big2"]
    )
    assert (
        client.get(reverse("monitoring:map", args=["big2"]), {"periode": "1999"}).status_code == 404
    )
    assert client.get(reverse("monitoring:map", args=["onbekend"])).status_code == 404


def test_unknown_municipality_is_404(client, catalogue):
    assert client.get(reverse("monitoring:municipality", args=["GM9999"])).status_code == 404


def test_demo_values_are_marked(client, figures):
    IndicatorValue.objects.filter(area_code="GM0090").update(is_demo=True)
    response = client.get(reverse("monitoring:indicator", args=["GM0090", "big2"]))
    assert response.context["trend"].is_demo
    assert "Demo" in response.content.decode()
    download = client.get(
        reverse("monitoring:indicator", args=["GM0090", "big2"]),
        {"download": "csv", "tabel": "trend"},
    ).content.decode("utf-8-sig")
    assert "Demo: gegenereerde waarden" in download


def test_the_kept_page_is_the_page_and_an_import_shows_at_once(
    client, figures, django_assert_max_num_queries
):
    from kansrijk.monitoring.importing import import_uploads

    url = reverse("monitoring:municipality", args=["GM0090"])
    first = client.get(url).content
    with django_assert_max_num_queries(2):  # the session check and nothing else: kept whole
        again = client.get(url).content
    assert again == first
    import_uploads(
        values=(
            "values.csv",
            b"indicator,area,period,numerator,denominator\nbig2,GM0090,2023,90,400\n",
        )
    )
    assert "22,5%" in client.get(url).content.decode()
