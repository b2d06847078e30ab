"""The referral network in the browser: drawn with its table and axe-core clean, also for a
period in which nobody referred (Vega gives an empty layer an unnamed graphic role, which
axe-core reports: such layers are left out). Screenshots at 1280 and 390 px."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from kansrijk.accounts.demo import DEMO_PASSWORD
from kansrijk.coalitions.models import Coalition
from tests.e2e.conftest import assert_accessible, log_in, screenshot

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [1280, 390])
def test_the_network_with_and_without_referrals(
    chromium_browser: Any, live_server: Any, axe: Any, demo: None, width: int
) -> None:
    coalition = Coalition.objects.get(name="Kansrijke Start Smallingerland")
    context = chromium_browser.new_context(
        base_url=live_server.url, locale="nl-NL", viewport={"width": width, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, "coordinator.smallingerland", DEMO_PASSWORD, second_factor=False)
    url = f"/coalities/{coalition.pk}/netwerk/"
    for query, name in (("", "demo"), ("?van=2020-01-01&tot=2020-12-31", "empty")):
        page.goto(url + query)
        expect(page.get_by_role("heading", level=1)).to_have_text("Verwijsnetwerk")
        expect(page.locator(".kr-chart__graph svg").first).to_be_visible()
        arrows = page.locator(".kr-chart__graph svg .mark-rule line")
        if name == "demo":
            expect(arrows.first).to_be_attached()
        else:
            expect(page.get_by_text("Geen verwijzingen in deze periode.")).to_be_visible()
            assert arrows.count() == 0
        assert_accessible(axe, page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"coalition-network-{name}-{width}")
    context.close()
