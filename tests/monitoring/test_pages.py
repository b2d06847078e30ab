"""The monitor's pages: pick a municipality, its overview per phase, one indicator with trend and
comparison, the map; tables without JavaScript, downloads, suppression everywhere, query caps."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from kansrijk.core import freshness
from kansrijk.monitoring.models import IndicatorValue

pytestmark = pytest.mark.django_db


def overview_row(body: str, indicator: str) -> list[str]:
    """The texts of the cells of ``indicator``'s row in a municipality's overview."""
    for row in re.findall(r"<tr class=\"utrecht-table__row\" role=\"row\">(.*?)</tr>", body, re.S):
        if f'/{indicator}/"' in row:
            cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
            return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]
    raise AssertionError(f"no row for {indicator}")


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
    # Cold, once per process and data version: the data token, the municipalities, the
    # catalogue, the names of the areas (4), every public indicator's values (one query), the
    # municipality picker's choices.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("monitoring:municipality", args=["GM0090"]))
    assert response.status_code == 200
    body = response.content.decode()
    # Smallingerland 80/400 in 2023; GGD Fryslân withheld (Schiermonnikoog's 3 would show).
    assert overview_row(body, "big2")[1:4] == ["2023", "20,0%", "niet getoond"]
    assert "kr-mon-change--worse" in body  # lower is better, and it went up
    assert 'data-label="Verandering"' in body  # not the admin's "Wijzigen" (to change)
    # Another municipality's page reads nothing: what it shows is kept per data version.
    with django_assert_max_num_queries(0):
        other = client.get(reverse("monitoring:municipality", args=["GM0088"]))
    assert overview_row(other.content.decode(), "big2")[1:3] == ["2023", "&lt; 10"]
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
    overview = client.get(reverse("monitoring:municipality", args=["GM0090"])).content.decode()
    assert overview_row(overview, "big2")[3] == "niet getoond"


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
    freshness.bump("monitoring")  # a bulk write says so itself
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


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("code", ["GM0090", "GM0088", "GM0796"])  # 's-Hertogenbosch: escaping
def test_the_page_from_skeletons_is_the_page_the_template_renders(figures, language, code):
    """An anonymous visitor's page is put together from kept skeletons (``cache.filled``);
    rendered directly by the templates it is the same, byte for byte."""
    from kansrijk.monitoring import selectors, views

    IndicatorValue.objects.filter(area_code=code, period_start=2022).update(is_demo=True)
    freshness.bump("monitoring")
    place = selectors.municipality_or_none(code)
    with translation.override(language):
        request = RequestFactory().get(
            reverse("monitoring:municipality", args=[code]), {"x": "<a&b>"}
        )
        request.user = AnonymousUser()
        request.session = {}  # type: ignore[assignment]
        request._messages = CookieStorage(request)  # type: ignore[attr-defined]
        for _ in range(2):  # the first time renders the skeletons, the second fills kept ones
            filled = views._municipality_page(request, place, anonymous=True).content.decode()
            rendered = views._municipality_page(request, place).content.decode()
            assert filled == rendered
    assert "krmon" not in filled  # no placeholder left
    assert f"?next=/monitor/{code}/%3Fx%3D%253Ca%2526b%253E" in filled  # the language links


@pytest.mark.parametrize("code", ["coalitie", "plan-van-aanpak", "nu-niet-zwanger"])
def test_indicators_without_a_public_denominator_say_so_everywhere(client, catalogue, code):
    """Seeded with a numerator only (the RIVM's denominator is not in Kansrijk's sources): marked
    "definition incomplete" on the pages, in the API and in the exports, never a denominator."""
    from kansrijk.monitoring.models import Indicator
    from kansrijk.monitoring.services import load_facts

    load_facts()
    indicator = Indicator.objects.get(code=code)
    assert not indicator.definition_public
    assert indicator.denominator == ""
    overview = client.get(reverse("monitoring:municipality", args=["GM0090"])).content.decode()
    assert overview_row(overview, code)[0].endswith("(definitie onvolledig)")
    page = client.get(reverse("monitoring:indicator", args=["GM0090", code])).content.decode()
    assert "Definitie onvolledig" in page
    assert "Noemer" not in page
    catalogue_item = next(
        i for i in client.get("/api/v1/indicators").json()["results"] if i["code"] == code
    )
    assert catalogue_item["definition_public"] is False
    assert catalogue_item["denominator"] == ""
    values = client.get(f"/api/v1/indicators/{code}/values", {"area": "NL01"}).json()
    assert values["definition_public"] is False
    download = client.get(
        reverse("monitoring:indicator", args=["GM0090", code]),
        {"download": "csv", "tabel": "trend"},
    ).content.decode("utf-8-sig")
    assert "Definitie onvolledig" in download
    assert "onvolledig" in client.get(reverse("monitoring:index")).content.decode()


def test_a_renamed_municipality_shows_on_its_kept_page(client, figures):
    """The whole page kept for anonymous visitors follows the places too (names, regions)."""
    from kansrijk.places.models import Municipality

    url = reverse("monitoring:municipality", args=["GM0090"])
    assert "Monitor Smallingerland" in client.get(url).content.decode()
    Municipality.objects.filter(code="GM0090").update(name="Smallingerland (nieuw)")
    freshness.bump("places")  # a bulk write says so itself
    assert "Monitor Smallingerland (nieuw)" in client.get(url).content.decode()


def test_a_real_figure_is_shown_with_its_own_source_and_year(client, catalogue):
    """A national figure from a programme document (facts.csv: 272 municipalities with a
    coalition, VWS 2022) carries the source it was published in — not only the source of the
    indicator's definition — on the overview, in the chart's notes, in the exports and in the
    API."""
    from kansrijk.monitoring.services import load_facts

    load_facts()
    vws = "Ministerie van VWS, Vervolgaanpak Kansrijke Start 2022-2025 (2022)"
    overview = client.get(reverse("monitoring:municipality", args=["GM0090"])).content.decode()
    assert "272" in overview_row(overview, "coalitie")
    assert vws in overview
    # The kept page for the next anonymous visitor is the same.
    assert vws in client.get(reverse("monitoring:municipality", args=["GM0090"])).content.decode()
    url = reverse("monitoring:indicator", args=["GM0090", "coalitie"])
    notes = re.search(
        r'<p class="utrecht-paragraph kr-chart__notes">(.*?)</p>',
        client.get(url).content.decode(),
        re.S,
    )
    assert notes is not None
    assert vws in notes.group(1)
    for fmt in ("csv", "xlsx"):
        download = client.get(url, {"download": fmt, "tabel": "trend"}).content
        if fmt == "csv":
            assert vws in download.decode("utf-8-sig")
        else:
            sheet = load_workbook(io.BytesIO(download)).active
            assert any(vws in str(cell.value) for row in sheet.iter_rows() for cell in row)
    item = client.get("/api/v1/indicators/coalitie/values", {"area": "NL01"}).json()["items"][0]
    assert item["value"] == 272
    assert item["source"].startswith(vws)
    nnz = client.get("/api/v1/indicators/nu-niet-zwanger/values", {"area": "NL01"}).json()
    assert [i["source"][:40] for i in nnz["items"]] == [
        "Ministerie van VWS, Vervolgaanpak Kansri",
        "Kansrijke Start, brochure voor huisartse",
    ]


def test_the_map_has_every_municipality_in_a_small_file(places):
    """The boundaries (CBS 2025, simplified by scripts/simplify_boundaries.py) hold exactly the
    342 municipalities of the reference data, in a file of a sensible size; the production
    storage serves it compressed under a hashed (cacheable) name."""
    import gzip
    import json
    from pathlib import Path

    from django.conf import settings

    import kansrijk.monitoring
    from kansrijk.conf import base
    from kansrijk.places.models import Municipality

    path = Path(kansrijk.monitoring.__file__).parent / "static/monitoring/gemeenten-2025.geojson"
    raw = path.read_bytes()
    codes = [f["properties"]["code"] for f in json.loads(raw)["features"]]
    assert sorted(codes) == sorted(Municipality.objects.values_list("code", flat=True))
    assert len(codes) == 342
    assert len(raw) < 200_000
    assert len(gzip.compress(raw)) < 40_000
    assert base.STORAGES["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE
