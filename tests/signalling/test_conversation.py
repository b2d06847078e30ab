"""The broad conversation page: the form, the graded outcome with its reasons and the local
offer, clear Dutch errors for bad input, no rows written, and a query cap. The form is posted;
the answers are kept in the browser (a signed cookie) for the result page, never in a URL."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.signalling.conftest import row_counts

pytestmark = pytest.mark.django_db

URL = reverse("signalling:conversation")
OUTCOME = reverse("signalling:outcome")


def _get(client, **params):
    """Post the conversation and follow to the result page (or the form with its errors)."""
    return client.post(URL, params, follow=True)


def test_the_empty_form_groups_factors_per_life_domain(client, default_rules):
    response = client.get(URL)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Het brede gesprek" in text
    # Two outer fieldsets (risk, protective) with one inner fieldset per domain, each a legend.
    assert text.count("<fieldset") == text.count("<legend")
    assert re.search(r"<legend[^>]*>\s*Risicofactoren\s*</legend>", text)
    assert re.search(r"<legend[^>]*>\s*Beschermende factoren\s*</legend>", text)
    assert re.search(r"<legend[^>]*>Geld en werk</legend>", text)
    assert 'type="checkbox" id="factor-geldzorgen" name="factor" value="geldzorgen"' in text
    assert (
        '<label class="utrecht-form-label utrecht-form-label--checkbox" for="factor-geldzorgen">'
        in text
    )
    assert 'value="pregnancy" checked' in text
    assert "Uitkomst" not in text
    assert '<option value="GM0090">Smallingerland</option>' in text


def test_money_worries_and_smoking_in_drachten(client, local_offer_data):
    response = _get(client, postcode="9203", phase="pregnancy", factor=["geldzorgen", "roken"])
    assert response.status_code == 200
    text = response.content.decode()
    assert "Uitkomst: kwetsbaar" in text
    # The explanation: which factors, how weighed, which rule decided.
    assert "Geldzorgen en schulden" in text
    assert "Roken" in text
    assert "+2" in text
    assert "+1" in text
    assert "Risico’s op 2 levensgebieden (Geld en werk, Leefstijl en middelen)" in text  # noqa: RUF001
    assert "Doorslaggevend:" in text
    assert "Risicofactoren wegen 3 en beschermende factoren 0: een balans van 3" in text
    assert "versie 1" in text
    # The local offer: own pathway, national default marked, intervention on offer.
    assert "Zorgpaden en interventies in Smallingerland" in text
    assert "Zorgpad: Geldzorgen in Smallingerland" in text
    assert "/zorgpaden/" in text or "GM0090/geldzorgen/pregnancy" in text
    assert "Zorgpad: Rookvrije start (landelijk)" in text
    assert "landelijk zorgpad" in text
    assert "Samen sterk met geld" in text
    # The answers stay ticked in the form below.
    assert 'value="geldzorgen" checked' in text
    assert 'value="roken" checked' in text


def test_a_constant_small_number_of_queries(
    client, local_offer_data, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Cold cache: the rule set is read once (four queries), then kept in this process. The
    # post checks the answers, the result page grades them.
    with django_assert_max_num_queries(20):
        _get(client, postcode="9203", phase="pregnancy", factor=["geldzorgen"])
    counts = []
    for factors in (
        ["geldzorgen"],
        ["geldzorgen", "roken", "stress", "huisvesting", "lvb", "alcohol"],
    ):
        client.post(URL, {"postcode": "9203", "phase": "pregnancy", "factor": factors})
        with CaptureQueriesContext(connection) as context:
            client.get(OUTCOME)
        counts.append(len(context))
    assert counts[0] == counts[1] <= 11


def test_a_risk_without_pathway_links_to_the_social_map(client, local_offer_data):
    text = _get(
        client, municipality="GM0090", phase="pregnancy", factor="relatieproblemen"
    ).content.decode()
    assert "Hiervoor is in Smallingerland nog geen zorgpad." in text
    assert "category=relatieproblemen" in text


def test_regional_default_is_marked(client, local_offer_data):
    from tests.signalling.conftest import make_pathway

    make_pathway(
        "stress", scope="regional", municipalities=("GM0090", "GM0080"), title="Stress regio"
    )
    text = _get(client, municipality="GM0090", phase="pregnancy", factor="stress").content.decode()
    assert "Zorgpad: Stress regio" in text
    assert "regionaal zorgpad" in text
    assert "Smallingerland heeft hiervoor geen eigen zorgpad; dit is het regionale zorgpad." in text


def test_only_protective_factors(client, local_offer_data):
    text = _get(
        client, municipality="GM0090", phase="postnatal", factor="steun-netwerk"
    ).content.decode()
    assert "Uitkomst: zelfredzaam" in text
    assert "geen zorgpad nodig" in text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"municipality": "GM0090", "phase": "pregnancy", "factor": ["roken", "verzonnen"]},
            "verzonnen is geen factor die we kennen.",
        ),
        ({"phase": "pregnancy", "factor": "roken"}, "Kies een gemeente of vul een postcode in."),
        (
            {"postcode": "92", "phase": "pregnancy", "factor": "roken"},
            "Vul een postcode in van vier cijfers",
        ),
        (
            {"postcode": "1004", "phase": "pregnancy", "factor": "roken"},
            "Postcode 1004 staat niet in onze lijst",
        ),
        ({"municipality": "GM9999", "phase": "pregnancy"}, "Kies een gemeente uit de lijst."),
        ({"municipality": "GM0090", "phase": "later"}, "Kies een fase"),
        ({"municipality": "GM0090", "factor": "roken"}, "Kies een fase"),
        (
            {"municipality": "GM0599", "postcode": "9203", "phase": "pregnancy"},
            "Postcode 9203 ligt in Smallingerland, niet in Rotterdam.",
        ),
        ({"postcode": "x" * 50, "phase": "pregnancy"}, "Vul een postcode in van vier cijfers"),
    ],
)
def test_bad_input_gives_a_clear_dutch_error_and_no_outcome(client, default_rules, params, message):
    response = client.post(URL, params)
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text
    assert "<title>Fout:" in text
    assert "Controleer uw antwoorden" in text
    assert "Uitkomst:" not in text
    assert "kr_gesprek" not in response.cookies


def test_nothing_is_stored_in_any_table(client, local_offer_data):
    before = row_counts()
    _get(
        client,
        postcode="9203",
        phase="pregnancy",
        factor=["geldzorgen", "roken", "huiselijk-geweld"],
    )
    _get(client, postcode="12", phase="pregnancy", factor=["geldzorgen", "onzin"])
    client.get(URL)
    assert row_counts() == before
    assert not client.cookies.get("sessionid")


def test_nothing_is_stored_for_a_logged_in_professional(client, login_verified, local_offer_data):
    from kansrijk.accounts.roles import Role
    from tests.factories import UserFactory

    user = UserFactory(roles=[Role.PROFESSIONAL])
    login_verified(client, user)
    client.get(URL)  # the first request after logging in may touch the session
    before = row_counts()
    response = _get(client, municipality="GM0090", phase="pregnancy", factor=["geldzorgen"])
    assert response.status_code == 200
    assert row_counts() == before


def test_without_published_rules_the_page_says_so(client, catalogue):
    response = client.get(URL)
    assert response.status_code == 200
    assert "nog geen gepubliceerde regels" in response.content.decode()


def test_the_page_in_english(client, local_offer_data):
    client.cookies["django_language"] = "en"
    text = _get(client, municipality="GM0090", phase="pregnancy", factor="roken").content.decode()
    assert "Outcome: potentially vulnerable" in text


def test_in_english_dutch_only_content_is_said_once_and_marked(client, local_offer_data):
    """The catalogue and the local offer exist in Dutch only: the English page says so once
    and marks each such text lang="nl", instead of mixing languages without a word."""
    client.cookies["django_language"] = "en"
    text = _get(
        client,
        municipality="GM0090",
        phase="pregnancy",
        factor=["geldzorgen", "roken", "huiselijk-geweld"],
    ).content.decode()
    assert text.count("are written in Dutch only; they are shown in Dutch.") == 1
    # In the reasons: English sentences, the Dutch names marked.
    assert (
        'Risks in 3 life domains (<span lang="nl">Geld en werk</span>, '
        '<span lang="nl">Leefstijl en middelen</span>, <span lang="nl">Veiligheid</span>) '
        "reinforce each other." in text
    )
    assert '<span lang="nl">Huiselijk geweld</span> is ticked' in text
    assert re.search(r'<span class="kr-sig-note" lang="nl">[^<]+</span>', text)
    # The table, the offer and the form's factors.
    assert '<td class="utrecht-table__cell" lang="nl">Geld en werk</td>' in text
    assert '<h3 class="utrecht-heading-3" lang="nl">Geldzorgen en schulden</h3>' in text
    assert 'Pathway: <span lang="nl">Geldzorgen in Smallingerland</span>' in text
    assert 'for="factor-geldzorgen" lang="nl">Geldzorgen en schulden</label>' in text
    # A Dutch page has neither the notice nor the marks.
    client.cookies["django_language"] = "nl"
    dutch = client.get(OUTCOME).content.decode()
    assert "alleen in het Nederlands geschreven" not in dutch
    assert 'lang="nl">' not in dutch.replace('<html lang="nl"', "")


# --- Posted, kept in the browser, never in a URL (issue 12, point 5) ---------------------------------

ANSWERS = {"postcode": "9203", "phase": "pregnancy", "factor": ["geldzorgen", "huiselijk-geweld"]}


def test_the_form_is_posted_with_a_csrf_token(client, default_rules):
    text = client.get(URL).content.decode()
    assert '<form class="kr-sig-form" method="post"' in text
    assert 'name="csrfmiddlewaretoken"' in text


def test_a_post_without_csrf_token_is_refused(default_rules):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(URL, ANSWERS).status_code == 403


def test_the_answers_go_to_the_result_page_without_any_url_holding_them(client, local_offer_data):
    response = client.post(URL, ANSWERS)
    assert response.status_code == 303
    assert response["Location"] == OUTCOME
    cookie = response.cookies["kr_gesprek"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert cookie["max-age"] == 1800
    for code in ("geldzorgen", "huiselijk-geweld", "9203", "pregnancy"):
        assert code not in cookie.value  # signed and compressed, not a readable list
    result = client.get(OUTCOME)
    assert result.status_code == 200
    assert "no-store" in result["Cache-Control"]
    text = result.content.decode()
    assert "Uitkomst: zeer kwetsbaar" in text
    # No link on the page carries the answers (a link to the pathway or the social map for
    # one situation names that situation, as every pathway page does).
    for href in re.findall(r'href="([^"]*)"', text):
        assert "factor=" not in href, href
        assert "9203" not in href, href
        assert not ("geldzorgen" in href and "huiselijk-geweld" in href), href
    assert 'href="/i18n/taal/en/?next=/signalering/uitkomst/"' in text


def test_the_result_survives_a_reload_and_the_language_switch(client, local_offer_data):
    client.post(URL, ANSWERS)
    assert "Uitkomst: zeer kwetsbaar" in client.get(OUTCOME).content.decode()
    assert "Uitkomst: zeer kwetsbaar" in client.get(OUTCOME).content.decode()  # reload
    switched = client.get(reverse("switch-language", args=["en"]), {"next": OUTCOME}, follow=True)
    assert switched.redirect_chain[-1][0] == OUTCOME
    assert "Outcome: very vulnerable" in switched.content.decode()


def test_the_page_says_what_is_and_is_not_kept(client, default_rules):
    text = client.get(URL).content.decode()
    assert "wordt alleen in deze browser bewaard, hoogstens 30 minuten" in text
    assert (
        "Het wordt niet op onze server opgeslagen, niet in het toegangslog en nooit in een webadres"
        in text
    )
    assert "Nothing you tick is stored" not in text


def test_the_page_names_the_monitors_count_when_it_is_on(client, default_rules, settings):
    settings.KANSRIJK_DEMAND_SIGNAL = False
    assert "Eén ding wordt geteld" not in client.get(URL).content.decode()
    settings.KANSRIJK_DEMAND_SIGNAL = True
    text = client.get(URL).content.decode()
    assert "Eén ding wordt geteld" in text
    assert "per gemeente, fase, aangevinkte risicofactor en maand" in text


def test_without_kept_answers_the_result_page_says_so(client, default_rules):
    text = client.get(OUTCOME).content.decode()
    assert "Er is geen uitkomst om te tonen" in text
    assert "Uitkomst:" not in text.replace("Er is geen uitkomst", "")


def test_answers_older_than_the_limit_are_not_shown(client, local_offer_data, time_machine):
    time_machine.move_to("2026-12-05 10:00:00+01:00", tick=False)
    client.post(URL, ANSWERS)
    time_machine.move_to("2026-12-05 10:29:00+01:00", tick=False)
    assert "Uitkomst: zeer kwetsbaar" in client.get(OUTCOME).content.decode()
    time_machine.move_to("2026-12-05 10:31:00+01:00", tick=False)
    assert "Er is geen uitkomst om te tonen" in client.get(OUTCOME).content.decode()


def test_a_tampered_cookie_is_ignored(client, local_offer_data):
    client.post(URL, ANSWERS)
    value = client.cookies["kr_gesprek"].value
    client.cookies["kr_gesprek"] = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    assert "Er is geen uitkomst om te tonen" in client.get(OUTCOME).content.decode()


def test_starting_a_new_conversation_deletes_the_answers(client, local_offer_data):
    client.post(URL, ANSWERS)
    text = client.get(OUTCOME).content.decode()
    assert f'action="{reverse("signalling:restart")}"' in text
    response = client.post(reverse("signalling:restart"))
    assert response.status_code == 303
    assert response["Location"] == URL
    assert response.cookies["kr_gesprek"].value == ""
    assert "Er is geen uitkomst om te tonen" in client.get(OUTCOME).content.decode()
    assert client.get(reverse("signalling:restart")).status_code == 405


def test_answers_in_the_address_are_not_read(client, local_offer_data):
    response = client.get(URL, {"postcode": "9203", "phase": "pregnancy", "factor": "roken"})
    assert response.status_code == 302
    assert response["Location"] == URL
    assert "kr_gesprek" not in response.cookies


def test_answers_that_no_longer_fit_the_rules_show_as_errors(client, local_offer_data):
    from kansrijk.core import freshness
    from kansrijk.signalling.answers import Answers, remember

    client.post(URL, ANSWERS)
    # A factor withdrawn from the rules since: the kept answers are checked again.
    from django.http import HttpResponse

    response = HttpResponse()
    remember(response, Answers("", "9203", "pregnancy", ("geldzorgen", "verdwenen"), "GM0090"))
    client.cookies["kr_gesprek"] = response.cookies["kr_gesprek"].value
    freshness.forget_all()
    result = client.get(OUTCOME)
    assert result.status_code == 400
    assert "verdwenen is geen factor die we kennen." in result.content.decode()
