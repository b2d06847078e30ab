"""GET /api/v1/indicators and /api/v1/indicators/{code}/values: suppression, filters, is_demo,
400 problem+json for an unknown indicator, area or period."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_catalogue(client, catalogue):
    response = client.get("/api/v1/indicators")
    assert response.status_code == 200
    codes = [i["code"] for i in response.json()["results"]]
    assert "big2" in codes
    assert "verwijzingen-verstuurd" not in codes  # the loop's own figures are not public
    big2 = next(i for i in response.json()["results"] if i["code"] == "big2")
    assert big2["source_reference"].startswith("RIVM, Monitor Kansrijke Start 2023")


def test_values_for_one_area_and_period(client, figures):
    response = client.get("/api/v1/indicators/big2/values", {"area": "GM0090", "period": "2023"})
    assert response.status_code == 200
    (item,) = response.json()["items"]
    assert item == {
        "area": "GM0090",
        "area_name": "Smallingerland",
        "period": "2023",
        "numerator": 80.0,
        "denominator": 400.0,
        "value": 20.0,
        "suppressed": False,
        "is_demo": False,
        "source": None,
    }


def test_without_area_every_municipality_and_suppression(
    client, figures, django_assert_max_num_queries
):
    # Cold, once per process and data version: the data token, the catalogue, the area names
    # (4), the indicator's values.
    with django_assert_max_num_queries(7):
        response = client.get("/api/v1/indicators/big2/values", {"period": "2023"})
    items = response.json()["items"]
    assert len(items) == 342
    assert [i["area"] for i in items] == sorted(i["area"] for i in items)
    # Then every answer of the indicator is made from what the process keeps: no query.
    with django_assert_max_num_queries(0):
        other_year = client.get("/api/v1/indicators/big2/values", {"period": "2022"})
        trend = client.get("/api/v1/indicators/big2/values?area=GM0090&area=GG7206&area=NL01")
    assert other_year.json()["count"] == 342
    assert {i["area"] for i in trend.json()["items"]} == {"GM0090", "GG7206", "NL01"}
    schier = next(i for i in items if i["area"] == "GM0088")
    assert schier == {
        "area": "GM0088",
        "area_name": "Schiermonnikoog",
        "period": "2023",
        "numerator": None,
        "denominator": None,
        "value": None,
        "suppressed": True,
        "is_demo": False,
        "source": None,
    }


def test_repeatable_filters_and_withheld_regions(client, figures):
    response = client.get(
        "/api/v1/indicators/big2/values?area=GG7206&area=NL01&period=2022&period=2023"
    )
    items = {(i["area"], i["period"]): i for i in response.json()["items"]}
    assert set(items) == {
        ("GG7206", "2022"),
        ("GG7206", "2023"),
        ("NL01", "2022"),
        ("NL01", "2023"),
    }
    assert items[("GG7206", "2023")]["suppressed"] is True  # would reveal Schiermonnikoog
    assert items[("GG7206", "2023")]["value"] is None


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/indicators/onbekend/values",
        "/api/v1/indicators/big2/values?area=GM9999",
        "/api/v1/indicators/big2/values?area=XYZ",
        "/api/v1/indicators/big2/values?period=20x3",
        "/api/v1/indicators/big2/values?period=1999",
        "/api/v1/indicators/verwijzingen-verstuurd/values",
    ],
)
def test_bad_input_is_a_400_problem(client, figures, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 400


def test_the_seeded_catalogue_holds_the_public_indicators_as_facts_with_their_source(
    client, catalogue
):
    """Issue 14, point 1: the indicators whose definitions are public, each with unit, direction,
    phase, source, set, area levels and the source of its definition (with its year); those
    whose numerator or denominator is not public are marked so, never invented."""
    results = {i["code"]: i for i in client.get("/api/v1/indicators").json()["results"]}
    expected = {
        # code: (unit, phase, source, definition_public, words of the definition)
        "late-start-zwangerschapszorg": ("percentage", "pregnancy", "Perined", False, "10e week"),
        "problematische-schulden-ouders": ("percentage", "preconception", "CBS", True, "Wsnp"),
        "psychische-problemen-ouders": ("percentage", "preconception", "CBS", True, "GGZ"),
        "geen-kraamzorg": ("percentage", "postnatal", "Vektis", False, "kraamzorg"),
        "meervoudige-kwetsbaarheid": ("percentage", "pregnancy", "CBS", False, "voorspelmodel"),
        "big2": ("percentage", "postnatal", "Perined", True, "37 weken"),
        "preconceptieconsult": ("rate_per_1000", "preconception", "Vektis", False, "Vektis"),
        "coalitie": ("count", "coalition", "RIVM", False, "coalitie"),
        "plan-van-aanpak": ("count", "coalition", "RIVM", False, "plan van aanpak"),
        "nu-niet-zwanger": ("count", "coalition", "RIVM", False, "Nu Niet Zwanger"),
        "uithuisplaatsing-0-2": ("rate_per_1000", "postnatal", "CBS", False, "jonger dan 2"),
    }
    for code, (unit, phase, source, public, words) in expected.items():
        item = results[code]
        assert (item["unit"], item["phase"], item["source"], item["definition_public"]) == (
            unit,
            phase,
            source,
            public,
        ), code
        assert words in item["definition"], code
        assert item["name"], code
        assert item["name_en"], code
        assert item["direction"] in {"lower_is_better", "higher_is_better", "neutral"}, code
        assert item["set"].startswith("rivm_"), code
        assert item["area_levels"] == [
            "municipality",
            "ggd_region",
            "youth_care_region",
            "province",
            "country",
        ], code
        assert re.search(r"\b20\d\d\b", item["source_reference"]), code
        if public:
            assert item["numerator"], code
            assert item["denominator"], code
