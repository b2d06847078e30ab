"""GET /api/v1/pathways and /api/v1/pathways/{id}."""

from __future__ import annotations

import pytest

from kansrijk.coalitions.models import CoalitionScope
from kansrijk.pathways import services
from kansrijk.pathways.models import PathwayScope, StepKind
from tests.pathways.conftest import make_coalition, make_pathway, step

pytestmark = pytest.mark.django_db

LIST = "/api/v1/pathways"


@pytest.fixture
def pathways(smallingerland, service, editor_smallingerland):
    own = make_pathway(
        smallingerland,
        title="Geldzorgen in Smallingerland",
        phases=["pregnancy"],
        steps=[
            step(StepKind.DISCUSS, "Bespreek"),
            step(StepKind.REFER, "Verwijs", service),
            step(StepKind.URGENT_SAFETY, "Veiligheid eerst"),
        ],
    )
    national = make_coalition("Landelijk", [], scope=CoalitionScope.NATIONAL)
    defaults = [
        make_pathway(
            national,
            situation=code,
            scope=PathwayScope.NATIONAL,
            municipalities=[],
            phases=["pregnancy", "postnatal"],
            title=f"Landelijk {code}",
        )
        for code in ("geldzorgen", "roken")
    ]
    # A draft on top of the own pathway is never served.
    draft = services.start_draft(user=editor_smallingerland, pathway=own)
    services.save_draft(
        user=editor_smallingerland, version=draft, title="CONCEPT", introduction="", steps=[]
    )
    return own, defaults


def test_list_filters_and_marks_fallbacks(client, pathways, django_assert_max_num_queries):
    own, (national_geld, _national_roken) = pathways
    with django_assert_max_num_queries(5):
        response = client.get(
            LIST, {"municipality": "GM0090", "situation": "geldzorgen", "phase": "pregnancy"}
        )
    assert response.status_code == 200
    body = response.json()
    assert body["municipality"] == {"code": "GM0090", "name": "Smallingerland"}
    assert body["count"] == 1
    item = body["results"][0]
    assert item["id"] == own.pk
    assert item["fallback"] is None
    assert item["title"] == "Geldzorgen in Smallingerland"
    assert item["url"].endswith("/zorgpaden/GM0090/geldzorgen/pregnancy/")
    assert item["api_url"].endswith(f"/api/v1/pathways/{own.pk}")
    assert item["version"]["number"] == 1

    response = client.get(
        LIST, {"municipality": "GM0090", "situation": "geldzorgen", "phase": "postnatal"}
    )
    [item] = response.json()["results"]
    assert item["id"] == national_geld.pk
    assert item["fallback"] == "national"

    with django_assert_max_num_queries(5):
        response = client.get(LIST, {"municipality": "gm0090"})
    results = {
        (r["situation"]["code"], r["phase"]): r["fallback"] for r in response.json()["results"]
    }
    assert results == {
        ("geldzorgen", "pregnancy"): None,
        ("geldzorgen", "postnatal"): "national",
        ("roken", "pregnancy"): "national",
        ("roken", "postnatal"): "national",
    }
    response = client.get(LIST, {"municipality": "GM0599", "phase": "pregnancy"})
    assert {r["fallback"] for r in response.json()["results"]} == {"national"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "municipality"),
        ({"municipality": "GM9999"}, "municipality"),
        ({"municipality": "GM0090", "phase": "later"}, "phase"),
        ({"municipality": "GM0090", "situation": "onbekend"}, "situation"),
    ],
)
def test_bad_parameters_are_400_problem_json(client, catalogue, params, field):
    response = client.get(LIST, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 400
    assert field in body["errors"]


def test_detail_with_steps_services_and_referral_methods(
    client, pathways, service, django_assert_max_num_queries
):
    own, _ = pathways
    with django_assert_max_num_queries(6):
        response = client.get(f"{LIST}/{own.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Geldzorgen in Smallingerland"  # not the draft
    assert body["version"] == 1
    assert body["is_current"] is True
    assert body["municipalities"] == ["GM0090"]
    assert body["scope"] == "municipal"
    assert [s["kind"] for s in body["steps"]] == ["urgent_safety", "discuss", "refer"]
    assert [s["order"] for s in body["steps"]] == [1, 2, 3]
    refer = body["steps"][2]
    assert refer["service"]["id"] == str(service.pk)
    assert {m["method"] for m in refer["service"]["referral_methods"]} == {"phone", "secure_mail"}
    assert refer["service"]["hsds_url"].endswith(f"/api/hsds/services/{service.pk}")


def test_detail_of_an_earlier_version_and_errors(client, pathways, editor_smallingerland):
    own, _ = pathways
    draft = own.versions.get(status="draft")
    services.save_draft(
        user=editor_smallingerland,
        version=draft,
        title="Versie twee",
        introduction="",
        steps=[step(StepKind.DISCUSS, "Nieuw")],
    )
    services.publish(user=editor_smallingerland, version=draft)
    assert client.get(f"{LIST}/{own.pk}").json()["title"] == "Versie twee"
    old = client.get(f"{LIST}/{own.pk}", {"version": 1}).json()
    assert old["title"] == "Geldzorgen in Smallingerland"
    assert old["is_current"] is False
    for url, params, status in [
        (f"{LIST}/{own.pk}", {"version": "x"}, 400),
        (f"{LIST}/{own.pk}", {"version": 7}, 404),
        (f"{LIST}/999999", {}, 404),
    ]:
        response = client.get(url, params)
        assert response.status_code == status
        assert response["Content-Type"] == "application/problem+json"


def test_an_unpublished_pathway_is_not_found(client, smallingerland):
    pathway = make_pathway(smallingerland, publish=False)
    assert client.get(f"{LIST}/{pathway.pk}").status_code == 404


def test_the_schema_documents_the_endpoints(client, catalogue):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/pathways" in paths
    assert "/pathways/{id}" in paths
