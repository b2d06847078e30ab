"""Conventions of the whole API (docs/api.md): no trailing slashes under /api/v1/ (a path with
one is a 404 problem, not a redirect); the API-Version header on every answer; each API's
OpenAPI document at openapi.json and openapi.yaml in its base path, for anyone, from any
origin, and equal to the committed file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
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
    # The HSDS root is the one root resource with a slash (the HSDA specification's "/").
    assert [r for r in api_routes() if r.endswith("/")] == ["/api/hsds/"]


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


@pytest.mark.parametrize(
    ("path", "version"),
    [
        ("/api/v1/situations", "1.0.0"),
        ("/api/v1/situations/nothing", "1.0.0"),
        ("/api/v1/referrals", "1.0.0"),  # 403: not logged in
        ("/api/v1/no/such/path", "1.0.0"),
        ("/api/v1/openapi.json", "1.0.0"),
        ("/api/hsds/", "3.0.0"),
        ("/api/hsds/services/not-a-uuid", "3.0.0"),
    ],
)
def test_every_answer_says_its_api_version(path: str, version: str) -> None:
    response = Client().get(path)
    assert response["API-Version"] == version


def test_pages_and_fhir_have_no_api_version(client: Client) -> None:
    assert "API-Version" not in client.get("/")
    assert "API-Version" not in client.get("/fhir/metadata")


@pytest.mark.parametrize(
    ("path", "committed"),
    [("/api/v1/openapi", "openapi.yaml"), ("/api/hsds/openapi", "openapi-hsds.yaml")],
)
def test_the_documents_are_published(path: str, committed: str) -> None:
    as_json = Client().get(f"{path}.json")
    assert as_json.status_code == 200
    assert as_json["Access-Control-Allow-Origin"] == "*"
    assert as_json["Content-Type"].startswith("application/vnd.oai.openapi+json")
    as_yaml = Client().get(f"{path}.yaml")
    assert as_yaml.status_code == 200
    document = yaml.safe_load(as_yaml.content)
    assert document == as_json.json()
    assert document == yaml.safe_load((Path(settings.BASE_DIR) / committed).read_text())
    assert document["info"]["contact"]["email"]
    assert document["servers"][0]["url"] == path.removesuffix("/openapi")


def test_the_documents_declare_the_shared_errors() -> None:
    """What the shared layer answers for any operation is in the document of each."""
    for name in ("openapi.yaml", "openapi-hsds.yaml"):
        document = yaml.safe_load((Path(settings.BASE_DIR) / name).read_text())
        for path, item in document["paths"].items():
            for method, operation in item.items():
                statuses = set(operation["responses"])
                where = (name, method, path)
                if method in {"post", "put"}:
                    assert {"400", "413", "415"} <= statuses, where
                if {} not in operation.get("security", [{}]):
                    assert "403" in statuses, where
                if "{" in path:
                    assert "404" in statuses, where
                if any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", [])):
                    assert {"409", "422"} <= statuses, where
                for status, response in operation["responses"].items():
                    assert "API-Version" in response["headers"], where
                    if status >= "400":
                        assert list(response["content"]) == ["application/problem+json"], where


def test_a_body_where_none_is_needed_is_still_read(world: Any, login_verified: Any) -> None:
    """Withdrawing consent takes no body, but one that is not JSON is a 415 as documented."""
    from tests.referrals.factories import make_referral

    referral = make_referral(world)
    consent = referral.consents.get()
    client = login_verified(Client(), world.midwife)
    response = client.post(
        f"/api/v1/referrals/{referral.pk}/consents/{consent.pk}/withdraw",
        "a=1",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415
    assert response["Content-Type"] == "application/problem+json"
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
