"""The HSDA read API: envelope, filters, distance, problem+json errors, query caps, OpenAPI."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from jsonschema import Draft202012Validator, FormatChecker

from kansrijk.directory.hsds import schemas
from kansrijk.directory.models import ServiceStatus
from kansrijk.directory.search import index as search_index
from tests.directory.factories import DirectoryOrganizationFactory, ServiceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def directory(places: None, need_categories: None) -> None:
    organization = DirectoryOrganizationFactory(name="GGD Fryslân")
    ServiceFactory(
        name="Nu Niet Zwanger",
        organization=organization,
        municipalities=["GM0090", "GM0080"],
        postcode="8901",
        categories=["onbedoelde-zwangerschap"],
    )
    ServiceFactory(
        name="Schuldhulpverlening Drachten",
        municipalities=["GM0090"],
        postcode="9203",
        categories=["geldzorgen"],
    )
    ServiceFactory(
        name="Burgum Opvoedsteun",
        municipalities=["GM0737"],
        postcode="9251",
        categories=["opvoeden"],
    )
    ServiceFactory(name="Opgeheven dienst", municipalities=["GM0090"], status=ServiceStatus.DEFUNCT)


def test_root(client: Client) -> None:
    response = client.get("/api/hsds/")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == "3.0"
    assert body["openapi_url"].endswith("/api/hsds/openapi.json")
    assert body["profile"].startswith("https://")


def test_services_envelope(client: Client, directory: None) -> None:
    response = client.get("/api/hsds/services", {"per_page": 2})
    assert response.status_code == 200
    body = response.json()
    assert {
        key: body[key]
        for key in (
            "total_items",
            "total_pages",
            "page_number",
            "size",
            "first_page",
            "last_page",
            "empty",
        )
    } == {
        "total_items": 3,
        "total_pages": 2,
        "page_number": 1,
        "size": 2,
        "first_page": True,
        "last_page": False,
        "empty": False,
    }
    validator = Draft202012Validator(
        schemas.load_schema("service_list.json"), format_checker=FormatChecker()
    )
    for item in body["contents"]:
        assert list(validator.iter_errors(item)) == []
    page2 = client.get("/api/hsds/services", {"per_page": 2, "page": 2}).json()
    assert page2["size"] == 1
    assert page2["last_page"]
    assert not page2["first_page"]
    beyond = client.get("/api/hsds/services", {"page": 9}).json()
    assert beyond["empty"]
    assert beyond["contents"] == []
    assert beyond["total_items"] == 3


def test_services_filters(client: Client, directory: None) -> None:
    def names(**params: object) -> list[str]:
        response = client.get("/api/hsds/services", params)
        assert response.status_code == 200, response.content
        return [item["name"] for item in response.json()["contents"]]

    assert names(search="schulden") == ["Schuldhulpverlening Drachten"]
    assert names(search="zwanger") == ["Nu Niet Zwanger"]
    assert names(municipality="GM0080") == ["Nu Niet Zwanger"]
    assert names(category="geldzorgen") == ["Schuldhulpverlening Drachten"]
    ggd = client.get("/api/hsds/organizations", {"search": "GGD"}).json()["contents"][0]["id"]
    assert names(organization_id=ggd) == ["Nu Niet Zwanger"]
    assert names(modified_after="2000-01-01") == [
        "Burgum Opvoedsteun",
        "Nu Niet Zwanger",
        "Schuldhulpverlening Drachten",
    ]
    assert names(modified_after="2999-01-01T00:00:00Z") == []
    detail = client.get("/api/hsds/services", {"search": "schulden", "full": "true"}).json()[
        "contents"
    ][0]
    term_id = next(
        attribute["taxonomy_term_id"]
        for attribute in detail["attributes"]
        if attribute["taxonomy_term"]["code"] == "geldzorgen"
    )
    assert names(taxonomy_term_id=term_id) == ["Schuldhulpverlening Drachten"]


def test_services_by_postcode_nearest_first_with_distance(client: Client, directory: None) -> None:
    body = client.get("/api/hsds/services", {"postcode": "9203AB"}).json()
    items = [
        (item["name"], item["distance"], item["serves_municipality"]) for item in body["contents"]
    ]
    assert [name for name, _, _ in items] == [
        "Schuldhulpverlening Drachten",
        "Nu Niet Zwanger",
        "Burgum Opvoedsteun",
    ]
    assert items[0][1] == pytest.approx(0, abs=0.01)
    assert items[1][1] == pytest.approx(22, abs=3)
    assert items[2][2] is False
    near = client.get("/api/hsds/services", {"postcode": "9203", "proximity": 5000}).json()
    assert "Burgum Opvoedsteun" not in [item["name"] for item in near["contents"]]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"municipality": "GM9999"}, "municipality"),
        ({"postcode": "ABCD"}, "postcode"),
        ({"postcode": "1199"}, "postcode"),
        ({"page": 0}, "page"),
        ({"per_page": 1000}, "per_page"),
        ({"modified_after": "gisteren"}, "modified_after"),
        # Well formed but no date: Django's parser raises ValueError (a 500 before).
        ({"modified_after": "2025-13-40"}, "modified_after"),
        ({"modified_after": "2025-02-30T12:00:00Z"}, "modified_after"),
        ({"modified_after": "2025-03-05T00:00:00+99:00"}, "modified_after"),
        ({"organization_id": "geen-uuid"}, "organization_id"),
        ({"taxonomy_term_id": "123"}, "taxonomy_term_id"),
        ({"phase": "later"}, "phase"),
        ({"category": "bestaat-niet"}, "category"),
        ({"free": "misschien"}, "free"),
    ],
)
def test_bad_parameters_are_problems(
    client: Client, directory: None, params: dict, field: str
) -> None:
    response = client.get("/api/hsds/services", params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 400
    assert field in body["errors"]


def test_service_detail(client: Client, directory: None) -> None:
    service_id = client.get("/api/hsds/services", {"search": "schulden"}).json()["contents"][0][
        "id"
    ]
    response = client.get(f"/api/hsds/services/{service_id}")
    assert response.status_code == 200
    document = response.json()
    assert (
        list(
            Draft202012Validator(schemas.load_schema("service_with_definitions.json")).iter_errors(
                document
            )
        )
        == []
    )
    assert (
        document["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] == "9203 AB"
    )
    assert client.get(f"/api/hsds/services/{uuid.uuid4()}").status_code == 404
    bad = client.get("/api/hsds/services/geen-uuid")
    assert bad.status_code == 400
    assert bad["Content-Type"] == "application/problem+json"


def test_organizations(client: Client, directory: None) -> None:
    body = client.get("/api/hsds/organizations", {"per_page": 100}).json()
    assert body["total_items"] == 4
    ggd = next(item for item in body["contents"] if item["name"] == "GGD Fryslân")
    document = client.get(f"/api/hsds/organizations/{ggd['id']}").json()
    assert [service["name"] for service in document["services"]] == ["Nu Niet Zwanger"]
    assert list(schemas.organization_validator().iter_errors(document)) == []
    assert client.get(f"/api/hsds/organizations/{uuid.uuid4()}").status_code == 404
    assert client.get("/api/hsds/organizations", {"per_page": 101}).status_code == 400


def test_query_counts_are_capped(
    client: Client, directory: None, django_assert_max_num_queries: object
) -> None:
    for index in range(40):
        ServiceFactory(
            name=f"Dienst {index}",
            municipalities=["GM0090"],
            postcode="9204",
            languages=["nl"],
            referral_methods=["phone"],
        )
    search_index.current_index()  # a worker reads the social map's search index once, not per search
    with django_assert_max_num_queries(5):  # type: ignore[operator]
        assert (
            client.get("/api/hsds/services", {"per_page": 100, "postcode": "9203"}).status_code
            == 200
        )
    with django_assert_max_num_queries(4):  # type: ignore[operator]
        assert client.get("/api/hsds/organizations", {"per_page": 100}).status_code == 200
    service_id = client.get("/api/hsds/services", {"search": "schulden"}).json()["contents"][0][
        "id"
    ]
    with django_assert_max_num_queries(30):  # type: ignore[operator]
        assert client.get(f"/api/hsds/services/{service_id}").status_code == 200
    with django_assert_max_num_queries(30):  # type: ignore[operator]
        assert client.get("/api/hsds/services", {"per_page": 20, "full": "true"}).status_code == 200


def test_openapi_describes_the_hsds_endpoints(client: Client) -> None:
    response = client.get("/api/hsds/openapi.json")
    assert response.status_code == 200
    text = response.content.decode()
    for expected in (
        '"/services"',
        "per_page",
        "modified_after",
        "postcode",
        "taxonomy_term_id",
        '"/organizations/{organization_id}"',
    ):
        assert expected in text
