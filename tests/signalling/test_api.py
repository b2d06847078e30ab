"""The stateless signalling API: grade in, explanation and local offer out; problem+json for bad
input; nothing stored; no CSRF; a constant number of queries; the published rules."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.signalling.conftest import row_counts

pytestmark = pytest.mark.django_db

URL = "/api/v1/signalling/assessments"
RULES_URL = "/api/v1/signalling/rules"


@pytest.fixture
def api() -> APIClient:
    # CSRF checks on, as for a browser: the endpoint must not need a token.
    return APIClient(enforce_csrf_checks=True)


def _post(api: APIClient, body: object):
    return api.post(URL, data=json.dumps(body), content_type="application/json")


def test_happy_path(api, local_offer_data):
    response = _post(
        api, {"factors": ["geldzorgen", "roken"], "phase": "pregnancy", "postcode": "9203 AB"}
    )
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert data["grade"] == "kwetsbaar"
    assert data["rules_version"] == 1
    assert data["municipality"] == {"code": "GM0090", "name": "Smallingerland"}
    explanation = data["explanation"]
    assert [f["code"] for f in explanation["risk_factors"]] == ["geldzorgen", "roken"]
    assert explanation["risk_factors"][0]["weight"] == 2
    assert explanation["balance"] == 3
    assert explanation["decided_by"][0]["rule"] == "reinforcement"
    assert "levensgebieden" in explanation["decided_by"][0]["text"]
    assert {d["code"] for d in explanation["risk_domains"]} == {"geld-en-werk", "leefstijl"}
    pathways = {p["situation"]: p for p in data["pathways"]}
    assert pathways["geldzorgen"]["fallback"] is None
    assert pathways["geldzorgen"]["title"] == "Geldzorgen in Smallingerland"
    assert pathways["geldzorgen"]["version"] == 1
    assert pathways["geldzorgen"]["url"].startswith("/")
    assert pathways["roken"]["fallback"] == "national"
    assert data["interventions"] == [
        {
            "code": "samen-sterk-met-geld",
            "name": "Samen sterk met geld",
            "situations": ["geldzorgen"],
            "url": data["interventions"][0]["url"],
        }
    ]


def test_a_risk_without_pathway_is_marked_unavailable(api, local_offer_data):
    data = _post(
        api, {"factors": ["relatieproblemen"], "phase": "pregnancy", "municipality": "gm0090"}
    ).json()
    assert data["pathways"] == [
        {
            "situation": "relatieproblemen",
            "situation_name": "Relatieproblemen",
            "available": False,
            "title": None,
            "version": None,
            "fallback": None,
            "url": None,
        }
    ]
    assert data["grade"] == "potentieel-kwetsbaar"


def test_no_factors_is_self_reliant(api, local_offer_data):
    data = _post(api, {"factors": [], "phase": "preconception", "municipality": "GM0090"}).json()
    assert data["grade"] == "zelfredzaam"
    assert data["pathways"] == []
    assert data["interventions"] == []


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"factors": ["roken", "onzin"], "phase": "pregnancy", "municipality": "GM0090"},
            "factors",
            "Onbekende factorcode(s): onzin.",
        ),
        (
            {"factors": ["roken"], "phase": "later", "municipality": "GM0090"},
            "phase",
            "Kies een fase",
        ),
        ({"factors": ["roken"], "municipality": "GM0090"}, "phase", ""),
        (
            {"factors": ["roken"], "phase": "pregnancy", "municipality": "GM9999"},
            "municipality",
            "GM9999 is geen gemeente",
        ),
        ({"factors": ["roken"], "phase": "pregnancy"}, "municipality", "Geef een gemeente"),
        (
            {"factors": ["roken"], "phase": "pregnancy", "postcode": "12"},
            "postcode",
            "Vul een postcode in",
        ),
        ({"factors": ["roken"], "phase": "pregnancy", "postcode": "1004"}, "postcode", "1004"),
        ({"factors": "roken", "phase": "pregnancy", "municipality": "GM0090"}, "factors", ""),
        ({"factors": ["x"] * 101, "phase": "pregnancy", "municipality": "GM0090"}, "factors", ""),
        ({"factors": ["Roken!"], "phase": "pregnancy", "municipality": "GM0090"}, "factors", ""),
    ],
)
def test_bad_input_is_a_problem(api, default_rules, body, field, message):
    before = row_counts()
    response = _post(api, body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400
    assert field in problem["errors"]
    assert message in json.dumps(problem["errors"], ensure_ascii=False)
    assert row_counts() == before


def test_not_a_json_object(api, default_rules):
    for raw in ("[1, 2]", "{kapot"):
        response = api.post(URL, data=raw, content_type="application/json")
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"


def test_nothing_is_stored(api, local_offer_data):
    before = row_counts()
    for _ in range(2):
        response = _post(
            api,
            {
                "factors": ["geldzorgen", "huiselijk-geweld", "steun-netwerk"],
                "phase": "pregnancy",
                "postcode": "9203",
            },
        )
        assert response.status_code == 200
    assert row_counts() == before
    assert "sessionid" not in response.cookies


def test_get_is_not_allowed(api, default_rules):
    assert api.get(URL).status_code == 405


def test_a_constant_number_of_queries(api, local_offer_data, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        _post(api, {"factors": ["geldzorgen"], "phase": "pregnancy", "postcode": "9203"})
    counts = []
    for factors in (["geldzorgen"], ["geldzorgen", "roken", "stress", "lvb", "alcohol"]):
        with CaptureQueriesContext(connection) as context:
            assert (
                _post(
                    api, {"factors": factors, "phase": "pregnancy", "postcode": "9203"}
                ).status_code
                == 200
            )
        counts.append(len(context))
    assert counts[0] == counts[1] <= 10


def test_without_published_rules_the_service_is_unavailable(api, catalogue):
    response = _post(api, {"factors": [], "phase": "pregnancy", "municipality": "GM0090"})
    assert response.status_code == 503
    assert response.json()["code"] == "geen-regels"
    assert api.get(RULES_URL).status_code == 503


def test_the_published_rules(api, default_rules, django_assert_max_num_queries):
    api.get(RULES_URL)
    with django_assert_max_num_queries(2):
        response = api.get(RULES_URL)
    assert response.status_code == 200
    data = response.json()
    assert data["version"] == 1
    assert [t["grade"] for t in data["thresholds"]] == [
        "potentieel-kwetsbaar",
        "kwetsbaar",
        "zeer-kwetsbaar",
    ]
    factors = {f["code"]: f for f in data["factors"]}
    assert factors["huiselijk-geweld"]["floor"] == "zeer-kwetsbaar"
    assert factors["geldzorgen"]["weight"] == 2
    assert factors["roken"]["weight"] == 1
    assert factors["steun-netwerk"]["kind"] == "protective"
    assert data["sources"]


def test_the_schema_documents_the_endpoints(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert "/api/v1/signalling/assessments" in schema["paths"]
    post = schema["paths"]["/api/v1/signalling/assessments"]["post"]
    assert "application/problem+json" in post["responses"]["400"]["content"]
    assert "/api/v1/signalling/rules" in schema["paths"]
