"""Browser tests: Playwright (Python) driving Debian's Chromium against the live server.

Chromium is /usr/bin/chromium (override with KANSRIJK_CHROMIUM). Without it these tests are
skipped, unless KANSRIJK_REQUIRE_BROWSER=1 (as in CI), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Error as PlaywrightError

from tests.snapshot import restored

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("KANSRIJK_CHROMIUM", "/usr/bin/chromium")
#: Where the browser tests save what they saw (screenshots, a printed page) for a person to look
#: at. ``off`` saves nothing: CI does so, where nobody looks at them and they would cost Chromium
#: CPU (a full-page screenshot is painted and encoded whole).
_SCREENSHOTS = os.environ.get("KANSRIJK_SCREENSHOTS", "test-results/screenshots")
SCREENSHOTS: Path | None = None if _SCREENSHOTS == "off" else Path(_SCREENSHOTS)
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}


@pytest.fixture(scope="session")
def chromium_browser(django_db_setup: None, live_server: Any) -> Iterator[Any]:
    """One Chromium per worker. It asks for the test database and then ``live_server`` so that
    it closes first, then the server, then the database is dropped: Chromium's keep-alive
    connections end, and with them the server's request threads and their database connections
    (in the other order, dropping the test database at the end failed now and then with "is
    being accessed by other users")."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = f"Chromium not found at {CHROMIUM}: install Debian's chromium package"
        if os.environ.get("KANSRIJK_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            # What the tests do not use is off (CI is CPU-bound; with screenshots off, ~14 % less
            # CPU for the browser tests in an interleaved measurement). The GPU process's
            # software compositing runs in the browser process; site isolation is off (every
            # page is the live server's).
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--in-process-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-breakpad",
                "--disable-site-isolation-trials",
                "--disable-features=IsolateOrigins,site-per-process,BackForwardCache,"
                "OptimizationHints,Translate,MediaRouter,AutofillServerCommunication,"
                "CertificateTransparencyComponentUpdater",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def reference_data(transactional_db: None) -> None:
    from kansrijk.places.models import Municipality
    from kansrijk.places.services import load_reference_data

    if not Municipality.objects.exists():
        load_reference_data()


@pytest.fixture
def demo(reference_data: None) -> None:
    """Everything ``kansrijk demo`` loads (``run_demo_loaders``), committed for the live server.
    The first test of a worker loads it; later ones get the same rows back from a copy
    (``tests/snapshot.py``)."""
    from kansrijk.core import freshness
    from kansrijk.core.demo import run_demo_loaders

    restored("demo", run_demo_loaders)
    freshness.forget_all()


@pytest.fixture
def page(chromium_browser: Any, live_server: Any, reference_data: None) -> Iterator[Any]:
    context = chromium_browser.new_context(
        base_url=live_server.url, locale="nl-NL", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


def assert_accessible(axe: Axe, page: Any, *, exclude: tuple[str, ...] = ()) -> None:
    """axe-core finds no WCAG 2.1 A/AA violations on the page as it is now (but for the parts
    the ``exclude`` selectors name).

    axe-core is put into a document once (``Axe.run`` puts it in again on every call: ~0.2 s
    each), and only the violations come back whole (axe-core then keeps one example node of the
    passes and of the rules that did not apply, instead of every node: a third to a half of the
    time on a page of search results)."""
    context = {"exclude": [[selector] for selector in exclude]}
    try:
        response = _run_axe(axe, page, context)
    except PlaywrightError as error:
        # A click on a link returns before the page it opens is there: axe-core then ran in
        # the document being left (seen in CI: "reading 'documentElement'" of null). Check
        # the page the click opened, once it has loaded.
        if not _NAVIGATED.search(str(error)):
            raise
        page.wait_for_load_state()
        response = _run_axe(axe, page, context)
    results = AxeResults(response)
    targets = [node["target"] for v in results.response["violations"] for node in v["nodes"]]
    assert results.violations_count == 0, f"{page.url} {targets}\n{results.generate_report()}"


#: What Playwright says when the document changed under an evaluation (a navigation).
_NAVIGATED = re.compile(
    r"Execution context was destroyed|reading 'documentElement'|axe is not defined"
)


def _run_axe(axe: Axe, page: Any, context: dict[str, Any]) -> Any:
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe.axe_script)
    return page.evaluate(
        "([context, options]) => axe.run(context, options)", [context, AXE_OPTIONS]
    )


def screenshot(page: Any, name: str, *, full_page: bool = True) -> None:
    """The page as it is now, to ``SCREENSHOTS/name.png`` (unless screenshots are off)."""
    if SCREENSHOTS is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def printed(page: Any, name: str) -> bytes:
    """The page printed on A4, as PDF; also saved to ``SCREENSHOTS/name.pdf`` unless off."""
    pdf: bytes = page.pdf(format="A4")
    if SCREENSHOTS is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / f"{name}.pdf").write_bytes(pdf)
    return pdf


def current_totp(username: str) -> str:
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def log_in(page: Any, username: str, password: str, *, second_factor: bool) -> None:
    page.goto("/account/inloggen/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    if second_factor:
        page.wait_for_url("**/tweede-factor/**")
        page.get_by_label("Code", exact=True).fill(current_totp(username))
        page.get_by_role("button", name="Bevestigen").click()
    # The click starts a navigation, and wait_for_load_state may return on the page it leaves:
    # wait for the page after the login instead.
    page.wait_for_url(lambda url: "/account/inloggen/" not in url and "tweede-factor" not in url)
