"""The pages for parents in the browser (issue 16, point 9): a pregnant woman in Drachten on a
390 px phone reads the prenatal home visit page in Arabic, switches to Dutch, finds a free
debt-help service near 9203, makes her network map and prints it (nothing sent to the server:
the network log says so), and asks the JGZ for a home visit; the JGZ intake handler sees the
request in the inbox and accepts it. axe-core on every page, in every language tested; every
public page in all seven languages passes axe too."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from playwright.sync_api import expect

from kansrijk.accounts.demo import DEMO_PASSWORD
from kansrijk.parents import forms, languages
from tests.e2e.conftest import assert_accessible, log_in, screenshot

pytestmark = pytest.mark.e2e

JGZ = "jgz.smallingerland"
PHONE = {"width": 390, "height": 844}


def _phone(chromium_browser: Any, live_server: Any, locale: str = "ar") -> tuple[Any, Any]:
    context = chromium_browser.new_context(
        base_url=live_server.url,
        locale=locale,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    context.set_default_timeout(10_000)
    return context, context.new_page()


def _check(page: Any, axe: Any, name: str) -> None:
    assert_accessible(axe, page)
    screenshot(page, f"parents-{name}")


def test_a_pregnant_woman_in_drachten(chromium_browser, live_server, axe, demo) -> None:
    context, page = _phone(chromium_browser, live_server)
    requests: list[Any] = []
    page.on("request", lambda request: requests.append(request))

    # --- The prenatal home visit page in Arabic, right to left. ---------------------------------
    page.goto("/ouders/")
    expect(page).to_have_url(f"{live_server.url}/ouders/ar/")
    page.get_by_role("link", name="زيارة منزلية عندما تكونين حاملًا").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("زيارة منزلية عندما تكونين حاملًا")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    # Mirrored: the brand sits at the right, the text starts at the right edge.
    brand = page.locator(".po-brand").bounding_box()
    heading = page.get_by_role("heading", level=1).bounding_box()
    assert brand["x"] + brand["width"] > PHONE["width"] - 40
    assert heading["x"] + heading["width"] > PHONE["width"] - 40
    expect(page.get_by_role("note").first).to_contain_text("مسودة")  # the draft notice, in Arabic
    assert not context.cookies(), "a parent page sets no cookie"
    _check(page, axe, "ar-home-visit")

    # --- She switches to Dutch: same page, left to right. ---------------------------------------
    page.get_by_role("navigation", name="اختاري لغتك").get_by_role(
        "link", name="Nederlands"
    ).click()
    expect(page).to_have_url(f"{live_server.url}/ouders/nl/prenataal-huisbezoek/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Een huisbezoek als je zwanger bent")
    assert page.evaluate("document.documentElement.dir") == "ltr"
    _check(page, axe, "nl-home-visit")

    # --- Free debt help near 9203, nearest first. -----------------------------------------------
    page.get_by_role("link", name="Hulp in de buurt").first.click()
    page.get_by_label("Je postcode").fill("9203")
    page.get_by_role("radio", name="Geld").check()
    page.get_by_role("checkbox", name="Alleen gratis hulp").check()
    page.get_by_role("button", name="Hulp zoeken").click()
    results = page.get_by_role("region", name="dichtstbij eerst")
    expect(results.get_by_role("heading", name="Schuldhulpverlening")).to_be_visible()
    expect(results).to_contain_text("Gratis")
    assert "Betaald" not in results.inner_text()
    _check(page, axe, "nl-help-nearby")

    # --- Her network map: made in the browser, nothing sent. ------------------------------------
    page.get_by_role("link", name="Mijn netwerkkaart").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn netwerkkaart")
    page.wait_for_load_state("networkidle")
    sent_before = len(requests)
    form = page.get_by_role("group", name="Hoe dicht staat deze persoon bij je?")
    page.get_by_label("Naam of bijnaam").fill("Zus Amira")
    form.get_by_role("radio", name="Dicht bij mij").check()
    page.get_by_role("checkbox", name="Oppassen").check()
    page.get_by_role("checkbox", name="Een luisterend oor").check()
    page.get_by_role("button", name="Op mijn kaart zetten").click()
    page.get_by_label("Naam of bijnaam").fill("Buurvrouw Jet")
    form.get_by_role("radio", name="Verder weg").check()
    page.get_by_role("checkbox", name="Vervoer").check()
    page.get_by_role("button", name="Op mijn kaart zetten").click()
    close = page.get_by_role("region", name="Dicht bij mij")
    expect(close).to_contain_text("Zus Amira: Een luisterend oor, Oppassen")
    expect(page.get_by_role("region", name="Verder weg")).to_contain_text("Buurvrouw Jet: Vervoer")
    expect(page.locator("svg [data-people] text")).to_have_count(2)
    _check(page, axe, "nl-network-map")
    # It stays in this browser only.
    stored = json.loads(page.evaluate("localStorage.getItem('kansrijk.netwerkkaart.v1')"))
    assert [person["name"] for person in stored] == ["Zus Amira", "Buurvrouw Jet"]
    # It works when the connection drops: reload offline, from the service worker.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null || true")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn netwerkkaart")
    expect(page.get_by_role("region", name="Dicht bij mij")).to_contain_text("Zus Amira")
    context.set_offline(False)
    # Print (and save as PDF): the map and its lists, on A4, without the form.
    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="Op mijn kaart zetten").is_visible()
    expect(page.get_by_role("region", name="Dicht bij mij")).to_be_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 5_000
    page.emulate_media(media="screen")
    # Nothing of the map went to the server: no request after the page loaded carries it.
    after = requests[sent_before:]
    assert all(r.method == "GET" for r in after), [(r.method, r.url) for r in after]
    for request in after:
        assert "Amira" not in request.url
        assert "Jet" not in request.url
        assert "Amira" not in (request.post_data or "")
    assert all(r.url.startswith(live_server.url) for r in requests), "nothing from other hosts"
    # Clear it.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Mijn kaart wissen").click()
    expect(page.locator("svg [data-people] text")).to_have_count(0)
    assert page.evaluate("localStorage.getItem('kansrijk.netwerkkaart.v1')") is None

    # --- She asks the JGZ for a home visit herself. ---------------------------------------------
    page.goto("/ouders/nl/huisbezoek-aanvragen/")
    _check(page, axe, "nl-self-referral-form")
    due = (datetime.date.today() + datetime.timedelta(days=130)).isoformat()
    page.get_by_label("Voornaam").fill("Samira")
    page.get_by_label("Achternaam").fill("El Amrani")
    page.get_by_label("Uitgerekende datum").fill(due)
    page.get_by_label("Postcode").fill("9203 KK")
    page.get_by_label("Telefoonnummer").fill("06 23456789")
    page.get_by_label("Welke taal spreek je het best?").select_option("ar")
    page.get_by_role("checkbox", name="Geld", exact=True).check()
    page.get_by_role("checkbox", name="Ik vind het goed dat de JGZ").check()
    page.wait_for_timeout(3200)  # a person takes longer than the robots' few seconds
    page.get_by_role("button", name="Mijn aanvraag versturen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Je aanvraag is verstuurd")
    assert "Samira" not in page.content()
    reference = page.locator(".po-code").inner_text()
    assert reference.startswith("VW-")
    _check(page, axe, "nl-self-referral-sent")
    assert {c["name"] for c in context.cookies()} <= {"csrftoken"}
    context.close()

    # --- The JGZ intake handler sees it in the inbox and accepts it. ----------------------------
    staff = chromium_browser.new_context(
        base_url=live_server.url, locale="nl-NL", viewport={"width": 1280, "height": 900}
    )
    staff.set_default_timeout(10_000)
    jgz = staff.new_page()
    log_in(jgz, JGZ, DEMO_PASSWORD, second_factor=True)
    jgz.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Inbox").click()
    expect(jgz.get_by_role("link", name=reference)).to_be_visible()
    expect(jgz.get_by_text("Zelf aangemeld (de cliënt zelf)")).to_be_visible()
    _check(jgz, axe, "jgz-inbox")
    jgz.get_by_role("link", name=reference).click()
    expect(jgz.get_by_text("Samira El Amrani")).to_be_visible()
    expect(jgz.get_by_text("De cliënt zelf, via de ouderpagina's (zelf aangemeld)")).to_be_visible()
    jgz.get_by_role("button", name="Accepteren").click()
    expect(jgz.get_by_text("De status is nu: geaccepteerd.")).to_be_visible()
    _check(jgz, axe, "jgz-accepted")
    staff.close()


PUBLIC_PAGES = [
    "",
    "prenataal-huisbezoek/",
    "kosten/",
    "netwerkkaart/",
    "netwerkkaart/leeg/",
    "hulp-in-de-buurt/",
    "huisbezoek-aanvragen/",
    "bestaat-niet/",  # the page that does not exist
]


@pytest.mark.parametrize("code", languages.CODES)
def test_every_public_page_is_accessible_in_every_language(
    chromium_browser, live_server, axe, demo, code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The form's errors are what is checked here, not its robot check (the journey above and
    # tests/parents/test_self_referral.py test that): a form sent back at once is not taken
    # for a robot's, so no test waits the seconds a person takes.
    monkeypatch.setattr(forms, "FORM_MIN_SECONDS", 0)
    context, page = _phone(chromium_browser, live_server, locale=code)
    for path in PUBLIC_PAGES:
        page.goto(f"/ouders/{code}/{path}")
        assert page.evaluate("document.documentElement.lang") == code
        # Readable at 390 px: nothing sticks out sideways (the blank network map's table did).
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (
            f"/ouders/{code}/{path} is wider than the phone"
        )
        assert_accessible(axe, page)
    # And the error states of the form and the search.
    page.goto(f"/ouders/{code}/huisbezoek-aanvragen/")
    page.locator("form.po-form button[type=submit]").click()
    expect(page.locator(".po-error-summary")).to_be_visible()
    assert_accessible(axe, page)
    # The help search: its results, and its error state.
    page.goto(f"/ouders/{code}/hulp-in-de-buurt/")
    page.locator("#postcode").fill("9203")
    page.locator("#need-geldzorgen").check()
    page.locator("form.po-form button[type=submit]").click()
    expect(page.locator("#results-heading")).to_be_visible()
    assert "9203" not in page.url
    assert_accessible(axe, page)
    page.locator("#postcode").fill("abc")
    page.locator("form.po-form button[type=submit]").click()
    expect(page.locator(".po-error-summary")).to_be_visible()
    assert_accessible(axe, page)
    screenshot(page, f"parents-{code}-errors")
    context.close()
