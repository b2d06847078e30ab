"""The local monitor in the browser (issue 14, point 9): an analyst of Smallingerland imports a CSV
with one bad row (sees the report, nothing changed), fixes it and imports; opens the dashboard
for GM0090, reads a trend, switches to the table, clicks another municipality on the map; a
coordinator sees the referral figures of the demo with "< 10" where due. axe-core on every page;
no error in the console (the strict CSP holds with vega-embed); screenshots at 1280 and 390 px. On a
390 px phone every table of the monitor reads as cards (kr-table--stack), none scrolls sideways."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kansrijk.accounts.demo import DEMO_PASSWORD
from kansrijk.accounts.demo import load as load_demo_accounts
from kansrijk.monitoring.models import IndicatorValue
from kansrijk.monitoring.services import load_all
from tests.e2e.conftest import assert_accessible, log_in, screenshot
from tests.e2e.test_phone_tables import _assert_cards

pytestmark = pytest.mark.e2e

ANALYST = "analist.smallingerland"
COORDINATOR = "coordinator.smallingerland"


@pytest.fixture
def monitor(reference_data: None) -> None:
    from kansrijk.monitoring.importing import import_uploads
    from kansrijk.places.models import Municipality

    load_demo_accounts()
    load_all()
    lines = ["indicator,area,period,numerator,denominator"]
    for code in Municipality.objects.order_by("code").values_list("code", flat=True):
        for year in (2021, 2022):
            numerator = 60 + (hash((code, year)) % 40) if code != "GM0088" else 3
            lines.append(f"big2,{code},{year},{numerator},{400 if code != 'GM0088' else 20}")
    import_uploads(values=("values.csv", ("\n".join(lines) + "\n").encode()))


def _console(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    return errors


def _both_widths(page: Any, name: str) -> None:
    for width, suffix in ((1280, "desktop"), (390, "phone")):
        page.set_viewport_size({"width": width, "height": 900})
        fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert fits, f"{name} is wider than {width} px"
        screenshot(page, f"{name}-{suffix}")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_analyst_imports_reads_a_trend_and_uses_the_map(
    page: Any, axe: Any, monitor: None, tmp_path
):
    log_in(page, ANALYST, DEMO_PASSWORD, second_factor=False)
    page.goto("/monitor/importeren/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cijfers importeren")
    assert_accessible(axe, page)

    bad = tmp_path / "values.csv"
    bad.write_text(
        "indicator;area;period;numerator;denominator;value\n"
        "big2;GM0090;2023;80;400;20,0\n"
        "big2;GM0090;2024;500;400;\n",
        encoding="utf-8",
    )
    before = IndicatorValue.objects.count()
    page.get_by_label("Waarden (values.csv)").set_input_files(str(bad))
    page.get_by_role("button", name="Importeren").click()
    report = page.get_by_role("alert")
    expect(report).to_contain_text("Niets geïmporteerd: 1 probleem")
    expect(report).to_contain_text("De teller is groter dan de noemer.")
    expect(report.get_by_role("cell", name="3", exact=True)).to_be_visible()
    assert IndicatorValue.objects.count() == before
    assert_accessible(axe, page)
    _both_widths(page, "monitor-import-report")
    _assert_cards(page, axe, "#import-report table", "monitor-import-report")

    bad.write_text(
        "indicator;area;period;numerator;denominator;value\n"
        "big2;GM0090;2023;80;400;20,0\n"
        "big2;GM0090;2024;50;400;\n",
        encoding="utf-8",
    )
    page.get_by_label("Waarden (values.csv)").set_input_files(str(bad))
    page.get_by_role("button", name="Importeren").click()
    expect(page.get_by_role("status")).to_contain_text("Geïmporteerd: 2 nieuwe")
    assert (
        IndicatorValue.objects.filter(area_code="GM0090", period_start__in=[2023, 2024]).count()
        == 2
    )

    # The dashboard of Smallingerland, then one indicator's trend. From here on no console error
    # (the import report above answers 400 on purpose).
    errors = _console(page)
    page.goto("/monitor/GM0090/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Monitor Smallingerland")
    assert_accessible(axe, page)
    _both_widths(page, "monitor-dashboard")
    # On a phone the overview's tables are cards, not tables to scroll sideways.
    _assert_cards(
        page, axe, "section[aria-labelledby='phase-postnatal'] table", "monitor-dashboard"
    )
    page.get_by_role("link", name="Vroeggeboorte en/of laag geboortegewicht (Big2)").first.click()
    chart = page.locator("#chart-trend")
    expect(chart.locator(".kr-chart__graph svg")).to_be_visible()
    graph = chart.locator(".kr-chart__graph")
    # Titled and described for screen readers (vega-embed names the chart from its description).
    expect(graph).to_have_attribute("role", "graphics-document")
    expect(graph).to_have_attribute("aria-label", re.compile(r"Big2\) in Smallingerland\. Verloop"))
    # The legend names each line (colour and dash).
    expect(graph.locator(".role-legend-label text")).to_have_text(
        ["Smallingerland", "GGD Fryslân", "Nederland"]
    )
    table = chart.locator("table")
    expect(table).to_be_hidden()
    chart.get_by_role("button", name="Tabel").click()
    expect(table).to_be_visible()
    expect(chart.locator(".kr-chart__graph")).to_be_hidden()
    expect(table.get_by_role("row", name=re.compile(r"^2024"))).to_contain_text("12,5%")
    assert_accessible(axe, page)
    _both_widths(page, "monitor-trend-table")
    _assert_cards(page, axe, "#chart-trend table", "monitor-trend-table")
    # Its visible caption keeps the cards' width (not one word a line).
    page.set_viewport_size({"width": 390, "height": 844})
    widths = table.evaluate(
        "t => [t.caption.getBoundingClientRect().width, t.getBoundingClientRect().width]"
    )
    assert widths[0] >= widths[1] - 2, widths
    page.set_viewport_size({"width": 1280, "height": 900})

    # The map: click a municipality, its page opens.
    page.goto("/monitor/kaart/big2/?periode=2022")
    shapes = page.locator("#chart-kaart .kr-chart__graph svg path")
    expect(shapes.first).to_be_attached()
    assert_accessible(axe, page)
    _both_widths(page, "monitor-map")
    page.locator("#chart-kaart .kr-chart__graph svg .mark-shape path").nth(200).click(force=True)
    page.wait_for_url(re.compile(r"/monitor/GM\d{4}/big2/$"))
    assert "/monitor/GM0090/" not in page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text("Big2")
    assert errors == [], errors


def test_coordinator_sees_the_demo_referral_figures_with_small_numbers_suppressed(
    page: Any, axe: Any, monitor: None
) -> None:
    from kansrijk.directory.demo import load as load_directory
    from kansrijk.pathways.demo import load as load_pathways
    from kansrijk.referrals.demo import load as load_referrals
    from kansrijk.situations.services import load_catalogue

    load_catalogue()
    load_directory()
    load_pathways()
    load_referrals()
    log_in(page, COORDINATOR, DEMO_PASSWORD, second_factor=False)
    errors = _console(page)
    page.goto("/monitor/GM0090/")
    loop = page.locator("section.kr-mon-loop")
    expect(loop.get_by_role("heading", level=2)).to_have_text(
        "Wat er van de verwijzingen kwam (Kansrijk)"
    )
    sent = loop.get_by_role("row", name=re.compile(r"^Verwijzingen verstuurd"))
    expect(sent).to_contain_text("< 10")
    expect(loop).to_contain_text("demoverwijzingen")
    assert_accessible(axe, page)
    _both_widths(page, "monitor-loop")
    _assert_cards(page, axe, "div[aria-labelledby='loop-heading'] table", "monitor-loop")
    # Per pathway and year, protected against both totals.
    per_pathway = loop.locator("div[aria-labelledby='loop-pathway-heading'] table")
    expect(
        per_pathway.get_by_role("row", name=re.compile("verwijzingen verstuurd")).first
    ).to_contain_text(re.compile("< 10|niet getoond"))
    _assert_cards(page, axe, "div[aria-labelledby='loop-pathway-heading'] table", "monitor-loop")
    assert errors == [], errors


def test_without_javascript_the_tables_work_and_on_a4_chart_and_table_both_print(
    chromium_browser: Any, live_server: Any, page: Any, axe: Any, monitor: None
) -> None:
    """Without JavaScript: the municipality picked in the form, the trend as a table with its
    figures (Schiermonnikoog's "< 10"), the downloads. On paper (A4): the chart and its table
    both, no switch and no menu, nothing wider than the paper."""
    context = chromium_browser.new_context(
        base_url=live_server.url, locale="nl-NL", java_script_enabled=False
    )
    try:
        plain = context.new_page()
        plain.goto("/monitor/")
        plain.get_by_role("combobox", name=re.compile("Gemeente")).select_option("GM0088")
        plain.get_by_role("button", name="Tonen").click()
        plain.wait_for_url(re.compile(r"/monitor/GM0088/$"))
        plain.goto("/monitor/GM0088/big2/")
        trend = plain.locator("#chart-trend")
        expect(trend.locator("table")).to_be_visible()
        expect(trend.get_by_role("row", name=re.compile(r"^2022"))).to_contain_text("< 10")
        expect(trend.get_by_text("De grafiek heeft JavaScript nodig")).to_be_visible()
        expect(trend.locator("[data-chart-switch]")).to_be_hidden()
        download = trend.get_by_role("link", name="Download tabel (CSV)")
        with plain.expect_download() as info:
            download.click()
        assert "< 10" in info.value.path().read_text(encoding="utf-8-sig")
    finally:
        context.close()

    # The start page of the monitor (the picker and the maps of every indicator) is accessible.
    page.goto("/monitor/")
    assert_accessible(axe, page)
    _both_widths(page, "monitor-start")
    page.goto("/monitor/GM0090/big2/")
    chart = page.locator("#chart-trend")
    expect(chart.locator(".kr-chart__graph svg")).to_be_visible()
    expect(chart.locator("table")).to_be_hidden()
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 718, "height": 1000})  # A4 less 15 mm margins, at 96 dpi
    expect(chart.locator(".kr-chart__graph svg")).to_be_visible()
    expect(chart.locator("table")).to_be_visible()
    expect(chart.locator("[data-chart-switch]")).to_be_hidden()
    expect(page.locator(".kr-nav")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "monitor-trend-print")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    page.emulate_media(media="screen")
