"""The result-card cache of the search page and ``kansrijk warm-search-cache``."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from kansrijk.directory import ranking
from kansrijk.directory.models import Service, ServiceStatus
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
    ranking.current_index()  # read once per worker, not per search
    with django_assert_max_num_queries(4) as queries:
        response = client.get(SEARCH, {"postcode": "9203"})
    assert response.status_code == 200
    assert not any('FROM "directory_phone"' in q["sql"] for q in queries.captured_queries)
    assert response.text.count('class="kr-dir-card"') == 5


def test_a_changed_service_gets_a_new_card_and_the_others_keep_theirs(
    services: list[Service], client: Client
) -> None:
    from kansrijk.accounts.roles import Role
    from kansrijk.directory.services import update_service
    from tests.factories import UserFactory

    call_command("warm_search_cache", stdout=StringIO())
    update_service(
        service=services[0],
        user=UserFactory(roles=[Role.ADMINISTRATOR]),
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
