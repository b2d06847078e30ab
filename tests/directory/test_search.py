"""search_services: Dutch word forms (SQLite and PostgreSQL alike), filters, postcode distance."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from kansrijk.directory.exceptions import InvalidSearch, UnknownCategory, UnknownMunicipality
from kansrijk.directory.models import ServiceStatus
from kansrijk.directory.search import build_search_text, normalise, query_terms
from kansrijk.directory.selectors import category_terms, search_services
from kansrijk.places.exceptions import InvalidPostcode, UnknownPostcode
from tests.directory.factories import DirectoryOrganizationFactory, ServiceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def names(queryset: object) -> list[str]:
    return [service.name for service in queryset]  # type: ignore[attr-defined]


# --- Text ----------------------------------------------------------------------------------------


def test_normalise_removes_accents_and_case() -> None:
    assert normalise("Taalbarrière ÉÉN Ĳssel") == "taalbarriere een ijssel"


def test_query_terms_drop_stop_words() -> None:
    assert query_terms("Hulp bij de schulden van een gezin") == ["hulp", "schulden", "gezin"]


def test_stems_column() -> None:
    text, stems = build_search_text(["Schuldhulpverlening", "voor zwangere vrouwen"])
    assert text == "schuldhulpverlening voor zwangere vrouwen"
    assert stems == " schuldhulpverlen zwanger vrouw"


@pytest.fixture
def catalogue(places: None) -> None:
    ServiceFactory(name="Schuldhulpverlening Drachten", description="Hulp bij geldzorgen.")
    ServiceFactory(name="Zwangerschapscursus", description="Samen voorbereiden op de bevalling.")
    ServiceFactory(name="Tolk en taalcoach", description="Hulp bij een taalbarrière in de zorg.")
    ServiceFactory(name="Stoppen met roken", description="Rookvrije start voor ouders.")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("schulden", ["Schuldhulpverlening Drachten"]),
        ("schuld", ["Schuldhulpverlening Drachten"]),
        ("Schuldhulpverlening", ["Schuldhulpverlening Drachten"]),
        ("zwanger", ["Zwangerschapscursus"]),
        ("zwangerschap", ["Zwangerschapscursus"]),
        ("taalbarriere", ["Tolk en taalcoach"]),  # no accent in the query
        ("TAALBARRIÈRE", ["Tolk en taalcoach"]),
        ("hulp geldzorgen", ["Schuldhulpverlening Drachten"]),  # every word must match
        (
            "hulp bij de",
            ["Schuldhulpverlening Drachten", "Tolk en taalcoach"],
        ),  # stop words ignored
        ("rookvrij", ["Stoppen met roken"]),
        ("bestaatniet", []),
        (
            "",
            [
                "Schuldhulpverlening Drachten",
                "Stoppen met roken",
                "Tolk en taalcoach",
                "Zwangerschapscursus",
            ],
        ),
    ],
)
def test_dutch_text_search(catalogue: None, query: str, expected: list[str]) -> None:
    assert sorted(names(search_services(text=query))) == sorted(expected)


def test_search_finds_organisation_and_category_names(places: None, need_categories: None) -> None:
    ServiceFactory(
        name="Spreekuur",
        organization=DirectoryOrganizationFactory(name="GGD Fryslân"),
        categories=["huiselijk-geweld"],
    )
    assert names(search_services(text="ggd fryslan")) == ["Spreekuur"]
    assert names(search_services(text="huiselijk geweld")) == ["Spreekuur"]


def test_search_uses_the_gin_index_on_postgresql(catalogue: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'directory_service_search_gin'"
        )
        row = cursor.fetchone()
    assert row is not None
    assert "to_tsvector('dutch'::regconfig" in row[0]
    sql = str(search_services(text="schulden", prefetch=False).query)
    assert "to_tsvector" in sql
    assert "to_tsquery" in sql


# --- Filters -----------------------------------------------------------------------------------------


def test_filters(places: None, need_categories: None) -> None:
    organization = DirectoryOrganizationFactory()
    a = ServiceFactory(
        name="A",
        organization=organization,
        categories=["geldzorgen"],
        municipalities=["GM0090"],
        phase_pregnancy=True,
        languages=["nl", "ar"],
        is_free=True,
    )
    b = ServiceFactory(
        name="B",
        categories=["werk-en-inkomen"],
        municipalities=["GM0080"],
        phase_postnatal=True,
        is_free=False,
    )
    c = ServiceFactory(
        name="C",
        categories=["roken"],
        municipalities=["GM0090", "GM0080"],
        status=ServiceStatus.DEFUNCT,
    )
    assert names(search_services(category="geldzorgen")) == ["A", "B"]  # includes sub-category
    assert names(search_services(category="werk-en-inkomen")) == ["B"]
    assert names(search_services(municipality="GM0080")) == ["B"]
    assert names(search_services(municipality="gm0090")) == ["A"]
    assert names(search_services(phase="pregnancy")) == ["A"]
    assert names(search_services(language="AR")) == ["A"]
    assert names(search_services(free=True)) == ["A"]
    assert names(search_services(free=False)) == ["B"]
    assert names(search_services(organization_id=str(organization.id))) == ["A"]
    assert names(search_services(taxonomy_term_id=a.taxonomy_links.get().taxonomy_term_id)) == ["A"]
    assert names(search_services(include_defunct=True, category="roken")) == ["C"]
    assert names(search_services(category="roken")) == []
    b.last_modified = timezone.now() + datetime.timedelta(days=1)
    b.save()
    assert names(search_services(modified_after=timezone.now() + datetime.timedelta(hours=1))) == [
        "B"
    ]
    assert c.needs_verification


def test_bad_filters_raise_domain_errors(places: None, need_categories: None) -> None:
    with pytest.raises(UnknownMunicipality):
        search_services(municipality="GM9999")
    with pytest.raises(UnknownCategory):
        search_services(category="bestaat-niet")
    with pytest.raises(InvalidSearch):
        search_services(phase="later")
    with pytest.raises(InvalidSearch):
        search_services(organization_id="geen-uuid")
    with pytest.raises(InvalidPostcode):
        search_services(postcode="ABCD")
    with pytest.raises(UnknownPostcode):
        list(search_services(postcode="1199"))


def test_category_terms_include_descendants(need_categories: None) -> None:
    assert len(category_terms("zwangerschap-en-geboorte")) == 3


# --- Postcode and distance ------------------------------------------------------------------------


@pytest.fixture
def around_drachten(places: None) -> None:
    # Serving Smallingerland (GM0090), at various distances from postcode 9203 (Drachten).
    ServiceFactory(name="In Drachten", municipalities=["GM0090"], postcode="9203")
    ServiceFactory(name="Drachten-Noord", municipalities=["GM0090"], postcode="9202")
    ServiceFactory(
        name="Regionaal vanuit Leeuwarden", municipalities=["GM0090", "GM0080"], postcode="8901"
    )
    ServiceFactory(name="Telefonisch", municipalities=["GM0090"], postcode=None)
    # Not serving Smallingerland, but near (Burgum, about 12 km) or far (Amsterdam).
    ServiceFactory(name="Burgum", municipalities=["GM0737"], postcode="9251")
    ServiceFactory(name="Amsterdam", municipalities=["GM0363"], postcode="1011")


def test_postcode_orders_serving_first_then_nearby_by_distance(around_drachten: None) -> None:
    results = list(search_services(postcode="9203 AB"))
    assert names(results) == [
        "In Drachten",
        "Drachten-Noord",
        "Regionaal vanuit Leeuwarden",
        "Telefonisch",
        "Burgum",
    ]
    distances = [service.distance_km for service in results]
    assert distances[0] == pytest.approx(0, abs=0.01)
    assert distances[1] == pytest.approx(1.6, abs=0.5)
    assert distances[2] == pytest.approx(23, abs=3)
    assert distances[3] is None
    assert distances[4] == pytest.approx(12, abs=3)
    assert [service.serves_municipality for service in results] == [True, True, True, True, False]


def test_postcode_with_municipality_is_strict(around_drachten: None) -> None:
    assert "Burgum" not in names(search_services(postcode="9203", municipality="GM0090"))


def test_nearby_radius(around_drachten: None) -> None:
    assert "Burgum" not in names(search_services(postcode="9203", nearby_km=5))
    assert "Burgum" in names(search_services(postcode="9203", nearby_km=15))
    assert "Amsterdam" not in names(search_services(postcode="9203", nearby_km=100))


def test_no_postcode_no_distance(around_drachten: None) -> None:
    service = search_services(text="burgum")[0]
    assert service.distance_km is None


def test_results_page_query_count(
    around_drachten: None, need_categories: None, django_assert_max_num_queries: object
) -> None:
    for index in range(30):
        ServiceFactory(
            name=f"Extra {index}",
            municipalities=["GM0090"],
            postcode="9204",
            categories=["geldzorgen"],
            languages=["nl"],
            referral_methods=["phone"],
        )
    with django_assert_max_num_queries(9):  # type: ignore[operator]
        page = list(search_services(postcode="9203", category="geldzorgen")[:20])
        for service in page:
            assert service.organization.name
            for link in service.service_at_locations.all():
                assert link.location.municipality.name
            assert [link.taxonomy_term.name for link in service.taxonomy_links.all()]
            assert list(service.referral_methods.all())
            assert list(service.languages.all())
