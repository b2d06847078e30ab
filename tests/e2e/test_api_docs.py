"""The API documentation page in the browser: reached from the footer of any page, Redoc
(vendored) renders the OpenAPI document under the page's relaxed CSP, nothing is loaded from
another site, at desktop and phone width, with axe-core on the page's own content."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import assert_accessible, screenshot


@pytest.mark.parametrize(("width", "name"), [(1280, "desktop"), (390, "phone")])
def test_api_docs_from_the_footer(
    page: Any, axe: Any, live_server: Any, width: int, name: str
) -> None:
    requests: list[str] = []
    errors: list[str] = []
    # Every request the page makes, finished or not (the build removes the CDN logo Redoc
    # would ask for; scripts/build-static.mjs).
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/")
    page.get_by_role("link", name="API-documentatie voor ontwikkelaars").click()
    page.wait_for_url("**/api-documentatie/")
    page.get_by_role("heading", name="Kansrijk API (1.0.0)").wait_for()
    assert page.get_by_role("link", name="HSDA-API (sociale kaart)").is_visible()
    screenshot(page, f"api-docs-{name}", full_page=False)  # the first screen: Redoc's is long
    assert errors == []
    elsewhere = [u for u in requests if u.startswith("http") and not u.startswith(live_server.url)]
    assert elsewhere == []
    # axe on the page's own part; Redoc's markup is a vendored component.
    assert_accessible(axe, page, exclude=("#redoc",))
    page.get_by_role("link", name="HSDA-API (sociale kaart)").click()
    page.get_by_role("heading", name="Kansrijk HSDA API (social map, HSDS 3.0) (3.0.0)").wait_for()
