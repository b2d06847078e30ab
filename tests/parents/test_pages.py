"""The public parent pages: one address per language, lang and dir right, drafts marked in
their own language, no cookie, nothing from other hosts."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kansrijk.parents import languages
from kansrijk.parents.models import (
    CostFigure,
    CostItem,
    CostItemText,
    LocalAddition,
    Page,
    PageTranslation,
    TranslationStatus,
)

# Every test has the national pages (loaded once for the module: tests/parents/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("content")]

SLUGS = [
    "kinderwens",
    "verloskundige",
    "prenataal-huisbezoek",
    "kraamzorg",
    "consultatiebureau",
    "geldzorgen",
    "stress",
    "veilig-thuis",
]
#: The draft notice, in each language (the interface catalogue's translation of it).
DRAFT_NOTICE = {
    "ar": "هذه الترجمة مسودة",
    "tr": "Bu çeviri bir taslaktır",  # noqa: RUF001
    "pl": "To tłumaczenie jest wersją roboczą",
    "uk": "Цей переклад є чернеткою",
    "ti": "እዚ ትርጉም ረቂቕ እዩ",
}


def _html(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


@pytest.mark.parametrize("code", languages.CODES)
def test_start_page_links_every_page_in_its_language(
    client: Client, content: None, code: str
) -> None:
    response = client.get(f"/ouders/{code}/")
    assert response.status_code == 200
    html = _html(response)
    language = languages.BY_CODE[code]
    assert f'<html lang="{code}" dir="{language.direction}">' in html
    assert response["Content-Language"] == code
    for slug in SLUGS:
        assert f'href="/ouders/{code}/{slug}/"' in html
    assert f'href="/ouders/{code}/netwerkkaart/"' in html
    assert f'href="/ouders/{code}/kosten/"' in html
    # The switch names every language in its own script, each marked with its lang.
    for other in languages.LANGUAGES:
        assert f'lang="{other.code}" hreflang="{other.code}" dir="{other.direction}"' in html
        assert other.native_name in html
    assert 'aria-current="page">' + language.native_name in html


@pytest.mark.parametrize("code", languages.CODES)
@pytest.mark.parametrize("slug", SLUGS)
def test_every_page_in_every_language(client: Client, content: None, code: str, slug: str) -> None:
    response = client.get(f"/ouders/{code}/{slug}/")
    assert response.status_code == 200
    html = _html(response)
    text = PageTranslation.objects.get(page__slug=slug, language=code)
    assert f"<h1>{text.title}</h1>".replace("'", "&#x27;") in html
    assert not response.cookies, "a parent page sets no cookie"
    assert "csrfmiddlewaretoken" not in html
    # Nothing from another host: every src and stylesheet is on this site.
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        if url.startswith("http"):
            assert 'rel="noopener"' in html  # only plain links out (sources), never loaded
    assert not re.search(r'<(?:script|link|img)[^>]+(?:src|href)="https?://', html)
    if code in DRAFT_NOTICE:
        assert DRAFT_NOTICE[code] in html
    if code == "nl":
        assert "concept" not in html.lower()


def test_english_draft_says_so_in_english(client: Client, content: None) -> None:
    html = _html(client.get("/ouders/en/kraamzorg/"))
    assert "This text is a draft translation: a native speaker has not checked it yet." in html


ENGLISH_DRAFT = "This text is a draft translation: a native speaker has not checked it yet."


def test_english_start_page_of_draft_summaries_says_so(client: Client, content: None) -> None:
    assert ENGLISH_DRAFT in _html(client.get("/ouders/en/"))
    PageTranslation.objects.filter(language="en").update(
        status=TranslationStatus.CHECKED, checked_by="A. Speaker", checked_on="2025-05-01"
    )
    assert "draft" not in _html(client.get("/ouders/en/")).lower()


def test_english_costs_of_draft_texts_say_so(client: Client, content: None) -> None:
    assert ENGLISH_DRAFT in _html(client.get("/ouders/en/kosten/"))
    CostItemText.objects.filter(language="en").update(
        status=TranslationStatus.CHECKED, checked_by="A. Speaker", checked_on="2025-05-01"
    )
    html = _html(client.get("/ouders/en/kosten/"))
    assert "draft" not in html.lower()
    # An item without an English text is shown in Dutch, and says so in English.
    CostItemText.objects.filter(language="en", item__code="kinderbijslag").delete()
    html = _html(client.get("/ouders/en/kosten/"))
    card = html.split("Kinderbijslag", 1)[0].rsplit("<div", 1)[1]
    assert 'lang="nl" dir="ltr"' in card
    title = html.split("Kinderbijslag", 1)[1].split("</h3>", 1)[0]
    assert '<span class="po-tag" lang="en" dir="ltr">in Dutch</span>' in title


def test_a_local_addition_in_draft_or_in_dutch_says_so(
    client: Client, content: None, places: None
) -> None:
    page = Page.objects.get(slug="kraamzorg")
    LocalAddition.objects.create(
        page=page,
        municipality_id="GM0090",
        language="nl",
        title="Kraamcafé Drachten",
        body="Elke vrijdag koffie.",
    )
    html = _html(client.post("/ouders/en/kraamzorg/", {"postcode": "9203"}))
    card = html.split('<div class="po-card"', 1)[1].split("</div>", 1)[0]
    assert '<span class="po-tag" lang="en" dir="ltr">in Dutch</span>' in card
    LocalAddition.objects.create(
        page=page,
        municipality_id="GM0090",
        language="en",
        title="Maternity café Drachten",
        body="Coffee every Friday.",
        status=TranslationStatus.DRAFT,
    )
    html = _html(client.post("/ouders/en/kraamzorg/", {"postcode": "9203"}))
    card = html.split('<div class="po-card"', 1)[1].split("</div>", 1)[0]
    assert "Maternity café Drachten" in card
    assert ENGLISH_DRAFT in card
    LocalAddition.objects.filter(language="en").update(status=TranslationStatus.CHECKED)
    html = _html(client.post("/ouders/en/kraamzorg/", {"postcode": "9203"}))
    card = html.split('<div class="po-card"', 1)[1].split("</div>", 1)[0]
    assert ENGLISH_DRAFT not in card


def test_checked_translation_has_no_draft_notice(client: Client, content: None) -> None:
    PageTranslation.objects.filter(page__slug="kraamzorg", language="en").update(
        status=TranslationStatus.CHECKED,
        checked_by="A. Speaker",
        checked_on=datetime.date(2025, 5, 1),
    )
    html = _html(client.get("/ouders/en/kraamzorg/"))
    assert "draft" not in html.lower()


def test_missing_translation_falls_back_to_dutch_and_says_so(client: Client, content: None) -> None:
    PageTranslation.objects.filter(page__slug="stress", language="pl").delete()
    html = _html(client.get("/ouders/pl/stress/"))
    dutch = PageTranslation.objects.get(page__slug="stress", language="nl")
    assert dutch.title in html
    assert '<article class="po-article" lang="nl" dir="ltr">' in html
    assert "Ta strona nie jest jeszcze dostępna w twoim języku" in html
    start = _html(client.get("/ouders/pl/"))
    assert f'<a href="/ouders/pl/stress/" lang="nl">{dutch.title}</a>' in start


def test_arabic_is_right_to_left(client: Client, content: None) -> None:
    html = _html(client.get("/ouders/ar/prenataal-huisbezoek/"))
    assert '<html lang="ar" dir="rtl">' in html
    assert 'lang="nl" hreflang="nl" dir="ltr"' in html


def test_unknown_language_and_page_are_404(client: Client, content: None) -> None:
    assert client.get("/ouders/fr/").status_code == 404
    assert client.get("/ouders/nl/bestaat-niet/").status_code == 404
    Page.objects.filter(slug="stress").update(is_published=False)
    assert client.get("/ouders/nl/stress/").status_code == 404


@pytest.mark.parametrize("code", languages.CODES)
@pytest.mark.parametrize("path", ["bestaat-niet/", "stress/extra/deel/", "kosten/x/"])
def test_a_page_that_does_not_exist_says_so_in_the_page_language(
    client: Client, content: None, code: str, path: str
) -> None:
    response = client.get(f"/ouders/{code}/{path}")
    assert response.status_code == 404
    html = _html(response)
    language = languages.BY_CODE[code]
    assert f'<html lang="{code}" dir="{language.direction}">' in html
    assert response["Content-Language"] == code
    assert not response.cookies
    # The light parent page, not the professional one, with the way back in every language.
    assert "/static/parents/parents.css" in html
    assert "utrecht" not in html
    assert f'<a href="/ouders/{code}/">' in html
    for other in languages.LANGUAGES:
        assert f'href="/ouders/{other.code}/" lang="{other.code}"' in html
    if code in DRAFT_NOTICE:
        assert DRAFT_NOTICE[code] in html
    # The heading is the parents' own text (not a same-worded one of Django's admin).
    heading = {"nl": "Pagina niet gevonden", "ar": "لم نجد هذه الصفحة", "en": "Page not found"}
    if code in heading:
        assert f"<h1>{heading[code]}</h1>" in html


def test_an_unknown_language_is_answered_in_the_browser_s_language(
    client: Client, content: None
) -> None:
    response = client.get("/ouders/fr/kosten/", HTTP_ACCEPT_LANGUAGE="fr, ar;q=0.8")
    assert response.status_code == 404
    assert '<html lang="ar" dir="rtl">' in _html(response)
    assert "Accept-Language" in response["Vary"]
    # Elsewhere the professional page stays.
    other = client.get("/sociale-kaart/bestaat-niet/")
    assert other.status_code == 404
    assert "utrecht" in _html(other)


def test_index_negotiates_the_language(client: Client) -> None:
    response = client.get("/ouders/", HTTP_ACCEPT_LANGUAGE="fr;q=1, uk;q=0.8, en;q=0.5")
    assert response.status_code == 302
    assert response["Location"] == "/ouders/uk/"
    assert "Accept-Language" in response["Vary"]
    assert client.get("/ouders/", HTTP_ACCEPT_LANGUAGE="de").headers["Location"] == "/ouders/nl/"


def test_language_cookie_of_the_professional_interface_does_not_change_the_page(
    client: Client, content: None
) -> None:
    client.cookies["django_language"] = "en"
    html = _html(client.get("/ouders/tr/kraamzorg/"))
    assert '<html lang="tr"' in html
    assert "Lohusa bakımı" in html  # noqa: RUF001


def test_local_additions_for_the_municipality_of_a_postcode(
    client: Client, content: None, places: None
) -> None:
    page = Page.objects.get(slug="prenataal-huisbezoek")
    LocalAddition.objects.create(
        page=page,
        municipality_id="GM0090",
        title="Mamacafé De Kempenaer",
        body="Elke dinsdag koffie met andere moeders.",
        phone="0512 123 456",
    )
    html = _html(client.post("/ouders/nl/prenataal-huisbezoek/", {"postcode": "9203"}))
    assert "Mamacafé De Kempenaer" in html
    assert 'href="tel:0512123456"' in html
    # The Arabic page shows the Dutch addition, marked as Dutch.
    html = _html(client.post("/ouders/ar/prenataal-huisbezoek/", {"postcode": "9203"}))
    assert '<div class="po-card" lang="nl" dir="ltr">' in html
    # Another municipality has none; a bad postcode is a clear 400.
    html = _html(client.post("/ouders/nl/prenataal-huisbezoek/", {"postcode": "1011"}))
    assert "Mamacafé" not in html
    response = client.post("/ouders/nl/prenataal-huisbezoek/", {"postcode": "abc"})
    assert response.status_code == 400
    assert "Vul een postcode in van vier cijfers" in _html(response)
    # The postcode is posted: never in an address, kept by nobody, no cookie; an old address
    # with one is sent on to the clean one without being read.
    form = _html(client.get("/ouders/nl/prenataal-huisbezoek/"))
    assert '<form class="po-form po-no-print" method="post" action="">' in form
    posted = Client(enforce_csrf_checks=True).post(
        "/ouders/nl/prenataal-huisbezoek/", {"postcode": "9203"}
    )
    assert posted.status_code == 200
    assert "no-store" in posted["Cache-Control"]
    assert not posted.cookies
    old = client.get("/ouders/nl/prenataal-huisbezoek/?postcode=9203")
    assert old.status_code == 302
    assert old["Location"] == "/ouders/nl/prenataal-huisbezoek/"


def test_page_body_is_escaped(client: Client, content: None) -> None:
    PageTranslation.objects.filter(page__slug="stress", language="nl").update(
        body="<script>alert(1)</script>\n\n- <b>vet</b>"
    )
    html = _html(client.get("/ouders/nl/stress/"))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<li>&lt;b&gt;vet&lt;/b&gt;</li>" in html


def test_pages_take_a_fixed_number_of_queries(client: Client, content: None) -> None:
    with CaptureQueriesContext(connection) as start:
        client.get("/ouders/ar/")
    with CaptureQueriesContext(connection) as page:
        client.get("/ouders/ar/geldzorgen/")
    with CaptureQueriesContext(connection) as costs:
        client.get("/ouders/ar/kosten/")
    assert len(start) <= 3
    assert len(page) <= 3
    assert len(costs) <= 5


# --- Costs ----------------------------------------------------------------------------------


def test_costs_without_figures_say_so(client: Client, content: None) -> None:
    html = _html(client.get("/ouders/nl/kosten/?jaar=2025"))
    assert (
        html.count("We hebben geen officieel bedrag voor 2025.") == 7
    )  # every item with an amount
    assert "€" not in html.split("<main")[1].split("</main>")[0].replace("€&nbsp;", "€")


def test_costs_show_the_figure_of_the_year_with_source(client: Client, content: None) -> None:
    item = CostItem.objects.get(code="kraamzorg-eigen-bijdrage")
    CostFigure.objects.create(
        item=item,
        year=2025,
        amount=Decimal("5.10"),
        source_name="Testbron, Regeling zorgverzekering",
        source_url="https://wetten.example/regeling",
        source_date=datetime.date(2024, 11, 1),
    )
    html = _html(client.get("/ouders/nl/kosten/?jaar=2025"))
    assert "€&nbsp;5,10</strong> per uur" in html
    assert (
        'href="https://wetten.example/regeling" rel="noopener">Testbron, Regeling zorgverzekering</a>'
        in html
    )
    # Another year does not borrow it.
    html = _html(client.get("/ouders/nl/kosten/?jaar=2026"))
    assert "5,10" not in html
    assert html.count("We hebben geen officieel bedrag voor 2026.") == 7
    # In English, with the English number format.
    html = _html(client.get("/ouders/en/kosten/?jaar=2025"))
    assert "€&nbsp;5.10</strong> per hour" in html


def test_dutch_names_on_a_costs_page_in_another_language_are_marked_dutch(
    client: Client, content: None
) -> None:
    """The bodies that set an amount and the sources are Dutch data: on the English or Arabic
    page they carry lang="nl", so a screen reader reads them in Dutch (WCAG 3.1.2)."""
    CostFigure.objects.create(
        item=CostItem.objects.get(code="kinderbijslag"),
        year=2025,
        amount=Decimal("300"),
        source_name="SVB, Bedragen kinderbijslag",
        source_url="https://www.svb.nl/",
        source_date=datetime.date(2025, 1, 1),
        note="Per kind tot 6 jaar",
    )
    html = _html(client.get("/ouders/ar/kosten/?jaar=2025"))
    assert '<span lang="nl" dir="ltr">Je zorgverzekeraar</span>' in html
    assert '<span lang="nl" dir="ltr">Rijksoverheid</span></a>' in html
    assert 'lang="nl" dir="ltr">SVB, Bedragen kinderbijslag</a>' in html
    assert '<span lang="nl" dir="ltr">Per kind tot 6 jaar</span>' in html
    dutch = _html(client.get("/ouders/nl/kosten/?jaar=2025"))
    assert 'lang="nl" dir="ltr">' not in dutch.split("<main", 1)[1]


def test_demo_figure_is_labelled(client: Client, content: None) -> None:
    CostFigure.objects.create(
        item=CostItem.objects.get(code="eigen-risico"),
        year=2025,
        amount=Decimal("100"),
        source_name="Demo",
        source_url="https://example.org/",
        source_date=datetime.date(2025, 1, 1),
        is_demo=True,
    )
    assert "voorbeeldbedrag, niet officieel" in _html(client.get("/ouders/nl/kosten/?jaar=2025"))


@pytest.mark.parametrize("year", ["abc", "1999", "20255", "-1", "²", "202²"])
def test_costs_bad_year_is_400(client: Client, content: None, year: str) -> None:
    response = client.get(f"/ouders/nl/kosten/?jaar={year}")
    assert response.status_code == 400
    assert "Kies een jaar uit de lijst." in _html(response)


# --- Network map ----------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["nl", "ar", "ti"])
def test_network_map_page_has_the_app_and_the_blank_form(client: Client, code: str) -> None:
    response = client.get(f"/ouders/{code}/netwerkkaart/")
    assert response.status_code == 200
    html = _html(response)
    assert "data-netmap " in html
    assert "data-netmap-nojs" in html
    assert "/static/parents/netwerkkaart.js" in html
    # The inputs of the map have no name: even a submitted form would carry no name.
    app = html.split("data-netmap-add", 1)[1].split("</form>", 1)[0]
    assert 'id="nm-name"' in app
    assert 'name="nm-name"' not in app
    assert not re.search(r'<input[^>]+type="checkbox"[^>]+name=', app)
    assert not response.cookies
    blank = client.get(f"/ouders/{code}/netwerkkaart/leeg/")
    assert blank.status_code == 200
    assert "<script" not in _html(blank).split("</main>")[0].split("<main")[1]


def test_service_worker_is_served_for_the_parent_scope(client: Client) -> None:
    response = client.get("/ouders/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "netwerkkaart" in response.content.decode()
