"""The result-card cache of the search page and ``kansrijk warm-search-cache``."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from kansrijk.core import freshness
from kansrijk.directory.models import Service, ServiceStatus
from kansrijk.directory.search import index as search_index
from kansrijk.directory.search.index import ServiceVersion
from tests.directory.factories import ServiceFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("directory:search")


@pytest.fixture
def services(places: None) -> list[Service]:
    return [
        ServiceFactory(name=f"Kraamzorg {index}", postcode="9203", referral_methods=["phone"])
        for index in range(5)
    ] + [ServiceFactory(name="Opgeheven", status=ServiceStatus.DEFUNCT, postcode="9203")]


def test_warm_search_cache_renders_every_visible_card_once(
    services: list[Service], client: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    out = StringIO()
    call_command("warm_search_cache", stdout=out)
    assert "10 result cards rendered, 0 already cached (nl, en;" in out.getvalue()
    again = StringIO()
    call_command("warm_search_cache", "--language", "nl", stdout=again)
    assert "0 result cards rendered, 5 already cached (nl;" in again.getvalue()
    # A search now finds every card in the cache: no query for the services themselves.
    search_index.current_index()  # read once per worker, not per search
    with django_assert_max_num_queries(4) as queries:
        response = client.get(SEARCH, {"postcode": "9203"})
    assert response.status_code == 200
    assert not any('FROM "directory_phone"' in q["sql"] for q in queries.captured_queries)
    assert response.text.count('class="kr-dir-card"') == 5


def test_warm_search_cache_refresh_renders_every_card_again(services: list[Service]) -> None:
    from kansrijk.directory.models import Organization
    from kansrijk.directory.search import cards as card_cache

    call_command("warm_search_cache", "--language", "nl", stdout=StringIO())
    # A rename in the admin gives the services no new version: their cached cards stay.
    Organization.objects.filter(pk=services[0].organization_id).update(name="Zorg Drachten BV")
    freshness.forget_all()
    again = StringIO()
    call_command("warm_search_cache", "--language", "nl", stdout=again)
    assert "0 result cards rendered, 5 already cached (nl;" in again.getvalue()
    version = ServiceVersion(services[0].id, services[0].last_modified)
    keys = card_cache.card_keys([version], "nl")
    assert "Zorg Drachten BV" not in card_cache.get_cards(keys)[services[0].id]
    refreshed = StringIO()
    call_command("warm_search_cache", "--language", "nl", "--refresh", stdout=refreshed)
    assert "5 result cards rendered, 0 already cached (nl;" in refreshed.getvalue()
    freshness.forget_all()  # what another worker reads from the shared cache
    assert "Zorg Drachten BV" in card_cache.get_cards(keys)[services[0].id]


def test_warm_search_cache_refuses_an_unknown_language(services: list[Service]) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="invalid choice"):
        call_command("warm_search_cache", "--language", "xx", stdout=StringIO())


def test_a_changed_service_gets_a_new_card_and_the_others_keep_theirs(
    services: list[Service], client: Client
) -> None:
    from kansrijk.directory.services import update_service
    from tests.factories import UserFactory

    call_command("warm_search_cache", stdout=StringIO())
    update_service(
        service=services[0],
        user=UserFactory(is_superuser=True),
        fields={"description": "Nu ook op zaterdag."},
    )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        html = client.get(SEARCH, {"postcode": "9203"}).text
    assert "Nu ook op zaterdag." in html
    # Only the changed service was loaded again.
    loads = [q["sql"] for q in queries.captured_queries if 'FROM "directory_phone"' in q["sql"]]
    assert len(loads) == 1
    assert str(services[0].id).replace("-", "") in loads[0].replace("-", "")


def _phone_loads(queries: list[dict[str, str]]) -> int:
    return sum('FROM "directory_phone"' in q["sql"] for q in queries)


def test_a_worker_takes_all_cards_of_a_language_from_the_shared_cache_at_its_first_search(
    services: list[Service], client: Client
) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("warm_search_cache", "--language", "nl", stdout=StringIO())
    freshness.forget_all()  # a new worker: the cards are only in the shared cache
    # The first search shows one service, and takes all five visible cards.
    assert (
        client.get(SEARCH, {"postcode": "9203", "q": "Kraamzorg 3"}).text.count(
            'class="kr-dir-card"'
        )
        == 1
    )
    cache.clear()  # the shared cache is gone; the worker still has every card
    with CaptureQueriesContext(connection) as queries:
        html = client.get(SEARCH, {"postcode": "9203"}).text
    assert html.count('class="kr-dir-card"') == 5
    assert _phone_loads(queries.captured_queries) == 0  # nothing rendered again


def test_load_cards_takes_each_card_once_per_index_and_again_when_it_has_been_kept_long(
    services: list[Service], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kansrijk.directory.search import cards as directory_cache

    call_command("warm_search_cache", stdout=StringIO())
    freshness.forget_all()
    index = search_index.current_index()
    versions = list(index.visible_versions())
    assert len(versions) == 5  # the defunct service is never shown
    assert directory_cache.load_cards(versions, "nl", index.generation) == 5
    assert directory_cache.load_cards(versions, "nl", index.generation) == 0  # loaded
    assert directory_cache.load_cards(versions, "en", index.generation) == 5  # per language
    # A new index (the directory changed) takes only what the worker lacks...
    assert directory_cache.load_cards(versions, "nl", ("another", 1)) == 0
    # ... or has kept for half the time a kept card may serve.
    later = directory_cache.time.monotonic() + directory_cache.LOCAL_SECONDS / 2 + 1
    monkeypatch.setattr(directory_cache.time, "monotonic", lambda: later)
    assert directory_cache.load_cards(versions, "nl", ("a third", 2)) == 5
    # What the shared cache lacks is left to the searches (rendered when shown).
    from django.core.cache import cache

    cache.clear()
    freshness.forget_all()
    assert directory_cache.load_cards(versions, "nl", index.generation) == 0


def test_cards_are_kept_without_blank_lines_or_indentation(services: list[Service]) -> None:
    from kansrijk.directory.search.cards import render_cards

    ServiceFactory(
        name="Met witruimte",
        postcode="9203",
        referral_methods=["phone"],
    )
    Service.objects.filter(name="Met witruimte").update(
        alert="\u00a0Eerste regel.\n    Tweede regel."
    )
    service = Service.objects.get(name="Met witruimte")
    html = render_cards([service.id], {service.id: "test:card"})[service.id]
    lines = html.split("\n")
    assert all(line and line == line.strip(" \t") for line in lines)
    assert "<dt>Verwijzen</dt>" in lines
    # Text keeps its own characters: a leading no-break space is not markup's white space.
    assert "\u00a0Eerste regel.\nTweede regel." in html


def test_new_card_markup_is_rendered_again_after_a_deployment(
    services: list[Service], client: Client, tmp_path: Path
) -> None:
    """The stale-card bug of issue 13: a deployment that changes ``_card.html`` used to find
    every card "already cached" (the key named only the service's version), so visitors saw the
    old cards for up to ``CARD_TTL``. The key carries the markup version of the card's templates
    now: the warm-up renders every card again, and searches show the new markup."""
    from django.conf import settings
    from django.template.loader import get_template
    from django.test import override_settings

    call_command("warm_search_cache", "--language", "nl", stdout=StringIO())
    assert "kr-dir-card__org" in client.get(SEARCH, {"postcode": "9203"}).text
    # The deployment: the same template with other markup (it overrides the app's).
    source = get_template("directory/_card.html").template.source
    folder = tmp_path / "directory"
    folder.mkdir()
    (folder / "_card.html").write_text(source.replace("kr-dir-card__org", "kr-dir-card__owner"))
    engine = {**settings.TEMPLATES[0]}
    engine["DIRS"] = [str(tmp_path), *engine.get("DIRS", [])]
    with override_settings(TEMPLATES=[engine, *settings.TEMPLATES[1:]]):
        again = StringIO()
        call_command("warm_search_cache", "--language", "nl", stdout=again)
        assert "5 result cards rendered, 0 already cached (nl;" in again.getvalue()
        freshness.forget_all()  # another worker, after the deployment
        page = client.get(SEARCH, {"postcode": "9203"}).text
    assert page.count("kr-dir-card__owner") == 5
    assert "kr-dir-card__org" not in page
