"""Data tables on a 390 px phone: the sent list (/verwijzingen/), the inbox, the referral results
and the signalling result. Each row reads as a card: every cell shows its column's label and no
two lines overlap; the header row stays for screen readers and the table keeps its roles. Select
boxes show an arrow. axe-core on every page; screenshots at phone and desktop width."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from kansrijk.accounts.demo import DEMO_PASSWORD
from tests.e2e.conftest import assert_accessible, log_in, screenshot

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}

#: For every visible cell of a stacked table: its label as shown (the ::before content), and
#: whether its box overlaps the next cell's box or sticks out of the page, and whether the cell
#: leaves room for its label (a table's first-cell padding can push the value over it).
_CELLS = """(selector) => {
  const cells = [...document.querySelectorAll(selector + ' tbody tr[role=row] > [data-label]')];
  return cells.map((cell, i) => {
    const box = cell.getBoundingClientRect();
    const next = cells[i + 1] && cells[i + 1].parentElement === cell.parentElement
      ? cells[i + 1].getBoundingClientRect() : null;
    return {
      label: getComputedStyle(cell, '::before').content,
      expected: cell.dataset.label,
      roomy: parseFloat(getComputedStyle(cell).paddingInlineStart)
        >= parseFloat(getComputedStyle(cell, '::before').width),
      overlaps: next !== null && next.top < box.bottom - 0.5,
      clipped: cell.scrollHeight > cell.clientHeight + 1 || cell.scrollWidth > cell.clientWidth + 1,
      outside: box.right > window.innerWidth + 1,
    };
  });
}"""


def _assert_cards(page: Any, axe: Any, selector: str, name: str) -> None:
    # A waiting assertion first: after a click the next page may still be loading.
    expect(page.locator(f"{selector} tbody td").first).to_be_attached()
    page.set_viewport_size(PHONE)
    cells = page.evaluate(_CELLS, selector)
    assert cells, f"{name}: no labelled cells"
    for cell in cells:
        assert cell["expected"] in cell["label"], cell  # the label is shown
        assert not cell["overlaps"], cell
        assert not cell["clipped"], cell
        assert not cell["outside"], cell
        assert cell["roomy"], cell
    # The header row is there for screen readers, not on screen; the roles keep it a table.
    header = page.locator(f"{selector} thead")
    assert header.evaluate("e => e.getBoundingClientRect().width") <= 1
    expect(page.get_by_role("table").first).to_be_attached()
    expect(page.get_by_role("columnheader").first).to_be_attached()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_accessible(axe, page)
    screenshot(page, f"phone-table-{name}-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    # On a wide screen it is an ordinary table with its header row.
    assert page.locator(f"{selector} thead").evaluate("e => e.getBoundingClientRect().width") > 300
    screenshot(page, f"phone-table-{name}-desktop")


def _select_has_arrow(page: Any) -> None:
    select = page.locator("select.utrecht-select").first
    image = select.evaluate("e => getComputedStyle(e).backgroundImage")
    assert image.startswith('url("data:image/svg+xml'), image


def test_referral_lists_and_results_read_as_cards_on_a_phone(page, axe, demo):
    log_in(page, "verloskundige.smallingerland", DEMO_PASSWORD, second_factor=True)
    page.goto("/verwijzingen/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Verstuurde verwijzingen")
    _select_has_arrow(page)
    _assert_cards(page, axe, "table.kr-ref-table", "sent")

    page.context.clear_cookies()
    log_in(page, "jgz.smallingerland", DEMO_PASSWORD, second_factor=True)
    page.goto("/verwijzingen/inbox/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbox: verwijzingen")
    _select_has_arrow(page)
    _assert_cards(page, axe, "table.kr-ref-table", "inbox")
    # A referral's own tables (contact attempts, who viewed it) too.
    page.locator("table.kr-ref-table tbody a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verwijzing VW-")
    page.get_by_role("link", name="Wie bekeek deze verwijzing").click()
    _assert_cards(page, axe, "table.kr-ref-table", "access-report")

    page.context.clear_cookies()
    log_in(page, "analist.smallingerland", DEMO_PASSWORD, second_factor=False)
    page.goto("/verwijzingen/resultaten/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Resultaten verwijzingen")
    _assert_cards(page, axe, "table.kr-ref-table", "results")


def test_the_signalling_result_fits_a_phone(page, axe, demo):
    page.set_viewport_size(PHONE)
    page.goto("/signalering/")
    _select_has_arrow(page)
    page.get_by_role("textbox", name="of postcode").fill("9203")
    risks = page.get_by_role("group", name="Risicofactoren")
    for name in ("Geldzorgen en schulden", "Roken", "Huiselijk geweld"):
        risks.get_by_role("checkbox", name=name, exact=True).check()
    page.get_by_role("button", name="Bepaal de graad").click()
    table = page.get_by_role("table", name="Hoe de aangevinkte factoren zijn gewogen")
    expect(table).to_be_visible()
    # Three columns with their header row fit the width: nothing sticks out, no line overlaps.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    overlaps = page.evaluate(
        """() => [...document.querySelectorAll('.kr-sig-counted tr')].flatMap(row => {
             const cells = [...row.children].map(c => c.getBoundingClientRect());
             return cells.slice(1).filter((b, i) => b.left < cells[i].right - 0.5);
           })"""
    )
    assert overlaps == []
    expect(table.get_by_role("columnheader", name="Levensgebied")).to_be_visible()
    assert_accessible(axe, page)
    screenshot(page, "phone-table-signalling-phone")


def test_the_pathway_editors_pages_fit_a_phone(page, axe, demo):
    log_in(page, "redacteur.smallingerland", DEMO_PASSWORD, second_factor=False)
    page.set_viewport_size(PHONE)
    page.goto("/zorgpaden/beheer/")
    # The list of pathways scrolls in its box (.kr-table-scroll, app.css): the page keeps its width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.locator("main a[href^='/zorgpaden/beheer/']").filter(has_text="Geldzorgen").first.click()
    # A second version, so that the history has two cards and the form to compare them shows.
    editor_page = page.url
    page.get_by_role("button", name="Wijzigen (nieuw concept)").click()
    page.get_by_label("Wat is er veranderd").fill("Nieuw telefoonnummer schuldhulp.")
    page.get_by_role("button", name="Opslaan en publiceren").click()
    page.goto(editor_page)
    expect(page.get_by_role("heading", name="Versiegeschiedenis")).to_be_visible()
    expect(page.get_by_role("button", name="Vergelijk")).to_be_visible()
    assert page.locator("table.kr-pathway-versions tbody tr").count() == 2
    _assert_cards(page, axe, "table.kr-pathway-versions", "pathway-versions")
