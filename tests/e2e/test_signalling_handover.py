"""From the broad conversation to a referral, in the browser: a midwife in Drachten ticks money
worries, smoking and a supportive network; the result survives a reload, the language switch and
the back button without the factors in any address; "Refer to Schuldhulpverlening" opens the
referral form with the two risk factors ticked (the protective one is no referral situation); she
confirms and saves a draft, whose consent comes next. No request the browser makes carries a
factor code. axe-core on every page; screenshots at desktop and phone width."""

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
FACTOR_CODES = ("geldzorgen", "roken", "steun-netwerk")


def _check(page: Any, axe: Any, name: str) -> None:
    assert_accessible(axe, page)
    for width, suffix in ((1280, "desktop"), (390, "phone")):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"handover-{name}-{suffix}")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_ticked_factors_travel_to_the_referral_but_never_in_an_address(page, axe, demo):
    addresses: list[str] = []
    page.on("request", lambda request: addresses.append(request.url))
    log_in(page, MIDWIFE, DEMO_PASSWORD, second_factor=True)
    page.goto("/signalering/")
    expect(page.locator("#what-is-kept")).to_contain_text("alleen in deze browser bewaard")
    page.get_by_role("textbox", name="of postcode").fill("9203")
    page.get_by_role("radio", name="Zwangerschap", exact=True).check()
    risks = page.get_by_role("group", name="Risicofactoren")
    risks.get_by_role("checkbox", name="Geldzorgen en schulden").check()
    risks.get_by_role("checkbox", name="Roken", exact=True).check()
    page.get_by_role("group", name="Beschermende factoren").get_by_role(
        "checkbox", name=re.compile("^Steun van familie")
    ).check()
    page.get_by_role("button", name="Bepaal de graad").click()
    outcome = page.get_by_role("heading", level=2, name=re.compile("^Uitkomst:"))
    expect(outcome).to_be_visible()
    assert page.url.endswith("/signalering/uitkomst/")
    _check(page, axe, "outcome")

    # Reload, switch language, switch back, go back: the result stays.
    page.reload()
    expect(outcome).to_be_visible()
    page.get_by_role("navigation", name="Taal").get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=2, name=re.compile("^Outcome:"))).to_be_visible()
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Nederlands").click()
    expect(outcome).to_be_visible()
    # (The language is a preference, not part of the address: back shows it in Dutch.)
    page.go_back()
    expect(outcome).to_be_visible()
    page.go_forward()
    expect(outcome).to_be_visible()

    # Refer from the result: the money-worries card names the debt counselling service.
    money = page.locator("li.kr-sig-situation").filter(
        has=page.get_by_role("heading", level=3, name="Geldzorgen en schulden")
    )
    money.get_by_role("link", name="Verwijzen naar Schuldhulpverlening").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nieuwe verwijzing")
    expect(page.get_by_role("status").filter(has_text="Uit het brede gesprek")).to_be_visible()
    situations = page.get_by_role("group", name="Gesignaleerde situaties")
    expect(situations.get_by_role("checkbox", name=re.compile("^Geldzorgen"))).to_be_checked()
    expect(situations.get_by_role("checkbox", name=re.compile("^Roken"))).to_be_checked()
    expect(page.get_by_role("radio", name="Zwangerschap", exact=True)).to_be_checked()
    _check(page, axe, "referral-form")

    # She confirms: only the money worries go to debt counselling.
    situations.get_by_role("checkbox", name=re.compile("^Roken")).uncheck()
    page.get_by_label("Voornaam").fill("Fenna")
    page.get_by_label("Achternaam").fill("Testcliënt")
    page.get_by_label("Geboortedatum", exact=True).fill("1997-04-12")
    page.get_by_label("Telefoonnummer").fill("06 12345678")
    due = (datetime.date.today() + datetime.timedelta(days=140)).isoformat()
    page.get_by_label("Uitgerekende datum").fill(due)
    page.get_by_role("button", name="Opslaan als concept").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verwijzing VW-")
    main = page.locator("main")
    expect(main).to_contain_text("Geldzorgen en schulden")
    expect(main).not_to_contain_text("Roken")
    expect(page.get_by_role("region", name="1. Toestemming")).to_be_visible()
    _check(page, axe, "draft")

    carrying = [url for url in addresses if any(code in url for code in FACTOR_CODES)]
    # A pathway page names its own situation; no address carries the ticked answers.
    assert not [url for url in carrying if "/zorgpaden/" not in url], carrying
