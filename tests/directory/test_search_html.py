"""The quick way to the search page (``views._quick_search`` with ``kansrijk.directory.search.html``)
gives what the form and the templates give, byte for byte."""

from __future__ import annotations

import difflib
from typing import Any

import pytest
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kansrijk.core import freshness
from kansrijk.directory import views
from kansrijk.directory.models import Service
from kansrijk.directory.search import html as search_html
from kansrijk.directory.search import index as search_index
from kansrijk.places.models import PostcodeArea
from tests.directory.factories import ServiceFactory
from tests.directory.test_pages import SEARCH, directory  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("need_categories")


def _both(client: Client, params: dict[str, str], **headers: Any) -> tuple[str, str]:
    """The page the quick way and the way of the form and the templates."""
    freshness.registered()["directory.search-skeletons"].forget()
    quick = client.get(SEARCH, params, **headers)
    views.QUICK_SEARCH = False
    try:
        slow = client.get(SEARCH, params, **headers)
    finally:
        views.QUICK_SEARCH = True
    assert quick.status_code == slow.status_code == 200
    # The same headers to vary on (their order does not matter).
    assert sorted(quick["Vary"].split(", ")) == sorted(slow["Vary"].split(", "))
    # An anonymous page holds nothing of the visitor: no CSRF token, no cookie set.
    for response in (quick, slow):
        assert "csrfmiddlewaretoken" not in response.text
        assert "Set-Cookie" not in response.headers
    return quick.text, slow.text


def _same(quick: str, slow: str, params: object = None) -> None:
    diff = difflib.unified_diff(slow.splitlines(), quick.splitlines(), "templates", "quick", n=2)
    assert quick == slow, f"{params}\n" + "\n".join(diff)


@pytest.fixture
def many(directory: dict[str, Service]) -> None:  # noqa: F811 - the fixture
    for n in range(45):
        ServiceFactory(
            name=f"Dienst <schulden> & co {n:02d}",
            description="Hulp bij schulden.",
            categories=["geldzorgen"],
            municipalities=["GM0090"] if n % 3 else ["GM0080"],
            postcode="9203" if n % 2 else "8401",
            languages=["nl"],
            phase_pregnancy=True,
            is_free=bool(n % 4),
        )


#: Searches whose quick page must be the template page (each in both languages, as a whole
#: page and as an htmx update; one test per language and kind, so the map is made four times).
QUICK_SEARCHES: list[dict[str, str]] = [
    {},
    {"q": "schulden"},
    {"postcode": "9203"},
    {"q": "schulden", "postcode": "9203"},
    {"q": "schulden", "postcode": "9203 ab", "page": "2"},
    {"q": "schulden", "postcode": "9203", "page": "3"},
    {"q": "schulden", "postcode": "9203", "page": "99"},
    {"q": "  schulden  ", "postcode": " 9203 ", "phase": "pregnancy", "free": "yes"},
    {"postcode": "9203", "category": "geldzorgen", "language": "nl", "free": "no"},
    {"q": '"><script>alert(1)</script>', "postcode": "9203"},
    {"q": "onvindbaarwoord", "postcode": "3011"},
    {"q": "schulden", "phase": "", "language": "", "free": "", "category": ""},
    {"q": "schulden", "utm_source": "nieuwsbrief"},
]


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_the_quick_page_is_the_template_page(
    client: Client, many: None, language: str, htmx: bool
) -> None:
    headers: dict[str, str] = {"HTTP_ACCEPT_LANGUAGE": language}
    if htmx:
        headers["HTTP_HX_REQUEST"] = "true"
    for params in QUICK_SEARCHES:
        quick, slow = _both(client, params, **headers)
        _same(quick, slow, params)


def test_a_postcode_without_a_point(client: Client, many: None) -> None:
    area = PostcodeArea.objects.filter(latitude__isnull=True).first()
    assert area is not None, "the reference data has PO-box postcodes without a point"
    quick, slow = _both(client, {"postcode": area.code})
    _same(quick, slow, area.code)


def test_bad_or_unusual_input_takes_the_form_way(client: Client, many: None) -> None:
    """Error messages (and the municipality by name) are the form's job: same page as without
    the quick way."""
    for params in [
        {"postcode": "0000"},  # invalid
        {"postcode": "9999"},  # unknown
        {"municipality": "smallingerland"},  # by name: the form shows the code as chosen
        {"municipality": "GM0090", "postcode": "9203"},
        {"category": "bestaat-niet"},
        {"phase": "later"},
        {"free": "misschien"},
        {"language": "xx"},
        {"q": "nul\x00teken"},
    ]:
        quick, slow = _both(client, params)
        _same(quick, slow, params)


def test_the_quick_page_asks_the_database_almost_nothing(client: Client, many: None) -> None:
    from django.db import connection

    params = {"q": "schulden", "postcode": "9203"}
    client.get(SEARCH, params)  # index, words, postcode, cards, skeleton: kept per worker
    search_index.current_index()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(SEARCH, params)
    assert response.status_code == 200
    # The result cards come from the cache (and the shared cache in production), not a query.
    assert len(queries.captured_queries) == 0, [q["sql"] for q in queries.captured_queries]


def test_an_edit_of_a_service_keeps_the_skeletons_a_new_category_renders_them(
    client: Client, many: None
) -> None:
    """A skeleton holds nothing of the data but the form's choices: a service's edit (every
    few seconds on a national map) keeps it; a changed need category (in the choices) makes a
    new one, which still matches the templates."""
    from kansrijk.directory.models import TaxonomyTerm
    from kansrijk.directory.services import update_service
    from tests.factories import UserFactory

    skeletons = freshness.registered()["directory.search-skeletons"]
    params = {"q": "schulden", "postcode": "9203"}
    client.get(SEARCH, params)
    kept = skeletons.as_dict()
    assert len(kept) == 1
    service = Service.objects.filter(name__startswith="Dienst").first()
    assert service is not None
    update_service(
        service=service, user=UserFactory(is_superuser=True), fields={"description": "Zaterdag."}
    )
    assert "Zaterdag." in client.get(SEARCH, {"q": "zaterdag", "postcode": "9203"}).text
    assert skeletons.as_dict() == kept  # the same skeleton, not rendered again
    term = TaxonomyTerm.objects.get(code="geldzorgen")
    term.name = "Geld en schulden (nieuw)"
    term.save()
    quick = client.get(SEARCH, params).text
    assert "Geld en schulden (nieuw)" in quick
    assert len(skeletons.as_dict()) == 2  # a new skeleton beside the old one
    views.QUICK_SEARCH = False
    try:
        slow = client.get(SEARCH, params).text
    finally:
        views.QUICK_SEARCH = True
    _same(quick, slow, params)


def test_signed_in_visitors_take_the_form_way(
    client: Client, many: None, login_verified: Any
) -> None:
    from kansrijk.accounts.roles import Role
    from tests.factories import UserFactory

    login_verified(client, UserFactory(roles=[Role.ADMINISTRATOR]))
    response = client.get(SEARCH, {"q": "schulden", "postcode": "9203"})
    assert "Add a service" in response.text or "Dienst toevoegen" in response.text


@pytest.mark.parametrize("language", ["nl", "en"])
def test_km_is_floatformat(language: str) -> None:
    import random

    from django.template.defaultfilters import floatformat
    from django.utils import translation

    rng = random.Random(7)
    values = [0.0, 0.04, 0.05, 0.15, 0.25, 1.45, 2.675, 9.95, 14.999, 15.0, 99.95, 123.45]
    values += [0.949999, 0.95, 1e-07, 2.5e-05, 19.96, 999.99, 1e17, 0.1 + 0.2]
    values += [rng.uniform(0, 300) for _ in range(2000)] + [rng.uniform(0, 1) for _ in range(500)]
    with translation.override(language):
        for value in values:
            assert search_html.km(value) == floatformat(value, 1), value


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=schulden&postcode=9203&page=2",
        "q=&postcode=9203&phase=&free=yes",
        "q=prenataal+huisbezoek&q=roken&page=3&page=x",
        "q=caf%C3%A9+%26+co%3D%3F&language=nl&utm_source=mail",
        "q=a&q=&postcode=1011",  # the last of several values decides, as QueryDict.items()
    ],
)
def test_the_query_without_its_page_is_what_querydict_gives(rf: Any, query: str) -> None:
    from django.http import QueryDict

    from kansrijk.directory.views import _query_without_page

    request = rf.get(f"/sociale-kaart/?{query}")
    expected = QueryDict(query, mutable=True)
    expected.pop("page", None)
    for key in [key for key, value in expected.items() if value == ""]:
        expected.pop(key)
    assert _query_without_page(request) == expected.urlencode()


def test_the_status_line_says_how_results_are_ordered(client: Client, many: None) -> None:
    """With words, results are ordered by how well they match first (issue 12, point 7): the
    status line says so, the quick way and the template way alike; without words, nearest
    first."""
    for params, expected in [
        ({"q": "schulden", "postcode": "9203"}, "best passend bij uw woorden eerst, daarna"),
        ({"postcode": "9203"}, "dichtstbij 9203"),
        ({"q": "schulden"}, "best passend bij uw woorden eerst."),
    ]:
        quick, slow = _both(client, params)
        _same(quick, slow, params)
        status = quick.split('id="directory-status"')[1].split("</p>")[0]
        assert expected in status, (params, status)
    quick, _slow = _both(client, {"postcode": "9203"})
    assert "best passend" not in quick
