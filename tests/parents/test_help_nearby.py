"""Point 3: help nearby, from the same directory and ranking as the professionals' social map,
filtered to what a parent can go to herself, nearest first."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kansrijk.directory.models import Phone, Schedule, Service
from kansrijk.directory.search.ranking import search_services
from kansrijk.parents.nearby import help_nearby
from tests.directory.factories import ServiceFactory

pytestmark = pytest.mark.django_db

URL = "/ouders/nl/hulp-in-de-buurt/"


@pytest.fixture
def debt_help(places: None) -> dict[str, object]:
    near = ServiceFactory(
        name="Schuldhulp Drachten",
        categories=["geldzorgen"],
        postcode="9203",
        is_free=True,
        languages=["nl", "ar"],
        referral_methods=["self_referral"],
    )
    Phone.objects.create(service=near, number="0512 111 222")
    Schedule.objects.create(
        service=near,
        byday="MO,WE",
        opens_at=datetime.time(9, 0),
        closes_at=datetime.time(12, 0),
    )
    further = ServiceFactory(
        name="Geldcafé Heerenveen",
        categories=["werk-en-inkomen"],  # a sub-category of geldzorgen
        municipalities=["GM0090"],  # serves Smallingerland, but 25 km away
        postcode="8441",
        is_free=True,
        referral_methods=["self_referral"],
    )
    paid = ServiceFactory(
        name="Budgetcoach",
        categories=["geldzorgen"],
        postcode="9201",
        is_free=False,
        referral_methods=["self_referral"],
    )
    by_referral_only = ServiceFactory(
        name="Schuldhulpverlening (na verwijzing)",
        categories=["geldzorgen"],
        postcode="9203",
        is_free=True,
        referral_methods=["phone"],
    )
    other_need = ServiceFactory(
        name="Taalhuis",
        categories=["taalbarriere"],
        postcode="9203",
        referral_methods=["self_referral"],
    )
    return {
        "near": near,
        "further": further,
        "paid": paid,
        "by_referral_only": by_referral_only,
        "other_need": other_need,
    }


def test_self_referral_services_nearest_first(debt_help: dict) -> None:
    found = help_nearby(postcode="9203", need="geldzorgen")
    names = [service.name for service in found]
    assert names[0] == "Schuldhulp Drachten"
    assert set(names) == {"Schuldhulp Drachten", "Budgetcoach", "Geldcafé Heerenveen"}
    distances = [service.distance_km for service in found]
    assert distances == sorted(distances)
    near = found[0]
    assert near.is_free is True
    assert near.phones == ("0512 111 222",)
    assert [(spoken.name, spoken.lang, spoken.direction) for spoken in near.languages] == [
        ("Nederlands", "nl", "ltr"),
        ("العربية", "ar", "rtl"),
    ]
    assert near.hours == ("ma, wo 09:00\u201312:00",)  # in the active language
    assert near.how_to_go == "Via self_referral."
    free = help_nearby(postcode="9203", need="geldzorgen", free_only=True)
    assert "Budgetcoach" not in [service.name for service in free]


def test_the_same_search_as_the_social_map(debt_help: dict) -> None:
    """Not a copy: the services are those of the social map's search for the need near the
    postcode, less those that take no self-referral."""
    social_map = {
        service.name
        for service in search_services(category="geldzorgen", postcode="9203")
        if any(m.method == "self_referral" for m in service.referral_methods.all())
    }
    assert {
        service.name for service in help_nearby(postcode="9203", need="geldzorgen")
    } == social_map


def test_page_lists_the_help_in_plain_words(client: Client, debt_help: dict) -> None:
    response = client.post(URL, {"postcode": "9203", "hulp": "geldzorgen", "gratis": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "plekken voor „Geld”, dichtstbij eerst" in html
    assert html.index("Schuldhulp Drachten") < html.index("Geldcafé Heerenveen")
    assert "Budgetcoach" not in html
    assert "(na verwijzing)" not in html
    assert "Taalhuis" not in html
    assert "Gratis" in html
    assert 'href="tel:0512111222"' in html
    assert not response.cookies


def test_arabic_page_marks_dutch_directory_text(client: Client, debt_help: dict) -> None:
    Service.objects.filter(pk=debt_help["near"].pk).update(url="https://schuldhulp.example/")
    html = client.post(
        "/ouders/ar/hulp-in-de-buurt/", {"postcode": "9203", "hulp": "geldzorgen"}
    ).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert '<h3 lang="nl" dir="ltr">Schuldhulp Drachten' in html
    assert "مجاني" in html
    # The link to a service's (Dutch) website is named in Arabic: the target is Dutch, not
    # the link text.
    assert re.search(r'<a href="[^"]+" rel="noopener" hreflang="nl">[^<]*[\u0600-\u06ff]', html)
    # The languages spoken, each in its own name, marked with its language and direction.
    assert (
        '<span lang="nl" dir="ltr">Nederlands</span>, <span lang="ar" dir="rtl">العربية</span>'
        in html
    )


def test_her_postcode_and_need_never_stand_in_an_address(client: Client, debt_help: dict) -> None:
    """The form is posted (no CSRF token: a search changes nothing, and the token would set a
    cookie); the answer is kept by nobody. An address with a postcode, an old bookmark, is sent
    on to the clean one without being read; only the need, which a professional's link may
    preselect, goes along."""
    form = client.get(URL).content.decode()
    assert '<form class="po-form" method="post" action="">' in form
    assert "csrfmiddlewaretoken" not in form
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(URL, {"postcode": "9203", "hulp": "huiselijk-geweld"})
    assert response.status_code == 200
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    old = client.get(URL, {"postcode": "9203AB", "hulp": "huiselijk-geweld", "gratis": "1"})
    assert old.status_code == 302
    assert old["Location"] == URL + "?hulp=huiselijk-geweld"
    assert client.get(URL, {"postcode": "9203", "hulp": "<script>"})["Location"] == URL


def test_a_link_may_preselect_the_need(client: Client, debt_help: dict) -> None:
    response = client.get(URL, {"hulp": "geldzorgen"})
    assert response.status_code == 200
    assert 'value="geldzorgen" checked' in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"postcode": "", "hulp": "geldzorgen"}, "Vul je postcode in, bijvoorbeeld 9203."),
        ({"postcode": "abc", "hulp": "geldzorgen"}, "Vul een postcode in van vier cijfers"),
        ({"postcode": "1010", "hulp": "geldzorgen"}, "Deze postcode kennen we niet"),
        ({"postcode": "9203", "hulp": "hacken"}, "Kies waarmee je hulp nodig hebt."),
        ({"postcode": "9203"}, "Kies waarmee je hulp nodig hebt."),
    ],
)
def test_bad_input_is_a_clear_400(
    client: Client, debt_help: dict, params: dict, message: str
) -> None:
    response = client.post(URL, params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_nothing_found_says_where_to_ask(client: Client, debt_help: dict) -> None:
    html = client.post(URL, {"postcode": "9203", "hulp": "huiselijk-geweld"}).content.decode()
    assert "We vonden geen plek bij jou in de buurt" in html


def test_a_fixed_number_of_queries(client: Client, debt_help: dict) -> None:
    client.post(URL, {"postcode": "9203", "hulp": "geldzorgen"})  # the index is read once
    with CaptureQueriesContext(connection) as queries:
        client.post(URL, {"postcode": "9203", "hulp": "geldzorgen"})
    assert len(queries) <= 16
