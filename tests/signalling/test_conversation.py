"""The broad conversation page: the form, the graded outcome with its reasons and the local
offer, clear Dutch errors for bad input, no rows written, and a query cap."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from tests.signalling.conftest import row_counts

pytestmark = pytest.mark.django_db

URL = reverse("signalling:conversation")


def _get(client, **params):
    return client.get(URL + "?" + urlencode(params, doseq=True))


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

    # Cold cache: the rule set is read once (four queries), then kept in this process.
    with django_assert_max_num_queries(15):
        _get(client, postcode="9203", phase="pregnancy", factor=["geldzorgen"])
    counts = []
    for factors in (
        ["geldzorgen"],
        ["geldzorgen", "roken", "stress", "huisvesting", "lvb", "alcohol"],
    ):
        with CaptureQueriesContext(connection) as context:
            _get(client, postcode="9203", phase="pregnancy", factor=factors)
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
    response = _get(client, **params)
    assert response.status_code == 200
    text = response.content.decode()
    assert message in text
    assert "<title>Fout:" in text
    assert "Controleer uw antwoorden" in text
    assert "Uitkomst:" not in text


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


def test_post_is_not_allowed(client, default_rules):
    assert client.post(URL, {"factor": "roken"}).status_code == 405


def test_the_page_in_english(client, local_offer_data):
    client.cookies["django_language"] = "en"
    text = _get(client, municipality="GM0090", phase="pregnancy", factor="roken").content.decode()
    assert "Outcome: potentially vulnerable" in text
