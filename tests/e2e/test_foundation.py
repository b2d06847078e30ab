"""The foundation as a user meets it: log in (with 2FA where the role needs it), walk the
start page of every role, switch language, look up a postcode — with axe-core on each page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kansrijk.accounts.demo import DEMO_PASSWORD, ROLE_USERNAMES
from kansrijk.accounts.demo import load as load_demo_accounts
from kansrijk.accounts.roles import CLIENT_DATA_ROLES, Role
from tests.e2e.conftest import assert_accessible, log_in, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo_accounts(reference_data: None) -> None:
    load_demo_accounts()


def test_public_start_login_and_postcode_pages_are_accessible(page, axe):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.get_by_role("heading", level=1).is_visible()
    assert_accessible(axe, page)
    screenshot(page, "start-public")

    page.goto("/account/inloggen/")
    assert_accessible(axe, page)

    page.goto("/plaatsen/postcode/")
    page.get_by_role("textbox", name="Postcode").fill(" 9203ab ")
    page.get_by_role("button", name="Opzoeken").click()
    expect(page.get_by_text("Smallingerland").first).to_be_visible()
    expect(page.get_by_text("Bron: CBS").first).to_be_visible()
    assert_accessible(axe, page)
    screenshot(page, "postcode-9203")

    page.get_by_role("textbox", name="Postcode").fill("12")
    page.get_by_role("button", name="Opzoeken").click()
    expect(page.locator(".kr-error").first).to_be_visible()
    assert_accessible(axe, page)


def test_skip_link_is_first_and_moves_focus_to_main(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Direct naar de inhoud"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_language_switch_to_english_and_back(page):
    page.goto("/")
    language = page.get_by_role("navigation", name="Taal")
    language.get_by_role("link", name="English").click()
    # The link navigates: wait for the new page's language (wait_for_load_state returned at
    # once, on the page the click left, and the check then failed now and then).
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.get_by_role("link", name="Skip to content").count() == 1
    # Back on a page with a query: the same address, now in Dutch (by keyboard).
    page.goto("/sociale-kaart/?q=schulden&postcode=9203")
    link = page.get_by_role("navigation", name="Language").get_by_role("link", name="Nederlands")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    assert page.url.endswith("/sociale-kaart/?q=schulden&postcode=9203")


@pytest.mark.parametrize("role", list(Role))
def test_each_role_logs_in_and_sees_its_start_page(page, axe, demo_accounts, role):
    username = f"{ROLE_USERNAMES[role]}.smallingerland"
    log_in(page, username, DEMO_PASSWORD, second_factor=role in CLIENT_DATA_ROLES)
    page.goto("/")
    section = page.locator(f"section[aria-labelledby='role-{role}']")
    assert section.is_visible()
    assert page.get_by_text("(demo)").first.is_visible()
    assert_accessible(axe, page)
    screenshot(page, f"start-{role}")
    # Each task on the start page opens without error.
    hrefs = section.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs
    for href in hrefs:
        response = page.goto(href)
        assert response is not None
        assert response.status == 200, href
    page.goto("/")
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url("**/inloggen/**")


def test_two_factor_setup_in_the_browser(page, axe, reference_data):
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.factories import TEST_PASSWORD, UserFactory

    user = UserFactory(roles=[Role.INTAKE_HANDLER])
    page.goto("/account/inloggen/")
    page.get_by_label("Gebruikersnaam").fill(user.username)
    page.get_by_label("Wachtwoord").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/tweede-factor/instellen/**")
    assert page.locator(".kr-qr svg").is_visible()
    assert_accessible(axe, page)
    screenshot(page, "2fa-setup")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    page.get_by_label("Code uit uw authenticator-app").fill(f"{code:06d}")
    page.get_by_role("button", name="Bevestigen en verder").click()
    page.wait_for_url("**/herstelcodes/**")
    assert page.locator(".kr-recovery-codes li").count() == 10
    assert_accessible(axe, page)
    page.get_by_role("link", name="Ik heb ze bewaard, verder").click()
    # The click starts a navigation: wait for the start page rather than test the old one.
    page.wait_for_url(lambda url: "herstelcodes" not in url)
    expect(page.locator("section[aria-labelledby='role-intake_handler']")).to_be_visible()


@pytest.mark.parametrize(("width", "name"), [(390, "phone"), (1280, "desktop")])
def test_start_page_screenshots_at_phone_and_desktop_width(page, width, name):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, f"start-{name}")


def test_demo_banner_is_visible_and_accessible(page, axe, settings):
    settings.KANSRIJK_DEMO_MODE = True
    page.goto("/")
    banner = page.locator(".kr-demo-banner")
    assert banner.is_visible()
    assert "Demo-omgeving" in banner.inner_text()
    assert page.title().endswith(" · Kansrijk")
    assert_accessible(axe, page)
