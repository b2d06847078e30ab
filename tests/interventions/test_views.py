"""The menukaart pages: the searchable list and one intervention with where it is on offer.

Decision: like the postcode page, bad filter input answers 200 and shows the form again with
Dutch messages linked to the fields, and no results (it is a GET search form, not an API)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from kansrijk.interventions.models import Intervention

pytestmark = pytest.mark.usefixtures("places", "menukaart")


def _html(response: Any) -> str:
    return response.content.decode()  # type: ignore[no-any-return]


def test_urls() -> None:
    assert reverse("interventions:list") == "/menukaart/"
    assert reverse("interventions:detail", args=["voorzorg"]) == "/menukaart/voorzorg/"


def test_the_menu_is_in_the_main_navigation(client: Client) -> None:
    html = _html(client.get("/menukaart/"))
    assert (
        '<a class="utrecht-link kr-nav__link" href="/menukaart/" aria-current="page">Menukaart</a>'
        in html
    )


def test_list(client: Client, django_assert_max_num_queries: DjangoAssertNumQueries) -> None:
    with django_assert_max_num_queries(6):
        response = client.get("/menukaart/")
    assert response.status_code == 200
    html = _html(response)
    assert "<title>Menukaart" in html
    assert "23 interventies" in html
    assert 'href="/menukaart/nu-niet-zwanger/"' in html
    assert "1. Vroeg beginnen: gezond zwanger worden" in html
    assert "Niet beoordeeld" in html
    assert '<label class="utrecht-form-label" for="id_situation">Situatie' in html
    assert '<optgroup label="Risicofactoren">' in html
    assert "<style" not in html
    assert "<script>" not in html
    assert "utrecht-form-field--invalid" not in html


@pytest.mark.parametrize(
    ("params", "included", "excluded"),
    [
        ({"q": "NNZ"}, "Nu Niet Zwanger", "VoorZorg"),
        ({"situation": "roken"}, "Rookvrije Start", "Home-Start"),
        ({"phase": "preconception", "building_block": "1"}, "ZwangerWijzer", "Rookvrije Start"),
        ({"recognition": "not_assessed", "q": "centering"}, "Centering Parenting", "VoorZorg"),
    ],
)
def test_filters(
    client: Client,
    params: dict[str, str],
    included: str,
    excluded: str,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    with django_assert_max_num_queries(8):
        response = client.get("/menukaart/", params)
    html = _html(response)
    assert response.status_code == 200
    assert f">{included}</a>" in html
    assert f">{excluded}</a>" not in html
    assert "Alle filters wissen" in html


def test_municipality_and_postcode_show_what_is_on_offer_there(
    client: Client, offer: dict[str, Any], django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_max_num_queries(9):
        response = client.get("/menukaart/", {"municipality": "GM0090"})
    html = _html(response)
    assert "3 interventies beschikbaar in Smallingerland" in html
    assert "In Smallingerland aangeboden door:" in html
    assert "VoorZorg Drachten" in html
    assert "Nu Niet Zwanger Rotterdam" not in html
    assert 'href="/menukaart/voorzorg/?municipality=GM0090"' in html
    assert f'href="/sociale-kaart/diensten/{offer["voorzorg_drachten"].id}/"' in html
    # A postcode in Rotterdam wins over the list.
    html = _html(client.get("/menukaart/", {"municipality": "GM0090", "postcode": "3011 AB"}))
    assert "2 interventies beschikbaar in Rotterdam" in html
    assert "Nu Niet Zwanger Rotterdam" in html
    html = _html(client.get("/menukaart/", {"municipality": "GM0917"}))
    assert "0 interventies beschikbaar in Heerlen" in html
    assert "Geen interventie past bij deze filters in Heerlen." in html


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"phase": "later"}, "phase", "Kies een fase uit de lijst."),
        ({"situation": "bestaat-niet"}, "situation", "Kies een situatie uit de lijst."),
        ({"building_block": "9"}, "building_block", "Kies een bouwsteen uit de lijst."),
        ({"recognition": "top"}, "recognition", "Kies een erkenningsniveau uit de lijst."),
        ({"municipality": "GM9999"}, "municipality", "Kies een gemeente uit de lijst."),
        ({"postcode": "0000"}, "postcode", "Vul een postcode in van vier cijfers"),
        ({"postcode": "1004"}, "postcode", "Postcode 1004 staat niet in onze lijst"),
        ({"q": "x" * 101}, "q", "Zorg dat deze waarde niet meer dan 100 tekens bevat"),
    ],
)
def test_bad_input_shows_dutch_errors_and_no_results(
    client: Client, params: dict[str, str], field: str, message: str
) -> None:
    response = client.get("/menukaart/", params)
    assert response.status_code == 200
    html = _html(response)
    assert "<title>Fout: Menukaart" in html
    assert "Niet alle filters kloppen." in html
    assert f'id="id_{field}_error"' in html
    assert message in html
    assert 'aria-invalid="true"' in html
    assert "Verbeter de filters hierboven om interventies te zien." in html
    assert 'href="/menukaart/voorzorg/"' not in html


def test_pages(client: Client) -> None:
    for number in range(30):
        Intervention.objects.create(
            slug=f"extra-{number:02d}",
            name=f"Extra {number:02d}",
            building_block=3,
            phase_postnatal=True,
        )
    html = _html(client.get("/menukaart/", {"building_block": "3"}))
    assert "35 interventies" in html
    assert "Pagina 1 van 2" in html
    assert 'href="?building_block=3&amp;page=2"' in html
    html = _html(client.get("/menukaart/", {"building_block": "3", "page": "2"}))
    assert "Pagina 2 van 2" in html
    assert "Vorige pagina" in html
    assert "Volgende pagina" not in html
    assert client.get("/menukaart/", {"page": "abc"}).status_code == 200


def test_htmx_enhancement_targets_the_whole_block(client: Client) -> None:
    html = _html(client.get("/menukaart/"))
    assert 'hx-get="/menukaart/"' in html
    assert 'hx-select="#kr-menukaart"' in html
    assert 'id="kr-menukaart"' in html
    response = client.get("/menukaart/", {"q": "roken"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Rookvrije Start" in _html(response)


def test_detail_groups_the_offer_by_municipality(
    client: Client, offer: dict[str, Any], django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_max_num_queries(7):
        response = client.get("/menukaart/nu-niet-zwanger/")
    assert response.status_code == 200
    html = _html(response)
    assert "<title>Nu Niet Zwanger" in html
    assert "Ook wel NNZ" in html
    assert "Waar het wordt aangeboden" in html
    achtkarspelen = html.index('<h3 class="utrecht-heading-3">Achtkarspelen</h3>')
    rotterdam = html.index('<h3 class="utrecht-heading-3">Rotterdam</h3>')
    smallingerland = html.index('<h3 class="utrecht-heading-3">Smallingerland</h3>')
    assert achtkarspelen < rotterdam < smallingerland
    assert html.count("Nu Niet Zwanger GGD Fryslân</a>") == 2
    assert "Verwijzen via: Telefonisch" in html
    assert "Hier is geen niveau vastgelegd." in html
    assert 'href="https://www.nunietzwanger.nl/"' in html
    assert "Geen vaste woonplek" in html


def test_detail_for_one_municipality_or_postcode(client: Client, offer: dict[str, Any]) -> None:
    html = _html(client.get("/menukaart/voorzorg/", {"municipality": "GM0090"}))
    assert "VoorZorg Drachten" in html
    assert "VoorZorg (gestopt)" not in html
    html = _html(client.get("/menukaart/voorzorg/", {"postcode": "3011"}))
    assert "Volgens de sociale kaart niet beschikbaar in Rotterdam." in html
    assert 'href="/sociale-kaart/?municipality=GM0599"' in html
    html = _html(client.get("/menukaart/prenataal-huisbezoek-jgz/"))
    assert "Nog geen dienst op de sociale kaart voert deze interventie uit." in html
    assert "Wpg (Wet publieke gezondheid)" in html


def test_detail_with_a_bad_postcode(client: Client, offer: dict[str, Any]) -> None:
    response = client.get("/menukaart/voorzorg/", {"postcode": "12"})
    assert response.status_code == 200
    html = _html(response)
    assert "<title>Fout: VoorZorg" in html
    assert 'id="id_postcode_error"' in html
    assert "VoorZorg Drachten" not in html


def test_unknown_or_inactive_intervention_is_a_404(client: Client) -> None:
    assert client.get("/menukaart/bestaat-niet/").status_code == 404
    Intervention.objects.filter(slug="voorzorg").update(is_active=False)
    assert client.get("/menukaart/voorzorg/").status_code == 404


def test_only_get(client: Client) -> None:
    assert client.post("/menukaart/").status_code == 405
    assert client.post("/menukaart/voorzorg/").status_code == 405
