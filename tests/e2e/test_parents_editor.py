"""The editor of the parent pages in the browser (issue 16, point 1): the national content
editor changes a page's Dutch text (a bad save first, then the B1 check shown on save) and marks
the Arabic translation as checked by a native speaker; the coalition editor of Smallingerland adds
the local mamacafé below the prenatal home visit page, and a parent in Drachten sees both at once.
axe-core on every editor page; screenshots at 1280 and 390 px, nothing wider than the screen."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from kansrijk.accounts.demo import DEMO_PASSWORD, NATIONAL_EDITOR_USERNAME, NATIONAL_ORGANISATION
from kansrijk.accounts.demo import load as load_demo_accounts
from kansrijk.accounts.models import Organisation
from kansrijk.coalitions.models import Coalition, CoalitionScope
from kansrijk.parents.choices import TranslationStatus
from kansrijk.parents.content import load_content
from kansrijk.parents.models import CostFigure, LocalAddition, PageTranslation
from tests.e2e.conftest import assert_accessible, log_in, screenshot

pytestmark = pytest.mark.e2e

LOCAL_EDITOR = "redacteur.smallingerland"
SLUG = "prenataal-huisbezoek"
EDITOR_HEADING = "Pagina\u2019s voor ouders: redactie"
MENU_ITEM = "Pagina\u2019s voor ouders"


@pytest.fixture
def demo(reference_data: None) -> None:
    load_demo_accounts()
    load_content()
    # The national coalition (as kansrijk.pathways.demo makes it): its editors write the
    # national pages.
    Coalition.objects.get_or_create(
        name="Landelijke standaard Kansrijke Start",
        defaults={
            "scope": CoalitionScope.NATIONAL,
            "lead_organisation": Organisation.objects.get(name=NATIONAL_ORGANISATION),
            "is_demo": True,
        },
    )


def _both_widths(page: Any, axe: Any, name: str) -> None:
    assert_accessible(axe, page)
    for width, suffix in ((1280, "desktop"), (390, "phone")):
        page.set_viewport_size({"width": width, "height": 900})
        fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert fits, f"{name} is wider than {width} px"
        screenshot(page, f"parents-editor-{name}-{suffix}")
    assert_accessible(axe, page)  # at 390 px too
    page.set_viewport_size({"width": 1280, "height": 900})


def test_national_editor_edits_a_page_and_checks_a_translation(
    page: Any, axe: Any, demo: None
) -> None:
    log_in(page, NATIONAL_EDITOR_USERNAME, DEMO_PASSWORD, second_factor=False)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name=MENU_ITEM).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(EDITOR_HEADING)
    _both_widths(page, axe, "index")

    card = page.locator("li.kr-card", has=page.get_by_role("heading", name="Een huisbezoek"))
    # The first page of a text in a server process measures its readability and so imports
    # textstat (and with it nltk): ~2 s on a quiet machine, more than the default 10 s on a
    # loaded CI machine (it timed out there twice). Later pages take milliseconds.
    card.get_by_role("link", name="Nederlands").click(timeout=60_000)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nederlands")
    title = page.get_by_role("textbox", name="Titel")

    # Bad input: an empty title. The error is shown with its field; nothing is saved.
    original = title.input_value()
    title.fill("")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("alert")).to_contain_text("Er is nog niets opgeslagen")
    expect(title).to_have_attribute("aria-invalid", "true")
    assert PageTranslation.objects.get(page__slug=SLUG, language="nl").title == original
    assert_accessible(axe, page)
    screenshot(page, "parents-editor-translation-error")

    # A good save: the readability of the saved text is shown, with the B1 bounds.
    title.fill("Een huisbezoek van de JGZ als je zwanger bent")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Opgeslagen. Ouders zien de nieuwe tekst meteen.")).to_be_visible()
    readability = page.get_by_role("region", name="Leesbaarheid: B1, eenvoudige taal")
    expect(readability).to_contain_text("Leesgemak Flesch-Douma")
    expect(readability).to_contain_text("minstens 60")
    _both_widths(page, axe, "translation-nl")

    # The Arabic translation, right to left, checked by a native speaker.
    page.goto(f"/ouders/redactie/paginas/{SLUG}/ar/")
    expect(page.get_by_role("textbox", name="Titel")).to_have_attribute("dir", "rtl")
    page.get_by_role("radio", name="Gecontroleerd door een moedertaalspreker").check()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("alert")).to_contain_text("Noem de moedertaalspreker")
    page.get_by_role("textbox", name="Gecontroleerd door").fill("Samira El Amrani")
    page.get_by_label("Gecontroleerd op").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Opgeslagen.")).to_be_visible()
    arabic = PageTranslation.objects.get(page__slug=SLUG, language="ar")
    assert arabic.status == TranslationStatus.CHECKED
    assert arabic.checked_by == "Samira El Amrani"
    _both_widths(page, axe, "translation-ar")

    # Parents see both at once: the new Dutch title, and no draft notice in Arabic.
    page.goto(f"/ouders/nl/{SLUG}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Een huisbezoek van de JGZ als je zwanger bent"
    )
    with translation.override("ar"):
        draft_notice = gettext(
            "This text is a draft translation: a native speaker has not checked it yet."
        )
    page.goto(f"/ouders/ar/{SLUG}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_text(draft_notice)).to_have_count(0)


def test_national_editor_enters_an_amount_of_the_costs_overview(
    page: Any, axe: Any, demo: None
) -> None:
    year = timezone.localdate().year
    log_in(page, NATIONAL_EDITOR_USERNAME, DEMO_PASSWORD, second_factor=False)
    page.goto("/ouders/redactie/")
    page.get_by_role("link", name="De bedragen van het kostenoverzicht").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Kostenoverzicht: bedragen voor {year}"
    )
    _both_widths(page, axe, "costs")
    page.get_by_role("link", name="Bedrag invullen").first.click()
    # Bad input: a negative amount and no source. Nothing is saved.
    page.get_by_label("Bedrag (euro)").fill("-5")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("alert")).to_contain_text("Er is nog niets opgeslagen")
    assert not CostFigure.objects.exists()
    _both_widths(page, axe, "cost-figure-error")
    page.get_by_label("Bedrag (euro)").fill("385")
    page.get_by_role("textbox", name="Officiële bron").fill("Rijksoverheid, Eigen risico")
    page.get_by_role("textbox", name="Adres van de bron").fill("https://www.rijksoverheid.nl/")
    page.get_by_label("Gepubliceerd of geraadpleegd op").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Opgeslagen. Ouders zien het bedrag meteen.")).to_be_visible()
    figure = CostFigure.objects.get()
    page.goto(f"/ouders/nl/kosten/?jaar={year}")
    expect(page.get_by_text("Rijksoverheid, Eigen risico").first).to_be_visible()
    assert figure.year == year


def test_coalition_editor_adds_a_local_addition(page: Any, axe: Any, demo: None) -> None:
    log_in(page, LOCAL_EDITOR, DEMO_PASSWORD, second_factor=False)
    page.goto("/ouders/redactie/")
    expect(page.get_by_role("heading", level=1)).to_have_text(EDITOR_HEADING)
    # A local editor changes no national text.
    expect(page.get_by_role("link", name="Nederlands")).to_have_count(0)
    _both_widths(page, axe, "index-local")
    card = page.locator("li.kr-card", has=page.get_by_role("heading", name="Een huisbezoek"))
    card.get_by_role("link", name="Lokale informatie aan deze pagina toevoegen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lokale informatie toevoegen")
    _both_widths(page, axe, "local-new")

    # Bad input first: no title and a website that is no address. Nothing is made.
    page.get_by_role("textbox", name="Tekst").fill("Elke dinsdag drinken moeders samen koffie.")
    page.get_by_role("textbox", name="Website").fill("geen adres")
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.get_by_role("alert")).to_contain_text("Er is nog niets opgeslagen")
    assert not LocalAddition.objects.exists()
    assert_accessible(axe, page)
    screenshot(page, "parents-editor-local-error")

    page.get_by_role("textbox", name="Titel").fill("Mamacafé in De Wieken")
    page.get_by_role("textbox", name="Website").fill("")
    page.get_by_role("textbox", name="Telefoon").fill("0512 123 456")
    page.get_by_role("button", name="Toevoegen").click()
    expect(
        page.get_by_text("Opgeslagen. Ouders in Smallingerland zien het meteen.")
    ).to_be_visible()
    expect(page.get_by_role("region", name="Leesbaarheid")).to_be_visible()
    _both_widths(page, axe, "local-saved")

    # A parent in Drachten sees it below the page, at once.
    page.get_by_role("button", name="Bekijk de pagina zoals ouders hem zien").click()
    expect(page.get_by_text("Mamacafé in De Wieken")).to_be_visible()
    expect(page.get_by_text("0512 123 456")).to_be_visible()
