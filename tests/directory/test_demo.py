"""The demo social map (``kansrijk.directory.demo``): an HSDS file the importer reads cleanly;
loads, is idempotent, and is findable."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kansrijk.accounts import demo as accounts_demo
from kansrijk.core.demo import DEMO_LOADERS
from kansrijk.directory import demo
from kansrijk.directory.hsds.importer import import_hsds
from kansrijk.directory.models import (
    ChangeSource,
    Contact,
    CostOption,
    Language,
    Location,
    Organization,
    Phone,
    ReferralMethod,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceChange,
    ServiceTaxonomy,
)
from kansrijk.directory.search.ranking import search_services
from tests.scoped import data_for_scope

pytestmark = pytest.mark.django_db

ALL_MODELS: list[type[Any]] = [
    Organization,
    Location,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceTaxonomy,
    ReferralMethod,
    Language,
    CostOption,
    Contact,
    Phone,
    Schedule,
]

#: Services every demo municipality has (by name, among those serving it).
EVERYWHERE = {
    "Verloskundige zorg",
    "Kinderwensspreekuur (preconceptieconsult)",
    "CenteringZwangerschap",
    "Prenataal huisbezoek JGZ",
    "Consultatiebureau (JGZ 0-4 jaar)",
    "Nu Niet Zwanger",
    "Schuldhulpverlening",
    "Thuisadministratie en geldmaatje",
    "Home-Start",
    "Kraamzorg",
    "Taalhuis: beter lezen, schrijven en Nederlands spreken",
    "Advies en melding huiselijk geweld en kindermishandeling",
    "Rookvrije Start: stoppen met roken",
}
ONLY = {
    "GM0090": {"Sociaal team", "Stevig Ouderschap", "VoorZorg", "Perinatale GGZ"},
    "GM0599": {
        "Sociaal wijkteam",
        "Stevig Ouderschap",
        "Moeders Informeren Moeders",
        "Centering Ouderschap",
        "Begeleiding tienermoeders",
        "Perinatale GGZ (POP-poli)",
    },
    "GM0917": {
        "Sociaal wijkteam",
        "VoorZorg",
        "Moeders Informeren Moeders",
        "Centering Ouderschap",
        "Perinatale GGZ",
    },
}
TOWN_POSTCODES = {
    "GM0090": range(9200, 9207),
    "GM0599": range(3000, 3090),
    "GM0917": range(6411, 6423),
}


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ALL_MODELS}


def _demo_map() -> demo.DemoSummary:
    accounts_demo.load()
    return demo.load()


@pytest.fixture(scope="module")
def demo_map(request: pytest.FixtureRequest) -> Iterator[demo.DemoSummary]:
    """The demo social map (with the demo accounts), made once for this module's tests."""
    yield from data_for_scope(request, _demo_map)


def test_the_loader_is_registered_after_the_accounts_loader() -> None:
    assert DEMO_LOADERS.index("kansrijk.directory.demo.load") > DEMO_LOADERS.index(
        "kansrijk.accounts.demo.load"
    )


def test_loads_a_demo_map_for_the_three_municipalities(demo_map: demo.DemoSummary) -> None:
    assert set(demo_map.per_municipality) == {"GM0090", "GM0599", "GM0917"}
    assert demo_map.services == Service.objects.count() >= 50
    for code, only in ONLY.items():
        names = set(Service.objects.serving(code).values_list("name", flat=True))
        assert EVERYWHERE | only <= names, code
        # Each municipality's own services are delivered in that municipality.
        own = Service.objects.filter(
            service_at_locations__location__municipality_id=code
        ).distinct()
        assert own.count() == demo_map.per_municipality[code]


def test_the_demo_map_is_an_hsds_file_the_importer_reads_without_a_warning(
    demo_map: demo.DemoSummary,
) -> None:
    result = import_hsds(demo.DATA_FILE, dry_run=True)
    assert [str(issue) for issue in result.warnings] == []
    assert not result.ignored
    assert result.updated["service"] == demo_map.services
    assert not +result.created  # nothing new: every row is there already
    # The demo went through the importer: the services have their import history.
    assert ServiceChange.objects.filter(source=ChangeSource.IMPORT).count() >= demo_map.services


def test_twice_is_safe(demo_map: demo.DemoSummary) -> None:
    first = _counts()
    ids = set(Service.objects.values_list("id", flat=True))
    again = demo.load()
    assert _counts() == first
    assert set(Service.objects.values_list("id", flat=True)) == ids
    assert again.services == demo_map.services


def test_everything_is_demo_and_visibly_so(demo_map: demo.DemoSummary) -> None:
    assert not Organization.objects.filter(is_demo=False).exists()
    assert not Service.objects.filter(is_demo=False).exists()
    assert not Location.objects.filter(is_demo=False).exists()
    service = Service.objects.select_related("organization").first()
    assert service is not None
    assert str(service).endswith("(demo)")
    assert str(service.organization).endswith("(demo)")
    for contact in Contact.objects.all():
        assert "(demo)" in contact.name


def test_phone_numbers_are_obviously_fake(demo_map: demo.DemoSummary) -> None:
    pattern = re.compile(r"^0(512|10|45) 000 \d{3,4}$")
    numbers = list(Phone.objects.values_list("number", flat=True))
    numbers += list(
        ReferralMethod.objects.filter(method__in=["phone", "self_referral"]).values_list(
            "contact", flat=True
        )
    )
    assert numbers
    for number in numbers:
        assert pattern.match(number), number
        assert len(number.replace(" ", "")) == 10


def test_locations_lie_in_real_postcodes_of_the_towns(demo_map: demo.DemoSummary) -> None:
    for location in Location.objects.select_related("postcode_area"):
        code = location.municipality_id
        assert code in TOWN_POSTCODES
        assert int(location.postal_code[:4]) in TOWN_POSTCODES[code]
        assert location.postcode_area_id == location.postal_code[:4]
        assert location.postcode_area is not None
        assert location.postcode_area.latitude is not None
        assert location.latitude is not None
        assert abs(location.latitude - location.postcode_area.latitude) < 0.01


def test_services_are_complete(demo_map: demo.DemoSummary) -> None:
    for service in Service.objects.prefetch_related(
        "referral_methods", "taxonomy_links", "languages", "service_areas", "contacts"
    ):
        assert service.description, service.name
        assert service.eligibility_description, service.name
        assert service.phases, service.name
        assert service.domain, service.name
        assert service.referral_methods.all(), service.name
        assert all(method.instructions for method in service.referral_methods.all())
        assert service.taxonomy_links.all(), service.name
        assert "nl" in {language.code for language in service.languages.all()}
        assert service.service_areas.all(), service.name
        assert service.contacts.all(), service.name
        assert service.search_stems, service.name
    # Free and paid services, with a cost option for the paid ones that have a tariff.
    assert Service.objects.filter(is_free=True).exists()
    assert Service.objects.filter(is_free=False).exists()
    assert CostOption.objects.filter(amount__isnull=False).exists()


def test_some_services_need_verification_in_every_municipality(
    demo_map: demo.DemoSummary,
) -> None:
    for code in demo_map.per_municipality:
        local = Service.objects.filter(
            service_at_locations__location__municipality_id=code
        ).distinct()
        stale = local.needing_verification()
        assert stale.exists(), code
        assert stale.count() < local.count() / 2, code
    assert Service.objects.filter(assured_date__isnull=True).exists()


def test_regional_services_serve_the_whole_ggd_region(demo_map: demo.DemoSummary) -> None:
    from kansrijk.places.models import Municipality

    region = set(
        Municipality.objects.filter(
            ggd_region_id=Municipality.objects.get(code="GM0090").ggd_region_id
        ).values_list("code", flat=True)
    )
    assert len(region) > 10  # Friesland
    nnz = Service.objects.get(name="Nu Niet Zwanger", organization__name="GGD Fryslân")
    assert set(nnz.service_areas.values_list("municipality_id", flat=True)) == region
    debt = Service.objects.get(
        name="Schuldhulpverlening", organization__name="Schuldhulpverlening Smallingerland"
    )
    assert set(debt.service_areas.values_list("municipality_id", flat=True)) == {"GM0090"}


def test_jgz_midwives_and_debt_counselling_are_linked_to_the_demo_account_organisations(
    demo_map: demo.DemoSummary,
) -> None:
    for place in accounts_demo.PLACES:
        for name in (place.midwife_practice, place.youth_health_care, place.debt_counselling):
            organization = Organization.objects.get(name=name)
            assert organization.account_organisation is not None
            assert organization.account_organisation.name == name
    assert not Organization.objects.filter(
        name__startswith="Veilig Thuis", account_organisation__isnull=False
    ).exists()


def test_searching_schulden_near_9203_finds_debt_counselling(demo_map: demo.DemoSummary) -> None:
    results = list(search_services(text="schulden", postcode="9203"))
    names = [(service.organization.name, service.name) for service in results]
    assert ("Schuldhulpverlening Smallingerland", "Schuldhulpverlening") in names
    # The services of the postcode's municipality come first; nothing from Rotterdam or Heerlen.
    assert getattr(results[0], "serves_municipality", False)
    assert not any(
        service.organization.name in ("Kredietbank Rotterdam", "Geldzaken Heerlen")
        for service in results
    )


@pytest.mark.parametrize("index", [True, False], ids=["index", "database"])
def test_schulden_lists_debt_counselling_above_the_prenatal_home_visit(
    demo_map: demo.DemoSummary, client: Client, settings: Any, index: bool
) -> None:
    """Issue 12: the words decide first (debt counselling has "schulden" in its name, the
    prenatal home visit only in its category and description), distance breaks ties; each
    result says where the words were found."""
    from kansrijk.directory.search.ranking import rank_page

    settings.KANSRIJK_SEARCH_INDEX = index
    names = [service.name for service in search_services(text="schulden", postcode="9203")]
    assert names.index("Schuldhulpverlening") < names.index("Prenataal huisbezoek JGZ")
    rows = list(rank_page(text="schulden", postcode="9203", per_page=50).object_list)
    assert [row.name for row in rows] == names
    assert rows[0].name == "Schuldhulpverlening"
    by_name = {row.name: row for row in rows}
    with translation.override("en"):
        assert by_name["Schuldhulpverlening"].why == "Found: “schulden” in the name."
        assert by_name["Prenataal huisbezoek JGZ"].why == "Found: “schulden” in a category."

    page = client.get(
        reverse("directory:search"),
        {"postcode": "9203", "q": "schulden"},
        HTTP_ACCEPT_LANGUAGE="nl",
    ).content.decode()
    assert page.index(">Schuldhulpverlening</a>") < page.index(">Prenataal huisbezoek JGZ</a>")
    assert "Gevonden: “schulden” in de naam." in page
    assert "Gevonden: “schulden” in een categorie." in page


def test_the_prenatal_home_visit_is_found_in_drachten(demo_map: demo.DemoSummary) -> None:
    results = list(search_services(text="prenataal huisbezoek", postcode="9203"))
    assert results
    assert results[0].name == "Prenataal huisbezoek JGZ"
    assert results[0].organization.name == "JGZ Fryslân Drachten"
    distance = getattr(results[0], "distance_km", None)
    assert distance is not None
    assert distance < 3
    by_municipality = search_services(text="huisbezoek", municipality="GM0090")
    assert "Prenataal huisbezoek JGZ" in {service.name for service in by_municipality}


def test_search_by_need_category_finds_services_in_each_town(demo_map: demo.DemoSummary) -> None:
    for postcode in ("9203", "3062", "6411"):
        names = {
            service.name for service in search_services(category="geldzorgen", postcode=postcode)
        }
        assert "Schuldhulpverlening" in names, postcode
        smoking = {service.name for service in search_services(category="roken", postcode=postcode)}
        assert "Rookvrije Start: stoppen met roken" in smoking, postcode


def test_the_search_page_shows_the_demo_map(demo_map: demo.DemoSummary, client: Client) -> None:
    response = client.get(reverse("directory:search"), {"postcode": "9203", "q": "schulden"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Schuldhulpverlening Smallingerland" in page
    assert "demo" in page
    assert "0512 000 " in page
    assert "Kredietbank Rotterdam" not in page

    response = client.get(reverse("directory:search"), {"postcode": "9203", "q": "prenataal"})
    assert "Prenataal huisbezoek JGZ" in response.content.decode()
    service = Service.objects.get(
        name="Prenataal huisbezoek JGZ", organization__name="JGZ Fryslân Drachten"
    )
    detail = client.get(reverse("directory:service", args=[service.id]))
    assert detail.status_code == 200
    assert "ZorgDomein" in detail.content.decode()
