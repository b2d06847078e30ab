"""search_services: Dutch word forms (SQLite and PostgreSQL alike), filters, postcode distance."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from kansrijk.core.text import fold
from kansrijk.directory.exceptions import InvalidSearch, UnknownCategory
from kansrijk.directory.models import ServiceStatus
from kansrijk.directory.search import build_search_text, query_terms
from kansrijk.directory.search import index as search_index
from kansrijk.directory.search.filters import category_terms
from kansrijk.directory.search.ranking import search_services
from kansrijk.places.exceptions import InvalidPostcode, UnknownMunicipality, UnknownPostcode
from tests.directory.factories import DirectoryOrganizationFactory, ServiceFactory
from tests.scoped import data_for_scope

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def names(queryset: object) -> list[str]:
    return [service.name for service in queryset]  # type: ignore[attr-defined]


# --- Text ----------------------------------------------------------------------------------------


def test_normalise_removes_accents_and_case() -> None:
    assert fold("Taalbarrière ÉÉN Ĳssel") == "taalbarriere een ijssel"


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
    assert "gin (search_vector)" in row[0]
    sql = str(search_services(text="schulden", prefetch=False).query)
    assert '"search_vector" @@' in sql
    assert "to_tsquery" in sql


def test_the_search_vector_follows_every_write_on_postgresql(catalogue: None) -> None:
    """The trigger keeps ``search_vector`` current, whatever writes ``search_text``."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    from kansrijk.directory.models import Service

    service = ServiceFactory(name="Voorlichting over borstvoeding")
    assert [s.name for s in search_services(text="borstvoeding")] == [service.name]
    Service.objects.filter(pk=service.pk).update(search_text="kraamzorg aan huis")
    assert not search_services(text="borstvoeding").exists()
    assert [s.name for s in search_services(text="kraamzorg")] == [service.name]


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


# --- search_page: the ranking query against the QuerySet it stands in for -------------------------


def _ranks_like_search_services(filters: dict) -> None:
    from kansrijk.directory.search.ranking import search_page

    expected = list(search_services(**filters))
    assert expected, "the fixture should give results"
    seen = []
    for number in range(1, 30):
        page = search_page(**filters, page=number, per_page=7)
        assert page.paginator.count == len(expected)
        if number > page.paginator.num_pages:
            assert page.number == page.paginator.num_pages  # past the end: the last page
            break
        seen += list(page.object_list)
    assert [service.id for service in seen] == [service.id for service in expected]
    for got, want in zip(seen, expected, strict=True):
        assert bool(got.serves_municipality) == bool(want.serves_municipality)
        if want.distance_km is None:
            assert got.distance_km is None
        else:
            assert got.distance_km == pytest.approx(want.distance_km, abs=1e-6)


def _friesland_map() -> None:
    """Sixty services around Drachten with zero to three locations each (random but fixed), some
    serving Smallingerland, some only neighbours, some in no municipality near at all."""
    import random

    from tests.directory.factories import LocationFactory

    rng = random.Random(20261123)
    postcodes = ["9203", "9202", "9251", "8901", "9201", "9231", "9244", "8401", "9001", "1011"]
    municipalities = ["GM0090", "GM0080", "GM0737", "GM0085", "GM0363"]
    for index in range(60):
        # The word "schulden" in the name of some, a category of others, the description of more.
        name = f"Schuldhulp {rng.choice('ABC')}{index:02d}" if index % 5 == 1 else "Dienst"
        service = ServiceFactory(
            name=f"{name} {rng.choice('ABC')}{index:02d}",
            description="Hulp bij schulden." if index % 3 == 2 else "Hulp voor aanstaande ouders.",
            categories=["geldzorgen"] if index % 4 == 3 else [],
            municipalities=rng.sample(municipalities, rng.randint(0, 2)),
            postcode=None,
            status=ServiceStatus.DEFUNCT if index % 17 == 0 else ServiceStatus.ACTIVE,
            is_free=index % 3 == 0,
        )
        for postcode in rng.sample(postcodes, rng.randint(0, 3)):
            location = LocationFactory(organization=service.organization, postcode=postcode)
            service.service_at_locations.create(location=location)


class TestTheFrieslandMap:
    """Searches of one random but fixed map, made once for the class (``tests/scoped.py``)."""

    @pytest.fixture(scope="class")
    @classmethod
    def friesland_map(cls, request: pytest.FixtureRequest) -> Iterator[None]:
        yield from data_for_scope(request, _friesland_map)

    @pytest.mark.parametrize(
        "filters",
        [
            {"postcode": "9203"},
            {"postcode": "9203", "nearby_km": 5},
            {"postcode": "9203", "nearby_km": 40},
            {"postcode": "9251"},
            {"postcode": "1011"},
            {"postcode": "9203", "municipality": "GM0080"},
            {"postcode": "9203", "free": True},
            {"postcode": "9203", "include_defunct": True},
            {"postcode": "8901", "text": "dienst"},
            {"postcode": "9203", "municipality": "GM0090", "free": False},
            # Relevance first: the name, then a category, distance breaking ties.
            {"postcode": "9203", "text": "schulden"},
            {"postcode": "9203", "text": "schulden hulp"},
            {"postcode": "9203", "text": "geldzorgen aanbieder"},
            {"postcode": "9251", "text": "schulden", "include_defunct": True},
            {"postcode": "9203", "municipality": "GM0080", "text": "schulden"},
            {"text": "schulden"},
        ],
    )
    def test_search_page_ranks_like_search_services(
        self, friesland_map: None, filters: dict, settings: Any
    ) -> None:
        """Both ways of ranking (``kansrijk.directory.search.index`` in each worker, the SQL ranking query
        for what the index does not cover) give the order, distances and totals of the QuerySet."""
        for index in (True, False):
            settings.KANSRIJK_SEARCH_INDEX = index
            _ranks_like_search_services(filters)

    @pytest.mark.parametrize(
        "filters",
        [
            {"postcode": "9203", "text": "schulden"},
            {"postcode": "9203", "text": "schulden aanbieder hulp"},
            {"postcode": "9251", "municipality": "GM0090", "text": "schulden"},
        ],
    )
    def test_each_result_says_where_the_words_were_found(
        self, friesland_map: None, filters: dict, settings: Any
    ) -> None:
        """The index and the ranking query say the same of every result: where each word was found,
        the most telling place first (name, category, organisation, place, else the description);
        and the results are ordered by what that is worth."""
        from kansrijk.directory.models import Service
        from kansrijk.directory.search.ranking import rank_page
        from kansrijk.directory.search.text import Source, matches, query_terms, relevance

        sources = dict(Service.objects.values_list("id", "search_sources"))
        terms = query_terms(filters["text"])
        pages = {}
        for index in (True, False):
            settings.KANSRIJK_SEARCH_INDEX = index
            page = rank_page(**filters, per_page=100)
            pages[index] = [(row.service_id, row.matches, row.why) for row in page.object_list]
            assert page.object_list, "the fixture should give results"
            for row in page.object_list:
                assert row.matches == matches(sources[row.service_id], terms)
            worth = [relevance(row.matches) for row in page.object_list]
            assert worth == sorted(worth, reverse=True)
        assert pages[True] == pages[False]
        found = {match.source for _id, found, _why in pages[True] for match in found}
        assert Source.DESCRIPTION in found
        assert {Source.NAME, Source.CATEGORY} & found

    def test_search_page_nothing_found_and_bad_page_numbers(self, friesland_map: None) -> None:
        from kansrijk.directory.search.ranking import search_page

        empty = search_page(postcode="9203", text="onvindbaarwoord")
        assert list(empty.object_list) == []
        assert empty.paginator.count == 0
        assert empty.number == 1
        for bad in ("x", "-3", "", None, "0"):
            assert search_page(postcode="9203", page=bad, per_page=5).number == 1


def test_search_page_query_count(
    around_drachten: None, need_categories: None, django_assert_max_num_queries: object
) -> None:
    from kansrijk.directory.search.ranking import search_page

    for index in range(30):
        ServiceFactory(
            name=f"Extra {index}",
            municipalities=["GM0090"],
            postcode="9204",
            categories=["geldzorgen"],
            languages=["nl"],
            referral_methods=["phone"],
        )
    search_index.current_index()  # read once per worker (and after a change), not per search
    # The postcode, the services with their 5 prefetches (the ranking asks the index).
    with django_assert_max_num_queries(7):  # type: ignore[operator]
        page = search_page(postcode="9203", category="geldzorgen", per_page=20)
        assert len(page.object_list) == 20
        for service in page.object_list:
            assert service.organization.name
            for link in service.service_at_locations.all():
                assert link.location.municipality.name
            assert list(service.referral_methods.all())


def test_service_at_location_carries_its_locations_point(places: None) -> None:
    """Triggers (migration 0004) copy the point, whatever writes the rows."""
    from kansrijk.directory.models import Location, ServiceAtLocation
    from tests.directory.factories import LocationFactory

    service = ServiceFactory(name="Op twee plekken", postcode="9203")
    link = service.service_at_locations.get()
    location = link.location
    link.refresh_from_db()
    assert (link.latitude, link.longitude) == (location.latitude, location.longitude)

    # The location moves: by save(), and by a bulk update.
    location.latitude, location.longitude = 53.2, 5.8
    location.save()
    link.refresh_from_db()
    assert (link.latitude, link.longitude) == (53.2, 5.8)
    Location.objects.filter(pk=location.pk).update(latitude=52.0, longitude=5.0)
    link.refresh_from_db()
    assert (link.latitude, link.longitude) == (52.0, 5.0)

    # A save() of the link itself cannot put another point on it; re-pointing takes the new one.
    link.latitude = 1.0
    link.save()
    link.refresh_from_db()
    assert link.latitude == 52.0
    other = LocationFactory(organization=service.organization, postcode="1011")
    link.location = other
    link.save()
    link.refresh_from_db()
    assert (link.latitude, link.longitude) == (other.latitude, other.longitude)

    # Bulk inserts too; and a location without a point gives none.
    pointless = LocationFactory(organization=service.organization, postcode="9203")
    Location.objects.filter(pk=pointless.pk).update(latitude=None, longitude=None)
    (bulk,) = ServiceAtLocation.objects.bulk_create(
        [ServiceAtLocation(service=service, location=pointless)]
    )
    bulk.refresh_from_db()
    assert (bulk.latitude, bulk.longitude) == (None, None)
