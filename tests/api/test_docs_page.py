"""The API documentation page: linked from every page's footer, Redoc from our own static
files, and the strict CSP relaxed only there and only for what Redoc needs (inline styles and
its search worker), never for scripts."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def csp(response: object) -> dict[str, set[str]]:
    header = response["Content-Security-Policy"]  # type: ignore[index]
    return {
        name: set(values)
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.parametrize(
    ("path", "document"),
    [
        ("/api-documentatie/", "/api/v1/openapi.json"),
        ("/api-documentatie/hsds/", "/api/hsds/openapi.json"),
    ],
)
def test_the_page_shows_each_document_with_vendored_redoc(
    client: Client, path: str, document: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-spec-url="{document}"' in html
    assert "/static/vendor/redoc.standalone.js" in html
    assert not re.search(r'<script[^>]+src="https?://', html)
    policy = csp(response)
    assert policy["script-src"] == {"'self'"}
    assert policy["style-src"] == {"'self'", "'unsafe-inline'"}
    assert policy["worker-src"] == {"blob:"}
    assert policy["connect-src"] == {"'self'"}


def test_other_pages_keep_the_strict_policy_and_link_to_it(client: Client) -> None:
    response = client.get("/")
    policy = csp(response)
    assert policy["style-src"] == {"'self'"}
    assert "worker-src" not in policy
    assert 'href="/api-documentatie/"' in response.content.decode()
    assert "API-documentatie voor ontwikkelaars" in response.content.decode()


def test_an_unknown_method_is_refused(client: Client) -> None:
    assert client.post("/api-documentatie/").status_code == 405
