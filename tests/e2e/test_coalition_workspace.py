"""The coalition's self-assessment in the browser (issue 15): the coordinator of Smallingerland
opens an Analysetool round for four partners; three answer — one through a personal link,
without an account; at two answers she sees only their number, at three the results; she makes
an improvement action linked to the geldzorgen pathway; the editor sees it on that pathway's
page. axe-core on every page; screenshots at 1280 and 390 px."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kansrijk.accounts.demo import DEMO_PASSWORD
from kansrijk.coalitions.models import Coalition
from tests.e2e.conftest import assert_accessible, log_in, screenshot

pytestmark = pytest.mark.e2e

COORDINATOR = "coordinator.smallingerland"
MIDWIFE = "verloskundige.smallingerland"
EDITOR = "redacteur.smallingerland"

VOLUNTEER = "Ingrid Vrijwilliger (demo)"


def _new_page(chromium_browser: Any, live_server: Any, width: int = 1280) -> Any:
    context = chromium_browser.new_context(
        base_url=live_server.url, locale="nl-NL", viewport={"width": width, "height": 900}
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def _check(page: Any, axe: Any, name: str) -> None:
    assert_accessible(axe, page)
    screenshot(page, f"coalition-{name}")


def _page_width(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def _answer_everything(page: Any, *, comment: str = "") -> None:
    """Answer every statement: a score that differs per statement, some "weet niet"."""
    statements = page.locator("fieldset.kr-answer")
    # A waiting assertion: the click that led here may still be loading the form.
    expect(statements).to_have_count(21)
    count = statements.count()
    for i in range(count):
        radios = statements.nth(i).get_by_role("radio")
        radios.nth((i * 3) % radios.count()).check()
    if comment:
        statements.nth(0).get_by_label("Toelichting").fill(comment)
    page.get_by_role("button", name="Mijn antwoorden versturen").click()


def test_a_round_from_opening_to_an_action_on_the_pathway(
    chromium_browser: Any, live_server: Any, axe: Any, demo: None
) -> None:
    coalition = Coalition.objects.get(name="Kansrijke Start Smallingerland")
    closes = (datetime.date.today() + datetime.timedelta(days=14)).isoformat()

    # --- The coordinator opens the round for four partners. -------------------------------
    coordinator = _new_page(chromium_browser, live_server)
    log_in(coordinator, COORDINATOR, DEMO_PASSWORD, second_factor=False)
    coordinator.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Coalitie"
    ).click()
    coordinator.get_by_role("link", name="Kansrijke Start Smallingerland").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(
        "Kansrijke Start Smallingerland"
    )
    _check(coordinator, axe, "overview")
    coordinator.get_by_role("link", name="Een ronde openen").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Een ronde openen")
    _check(coordinator, axe, "round-form")
    coordinator.get_by_role("radio", name=re.compile("Analysetool Kansrijke Start")).check()
    coordinator.get_by_label("Titel").fill("Analysetool najaar")
    coordinator.get_by_label("Sluit op").fill(closes)
    respondents = coordinator.get_by_role("group", name="Gebruikers van partnerorganisaties")
    for box in respondents.get_by_role("checkbox").all():
        box.uncheck()
    for name in ("Verloskundige", "Jgz", "Redacteur"):
        respondents.get_by_role("checkbox", name=re.compile(f"^{name} ")).check()
    person = coordinator.get_by_role("group", name="Persoon 1")
    person.get_by_label("Naam").fill(VOLUNTEER)
    person.get_by_label("Organisatie").select_option(label="Welzijn Smallingerland (demo)")
    coordinator.get_by_role("button", name="De ronde openen en uitnodigen").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("De ronde is geopend")
    _check(coordinator, axe, "links")
    link = coordinator.locator("[data-invitation-link]").inner_text().strip()
    assert "/zelfevaluatie/link/" in link
    coordinator.get_by_role("link", name="Naar de ronde").click()
    expect(coordinator.get_by_text("0 van 4 uitgenodigden")).to_be_visible()
    round_url = coordinator.url
    _check(coordinator, axe, "round")
    coordinator.set_viewport_size({"width": 390, "height": 900})
    _check(coordinator, axe, "round-390")
    assert _page_width(coordinator) <= 390  # the table scrolls, not the page
    coordinator.set_viewport_size({"width": 1280, "height": 900})

    # --- The midwife answers (with her second factor). ---------------------------------------
    midwife = _new_page(chromium_browser, live_server)
    log_in(midwife, MIDWIFE, DEMO_PASSWORD, second_factor=True)
    expect(midwife.get_by_role("heading", name="Vragenlijsten voor u")).to_be_visible()
    midwife.get_by_role("link", name="Analysetool najaar").click()
    expect(midwife.get_by_text("Uw antwoorden zijn anoniem.")).to_be_visible()
    _check(midwife, axe, "answer")
    _answer_everything(midwife, comment="Demo: wij kennen de cijfers nog niet goed.")
    expect(midwife.get_by_text("Dank u wel: uw antwoorden zijn verstuurd.")).to_be_visible()

    # --- The volunteer answers through her personal link, without an account. --------------
    volunteer = _new_page(chromium_browser, live_server, width=390)
    volunteer.goto(link)
    expect(volunteer.get_by_role("heading", level=1)).to_have_text("Analysetool najaar")
    expect(volunteer.get_by_role("link", name="Uitloggen")).to_have_count(0)
    _check(volunteer, axe, "link-390")
    _answer_everything(volunteer)
    expect(volunteer.get_by_role("heading", level=1)).to_have_text("Dank u wel")
    volunteer.goto(link)
    expect(volunteer.get_by_role("heading", level=1)).to_have_text("Deze link werkt niet")

    # --- Two answers: the coordinator sees their number only. -------------------------------
    coordinator.goto(round_url)
    expect(coordinator.get_by_text("2 van 4 uitgenodigden")).to_be_visible()
    coordinator.get_by_role("link", name="Resultaten", exact=True).click()
    expect(coordinator.get_by_text("Resultaten worden getoond vanaf 3 invullers")).to_be_visible()
    expect(coordinator.locator("figure.kr-chart")).to_have_count(0)
    _check(coordinator, axe, "results-two")

    # --- The editor answers as the third. ------------------------------------------------------
    editor = _new_page(chromium_browser, live_server)
    log_in(editor, EDITOR, DEMO_PASSWORD, second_factor=False)
    editor.get_by_role("link", name="Analysetool najaar").click()
    _answer_everything(editor)
    expect(editor.get_by_text("Dank u wel: uw antwoorden zijn verstuurd.")).to_be_visible()

    # --- Three answers: the results, with charts and tables. ---------------------------------
    coordinator.reload()
    expect(coordinator.get_by_text("3 invullers", exact=True)).to_be_visible()
    # The radar, and per part the means and the distribution of the scores.
    expect(coordinator.locator("figure.kr-chart")).to_have_count(7)
    expect(coordinator.locator("figure.kr-chart--drawn svg").first).to_be_visible()
    spread = coordinator.locator("figure[id^='chart-distribution-']").first
    expect(
        spread.get_by_role("heading", name=re.compile("Hoe de scores verdeeld zijn"))
    ).to_be_visible()
    expect(spread.locator("svg")).to_be_visible()
    expect(coordinator.get_by_text("Demo: wij kennen de cijfers nog niet goed.")).to_have_count(1)
    _check(coordinator, axe, "results-three")
    coordinator.set_viewport_size({"width": 390, "height": 900})
    _check(coordinator, axe, "results-three-390")
    assert _page_width(coordinator) <= 390
    coordinator.set_viewport_size({"width": 1280, "height": 900})

    # --- She makes an improvement action from a result, linked to the geldzorgen pathway. ----
    coordinator.locator("details").filter(has_text="S03.").get_by_text(
        "Toelichtingen en acties per stelling"
    ).click()
    coordinator.get_by_role("link", name="Maak een verbeteractie voor stelling S03").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Nieuwe verbeteractie")
    _check(coordinator, axe, "action-form")
    coordinator.get_by_label("Wat", exact=True).fill(
        "Zorgpad geldzorgen bekendmaken bij alle partners"
    )
    coordinator.get_by_label("Verantwoordelijke organisatie").select_option(
        label="Gemeente Smallingerland (demo)"
    )
    coordinator.get_by_label("Verantwoordelijke persoon").fill("Anna de Vries (demo)")
    coordinator.get_by_role("group", name=re.compile("Zorgpaden waar het om gaat")).get_by_role(
        "checkbox", name=re.compile("Geldzorgen")
    ).check()
    coordinator.get_by_role("button", name="De actie opslaan").click()
    expect(coordinator.get_by_role("heading", level=1)).to_contain_text(
        "Zorgpad geldzorgen bekendmaken"
    )
    expect(coordinator.get_by_role("heading", name="Geschiedenis")).to_be_visible()
    _check(coordinator, axe, "action")

    # --- The editor sees it on the pathway's editor page. ------------------------------------
    editor.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Zorgpaden beheren"
    ).click()
    editor.get_by_role("link", name=re.compile("Geldzorgen")).first.click()
    expect(editor.get_by_role("heading", name="Verbeteracties voor dit zorgpad")).to_be_visible()
    expect(editor.get_by_text("Zorgpad geldzorgen bekendmaken bij alle partners")).to_be_visible()
    _check(editor, axe, "pathway-editor")

    # --- The other workspace pages, and another coalition's coordinator. ---------------------
    for section in ("Partners", "Afspraken", "Verbeteracties", "Klantroutes", "Verwijsnetwerk"):
        coordinator.get_by_role("navigation", name="Werkruimte van de coalitie").get_by_role(
            "link", name=section
        ).click()
        expect(coordinator.get_by_role("heading", level=1)).to_be_visible()
        _check(coordinator, axe, section.lower())
    outsider = _new_page(chromium_browser, live_server)
    log_in(outsider, "coordinator.rotterdam", DEMO_PASSWORD, second_factor=False)
    response = outsider.goto(round_url)
    assert response is not None
    assert response.status == 404
    response = outsider.goto(f"/coalities/{coalition.pk}/")
    assert response is not None
    assert response.status == 404
