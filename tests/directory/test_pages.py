"""The public pages of the social map: search (with and without htmx) and the service page.

Decisions tested here:
- the social map is readable without logging in (it holds no client data: public services are
  public information), and reading it writes nothing to the access log;
- bad search input answers 200 with a Dutch error next to the field (a GET search form, not
  an API), never a 500;
- the number of queries of a search does not grow with the number of results.
"""

from __future__ import annotations

import datetime
import re
import uuid
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from kansrijk.accounts.roles import Role
from kansrijk.audit.models import AccessEvent
from kansrijk.directory.models import (
    Contact,
    Phone,
    ReferralMethod,
    ReferralMethodKind,
    Schedule,
    Service,
    ServiceStatus,
)
from kansrijk.directory.search import index as search_index
from kansrijk.directory.search import refresh_search_text
from kansrijk.places.models import PostcodeArea
from tests.directory.factories import LocationFactory, ServiceFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("need_categories")

SEARCH = "/sociale-kaart/"

#: Queries of one anonymous search: choices (municipalities, categories), category terms,
#: postcode, what the postcode search looks up first (nearby locations, services of the
#: municipality), count, page, five prefetches. Independent of the number of results.
MAX_SEARCH_QUERIES = 14


def _html(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def _results(response: object) -> list[str]:
    """The service names in the result list, in order."""
    return re.findall(
        r'<h3 class="utrecht-heading-3 kr-dir-card__title" id="service-[^"]+"><a[^>]*>([^<]+)</a>',
        _html(response),
    )


@pytest.fixture
def directory(need_categories: None) -> dict[str, Service]:
    """A small social map around Drachten (Smallingerland) and Rotterdam."""
    today = timezone.localdate()
    debt = ServiceFactory(
        name="Schuldhulpverlening Smallingerland",
        description="Hulp bij geldzorgen en schulden voor aanstaande ouders.",
        target_group="Inwoners met geldzorgen",
        eligibility_description="Inwoners van Smallingerland.",
        phase_pregnancy=True,
        phase_postnatal=True,
        is_free=True,
        categories=["geldzorgen"],
        municipalities=["GM0090"],
        postcode="9201",
        languages=["nl", "ar"],
        assured_date=today - datetime.timedelta(days=30),
        email="geldzaken@example.org",
    )
    ReferralMethod.objects.create(
        service=debt,
        method=ReferralMethodKind.PHONE,
        contact="0512 000 001",
        instructions="Bel het loket en vraag naar het geldgesprek.",
    )
    Phone.objects.create(service=debt, number="0512 000 002", description="Loket")
    phb = ServiceFactory(
        name="Prenataal huisbezoek JGZ",
        description="Een jeugdverpleegkundige komt tijdens de zwangerschap op huisbezoek.",
        phase_pregnancy=True,
        is_free=True,
        categories=["zwangerschap-en-geboorte"],
        municipalities=["GM0090"],
        postcode="9203",
        languages=["nl"],
        assured_date=today - datetime.timedelta(days=400),
    )
    ReferralMethod.objects.create(
        service=phb,
        method=ReferralMethodKind.SECURE_MAIL,
        contact="phb@example.org",
        instructions="Stuur het verwijsformulier via beveiligde mail.",
    )
    paid = ServiceFactory(
        name="Zwangerschapsyoga Drachten",
        description="Yoga voor zwangeren.",
        phase_pregnancy=True,
        is_free=False,
        municipalities=["GM0090"],
        postcode="9202",
        assured_date=today,
    )
    rotterdam = ServiceFactory(
        name="Kredietbank Rotterdam",
        description="Schuldhulpverlening voor Rotterdammers.",
        phase_pregnancy=True,
        is_free=True,
        categories=["geldzorgen"],
        municipalities=["GM0599"],
        postcode="3011",
        assured_date=today,
    )
    defunct = ServiceFactory(
        name="Opgeheven schuldenloket",
        description="Schulden",
        status=ServiceStatus.DEFUNCT,
        municipalities=["GM0090"],
    )
    for service in (debt, phb, paid, rotterdam, defunct):
        refresh_search_text([service.id])
    return {"debt": debt, "phb": phb, "paid": paid, "rotterdam": rotterdam, "defunct": defunct}


# --- The search page ---------------------------------------------------------------------------


def test_urls() -> None:
    assert reverse("directory:search") == SEARCH
    service_id = uuid.uuid4()
    assert (
        reverse("directory:service", args=[service_id]) == f"/sociale-kaart/diensten/{service_id}/"
    )


def test_search_page_is_public_and_accessible_markup(client: Client, directory) -> None:
    response = client.get(SEARCH)
    assert response.status_code == 200
    html = _html(response)
    assert html.count("<h1") == 1
    assert "Sociale kaart" in html
    # Every filter has a label, and points at its (always present) error container.
    for name in ("q", "category", "municipality", "postcode", "phase", "language", "free"):
        assert f'<label class="utrecht-form-label" for="id_{name}">' in html
        assert f'id="id_{name}_error"' in html
        assert re.search(rf'aria-describedby="[^"]*id_{name}_error"', html)
    assert 'aria-live="polite"' in html
    assert 'hx-get="/sociale-kaart/"' in html
    assert 'hx-target="#directory-results"' in html
    assert 'hx-push-url="true"' in html
    # Filters apply at once; typing waits for a pause of 300 ms; one request at a time.
    assert "input changed delay:300ms from:#id_q" in html
    assert "change from:(#directory-search select)" in html
    assert 'hx-sync="this:queue last"' in html
    assert "<style" not in html
    assert "<script>" not in html
    # 342 municipalities in the select, and the need categories.
    assert html.count('<option value="GM') == 342
    assert '<option value="geldzorgen">' in html
    # Defunct services are not listed; the rest by name.
    assert _results(response) == [
        "Kredietbank Rotterdam",
        "Prenataal huisbezoek JGZ",
        "Schuldhulpverlening Smallingerland",
        "Zwangerschapsyoga Drachten",
    ]
    assert "4 diensten gevonden" in html


def test_search_by_word_finds_debt_counselling(client: Client, directory) -> None:
    response = client.get(SEARCH, {"q": "schulden"})
    # The name says "schulden" (Schuldhulpverlening), before the description (the Kredietbank).
    assert _results(response) == ["Schuldhulpverlening Smallingerland", "Kredietbank Rotterdam"]


def test_result_shows_what_for_whom_how_to_refer_and_contact(client: Client, directory) -> None:
    response = client.get(SEARCH, {"q": "schulden", "municipality": "GM0090"})
    html = _html(response)
    assert _results(response) == ["Schuldhulpverlening Smallingerland"]
    for text in (
        "Hulp bij geldzorgen en schulden voor aanstaande ouders.",  # what
        "Voor wie",
        "Inwoners met geldzorgen",  # for whom
        "Zwangerschap, Na de geboorte",  # phases
        "Verwijzen",
        "<strong>Telefonisch</strong>: 0512 000 001",
        "Bel het loket en vraag naar het geldgesprek.",  # how to refer
        'href="tel:0512000002"',
        'href="mailto:geldzaken@example.org"',  # whom to contact
        "Kosteloos",
    ):
        assert text in html, text
    assert "Te verifiëren" not in html


def test_unverified_service_has_a_badge(client: Client, directory) -> None:
    html = _html(client.get(SEARCH, {"q": "huisbezoek"}))
    assert "Prenataal huisbezoek JGZ" in html
    assert '<span class="kr-badge kr-badge--warning">Te verifiëren</span>' in html


@pytest.mark.parametrize("municipality", ["GM0090", "gm0090", "Smallingerland"])
def test_filter_by_municipality(client: Client, directory, municipality: str) -> None:
    response = client.get(SEARCH, {"municipality": municipality})
    assert _results(response) == [
        "Prenataal huisbezoek JGZ",
        "Schuldhulpverlening Smallingerland",
        "Zwangerschapsyoga Drachten",
    ]
    assert '<option value="GM0090" selected>Smallingerland</option>' in _html(response)


def test_postcode_orders_nearest_first_with_distance(client: Client, directory) -> None:
    response = client.get(SEARCH, {"postcode": "9203 AB"})
    names = _results(response)
    assert names[0] == "Prenataal huisbezoek JGZ"  # located in 9203 itself
    assert set(names) == {
        "Prenataal huisbezoek JGZ",
        "Schuldhulpverlening Smallingerland",
        "Zwangerschapsyoga Drachten",
    }
    html = _html(response)
    distances = re.findall(r"</span>(\d+,\d) km</p>", html)
    assert len(distances) == 3
    values = [float(d.replace(",", ".")) for d in distances]
    assert values == sorted(values)
    assert "0,0 km" in html
    assert "Bron afstanden: CBS, CC BY 4.0" in html
    assert "dichtstbij 9203 Drachten eerst" in html


def test_filters_phase_language_free_and_category(client: Client, directory) -> None:
    assert _results(client.get(SEARCH, {"free": "no"})) == ["Zwangerschapsyoga Drachten"]
    assert _results(client.get(SEARCH, {"language": "ar"})) == [
        "Schuldhulpverlening Smallingerland"
    ]
    assert _results(client.get(SEARCH, {"phase": "postnatal"})) == [
        "Schuldhulpverlening Smallingerland"
    ]
    assert _results(client.get(SEARCH, {"category": "geldzorgen", "municipality": "GM0090"})) == [
        "Schuldhulpverlening Smallingerland"
    ]
    assert _results(client.get(SEARCH, {"phase": "preconception"})) == []
    assert "Geen diensten gevonden" in _html(client.get(SEARCH, {"phase": "preconception"}))


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"postcode": "12"}, "postcode", "Vul een postcode in van vier cijfers"),
        ({"postcode": "AB9203"}, "postcode", "Vul een postcode in van vier cijfers"),
        ({"municipality": "GM9999"}, "municipality", "GM9999 is geen gemeente"),
        ({"municipality": "Atlantis"}, "municipality", "Atlantis is geen gemeente"),
        ({"phase": "later"}, "phase", "Kies een fase uit de lijst"),
        ({"language": "xx"}, "language", "Kies een taal uit de lijst"),
        ({"free": "misschien"}, "free", "Kies kosteloos, betaald of allebei"),
        ({"category": "bestaat-niet"}, "category", "Kies een hulpvraag uit de lijst"),
    ],
)
def test_bad_input_shows_a_dutch_error_next_to_the_field(
    client: Client, directory, params: dict[str, str], field: str, message: str
) -> None:
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    html = _html(response)
    error = re.search(rf'<div class="[^"]*kr-feedback" id="id_{field}_error">(.*?)</div>', html)
    assert error is not None
    assert message in error.group(1)
    assert re.search(
        rf'aria-describedby="[^"]*id_{field}_error"[^>]*aria-invalid="true"', html
    ) or (re.search(rf'aria-invalid="true"[^>]*aria-describedby="[^"]*id_{field}_error"', html))
    assert "<title>Fout: Sociale kaart" in html
    assert "controleer de velden met een fout" in html
    assert _results(response) == []


def test_unknown_postcode_names_the_postcode(client: Client, directory) -> None:
    known = set(PostcodeArea.objects.values_list("code", flat=True))
    unknown = next(str(code) for code in range(9999, 999, -1) if str(code) not in known)
    response = client.get(SEARCH, {"postcode": unknown})
    html = _html(response)
    error = re.search(r'<div class="[^"]*kr-feedback" id="id_postcode_error">(.*?)</div>', html)
    assert error is not None
    assert f"Postcode {unknown} staat niet in onze lijst" in error.group(1)
    assert _results(response) == []


def test_htmx_request_gets_the_results_and_out_of_band_updates(client: Client, directory) -> None:
    response = client.get(SEARCH, {"q": "schulden"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = _html(response)
    assert "<html" not in html
    assert "<form" not in html
    # The name says "schulden" (Schuldhulpverlening), before the description (the Kredietbank).
    assert _results(response) == ["Schuldhulpverlening Smallingerland", "Kredietbank Rotterdam"]
    assert (
        '<p id="directory-status" hx-swap-oob="innerHTML">2 diensten gevonden, best passend bij uw woorden eerst.</p>'
        in html
    )
    assert 'id="id_postcode_error" hx-swap-oob="true"></div>' in html
    assert "HX-Request" in response["Vary"]


def test_htmx_request_with_bad_postcode_updates_the_error(client: Client, directory) -> None:
    response = client.get(SEARCH, {"postcode": "12"}, headers={"HX-Request": "true"})
    html = _html(response)
    assert re.search(r'id="id_postcode_error" hx-swap-oob="true"><p[^>]*>Vul een postcode in', html)
    assert "controleer de velden met een fout" in html


def test_htmx_history_restore_gets_the_full_page(client: Client, directory) -> None:
    response = client.get(
        SEARCH,
        {"q": "schulden"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in _html(response)


def test_pagination(client: Client, directory) -> None:
    for n in range(25):
        ServiceFactory(name=f"Extra dienst {n:02d}", municipalities=["GM0014"], postcode=None)
    first = client.get(SEARCH, {"municipality": "GM0014"})
    assert len(_results(first)) == 20
    assert "Pagina 1 van 2" in _html(first)
    assert 'href="?municipality=GM0014&amp;page=2"' in _html(first)
    second = client.get(SEARCH, {"municipality": "GM0014", "page": "2"})
    assert len(_results(second)) == 5
    # A page number out of range or not a number does not break the page.
    assert client.get(SEARCH, {"page": "99"}).status_code == 200
    assert client.get(SEARCH, {"page": "x"}).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "dienst"},
        {"postcode": "9203", "category": "geldzorgen", "phase": "pregnancy", "language": "nl"},
        {"municipality": "GM0090", "postcode": "9203", "free": "yes"},
    ],
)
def test_query_count_does_not_depend_on_the_number_of_results(
    client: Client,
    directory,
    params: dict[str, str],
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    search_index.current_index()  # read once per worker (and after a change), not per search
    with django_assert_max_num_queries(MAX_SEARCH_QUERIES):
        few = client.get(SEARCH, params)
    for n in range(30):
        service = ServiceFactory(
            name=f"Dienst schulden {n}",
            phase_pregnancy=True,
            is_free=True,
            categories=["geldzorgen"],
            postcode="9203",
            languages=["nl"],
            referral_methods=["phone", "secure_mail"],
        )
        Phone.objects.create(service=service, number=f"0512 000 1{n:02d}")
    search_index.current_index()
    with django_assert_max_num_queries(MAX_SEARCH_QUERIES):
        many = client.get(SEARCH, params)
    assert len(_results(many)) >= len(_results(few))


def test_result_cards_are_cached_and_a_change_shows_at_once(
    client: Client, directory, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    from kansrijk.directory import services as directory_services

    params = {"q": "schulden", "postcode": "9203"}
    search_index.current_index()
    with django_assert_max_num_queries(MAX_SEARCH_QUERIES) as cold:
        first = client.get(SEARCH, params)
    with django_assert_max_num_queries(MAX_SEARCH_QUERIES) as warm:
        again = client.get(SEARCH, params)
    # The cards' seven queries (services and what they show) are not needed again.
    assert len(warm.captured_queries) <= len(cold.captured_queries) - 7
    assert _results(again) == _results(first)
    assert "Hulp bij geldzorgen en schulden voor aanstaande ouders." in _html(again)

    editor = UserFactory(is_superuser=True)  # the operator
    directory_services.update_service(
        service=directory["debt"],
        user=editor,
        fields={"description": "Nieuw: spreekuur op dinsdag voor aanstaande ouders met schulden."},
    )
    changed = _html(client.get(SEARCH, params))
    assert "Nieuw: spreekuur op dinsdag" in changed
    assert "Hulp bij geldzorgen en schulden voor aanstaande ouders." not in changed

    # English cards are cached apart from Dutch ones.
    english = _html(client.get(SEARCH, params, HTTP_ACCEPT_LANGUAGE="en"))
    assert "<dt>How to refer</dt>" in english
    assert "<dt>Verwijzen</dt>" in changed


def test_signed_in_search_stays_within_a_fixed_number_of_queries(
    client: Client, directory, login_verified, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    login_verified(client, UserFactory(roles=[Role.PROFESSIONAL]))
    search_index.current_index()
    with django_assert_max_num_queries(MAX_SEARCH_QUERIES + 6):
        response = client.get(SEARCH, {"q": "schulden", "postcode": "9203"})
    assert response.status_code == 200


def test_search_writes_nothing_to_the_access_log(client: Client, directory, login_verified) -> None:
    professional = UserFactory(roles=[Role.PROFESSIONAL])  # the role grant itself is logged
    before = AccessEvent.objects.count()
    client.get(SEARCH, {"q": "schulden"})
    client.get(reverse("directory:service", args=[directory["debt"].id]))
    login_verified(client, professional)
    client.get(SEARCH, {"q": "schulden"})
    assert AccessEvent.objects.count() == before


def test_editor_sees_links_to_maintain_the_map(client: Client, directory) -> None:
    assert "Dienst toevoegen" not in _html(client.get(SEARCH))
    client.force_login(UserFactory(roles=[Role.COALITION_EDITOR]))
    html = _html(client.get(SEARCH))
    assert 'href="/sociale-kaart/diensten/nieuw/"' in html
    assert 'href="/sociale-kaart/te-verifieren/"' in html


# --- The service page --------------------------------------------------------------------------


def test_service_page_shows_everything(
    client: Client, directory, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    service = directory["debt"]
    service.application_process = "Bel of kom langs op het loket."
    service.response_time_days = 3
    service.fees_description = "Altijd gratis."
    service.alert = "Gesloten op 27 april."
    service.save()
    contact = Contact.objects.create(
        service=service, name="J. de Vries", title="Schuldhulpverlener", email="j@example.org"
    )
    Phone.objects.create(contact=contact, number="0512 000 003")
    Schedule.objects.create(
        service=service, byday="MO,TU", opens_at=datetime.time(9), closes_at=datetime.time(17)
    )
    location = service.service_at_locations.get().location
    location.address_1 = "Raadhuisplein 3"
    location.save()
    with django_assert_max_num_queries(25):
        response = client.get(reverse("directory:service", args=[service.id]))
    assert response.status_code == 200
    html = _html(response)
    assert html.count("<h1") == 1
    for text in (
        "Schuldhulpverlening Smallingerland",
        "Hulp bij geldzorgen en schulden voor aanstaande ouders.",
        "Inwoners met geldzorgen",
        "Inwoners van Smallingerland.",
        "Zwangerschap, Na de geboorte",
        "Geldzorgen en schulden",  # category
        "Telefonisch",
        "Bel het loket en vraag naar het geldgesprek.",
        "Bel of kom langs op het loket.",
        "binnen 3 werkdagen",
        "0512 000 002",
        "J. de Vries",
        "0512 000 003",
        "geldzaken@example.org",
        "Raadhuisplein 3",
        "maandag, dinsdag: 09:00\u201317:00",
        "Nederlands",
        "Kosteloos",
        "Altijd gratis.",
        "Smallingerland",  # municipalities served
        service.organization.name,
        "Laatst gecontroleerd",
        "Gesloten op 27 april.",
    ):
        assert text in html, text
    # Print: the tools are marked so print.css hides them; nothing for editors here.
    assert "Bewerken" not in html


def test_service_page_of_unverified_and_defunct_services(client: Client, directory) -> None:
    html = _html(client.get(reverse("directory:service", args=[directory["phb"].id])))
    assert "Te verifiëren" in html
    html = _html(client.get(reverse("directory:service", args=[directory["defunct"].id])))
    assert "Opgeheven" in html


def test_service_page_404(client: Client, directory) -> None:
    assert client.get(f"/sociale-kaart/diensten/{uuid.uuid4()}/").status_code == 404
    assert client.get("/sociale-kaart/diensten/geen-uuid/").status_code == 404
    assert (
        client.get("/sociale-kaart/diensten/12345678-1234-1234-1234-1234567890zz/").status_code
        == 404
    )


def test_print_stylesheet_hides_the_chrome(client: Client, directory) -> None:
    from django.contrib.staticfiles import finders

    path = finders.find("kansrijk/print.css")
    assert path is not None
    css = Path(path).read_text(encoding="utf-8")
    for selector in (".kr-header", ".kr-footer", "form", "nav", ".kr-no-print"):
        assert selector in css
    assert ".kr-dir-card" in css or ".kr-dir-service" in css
    html = _html(client.get(reverse("directory:service", args=[directory["debt"].id])))
    assert 'media="print"' in html


def test_location_without_coordinates_has_no_distance(client: Client, directory) -> None:
    location = LocationFactory(postcode=None, latitude=None, longitude=None)
    service = ServiceFactory(name="Zonder plek", municipalities=["GM0090"], postcode=None)
    service.service_at_locations.create(location=location)
    response = client.get(SEARCH, {"postcode": "9203"})
    assert "Zonder plek" in _results(response)
    assert _results(response)[-1] == "Zonder plek"
