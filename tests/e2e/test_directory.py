"""The social map in the browser: a midwife in Drachten finds debt counselling and the prenatal
home visit (with htmx and without JavaScript), a coalition editor edits and verifies a service.
axe-core on every page; screenshots at phone (390 px) and desktop (1280 px) width."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kansrijk.accounts.demo import DEMO_PASSWORD
from kansrijk.accounts.demo import load as load_demo_accounts
from kansrijk.directory.demo import load as load_demo_directory
from tests.e2e.conftest import assert_accessible, log_in, printed, screenshot

pytestmark = pytest.mark.e2e

MIDWIFE = "verloskundige.smallingerland"
EDITOR = "redacteur.smallingerland"


@pytest.fixture
def demo(reference_data: None) -> None:
    load_demo_accounts()
    load_demo_directory()


def _fits_the_width(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def _both_widths(page: Any, name: str) -> None:
    """Screenshots at desktop and phone width; nothing may stick out sideways."""
    for width, suffix in ((1280, "desktop"), (390, "phone")):
        page.set_viewport_size({"width": width, "height": 900})
        assert _fits_the_width(page), f"{name} is wider than {width} px"
        screenshot(page, f"{name}-{suffix}")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_midwife_in_drachten_finds_debt_counselling_and_the_prenatal_home_visit(
    page: Any, axe: Any, demo: None
) -> None:
    log_in(page, MIDWIFE, DEMO_PASSWORD, second_factor=True)
    console_errors: list[str] = []  # from here on: only the social map's pages
    page.on(
        "console", lambda message: message.type == "error" and console_errors.append(message.text)
    )
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Sociale kaart"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sociale kaart")
    assert_accessible(axe, page)

    status = page.locator("#directory-status")
    postcode = page.get_by_role("textbox", name="Postcode")
    postcode.fill("9203")
    postcode.press("Tab")  # change → htmx
    expect(status).to_contain_text("dichtstbij 9203 Drachten eerst")
    expect(page).to_have_url(re.compile(r"postcode=9203"))  # hx-push-url: the address can be shared

    search = page.get_by_role("searchbox", name="Zoeken")
    search.press_sequentially("schulden", delay=30)  # input → htmx after a 300 ms pause
    expect(page).to_have_url(re.compile(r"q=schulden"))
    expect(status).to_contain_text("gevonden")
    results = page.locator(".kr-dir-card")
    expect(results.first).to_be_visible()
    debt = results.filter(has=page.get_by_role("heading", name="Schuldhulpverlening"))
    expect(debt.first).to_be_visible()
    expect(debt.first.locator(".kr-dir-card__distance")).to_have_text(re.compile(r"\d+,\d km"))
    expect(debt.first).to_contain_text("Verwijzen")
    expect(page.get_by_text("Bron afstanden: CBS, CC BY 4.0")).to_be_visible()
    assert page.evaluate("document.activeElement.name") == "q"  # focus stays in the box
    assert_accessible(axe, page)
    _both_widths(page, "directory-search-schulden")

    # A malformed postcode: a Dutch error next to the field, announced in the live region.
    postcode.fill("12")
    postcode.press("Tab")
    expect(page).to_have_url(re.compile(r"postcode=12&"))
    expect(page.locator("#id_postcode_error")).to_contain_text("Vul een postcode in")
    expect(status).to_contain_text("controleer de velden met een fout")
    assert_accessible(axe, page)
    screenshot(page, "directory-search-error")
    postcode.fill("9203 AB")
    postcode.press("Tab")
    expect(page).to_have_url(re.compile(r"postcode=9203(%20|\+)AB"))
    expect(page.locator("#id_postcode_error")).to_be_empty()

    # The prenatal home visit.
    search.fill("")
    search.press_sequentially("prenataal huisbezoek", delay=20)
    expect(page).to_have_url(re.compile(r"q=prenataal(%20|\+)huisbezoek"))
    phb = page.get_by_role("link", name="Prenataal huisbezoek JGZ")
    expect(phb).to_be_visible()
    phb.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Prenataal huisbezoek JGZ")
    expect(page.get_by_role("heading", name="Verwijzen", exact=True)).to_be_visible()
    # How to refer: the one list of referral methods (directory/_how_to_refer.html).
    expect(
        page.locator(".kr-referral-methods").get_by_text("Beveiligde mail", exact=True)
    ).to_be_visible()
    expect(page.get_by_text("Laatst gecontroleerd")).to_be_visible()
    expect(page.get_by_role("link", name="Bewerken")).to_have_count(0)
    assert_accessible(axe, page)
    _both_widths(page, "directory-service")

    # On paper (A4): header, menu, footer and forms are gone; the content is all there.
    page.emulate_media(media="print")
    expect(page.locator(".kr-header")).to_be_hidden()
    expect(page.locator(".kr-footer")).to_be_hidden()
    expect(page.get_by_role("heading", name="Verwijzen", exact=True)).to_be_visible()
    screenshot(page, "directory-service-print")
    assert printed(page, "directory-service-print").startswith(b"%PDF")
    page.emulate_media(media="screen")

    # Back in the browser history: the search is restored.
    page.go_back()
    expect(page.get_by_role("link", name="Prenataal huisbezoek JGZ")).to_be_visible()
    # No script errors and no Content Security Policy violations along the way.
    assert console_errors == []


def test_search_works_without_javascript(
    chromium_browser: Any, live_server: Any, demo: None
) -> None:
    context = chromium_browser.new_context(
        base_url=live_server.url, locale="nl-NL", java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto("/sociale-kaart/")
        page.get_by_role("searchbox", name="Zoeken").fill("schulden")
        page.get_by_role("combobox", name="Gemeente").select_option("GM0090")
        page.get_by_role("button", name="Zoeken").click()
        page.wait_for_url(re.compile(r"q=schulden"))  # the form's GET, not the page it leaves
        assert "q=schulden" in page.url
        assert "municipality=GM0090" in page.url
        expect(
            page.get_by_role("heading", name=re.compile("Schuldhulpverlening")).first
        ).to_be_visible()
        page.get_by_role("textbox", name="Postcode").fill("AB12")
        page.get_by_role("button", name="Zoeken").click()
        expect(page.locator("#id_postcode_error")).to_contain_text("Vul een postcode in")
        expect(page.get_by_role("textbox", name="Postcode")).to_have_attribute(
            "aria-invalid", "true"
        )
    finally:
        context.close()


def test_coalition_editor_edits_and_verifies_a_service(page: Any, axe: Any, demo: None) -> None:
    log_in(page, EDITOR, DEMO_PASSWORD, second_factor=False)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Te verifiëren"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Te verifiëren diensten")
    rows = page.locator(".kr-verify__item")
    expect(rows.first).to_be_visible()
    count_before = rows.count()
    assert_accessible(axe, page)
    _both_widths(page, "directory-to-verify")

    # Open the first stale service and edit it.
    first = rows.first.get_by_role("heading").get_by_role("link")
    name = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    page.get_by_role("link", name="Bewerken").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("bewerken")
    assert_accessible(axe, page)
    _both_widths(page, "directory-edit")

    # Bad input first: the error is shown, nothing is saved.
    page.get_by_role("textbox", name="Naam").fill("")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    expect(page.get_by_role("alert")).to_contain_text("Er is nog niets opgeslagen")
    expect(page.locator("#id_name_error")).to_contain_text("Vul de naam van de dienst in.")
    assert_accessible(axe, page)
    screenshot(page, "directory-edit-error")
    page.get_by_role("textbox", name="Naam").fill(name)
    page.locator("#id_alert").fill("Gesloten op Koningsdag.")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    expect(page.get_by_text("Uw wijzigingen zijn opgeslagen.")).to_be_visible()
    expect(page.get_by_text("Gesloten op Koningsdag.")).to_be_visible()

    # One click: checked today.
    page.get_by_role("button", name="Markeer als vandaag gecontroleerd").click()
    expect(page.get_by_text("is gemarkeerd als vandaag gecontroleerd")).to_be_visible()
    expect(page.locator(".kr-badge--warning")).to_have_count(0)

    # The history says who did what.
    page.get_by_role("link", name="Wijzigingsgeschiedenis").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Geschiedenis van")
    expect(page.get_by_text(EDITOR).first).to_be_visible()
    expect(page.get_by_text("Gesloten op Koningsdag.")).to_be_visible()
    assert_accessible(axe, page)
    screenshot(page, "directory-history-desktop")

    # And it is off the to-verify list.
    page.goto("/sociale-kaart/te-verifieren/")
    expect(page.locator(".kr-verify__item")).to_have_count(count_before - 1)
    expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)


def test_rotterdam_editor_sees_no_tools_on_a_drachten_service(page: Any, demo: None) -> None:
    from kansrijk.directory.models import Service

    service = (
        Service.objects.filter(service_areas__municipality_id="GM0090")
        .exclude(service_areas__municipality_id="GM0599")
        .first()
    )
    assert service is not None
    log_in(page, "redacteur.rotterdam", DEMO_PASSWORD, second_factor=False)
    page.goto(f"/sociale-kaart/diensten/{service.id}/")
    expect(page.get_by_role("link", name="Bewerken")).to_have_count(0)
    response = page.goto(f"/sociale-kaart/diensten/{service.id}/bewerken/")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Geen toegang")
