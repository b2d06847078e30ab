"""Conventions of the whole API (docs/api.md): no trailing slashes under /api/v1/, and a path
with one is a 404 problem, not a redirect."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db


def routes(patterns: list, prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield "/" + route


def api_routes() -> list[str]:
    return [r for r in routes(get_resolver().url_patterns) if r.startswith("/api/")]


def test_no_route_under_api_v1_ends_with_a_slash() -> None:
    v1 = [r for r in api_routes() if r.startswith("/api/v1/")]
    assert len(v1) >= 15
    assert [r for r in v1 if r.endswith("/")] == []


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/interventions/",
        "/api/v1/situations/",
        "/api/v1/pathways/",
        "/api/v1/places/municipalities/",
        "/api/v1/referrals/",
        "/api/v1/referrals/workflow/",
        "/api/v1/signalling/rules/",
        "/api/hsds/services/",
    ],
)
def test_a_trailing_slash_is_a_404_problem(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    without = Client().get(path.rstrip("/"))
    assert without.status_code != 404, without.content[:200]  # the path itself exists
