"""The social map's in-memory search index (``kansrijk.directory.search.index``): the same answers as
the database, no query per search, and fresh after a change. Its order against
``search_services`` is checked in ``test_search.py`` (``test_search_page_ranks_like_search_services``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kansrijk.core import freshness
from kansrijk.directory.exceptions import InvalidSearch, UnknownCategory, UnknownMunicipality
from kansrijk.directory.models import Service, ServiceStatus
from kansrijk.directory.search import index as search_index
from kansrijk.directory.search.filters import Filters
from kansrijk.directory.search.ranking import rank_page, search_services
from kansrijk.directory.search.text import filter_text
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
