"""A referral in the browser: a midwife in Drachten requests a prenatal home visit for a pregnant
client, is stopped until she records consent, and sends it; the JGZ intake handler (with 2FA)
opens it from the inbox, accepts it and records the first contact; the midwife sees both status
changes; a midwife in Rotterdam cannot open it (404). axe-core on every page; screenshots."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kansrijk.accounts.demo import DEMO_PASSWORD
from tests.e2e.conftest import assert_accessible, log_in, screenshot

pytestmark = pytest.mark.e2e

MIDWIFE = "verloskundige.smallingerland"
JGZ = "jgz.smallingerland"
OUTSIDER = "verloskundige.rotterdam"
CLIENT = ("Fenna", "Testcliënt")


def _new_page(chromium_browser: Any, live_server: Any) -> Any:
    context = chromium_browser.new_context(
        base_url=live_server.url, locale="nl-NL", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    return context.new_page()


def _check(page: Any, axe: Any, name: str) -> None:
    assert_accessible(axe, page)
    screenshot(page, f"referral-{name}")


def test_midwife_refers_jgz_accepts_and_the_loop_closes(chromium_browser, live_server, axe, demo):
    due = (datetime.date.today() + datetime.timedelta(days=140)).isoformat()

    # --- The midwife: prenatal home visit request, consent, send. -----------------------------
    midwife = _new_page(chromium_browser, live_server)
    log_in(midwife, MIDWIFE, DEMO_PASSWORD, second_factor=True)
    midwife.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Verwijzingen"
    ).click()
    expect(midwife.get_by_role("heading", level=1)).to_have_text("Verstuurde verwijzingen")
    _check(midwife, axe, "sent-list")
    midwife.get_by_role("link", name="Prenataal huisbezoek aanvragen (JGZ)").click()
    expect(midwife.get_by_role("heading", level=1)).to_have_text("Prenataal huisbezoek aanvragen")
    _check(midwife, axe, "phb-start")
    midwife.get_by_label("Gemeente waar zij woont").select_option("GM0090")
    midwife.get_by_role("button", name="Zoek de JGZ").click()
    expect(midwife.get_by_text("Prenataal huisbezoek JGZ").first).to_be_visible()
    _check(midwife, axe, "phb-form")

    midwife.get_by_label("Voornaam").fill(CLIENT[0])
    midwife.get_by_label("Achternaam").fill(CLIENT[1])
    midwife.get_by_label("Geboortedatum", exact=True).fill("1997-04-12")
    midwife.get_by_label("Telefoonnummer").fill("06 12345678")
    midwife.get_by_label("Uitgerekende datum").fill(due)
    midwife.get_by_label("Zwangerschapsduur (weken)").fill("20")
    midwife.get_by_label("Pariteit").fill("0")
    midwife.get_by_role("group", name="Gesignaleerde situaties").get_by_role(
        "checkbox", name=re.compile("Geldzorgen")
    ).check()
    midwife.get_by_label("Overdrachtsnotitie").fill("Eerste zwangerschap; weinig steun.")
    midwife.get_by_role("button", name="Opslaan als concept").click()
    expect(midwife.get_by_role("heading", level=1)).to_contain_text("Verwijzing VW-")
    assert CLIENT[0] not in midwife.url
    assert CLIENT[1] not in midwife.url
    referral_url = midwife.url
    _check(midwife, axe, "draft")

    # Sending without consent is refused.
    midwife.get_by_role("button", name="Verwijzing versturen").click()
    expect(midwife.get_by_role("alert")).to_contain_text("leg eerst de toestemming")
    _check(midwife, axe, "send-refused")

    consent = midwife.get_by_role("region", name="1. Toestemming")
    consent.get_by_role("radio", name="Mondeling").check()
    consent.get_by_role("button", name="Toestemming vastleggen").click()
    expect(midwife.get_by_text("De toestemming is vastgelegd.")).to_be_visible()
    midwife.get_by_role("button", name="Verwijzing versturen").click()
    expect(midwife.get_by_text("De verwijzing is verstuurd.")).to_be_visible()
    _check(midwife, axe, "sent")

    # --- The JGZ intake handler: inbox, open, accept, first contact. --------------------------
    jgz = _new_page(chromium_browser, live_server)
    log_in(jgz, JGZ, DEMO_PASSWORD, second_factor=True)
    jgz.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Inbox").click()
    expect(jgz.get_by_role("heading", level=1)).to_have_text("Inbox: verwijzingen")
    expect(jgz.get_by_text("0 van 5 werkdagen").first).to_be_visible()
    assert CLIENT[1] not in jgz.content()  # no client data in the list
    _check(jgz, axe, "inbox")
    reference = midwife.get_by_role("heading", level=1).inner_text().split()[-1]
    jgz.get_by_role("link", name=reference).click()
    expect(jgz.get_by_text(f"{CLIENT[0]} {CLIENT[1]}")).to_be_visible()
    expect(jgz.locator(".kr-ref-summary")).to_contain_text("Ontvangen")
    _check(jgz, axe, "received")
    jgz.get_by_role("button", name="Accepteren").click()
    expect(jgz.get_by_text("De status is nu: geaccepteerd.")).to_be_visible()
    _check(jgz, axe, "accepted")
    contact = jgz.get_by_role("group", name="Contactpoging vastleggen")
    contact.get_by_role("radio", name="Telefonisch").check()
    contact.get_by_role("radio", name="Bereikt").check()
    contact.get_by_label("Notitie").fill("Afspraak voor huisbezoek gemaakt.")
    contact.get_by_role("button", name="Contactpoging opslaan").click()
    expect(jgz.get_by_text("De contactpoging is vastgelegd.")).to_be_visible()
    expect(jgz.locator(".kr-ref-summary")).to_contain_text("In behandeling")
    _check(jgz, axe, "first-contact")

    # --- The midwife sees both status changes. --------------------------------------------------
    midwife.goto(referral_url)
    timeline = midwife.get_by_role("region", name="Statusgeschiedenis")
    for label in ("Verstuurd", "Ontvangen", "Geaccepteerd", "In behandeling"):
        expect(timeline.get_by_text(label, exact=True)).to_be_visible()
    expect(timeline.get_by_text("Eerste contact met het gezin")).to_be_visible()
    _check(midwife, axe, "timeline")
    midwife.get_by_role("link", name="Wie bekeek deze verwijzing").click()
    expect(midwife.get_by_role("cell", name=JGZ).first).to_be_visible()
    _check(midwife, axe, "access-report")

    # --- A midwife of a third organisation gets 404. ----------------------------------------------
    outsider = _new_page(chromium_browser, live_server)
    log_in(outsider, OUTSIDER, DEMO_PASSWORD, second_factor=True)
    response = outsider.goto(referral_url)
    assert response is not None
    assert response.status == 404
    assert CLIENT[1] not in outsider.content()
    _check(outsider, axe, "outsider-404")
    for p in (midwife, jgz, outsider):
        p.context.close()
