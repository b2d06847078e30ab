"""The public catalogue API: /api/v1/situations, with problem+json errors."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from kansrijk.situations.models import Situation

pytestmark = pytest.mark.usefixtures("catalogue")

PROBLEM = "application/problem+json"


def test_urls() -> None:
    assert reverse("situations-api:situation-list") == "/api/v1/situations"
    assert reverse("situations-api:situation-detail", args=["roken"]) == "/api/v1/situations/roken"


def test_list(client: Client, django_assert_max_num_queries: DjangoAssertNumQueries) -> None:
    with django_assert_max_num_queries(1):
        response = client.get("/api/v1/situations")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 41
    first = body["results"][0]
    assert first == {
        "code": "geldzorgen",
        "kind": "risk",
        "domain": {"code": "geld-en-werk", "name": "Geld en werk"},
        "name": "Geldzorgen en schulden",
        "description": first["description"],
        "synonyms": first["synonyms"],
        "phases": ["preconception", "pregnancy", "postnatal"],
        "need_category": "geldzorgen",
        "source": first["source"],
    }


@pytest.mark.parametrize(
    ("params", "count", "included", "excluded"),
    [
        ({"phase": "postnatal"}, None, "huilbaby", "onbedoelde-zwangerschap"),
        ({"kind": "protective"}, 14, "sensitiviteit", "roken"),
        ({"kind": "risk", "phase": "preconception"}, None, "geldzorgen", "huilbaby"),
        ({"domain": "wonen"}, 3, "dakloosheid", "roken"),
        ({"q": "taalbarrière"}, 1, "taalbarriere", "roken"),
        ({"q": "schulden", "domain": "geld-en-werk"}, 1, "geldzorgen", "roken"),
        ({"q": ""}, 41, "roken", None),
    ],
)
def test_filters(
    client: Client,
    params: dict[str, str],
    count: int | None,
    included: str,
    excluded: str | None,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    with django_assert_max_num_queries(2):
        body = client.get("/api/v1/situations", params).json()
    found = [item["code"] for item in body["results"]]
    assert body["count"] == len(found)
    if count is not None:
        assert body["count"] == count
    assert included in found
    assert excluded not in found


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"phase": "later"}, "phase", "Kies een fase: preconception, pregnancy of postnatal."),
        ({"kind": "neutraal"}, "kind", "Kies een soort"),
        ({"domain": "nergens"}, "domain", "nergens is geen bekend levensdomein."),
        ({"domain": "geen slug!"}, "domain", None),
        ({"q": "x" * 201}, "q", None),
    ],
)
def test_bad_filters_are_a_400_problem(
    client: Client, params: dict[str, str], field: str, message: str | None
) -> None:
    response = client.get("/api/v1/situations", params)
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == 400
    assert body["code"] == "ongeldige-invoer"
    assert list(body["errors"]) == [field]
    if message:
        assert body["errors"][field][0].startswith(message)


def test_detail(client: Client, django_assert_max_num_queries: DjangoAssertNumQueries) -> None:
    with django_assert_max_num_queries(1):
        response = client.get("/api/v1/situations/huiselijk-geweld")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "huiselijk-geweld"
    assert body["domain"]["code"] == "veiligheid"
    assert "Veilig Thuis" in body["synonyms"]


def test_unknown_or_inactive_code_is_a_404_problem(client: Client) -> None:
    response = client.get("/api/v1/situations/bestaat-niet")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "onbekende-situatie"
    assert "bestaat-niet is geen bekende situatie" in response.json()["detail"]
    Situation.objects.filter(code="roken").update(is_active=False)
    assert client.get("/api/v1/situations/roken").status_code == 404
    assert "roken" not in [i["code"] for i in client.get("/api/v1/situations").json()["results"]]


def test_read_only(client: Client) -> None:
    assert client.post("/api/v1/situations", {}).status_code == 405
    assert client.delete("/api/v1/situations/roken").status_code == 405


def test_schema_documents_the_endpoints(client: Client) -> None:
    response = client.get("/api/v1/openapi.yaml")
    assert response.status_code == 200
    schema = response.content.decode()
    assert "\n  /situations/{code}:" in schema
    assert "situations_list" in schema
