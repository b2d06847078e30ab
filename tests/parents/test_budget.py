"""Every public parent page, in every language, is at most 150 KB of HTML, CSS and JavaScript
(images apart), loads nothing from another host, and sets no cookie (the self-referral form
only the CSRF cookie). The timing half of the budget (LCP on a slow phone) is
``bench/parents/run.py``."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from kansrijk.parents import languages

pytestmark = pytest.mark.django_db

BUDGET = 150 * 1024
PATHS = (
    "",
    "prenataal-huisbezoek/",
    "geldzorgen/",
    "kosten/",
    "netwerkkaart/",
    "netwerkkaart/leeg/",
    "hulp-in-de-buurt/",
    "huisbezoek-aanvragen/",
    "bestaat-niet/",  # a page that does not exist
)
ASSET = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"]+)"')


def _asset_bytes(url: str) -> int:
    assert url.startswith("/static/"), f"{url}: not from this site's static files"
    path = finders.find(url.removeprefix("/static/").split("?")[0])
    assert path, url
    with open(str(path), "rb") as handle:
        return len(handle.read())


@pytest.mark.parametrize("code", languages.CODES)
def test_every_page_within_150_kb(client: Client, content: None, places: None, code: str) -> None:
    from kansrijk.directory.vocabularies import load_need_categories

    load_need_categories()
    searches = [("hulp-in-de-buurt/", {"postcode": "9203", "hulp": "geldzorgen"})]
    requests = [(path, None) for path in PATHS] + searches
    for path, posted in requests:
        url = f"/ouders/{code}/{path}"
        response = client.get(url) if posted is None else client.post(url, posted)
        assert response.status_code == (404 if path == "bestaat-niet/" else 200), path
        html = response.content.decode()
        assets = ASSET.findall(html)
        assert assets, path
        total = len(response.content) + sum(_asset_bytes(url) for url in assets)
        assert total <= BUDGET, f"/ouders/{code}/{path}: {total} bytes"
        assert not re.search(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="(?:https?:)?//', html)
        expected = {"csrftoken"} if path.startswith("huisbezoek-aanvragen") else set()
        assert set(response.cookies) == expected, path
