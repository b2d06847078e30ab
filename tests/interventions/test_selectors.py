"""Reads of the menukaart: search with filters, availability in a municipality."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries

from kansrijk.interventions.exceptions import InvalidFilter, UnknownIntervention
from kansrijk.interventions.models import Intervention, RecognitionLevel
from kansrijk.interventions.selectors import (
    available_interventions,
    get_intervention,
    offer_by_municipality,
    search_interventions,
    services_for,
)
from kansrijk.places.models import Municipality
from kansrijk.situations.exceptions import UnknownSituation
from kansrijk.situations.models import Situation
from tests.directory.factories import ServiceFactory

pytestmark = pytest.mark.usefixtures("menukaart")


def slugs(queryset: Any) -> list[str]:
    return [i.slug for i in queryset]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NNZ", "nu-niet-zwanger"),
        ("nu niet zwanger", "nu-niet-zwanger"),
        ("centering zwangerschap", "centeringpregnancy"),
        ("homestart", "home-start"),
        ("home-start", "home-start"),
        ("MIM", "moeders-informeren-moeders"),
        ("anticonceptie", "anticonceptieconsult"),
        ("jeugdgezondheidszorg huisbezoek", "prenataal-huisbezoek-jgz"),
        ("Love & Sens(e)uality", "love-and-senseuality"),
    ],
)
def test_text_search(text: str, expected: str) -> None:
    assert expected in slugs(search_interventions(text=text))


def test_filters() -> None:
    assert search_interventions().count() == 23
    assert set(slugs(search_interventions(phase="preconception", building_block=2))) == {
        "rookvrije-start",
        "alcoholvrije-start",
    }
    assert set(slugs(search_interventions(situation="roken"))) >= {
        "rookvrije-start",
        "zwangerwijzer",
        "preconceptieconsult",
    }
    assert "rookvrije-start" not in slugs(search_interventions(situation="alcohol"))
    roken = Situation.objects.get(code="roken")
    assert (
        search_interventions(situation=roken).count()
        == search_interventions(situation="roken").count()
    )
    assert search_interventions(building_block="3").count() == 5
    assert search_interventions(recognition="not_assessed").count() == 23
    assert search_interventions(recognition="effective_strong").count() == 0
    Intervention.objects.filter(slug="voorzorg").update(recognition=RecognitionLevel.EFFECTIVE_GOOD)
    assert slugs(search_interventions(min_recognition="well_founded")) == ["voorzorg"]
    assert slugs(search_interventions(recognition="effective_good")) == ["voorzorg"]
    Intervention.objects.filter(slug="voorzorg").update(is_active=False)
    assert "voorzorg" not in slugs(search_interventions())


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"phase": "later"}, "phase"),
        ({"recognition": "top"}, "recognition"),
        ({"min_recognition": "top"}, "min_recognition"),
        ({"building_block": 7}, "building_block"),
        ({"building_block": "twee"}, "building_block"),
        ({"municipality": "GM9999"}, "municipality"),
    ],
)
def test_bad_filters(places: None, kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidFilter) as error:
        list(search_interventions(**kwargs))
    assert error.value.field == field


def test_unknown_situation() -> None:
    with pytest.raises(UnknownSituation):
        search_interventions(situation="bestaat-niet")


def test_municipality_filter_keeps_only_local_services(
    offer: dict[str, Any], django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(5):
        # municipality, interventions, situations, local services, their referral methods
        found = list(search_interventions(municipality="GM0599"))
        services = {i.slug: [s.name for s in i.services.all()] for i in found}
    assert services == {
        "centeringpregnancy": ["Centering Rotterdam"],
        "nu-niet-zwanger": ["Nu Niet Zwanger Rotterdam"],
    }
    # The defunct VoorZorg service in Rotterdam does not make VoorZorg available there.
    assert set(slugs(search_interventions(municipality="GM0090"))) == {
        "nu-niet-zwanger",
        "voorzorg",
        "rookvrije-start",
    }
    achtkarspelen = Municipality.objects.get(code="GM0059")
    assert slugs(search_interventions(municipality=achtkarspelen)) == ["nu-niet-zwanger"]
    assert slugs(search_interventions(municipality="gm0090", phase="preconception")) == [
        "nu-niet-zwanger",
        "rookvrije-start",
    ]
    assert slugs(search_interventions(municipality="GM0917")) == []


def test_available_interventions(
    offer: dict[str, Any], django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(5):
        # municipality, interventions, situations, local services, referral methods
        found = list(
            available_interventions(
                municipality="GM0090",
                situation_codes=["verslaving", "lvb", "tienerzwangerschap", "onbekend"],
                phase="pregnancy",
            )
        )
        summary = [
            (i.slug, i.matched_situations, [s.name for s in i.services.all()]) for i in found
        ]
        methods = (
            [m.method for m in found[0].services.all()[0].referral_methods.all()] if found else []
        )
    # VoorZorg is the only one for pregnancy addressing any of these (teenage pregnancy).
    assert summary == [("voorzorg", 1, ["VoorZorg Drachten"])]
    assert methods == []

    before = available_interventions(
        municipality="GM0090", situation_codes=["verslaving", "lvb", "roken"]
    )
    assert [(i.slug, i.matched_situations) for i in before] == [
        ("nu-niet-zwanger", 2),
        ("rookvrije-start", 1),
    ]
    nnz = before[0]
    assert [s.name for s in nnz.services.all()] == ["Nu Niet Zwanger GGD Fryslân"]
    assert [m.method for m in nnz.services.all()[0].referral_methods.all()] == ["phone"]

    everything = available_interventions(municipality="GM0090")
    assert slugs(everything) == ["nu-niet-zwanger", "rookvrije-start", "voorzorg"]
    assert {i.matched_situations for i in everything} == {0}
    assert slugs(available_interventions(municipality="GM0090", situation_codes=[])) == slugs(
        everything
    )
    with pytest.raises(InvalidFilter):
        available_interventions(municipality="GM9999", situation_codes=["roken"])
    with pytest.raises(InvalidFilter):
        available_interventions(municipality="GM0090", phase="later")


def test_available_interventions_queries_do_not_grow(
    places: None, menukaart: None, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for intervention in Intervention.objects.all():
        for _ in range(2):
            intervention.services.add(ServiceFactory(referral_methods=["phone", "secure_mail"]))
    with django_assert_num_queries(5):
        found = list(available_interventions(municipality="GM0090", situation_codes=["roken"]))
        for intervention in found:
            for service in intervention.services.all():
                assert service.organization.name
                assert len(service.referral_methods.all()) == 2
            assert list(intervention.situations.all())
    assert len(found) >= 5


def test_get_intervention_and_where_it_is_offered(offer: dict[str, Any]) -> None:
    nnz = get_intervention("nu-niet-zwanger")
    assert nnz.name == "Nu Niet Zwanger"
    with pytest.raises(UnknownIntervention):
        get_intervention("bestaat-niet")
    Intervention.objects.filter(slug="samen-starten").update(is_active=False)
    with pytest.raises(UnknownIntervention):
        get_intervention("samen-starten")

    offers = offer_by_municipality(services_for(nnz))
    assert [(o.municipality.name, [s.name for s in o.services]) for o in offers] == [
        ("Achtkarspelen", ["Nu Niet Zwanger GGD Fryslân"]),
        ("Rotterdam", ["Nu Niet Zwanger Rotterdam"]),
        ("Smallingerland", ["Nu Niet Zwanger GGD Fryslân"]),
    ]
    assert [s.name for s in services_for(nnz, municipality="GM0599")] == [
        "Nu Niet Zwanger Rotterdam"
    ]
    voorzorg = get_intervention("voorzorg")
    assert [s.name for s in services_for(voorzorg, municipality="GM0599")] == []
