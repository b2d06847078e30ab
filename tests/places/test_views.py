"""The public pages: postcode lookup and the municipality list.

Decision: the postcode page answers 200 also for a malformed or unknown postcode; it shows the
form again with the error message linked to the field (it is a GET search form, not an API).
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from kansrijk.places.models import Municipality, PostcodeArea

pytestmark = pytest.mark.usefixtures("places")

INVALID_NL = (
    "Vul een postcode in van vier cijfers, eventueel met twee letters, zoals 9203 of 9203 AB."
)


def _html(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def test_urls() -> None:
    assert reverse("places:postcode") == "/plaatsen/postcode/"
    assert reverse("places:municipalities") == "/plaatsen/gemeenten/"


def test_empty_form(client: Client, django_assert_max_num_queries: DjangoAssertNumQueries) -> None:
    with django_assert_max_num_queries(2):
        response = client.get("/plaatsen/postcode/")
    assert response.status_code == 200
    html = _html(response)
    assert '<label class="utrecht-form-label" for="id_postcode">Postcode</label>' in html
    assert 'class="utrecht-textbox utrecht-textbox--html-input' in html
    assert 'aria-describedby="id_postcode_help"' in html
    assert "aria-invalid" not in html
    assert "utrecht-form-field--invalid" not in html
    assert "Bron: CBS, CC BY 4.0" in html
    assert "<style" not in html
    assert "<script>" not in html


@pytest.mark.parametrize("raw", ["9203", "9203 AB", "9203ab", " 9203AB "])
def test_lookup_shows_municipality_and_regions(
    client: Client, raw: str, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_max_num_queries(2):
        response = client.get("/plaatsen/postcode/", {"postcode": raw})
    assert response.status_code == 200
    html = _html(response)
    for text in (
        "Postcode 9203: Drachten",
        "Smallingerland",
        "GM0090",
        "Fryslân",
        "GGD Fryslân",
        "Friesland (Fryslân)",
        "53.10200",
        "6.09820",
        "Bron: CBS, CC BY 4.0",
    ):
        assert text in html, text
    assert "utrecht-form-field--invalid" not in html
    # The input keeps what was typed.
    assert f'value="{raw}"' in html or f'value="{raw.strip()}"' in html


def test_lookup_shows_second_municipality_and_missing_coordinates(client: Client) -> None:
    html = _html(client.get("/plaatsen/postcode/", {"postcode": "1037"}))
    assert "Ook deels in" in html
    assert "GM0431" in html
    html = _html(client.get("/plaatsen/postcode/", {"postcode": "1002"}))
    assert "onbekend voor deze postcode" in html


def _assert_field_error(html: str, message: str) -> None:
    assert "utrecht-form-field--invalid" in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_postcode_help id_postcode_error"' in html
    match = re.search(r'id="id_postcode_error">(.*?)</div>', html, re.S)
    assert match is not None
    assert message in match.group(1)
    assert "<title>Fout:" in html


@pytest.mark.parametrize("raw", ["AB9203", "920", "0123", "9203 SS", "", "9203 AB 12"])
def test_malformed_postcode_shows_dutch_message(
    client: Client, raw: str, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    before = (Municipality.objects.count(), PostcodeArea.objects.count())
    with django_assert_max_num_queries(1):
        response = client.get("/plaatsen/postcode/", {"postcode": raw})
    assert response.status_code == 200
    html = _html(response)
    _assert_field_error(html, INVALID_NL)
    assert "Postcode 9203:" not in html
    assert (Municipality.objects.count(), PostcodeArea.objects.count()) == before


def test_unknown_postcode_shows_dutch_message(client: Client) -> None:
    response = client.get("/plaatsen/postcode/", {"postcode": "1004 AB"})
    assert response.status_code == 200
    html = _html(response)
    _assert_field_error(html, "Postcode 1004 staat niet in onze lijst van postcodegebieden.")


def test_english_interface(client: Client) -> None:
    response = client.get("/plaatsen/postcode/", {"postcode": "0123"}, HTTP_ACCEPT_LANGUAGE="en")
    html = _html(response)
    assert "Enter a postcode of four digits" in html
    assert "Source: CBS, CC BY 4.0" in html


def test_only_get(client: Client) -> None:
    assert client.post("/plaatsen/postcode/", {"postcode": "9203"}).status_code == 405
    assert client.post("/plaatsen/gemeenten/").status_code == 405


def test_municipality_list(
    client: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_max_num_queries(2):
        response = client.get("/plaatsen/gemeenten/")
    assert response.status_code == 200
    html = _html(response)
    assert html.count('<th class="utrecht-table__header-cell" scope="row">') == 342
    assert "Nederland heeft 342 gemeenten" in html
    for text in (
        "Smallingerland",
        "GM0090",
        "GGD Fryslân",
        "Friesland (Fryslân)",
        "&#x27;s-Gravenhage",
    ):
        assert text in html, text
    assert "Bron: CBS, CC BY 4.0" in html
    # Alphabetical by name.
    assert html.index("Aa en Hunze") < html.index("Zwolle")


def test_pages_work_for_a_signed_in_user(client: Client, login_verified: object) -> None:
    from tests.factories import UserFactory

    login_verified(client, UserFactory())  # type: ignore[operator]
    assert client.get("/plaatsen/postcode/", {"postcode": "9203"}).status_code == 200
    assert client.get("/plaatsen/gemeenten/").status_code == 200
