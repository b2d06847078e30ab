"""The social map's in-memory search index (``kansrijk.directory.search.index``): the same answers as
the database, no query per search, and fresh after a change. Its order against
``search_services`` is checked in ``test_search.py`` (``test_search_page_ranks_like_search_services``)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kansrijk.core import freshness
from kansrijk.directory.exceptions import InvalidSearch, UnknownCategory
from kansrijk.directory.models import Service, ServiceStatus
from kansrijk.directory.search import index as search_index
from kansrijk.directory.search.filters import Filters
from kansrijk.directory.search.ranking import rank_page, search_services
from kansrijk.directory.search.text import filter_text
from kansrijk.directory.vocabularies import need_term_id
from kansrijk.places.exceptions import UnknownMunicipality
from tests.directory.factories import ServiceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def small_map(places: None) -> list[Service]:
    return [
        ServiceFactory(
            name="Schuldhulpverlening Drachten",
            description="Hulp bij schulden en geldzorgen voor aanstaande ouders.",
            categories=["geldzorgen"],
            languages=["nl", "en"],
            phase_pregnancy=True,
            is_free=True,
            postcode="9203",
        ),
        ServiceFactory(
            name="Stoppen met roken",
            description="Begeleiding bij stoppen met roken tijdens de zwangerschap.",
            categories=["roken"],
            languages=["nl"],
            phase_pregnancy=True,
            phase_preconception=True,
            postcode="9201",
        ),
        ServiceFactory(
            name="Kraamzorg De Wieg",
            description="Kraamzorg thuis na de bevalling.",
            municipalities=["GM0090", "GM0080"],
            phase_postnatal=True,
            postcode="8901",
        ),
        ServiceFactory(
            name="Opgeheven schuldhulp",
            description="Schulden",
            status=ServiceStatus.DEFUNCT,
            postcode="9203",
        ),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "schulden",
        "schuld",
        "Schuldhulpverlening",
        "stoppen met roken",
        "roken zwangerschap",
        "zwanger",
        "hebben schulden",  # PostgreSQL's Dutch configuration drops "hebben"
        "hebben",
        "onvindbaarwoord",
        "kraamzorg onvindbaarwoord",
        "de het een",  # only stop words: no text filter at all
    ],
)
def test_text_matches_what_the_database_matches(small_map: list[Service], text: str) -> None:
    index = search_index.current_index()
    found = {
        index.ids[i] for i in index.mask(Filters(text=text, include_defunct=True)).nonzero()[0]
    }
    expected = set(filter_text(Service.objects.all(), text).values_list("id", flat=True))
    assert found == expected


def test_filters_match_the_database(small_map: list[Service]) -> None:
    index = search_index.current_index()
    cases: list[dict[str, Any]] = [
        {"category": "geldzorgen"},
        {"category": "roken", "phase": "preconception"},
        {"phase": "postnatal"},
        {"language": "EN"},
        {"language": "fy"},
        {"free": True},
        {"free": False},
        {"municipality": "GM0080"},
        {"municipality": "GM0090", "text": "kraamzorg"},
        {},
    ]
    for filters in cases:
        found = {index.ids[i] for i in index.mask(Filters(**filters)).nonzero()[0]}
        expected = set(search_services(**filters, prefetch=False).values_list("id", flat=True))
        assert found == expected, filters


def test_bad_filters_raise_what_the_sql_path_raises(small_map: list[Service]) -> None:
    with pytest.raises(UnknownCategory):
        rank_page(postcode="9203", category="bestaat-niet")
    with pytest.raises(UnknownMunicipality):
        rank_page(postcode="9203", municipality="GM9999")
    with pytest.raises(InvalidSearch):
        rank_page(postcode="9203", phase="later")


def test_a_municipality_without_services_is_no_error(small_map: list[Service]) -> None:
    page = rank_page(postcode="9203", municipality="gm0363")  # Amsterdam: nothing here
    assert list(page.object_list) == []


def test_a_search_asks_the_database_nothing_once_the_index_is_read(
    small_map: list[Service],
) -> None:
    from kansrijk.places.selectors import lookup_postcode

    area = lookup_postcode("9203")
    rank_page(postcode=area, text="schulden")  # reads the index and the word
    with CaptureQueriesContext(connection) as queries:
        page = rank_page(postcode=area, text="schulden", category="geldzorgen", phase="pregnancy")
    assert len(queries.captured_queries) == 0
    assert [row.name for row in page.object_list] == ["Schuldhulpverlening Drachten"]
    assert page.object_list[0].distance_km is not None


def test_reading_the_index_takes_a_fixed_number_of_queries(small_map: list[Service]) -> None:
    with CaptureQueriesContext(connection) as few:
        search_index.current_index()
    for n in range(25):
        ServiceFactory(name=f"Extra {n}", categories=["geldzorgen"], languages=["nl"])
    freshness.forget_all()  # a new worker
    with CaptureQueriesContext(connection) as many:
        index = search_index.current_index()
    assert index.size == len(small_map) + 25
    assert len(many.captured_queries) == len(few.captured_queries) <= 8


def test_a_write_in_this_process_shows_at_once(small_map: list[Service]) -> None:
    assert rank_page(postcode="9203", text="huilbaby").paginator.count == 0
    ServiceFactory(name="Huilbaby-spreekuur", description="Voor ouders van een huilbaby.")
    page = rank_page(postcode="9203", text="huilbaby")
    assert [row.name for row in page.object_list] == ["Huilbaby-spreekuur"]


def test_a_change_by_another_process_shows_within_the_token_time(
    small_map: list[Service],
    monkeypatch: pytest.MonkeyPatch,
    written_elsewhere: Callable[[str], None],
) -> None:
    """Another worker's write sends no signal here: its commit raises the social map's version,
    which this process reads again after ``freshness.TOKEN_SECONDS``."""
    assert rank_page(postcode="9203", text="schulden").paginator.count == 1
    # As another process writes it: no signals here (a queryset update), the number raised.
    Service.objects.filter(name="Opgeheven schuldhulp").update(
        status=ServiceStatus.ACTIVE, last_modified=timezone.now()
    )
    written_elsewhere("directory")
    assert rank_page(postcode="9203", text="schulden").paginator.count == 1  # within 2 s: kept
    monkeypatch.setattr(freshness, "TOKEN_SECONDS", 0.0)
    assert rank_page(postcode="9203", text="schulden").paginator.count == 2


def test_an_old_index_is_read_again(
    small_map: list[Service], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = search_index.current_index()
    assert search_index.current_index() is first
    monkeypatch.setattr(search_index._index, "seconds", 0.0)
    assert search_index.current_index() is not first


def test_the_ranking_query_serves_filters_the_index_does_not_cover(
    small_map: list[Service],
) -> None:
    """The API's organisation and date filters take the SQL ranking (and still rank)."""
    organization_id = small_map[0].organization_id
    with CaptureQueriesContext(connection) as queries:
        page = rank_page(postcode="9203", organization_id=organization_id)
    assert [row.name for row in page.object_list] == ["Schuldhulpverlening Drachten"]
    assert any("COUNT(*) OVER ()" in query["sql"] for query in queries.captured_queries)
    Service.objects.update(last_modified=F("created_at"))
    assert rank_page(postcode="9203", modified_after=timezone.now()).paginator.count == 0


# --- Changes: the index updated in place, compared with a full read --------------------------------

_SEARCHES: list[dict[str, Any]] = [
    {},
    {"text": "schulden"},
    {"text": "zaterdag"},
    {"text": "kraamzorg hulp"},
    {"text": "hebben schulden"},
    {"text": "drachten"},
    {"category": "geldzorgen"},
    {"phase": "postnatal"},
    {"language": "en"},
    {"free": True},
    {"free": False},
    {"municipality": "GM0080"},
    {"municipality": "GM0090", "text": "hulp"},
    {"include_defunct": True, "text": "schulden"},
]


def _answers(index: search_index.SearchIndex) -> list[Any]:
    """What a search can ask of an index: every filter's services, each word's sources, and
    the ranked hits near two postcodes."""
    answers: list[Any] = []
    for search in _SEARCHES:
        filters = Filters(**search)
        answers.append(sorted(index.ids[i] for i in index.mask(filters).nonzero()[0]))
        for term in filters.terms:
            codes = index.sources_of(term, np.arange(index.size))
            answers.append((term, sorted(zip(index.ids, codes.tolist(), strict=True))))
        for latitude, longitude, municipality in ((53.11, 6.09, "GM0090"), (53.2, 5.8, "GM0080")):
            hits, total = index.rank(
                filters,
                latitude=latitude,
                longitude=longitude,
                municipality=municipality,
                nearby_km=15.0,
                offset=0,
                limit=100,
            )
            answers.append(
                (total, [(index.ids[hit.position], hit.serves, hit.a, hit.matches) for hit in hits])
            )
    answers.append(sorted((index.ids[i], index.versions[i]) for i in range(index.size)))
    return answers


@pytest.fixture
def changing_map(places: None) -> list[Service]:
    """Forty services around Drachten (random but fixed): names, words, categories, languages,
    areas and zero to three locations each; all written an hour ago."""
    import random

    from kansrijk.directory.models import Location, Organization
    from tests.directory.factories import LocationFactory

    rng = random.Random(20261206)
    postcodes = ["9203", "9202", "9251", "8901", "9201", "9231"]
    services = []
    for n in range(40):
        service = ServiceFactory(
            name=f"{rng.choice(['Schuldhulp', 'Kraamzorg', 'Dienst'])} {n:02d}",
            description=rng.choice(["Hulp bij schulden.", "Kraamzorg thuis.", "Hulp."]),
            categories=["geldzorgen"] if n % 4 == 3 else [],
            languages=rng.sample(["nl", "en", "fy"], rng.randint(0, 2)),
            municipalities=rng.sample(["GM0090", "GM0080", "GM0737"], rng.randint(0, 2)),
            postcode=None,
            status=ServiceStatus.DEFUNCT if n % 13 == 0 else ServiceStatus.ACTIVE,
            is_free=[True, False, None][n % 3],
            phase_postnatal=n % 2 == 0,
        )
        for postcode in rng.sample(postcodes, rng.randint(0, 3)):
            location = LocationFactory(organization=service.organization, postcode=postcode)
            service.service_at_locations.create(location=location)
        services.append(service)
    earlier = timezone.now() - datetime.timedelta(hours=1)
    Service.objects.update(last_modified=earlier)
    Location.objects.update(last_modified=earlier)
    Organization.objects.update(last_modified=earlier)
    return services


def test_an_edit_updates_the_index_as_a_full_read_would(changing_map: list[Service]) -> None:
    """Edits through the editor's services (words, status, phases, cost, areas, categories,
    languages, locations; a location moved; an organisation renamed): the index is updated in
    place, not read again, and answers every search as a full read of the map does."""
    from kansrijk.directory.models import Location
    from kansrijk.directory.services import save_location, set_service_locations, update_service
    from tests.factories import UserFactory

    first = search_index.current_index()
    _answers(first)  # the words asked: their matches and sources are kept, and must follow
    operator = UserFactory(is_superuser=True)
    services = changing_map
    update_service(
        service=services[1], user=operator, fields={"description": "Nu ook op zaterdag."}
    )
    update_service(
        service=services[2],
        user=operator,
        fields={"description": "Hulp bij schulden en kraamzorg.", "is_free": False},
        languages=["en"],
        service_areas=["GM0080"],
        categories=[need_term_id("geldzorgen")],
    )
    update_service(service=services[3], user=operator, fields={"status": ServiceStatus.DEFUNCT})
    update_service(service=services[13], user=operator, fields={"status": ServiceStatus.ACTIVE})
    update_service(service=services[4], user=operator, fields={"phase_postnatal": False})
    located = [service for service in services[5:30] if service.service_at_locations.exists()]
    moved = Location.objects.filter(service_at_locations__service=located[0]).first()
    assert moved is not None
    save_location(
        user=operator,
        organization=moved.organization,
        location=moved,
        fields={"postal_code": "8901 AA"},
    )
    set_service_locations(
        service=located[1],
        user=operator,
        locations=list(Location.objects.filter(service_at_locations__service=located[2])),
    )
    organisation = services[-1].organization
    organisation.name = "Kraamzorg Drachten"
    organisation.last_modified = timezone.now()
    organisation.save()
    from kansrijk.directory.search import refresh_search_text

    refresh_search_text([services[-1].id])

    updated = search_index.current_index()
    assert updated is not first
    assert updated.generation == first.generation  # updated, not read again
    full = search_index.SearchIndex()
    assert _answers(updated) == _answers(full)
    assert _answers(first) != _answers(full)  # (the edits changed what a search finds)


def test_an_update_takes_a_fixed_number_of_queries(changing_map: list[Service]) -> None:
    from kansrijk.directory.services import update_service
    from tests.factories import UserFactory

    operator = UserFactory(is_superuser=True)
    first = search_index.current_index()
    for term in ("schulden", "kraamzorg", "hulp", "zaterdag", "drachten", "hebben"):
        first.word_mask(term)
        first.sources_of(term, np.arange(first.size))
    for service in changing_map[:10]:
        update_service(service=service, user=operator, fields={"description": "Zaterdag."})
    with CaptureQueriesContext(connection) as queries:
        updated = search_index.current_index()
    assert updated.generation == first.generation
    # The version numbers, the changed services, the count, their rows, areas, categories,
    # languages, the need categories, points, and the kept words' matches (two queries on
    # PostgreSQL, one on SQLite): for any number of services and words.
    assert len(queries.captured_queries) <= 11
    assert {updated.ids[i] for i in updated.word_mask("zaterdag").nonzero()[0]} == {
        service.id for service in changing_map[:10]
    }


def test_an_update_reads_only_the_services_changed_since_the_last_one(
    changing_map: list[Service], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The margin for late commits finds an edit again for a minute; an index that has read
    the service for it does not read it again: each update reads what is new since the last,
    and still answers as a full read does."""
    from kansrijk.directory.services import update_service
    from tests.factories import UserFactory

    operator = UserFactory(is_superuser=True)
    read: list[set[Any]] = []
    updated = search_index.SearchIndex.updated

    def recording(self: Any, changed: set[Any], *args: Any, **kwargs: Any) -> Any:
        read.append(set(changed))
        return updated(self, changed, *args, **kwargs)

    monkeypatch.setattr(search_index.SearchIndex, "updated", recording)
    update_service(service=changing_map[1], user=operator, fields={"description": "Eerst."})
    first = search_index.current_index()  # read in full after that edit: it holds it
    _answers(first)
    for n in (2, 3, 4):
        update_service(service=changing_map[n], user=operator, fields={"description": "Zaterdag."})
        index = search_index.current_index()
        assert index.generation == first.generation  # updated, not read again
        assert _answers(index) == _answers(search_index.SearchIndex())
    assert read == [{changing_map[n].id} for n in (2, 3, 4)]
    # The token raised with nothing new to read (a write elsewhere already read): no read.
    freshness.bump("directory")
    again = search_index.current_index()
    assert again is not index
    assert again.generation == first.generation
    assert len(read) == 3
    assert _answers(again) == _answers(search_index.SearchIndex())


def test_what_an_update_cannot_follow_reads_the_index_again(
    changing_map: list[Service],
    monkeypatch: pytest.MonkeyPatch,
    written_elsewhere: Callable[[str], None],
) -> None:
    """A new service, a removed one, a renamed one (the order is by name), a write no
    ``last_modified`` tells of, or an index read in full too long ago: read in full."""
    from kansrijk.directory.models import Location, Organization
    from kansrijk.directory.services import update_service
    from tests.factories import UserFactory

    operator = UserFactory(is_superuser=True)

    def read_again(change: Callable[[], object]) -> None:
        before = search_index.current_index()
        change()
        after = search_index.current_index()
        assert after.generation != before.generation
        assert _answers(after) == _answers(search_index.SearchIndex())

    read_again(lambda: ServiceFactory(name="Nieuw"))
    read_again(lambda: changing_map[0].delete())
    read_again(
        lambda: update_service(service=changing_map[1], user=operator, fields={"name": "Anders"})
    )
    # As another process writes without a new last_modified (SQL by hand, then a bump).
    earlier = timezone.now() - datetime.timedelta(hours=1)
    for model in (Service, Location, Organization):
        model.objects.update(last_modified=earlier)
    read_again(
        lambda: (
            Service.objects.filter(pk=changing_map[2].pk).update(status=ServiceStatus.DEFUNCT),
            written_elsewhere("directory"),
            monkeypatch.setattr(freshness, "TOKEN_SECONDS", 0.0),
        )
    )
    monkeypatch.setattr(search_index, "UPDATE_SECONDS", 0.0)
    read_again(
        lambda: update_service(service=changing_map[3], user=operator, fields={"description": "X"})
    )
