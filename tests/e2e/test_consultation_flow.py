"""A consult in the browser: a GP in Drachten (postcode 9203) ticks money worries and smoking for
a pregnant patient, sees the grade with its reasons, opens the local pathway and finds the debt
counselling service with how to refer; a coalition editor publishes a new version of that
pathway and the GP sees it. Also the grading rules and the preconception guide. axe-core on
every page; screenshots at desktop and phone width."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kansrijk.accounts.demo import DEMO_PASSWORD
from tests.e2e.conftest import assert_accessible, log_in, screenshot

pytestmark = pytest.mark.e2e

GP = "verloskundige.smallingerland"
EDITOR = "redacteur.smallingerland"
MONEY_PATHWAY = "Geldzorgen en schulden in Smallingerland"


def _fits_the_width(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def _too_wide(page: Any) -> list[str]:
    """What sticks out: boxes past the right edge, or boxes whose content overflows them."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                     || (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible'))
        .slice(0, 12).map(e => e.tagName + '.' + e.className + ' ' + e.scrollWidth + '/' + e.clientWidth)"""
    )


def _check(page: Any, axe: Any, name: str, *, ours: bool = True) -> None:
    """axe-core clean; on the signalling pages also nothing sticking out sideways at desktop or
    phone width (other modules' pages in the flow get axe and screenshots only)."""
    assert_accessible(axe, page)
    for width, suffix in ((1280, "desktop"), (390, "phone")):
        page.set_viewport_size({"width": width, "height": 900})
        if ours:
            assert _fits_the_width(page), f"{name} is wider than {width} px: {_too_wide(page)}"
        screenshot(page, f"{name}-{suffix}")
    page.set_viewport_size({"width": 1280, "height": 900})


def _conversation(page: Any) -> None:
    """Fill in the broad conversation for the pregnant patient from Drachten."""
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Signalering").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Het brede gesprek")
    page.get_by_role("textbox", name="of postcode").fill("9203")
    page.get_by_role("radio", name="Zwangerschap", exact=True).check()
    risks = page.get_by_role("group", name="Risicofactoren")
    risks.get_by_role("checkbox", name="Geldzorgen en schulden").check()
    risks.get_by_role("checkbox", name="Roken", exact=True).check()
    page.get_by_role("button", name="Bepaal de graad").click()
    expect(page.get_by_role("heading", level=2, name="Uitkomst: kwetsbaar")).to_be_visible()


def _situation(page: Any, name: str) -> Any:
    return page.locator("li.kr-sig-situation").filter(
        has=page.get_by_role("heading", level=3, name=name)
    )


def test_gp_grades_a_pregnant_patient_and_follows_the_local_pathway(page, axe, demo):
    log_in(page, GP, DEMO_PASSWORD, second_factor=True)
    # The start page offers the conversation first.
    page.goto("/")
    tasks = page.locator("section[aria-labelledby='role-professional']")
    expect(tasks.get_by_role("link", name="Het brede gesprek")).to_be_visible()
    expect(tasks.get_by_role("link", name="Wegwijzer preconceptie")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Signalering").click()
    page.wait_for_url("**/signalering/")
    _check(page, axe, "signalling-form")

    _conversation(page)
    # The answers are posted: the address of the result holds none of them.
    assert page.url.endswith("/signalering/uitkomst/")
    outcome = page.locator("section.kr-sig-outcome")
    expect(outcome).to_contain_text("Risicofactoren wegen 3 en beschermende factoren 0")
    expect(outcome).to_contain_text(
        "Risico’s op 2 levensgebieden (Geld en werk, Leefstijl en middelen)"  # noqa: RUF001
    )
    expect(outcome.get_by_text("Doorslaggevend:").first).to_be_visible()
    table = outcome.get_by_role("table")
    expect(table.get_by_role("row", name=re.compile("Geldzorgen en schulden"))).to_contain_text(
        "+2"
    )
    expect(table.get_by_role("row", name=re.compile("Roken"))).to_contain_text("+1")
    # Smoking: Smallingerland uses the regional default, and says so.
    smoking = _situation(page, "Roken")
    expect(smoking.get_by_text("regionaal zorgpad")).to_be_visible()
    # The answers stay ticked for a second look.
    expect(page.get_by_role("checkbox", name="Geldzorgen en schulden")).to_be_checked()
    _check(page, axe, "signalling-outcome")

    # One click to the local pathway for money worries.
    _situation(page, "Geldzorgen en schulden").get_by_role(
        "link", name=f"Zorgpad: {MONEY_PATHWAY}"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(MONEY_PATHWAY)
    main = page.locator("main")
    expect(main.get_by_text(re.compile("schuldhulp", re.IGNORECASE)).first).to_be_visible()
    # How to refer: the debt counselling service's referral route, from the social map.
    expect(
        main.get_by_text(
            re.compile("Telefonisch|Beveiligde mail|Verwijsformulier|Zelf aanmelden")
        ).first
    ).to_be_visible()
    _check(page, axe, "signalling-pathway", ours=False)

    # The rules behind the grade, for the curious GP and the coalition.
    page.go_back()
    page.get_by_role("link", name="Zo wordt de graad bepaald").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Zo wordt de kwetsbaarheidsgraad bepaald"
    )
    expect(page.get_by_text("Huiselijk geweld: altijd minstens “zeer kwetsbaar”.")).to_be_visible()
    _check(page, axe, "signalling-rules")


def test_a_new_pathway_version_reaches_the_gp(page, axe, demo, chromium_browser, live_server):
    # The coalition editor changes the money-worries pathway and publishes it.
    log_in(page, EDITOR, DEMO_PASSWORD, second_factor=False)
    page.goto("/zorgpaden/beheer/")
    assert_accessible(axe, page)
    page.get_by_role("link", name=MONEY_PATHWAY).first.click()
    assert_accessible(axe, page)
    page.get_by_role("button", name="Wijzigen (nieuw concept)").click()
    assert_accessible(axe, page)
    new_title = f"{MONEY_PATHWAY} (herzien)"
    page.get_by_label("Titel", exact=True).first.fill(new_title)
    page.get_by_label("Wat is er veranderd").fill("Nieuw telefoonnummer schuldhulp.")
    page.get_by_role("button", name="Opslaan en publiceren").click()
    expect(page.get_by_text(new_title).first).to_be_visible()
    assert_accessible(axe, page)

    # The GP, in a browser of her own, sees the new version straight away.
    context = chromium_browser.new_context(
        base_url=live_server.url, locale="nl-NL", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    gp = context.new_page()
    try:
        log_in(gp, GP, DEMO_PASSWORD, second_factor=True)
        gp.goto("/")
        _conversation(gp)
        link = _situation(gp, "Geldzorgen en schulden").get_by_role(
            "link", name=f"Zorgpad: {new_title}"
        )
        expect(link).to_be_visible()
        _check(gp, axe, "signalling-outcome-new-version")
        link.click()
        expect(gp.get_by_role("heading", level=1)).to_contain_text(new_title)
        expect(gp.locator("main")).to_contain_text(re.compile(r"Versie 2\b"))
        assert_accessible(axe, gp)
    finally:
        context.close()


def test_the_preconception_guide_step_by_step(page, axe, demo):
    addresses: list[str] = []
    page.on("request", lambda request: addresses.append(request.url))
    page.goto("/signalering/wegwijzer/")
    expect(
        page.get_by_role("group", name="Wil je het komende jaar zwanger worden?")
    ).to_be_visible()
    _check(page, axe, "guide-question")
    # Submitting without a choice explains what to do.
    page.get_by_role("button", name="Volgende").click()
    expect(page.get_by_role("alert")).to_contain_text("Kies een antwoord.")
    assert_accessible(axe, page)

    page.get_by_role("radio", name="Nee", exact=True).check()
    page.get_by_role("button", name="Volgende").click()
    page.get_by_role("radio", name="Ja", exact=True).check()
    page.get_by_role("button", name="Volgende").click()
    expect(page.get_by_role("heading", level=2, name="Nu Niet Zwanger bij de GGD")).to_be_visible()
    page.get_by_role("textbox", name="of postcode").fill("9203")
    page.get_by_role("button", name="Toon hulp in de buurt").click()
    local = page.locator("section.kr-sig-local")
    expect(local.get_by_role("heading", level=2)).to_have_text("Hulp in Smallingerland")
    expect(local.get_by_role("link", name=re.compile("Nu Niet Zwanger"))).to_be_visible()
    _check(page, axe, "guide-outcome-nnz")

    # Change the first answer: "yes" leads to individual preconception care.
    page.get_by_role("button", name=re.compile("^Wijzigen")).first.click()
    page.get_by_role("radio", name="Ja", exact=True).check()
    page.get_by_role("button", name="Volgende").click()
    expect(
        page.get_by_role("heading", level=2, name="Individuele preconceptiezorg")
    ).to_be_visible()
    expect(
        page.get_by_role("link", name="ZwangerWijzer (zelftest voor wensouders)")
    ).to_be_visible()
    expect(page.locator("section.kr-sig-local")).to_contain_text("Hulp in Smallingerland")
    _check(page, axe, "guide-outcome-preconception")
    # The answers and the place were posted: no address carried them.
    assert not [a for a in addresses if re.search(r"[?&](answer|asked|postcode|municipality)=", a)]
