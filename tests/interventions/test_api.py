"""The public menukaart API: /api/v1/interventions, with problem+json errors."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from kansrijk.interventions.models import Intervention

pytestmark = pytest.mark.usefixtures("places", "menukaart")

PROBLEM = "application/problem+json"


def test_urls() -> None:
    assert reverse("interventions-api:intervention-list") == "/api/v1/interventions"
    assert (
        reverse("interventions-api:intervention-detail", args=["voorzorg"])
        == "/api/v1/interventions/voorzorg"
    )


def test_list(client: Client, django_assert_max_num_queries: DjangoAssertNumQueries) -> None:
    with django_assert_max_num_queries(2):
        response = client.get("/api/v1/interventions")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 23
    assert body["municipality"] is None
    phb = next(i for i in body["results"] if i["slug"] == "prenataal-huisbezoek-jgz")
    assert phb["name"] == "Prenataal huisbezoek JGZ"
    assert phb["building_block"] == {
        "code": 2,
        "name": "2. Vroegsignalering en zorg & ondersteuning",
    }
    assert phb["phases"] == ["pregnancy"]
    assert phb["recognition"] == {"code": "not_assessed", "name": "Niet beoordeeld"}
    assert phb["financing_laws"] == [{"code": "wpg", "name": "Wpg (Wet publieke gezondheid)"}]
    assert phb["provider_kind"]["code"] == "youth_health_care"
    assert {"code": "geldzorgen", "name": "Geldzorgen en schulden", "kind": "risk"} in phb[
        "situations"
    ]
    assert phb["web_url"] == "http://testserver/menukaart/prenataal-huisbezoek-jgz/"
    assert phb["services"] is None


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"situation": "alcohol", "phase": "pregnancy"}, {"alcoholvrije-start"}),
        ({"buildingBlock": "3", "q": "kinderopvang"}, {"gezonde-kinderopvang"}),
        ({"q": "NNZ"}, {"nu-niet-zwanger"}),
        ({"recognition": "effective_strong"}, set()),
        ({"minRecognition": "not_assessed", "q": "voorzorg"}, {"voorzorg"}),
    ],
)
def test_filters(
    client: Client,
    params: dict[str, str],
    expected: set[str],
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    with django_assert_max_num_queries(3):
        body = client.get("/api/v1/interventions", params).json()
    assert {i["slug"] for i in body["results"]} == expected
    assert body["count"] == len(expected)


def test_municipality_gives_what_is_on_offer_there_with_the_services(
    client: Client, offer: dict[str, Any], django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_max_num_queries(6):
        response = client.get(
            "/api/v1/interventions", {"municipality": "gm0090", "situation": "lvb"}
        )
    body = response.json()
    assert body["municipality"] == {"code": "GM0090", "name": "Smallingerland"}
    assert [i["slug"] for i in body["results"]] == ["nu-niet-zwanger"]
    [service] = body["results"][0]["services"]
    assert service["id"] == str(offer["nnz_fryslan"].id)
    assert service["name"] == "Nu Niet Zwanger GGD Fryslân"
    assert service["referral_methods"] == ["phone"]
    assert service["municipalities"] is None
    assert service["hsds_url"] == f"http://testserver/api/hsds/services/{offer['nnz_fryslan'].id}"


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"municipality": "GM9999"}, "municipality", "GM9999 is geen gemeente."),
        ({"situation": "bestaat-niet"}, "situation", "bestaat-niet is geen bekende situatie."),
        ({"situation": "geen slug!"}, "situation", None),
        ({"phase": "later"}, "phase", "Kies een fase"),
        ({"recognition": "top"}, "recognition", "Kies een erkenningsniveau uit de lijst."),
        ({"minRecognition": "top"}, "minRecognition", "Kies een erkenningsniveau uit de lijst."),
        ({"buildingBlock": "7"}, "buildingBlock", "Kies bouwsteen 1, 2 of 3."),
        ({"q": "x" * 201}, "q", None),
    ],
)
def test_bad_parameters_are_a_400_problem(
    client: Client, params: dict[str, str], field: str, message: str | None
) -> None:
    response = client.get("/api/v1/interventions", params)
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["code"] == "ongeldige-invoer"
    assert list(body["errors"]) == [field]
    if message:
        assert body["errors"][field][0].startswith(message)


def test_detail(
    client: Client, offer: dict[str, Any], django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/interventions/nu-niet-zwanger")
    assert response.status_code == 200
    body = response.json()
    assert body["alternate_names"] == ["NNZ"]
    services = {s["name"]: s["municipalities"] for s in body["services"]}
    assert services == {
        "Nu Niet Zwanger GGD Fryslân": ["GM0059", "GM0090"],
        "Nu Niet Zwanger Rotterdam": ["GM0599"],
    }
    body = client.get("/api/v1/interventions/nu-niet-zwanger", {"municipality": "GM0599"}).json()
    assert [s["name"] for s in body["services"]] == ["Nu Niet Zwanger Rotterdam"]
    body = client.get("/api/v1/interventions/voorzorg", {"municipality": "GM0599"}).json()
    assert body["services"] == []


def test_detail_errors(client: Client) -> None:
    response = client.get("/api/v1/interventions/bestaat-niet")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "onbekende-interventie"
    assert response.json()["detail"] == "bestaat-niet staat niet op de menukaart."
    response = client.get("/api/v1/interventions/voorzorg", {"municipality": "XX"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["municipality"]
    Intervention.objects.filter(slug="voorzorg").update(is_active=False)
    assert client.get("/api/v1/interventions/voorzorg").status_code == 404


def test_read_only(client: Client) -> None:
    assert client.post("/api/v1/interventions", {}).status_code == 405
    assert client.put("/api/v1/interventions/voorzorg", {}).status_code == 405


def test_schema_documents_the_endpoints(client: Client) -> None:
    response = client.get("/api/v1/openapi.yaml")
    assert response.status_code == 200
    schema = response.content.decode()
    assert "\n  /interventions/{slug}:" in schema
    assert "interventions_list" in schema
    assert "minRecognition" in schema
