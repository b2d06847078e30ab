"""The public reference data API: postcodes and municipalities, with problem+json errors."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from kansrijk.places.models import Municipality, PostcodeArea

pytestmark = pytest.mark.usefixtures("places")

PROBLEM = "application/problem+json"
INVALID_NL = (
    "Vul een postcode in van vier cijfers, eventueel met twee letters, zoals 9203 of 9203 AB."
)


@pytest.mark.parametrize("raw", ["9203", "9203AB", "9203%20AB", "9203%20ab", "%209203AB%20"])
def test_postcode(
    client: Client, raw: str, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_max_num_queries(1):
        response = client.get(f"/api/v1/places/postcodes/{raw}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "postcode": "9203",
        "place": "Drachten",
        "municipality": {"code": "GM0090", "name": "Smallingerland"},
        "second_municipality": None,
        "province": {"code": "PV21", "name": "Fryslân"},
        "ggd_region": {"code": "GG7206", "name": "GGD Fryslân"},
        "youth_care_region": {"code": "JZ02", "name": "Friesland (Fryslân)"},
        "latitude": 53.102,
        "longitude": 6.0982,
        "source": "CBS, CC BY 4.0",
    }


def test_postcode_with_second_municipality_and_without_coordinates(client: Client) -> None:
    body = client.get("/api/v1/places/postcodes/1037").json()
    assert body["second_municipality"]["code"] == "GM0431"
    body = client.get("/api/v1/places/postcodes/1002").json()
    assert body["latitude"] is None
    assert body["longitude"] is None


@pytest.mark.parametrize("raw", ["AB9203", "920", "0123", "9203%20SS", "9203-AB", "%20"])
def test_malformed_postcode_is_400_problem(
    client: Client, raw: str, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    before = PostcodeArea.objects.count()
    with django_assert_max_num_queries(0):
        response = client.get(f"/api/v1/places/postcodes/{raw}")
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == 400
    assert body["code"] == "ongeldige-postcode"
    assert body["detail"] == INVALID_NL
    assert body["errors"] == {"postcode": [INVALID_NL]}
    assert body["title"]
    assert PostcodeArea.objects.count() == before


def test_unknown_postcode_is_404_problem(client: Client) -> None:
    response = client.get("/api/v1/places/postcodes/1004")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == 404
    assert body["code"] == "onbekende-postcode"
    assert body["detail"].startswith("Postcode 1004 staat niet in onze lijst")
    assert body["instance"] == "/api/v1/places/postcodes/1004"


def test_problem_in_english(client: Client) -> None:
    body = client.get("/api/v1/places/postcodes/0123", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["detail"].startswith("Enter a postcode of four digits")


def test_municipalities(
    client: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_max_num_queries(1):
        response = client.get("/api/v1/places/municipalities")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 342
    assert body["source"] == "CBS, CC BY 4.0"
    assert len(body["results"]) == 342
    smallingerland = next(m for m in body["results"] if m["code"] == "GM0090")
    assert smallingerland == {
        "code": "GM0090",
        "name": "Smallingerland",
        "province": {"code": "PV21", "name": "Fryslân"},
        "ggd_region": {"code": "GG7206", "name": "GGD Fryslân"},
        "youth_care_region": {"code": "JZ02", "name": "Friesland (Fryslân)"},
        "latitude": 53.11349,
        "longitude": 6.03915,
    }
    names = [m["name"] for m in body["results"]]
    assert names == sorted(names)


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ({"province": "PV21"}, 18),
        ({"province": "PV31"}, 31),
        ({"ggdRegion": "GG7206"}, 18),
        ({"youthCareRegion": "JZ02"}, 18),
        ({"province": "PV21", "ggdRegion": "GG7206"}, 18),
        ({"province": "PV20", "ggdRegion": "GG7206"}, 0),
        ({"province": ""}, 342),
    ],
)
def test_municipality_filters(
    client: Client,
    query: dict[str, str],
    count: int,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    with django_assert_max_num_queries(3):
        body = client.get("/api/v1/places/municipalities", query).json()
    assert body["count"] == count
    assert len(body["results"]) == count
    if query.get("province"):
        assert {m["province"]["code"] for m in body["results"]} <= {query["province"]}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"province": "PV99"}, "province"),
        ({"province": "Fryslân"}, "province"),
        ({"ggdRegion": "GG0000"}, "ggdRegion"),
        ({"youthCareRegion": "JZ99"}, "youthCareRegion"),
    ],
)
def test_unknown_filter_is_400_problem(client: Client, query: dict[str, str], field: str) -> None:
    response = client.get("/api/v1/places/municipalities", query)
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == 400
    assert list(body["errors"]) == [field]
    assert body["errors"][field][0].startswith("Onbekende")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/places/postcodes/9203", "/api/v1/places/municipalities"])
def test_read_only(client: Client, method: str, path: str) -> None:
    before = Municipality.objects.count()
    response = getattr(client, method)(path, data={}, content_type="application/json")
    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM
    assert "GET" in response["Allow"]
    assert Municipality.objects.count() == before


def test_schema_describes_the_endpoints(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    postcode = schema["paths"]["/places/postcodes/{postcode}"]["get"]
    assert set(postcode["responses"]) == {"200", "400", "404"}
    assert "application/problem+json" in postcode["responses"]["404"]["content"]
    assert postcode["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/Postcode"
    )
    listing = schema["paths"]["/places/municipalities"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {
        "province",
        "ggdRegion",
        "youthCareRegion",
    }
    assert "post" not in schema["paths"]["/places/municipalities"]
    assert "source" in schema["components"]["schemas"]["Postcode"]["properties"]
