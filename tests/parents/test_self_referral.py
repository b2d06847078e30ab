"""Asking the JGZ for a prenatal home visit herself: the public form, the referral of its own
kind it makes, the same workflow, access log and retention, and the abuse protection."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone

from kansrijk.audit.models import AccessEvent, Outcome
from kansrijk.directory.models import ReferralMethod, ReferralMethodKind
from kansrijk.parents import forms as parent_forms
from kansrijk.referrals import services
from kansrijk.referrals.fhir import service_request_resource, task_resource
from kansrijk.referrals.models import Consent, ConsentMethod, Kind, OutboxMessage, Referral, Source
from kansrijk.referrals.retention import purge_expired
from kansrijk.referrals.workflow import Side, Status
from tests.referrals.factories import ReferralWorld, build_world

pytestmark = pytest.mark.django_db

URL = "/ouders/nl/huisbezoek-aanvragen/"


@pytest.fixture
def world(places: None) -> ReferralWorld:
    world = build_world()
    ReferralMethod.objects.create(
        service=world.service, method=ReferralMethodKind.SELF_REFERRAL, instructions="Via Kansrijk"
    )
    return world


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    cache.clear()


def _form(client: Client, url: str = URL) -> dict[str, str]:
    """The hidden start stamp of a freshly opened form, made a minute ago (a person fills in)."""
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=1), tick=False):
        stamp = parent_forms.form_stamp()
    return {"started": stamp}


def _data(**overrides: Any) -> dict[str, Any]:
    due = timezone.localdate() + datetime.timedelta(days=150)
    data = {
        "given_name": "Samira",
        "family_name": "El Amrani",
        "phone": "06 23456789",
        "email": "",
        "postcode": "9203 KK",
        "due_date": due.isoformat(),
        "language": "ar",
        "interpreter_needed": "on",
        "topics": ["money", "feeling"],
        "note": "Ik ben vaak moe en alleen thuis.",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def _post(client: Client, url: str = URL, *, ip: str = "192.0.2.10", **overrides: Any) -> Any:
    data = {**_form(client, url), **_data(**overrides)}
    return client.post(url, data, REMOTE_ADDR=ip)


def test_form_page_sets_only_the_csrf_cookie(client: Client, world: ReferralWorld) -> None:
    response = client.get("/ouders/ar/huisbezoek-aanvragen/")
    assert response.status_code == 200
    assert set(response.cookies) == {"csrftoken"}
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert 'name="website"' in html  # the honeypot
    # Each language in its own name, marked with its language and direction.
    assert '<option value="ar" selected lang="ar" dir="rtl">العربية</option>' in html
    assert '<option value="ti" lang="ti" dir="ltr">ትግርኛ</option>' in html


def test_every_label_says_once_what_is_not_required(client: Client, world: ReferralWorld) -> None:
    html = client.get(URL).content.decode()
    labels = re.findall(r"<label[^>]*>(.*?)</label>", html, flags=re.S)
    legends = re.findall(r"<legend>(.*?)</legend>", html, flags=re.S)
    assert any("iets vertellen" in label for label in labels)
    for text in labels + legends:
        assert text.count("niet verplicht") <= 1, text


def test_a_self_referral_arrives_in_the_inbox_of_the_jgz(
    client: Client, world: ReferralWorld
) -> None:
    response = _post(client)
    assert response.status_code == 200
    html = response.content.decode()
    referral = Referral.objects.get()
    # Nothing she sent is shown back; the JGZ, the reference and what happens next are.
    for sent in ("Samira", "El Amrani", "23456789", "9203", "moe"):
        assert sent not in html
    assert referral.reference in html
    assert "binnen 5 werkdagen" in html
    assert "no-store" in response["Cache-Control"]
    # A referral of its own kind, sent, to the JGZ of her municipality, without a sender.
    assert referral.kind == Kind.SELF_REFERRAL
    assert referral.source == Source.PARENT
    assert referral.status == Status.REQUESTED
    assert referral.service == world.service
    assert referral.receiver_organisation == world.receiver_org
    assert referral.sender_organisation is None
    assert referral.sender_user is None
    assert referral.client_birth_date is None
    assert referral.client_municipality_id == "GM0090"
    assert referral.client_language == "ar"
    assert referral.interpreter_needed
    assert referral.due_date is not None
    assert "Geld, Me somber of gestrest voelen" not in referral.handover_note
    assert referral.handover_note.startswith("Ze wil graag praten over: Geld, ")
    assert referral.handover_note.endswith("Ik ben vaak moe en alleen thuis.")
    assert referral.response_due_on is not None
    # Her consent, given online by herself, covers exactly what the referral holds.
    consent = Consent.objects.get(referral=referral)
    assert consent.method == ConsentMethod.ONLINE
    assert consent.recorded_by is None
    assert set(consent.data_categories) == referral.data_categories()
    assert referral.valid_consent() == consent
    # The status history names her; the access log has the handover, without a user.
    event = referral.status_events.get()
    assert (event.from_status, event.to_status, event.side) == ("", Status.REQUESTED, Side.CLIENT)
    log = AccessEvent.objects.get(event_type="referral.self_referral")
    assert log.user is None
    assert log.role == "client"
    assert log.client_ref == referral.client_ref
    assert log.consent_ref == str(consent.pk)
    assert log.organisation_id == world.receiver_org.pk
    # The JGZ is told, without client data.
    message = OutboxMessage.objects.get(referral=referral)
    assert message.recipient == world.intake.email
    assert "Samira" not in message.body
    # The intake handler sees it in the inbox and accepts it: the ordinary workflow.
    from kansrijk.referrals import selectors

    page = selectors.inbox(world.intake)
    assert [row.referral.pk for row in page.rows] == [referral.pk]
    assert Referral.objects.for_user(world.midwife).count() == 0
    assert Referral.objects.for_user(world.outsider).count() == 0
    accepted = services.accept_referral(referral=referral, user=world.intake)
    assert accepted.status == Status.ACCEPTED
    # Nobody to tell on the sending side; no e-mail to her.
    assert OutboxMessage.objects.filter(referral=referral).count() == 1
    # She has no sending side: no transition is hers.
    assert referral.sides_for(world.midwife) == frozenset()


def test_the_inbox_and_detail_pages_show_a_self_referral(
    client: Client, world: ReferralWorld, login_verified: Any
) -> None:
    _post(client)
    referral = Referral.objects.get()
    staff = login_verified(Client(), world.intake)
    inbox = staff.get("/verwijzingen/inbox/").content.decode()
    assert referral.reference in inbox
    assert "Zelf aangemeld (de cliënt zelf)" in inbox
    detail = staff.get(f"/verwijzingen/{referral.pk}/").content.decode()
    assert "De cliënt zelf, via de ouderpagina" in detail
    assert "Samira" in detail


def test_fhir_names_the_client_as_requester(client: Client, world: ReferralWorld) -> None:
    _post(client)
    referral = Referral.objects.get()
    task = task_resource(referral)
    assert task["requester"]["type"] == "Patient"
    assert task["owner"]["display"] == world.receiver_org.name
    request = service_request_resource(referral)
    assert request["requester"]["reference"] == "#client"
    assert request["category"][0]["coding"][0]["code"] == "self_referral"
    assert "birthDate" not in request["contained"][0]


def test_retention_purges_a_closed_self_referral(client: Client, world: ReferralWorld) -> None:
    _post(client)
    referral = Referral.objects.get()
    services.reject_referral(referral=referral, user=world.intake, reason="Dubbel aangemeld")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=400)):
        result = purge_expired()
    assert result.referrals == 1
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"given_name": ""}, "given_name", "Vul je voornaam in."),
        ({"phone": "", "email": ""}, "phone", "Vul een telefoonnummer of een e-mailadres in"),
        ({"phone": "bel me"}, "phone", "Vul een telefoonnummer in van cijfers"),
        ({"email": "geen-adres"}, "email", "Vul een e-mailadres in"),
        ({"postcode": "abcd"}, "postcode", "Vul je postcode in"),
        ({"postcode": "0000"}, "postcode", "Vul je postcode in"),
        ({"postcode": "1011 AB"}, "postcode", "De JGZ van jouw gemeente neemt nog geen aanvragen"),
        ({"due_date": "2001-01-01"}, "due_date", "binnen de komende tien maanden"),
        ({"due_date": "morgen"}, "due_date", "Vul een datum in"),
        ({"language": "xx"}, "language", "Kies een taal uit de lijst."),
        ({"topics": ["hacking"]}, "topics", "Kies uit de lijst."),
        ({"note": "x" * 1001}, "note", "Je bericht is te lang"),
        ({"consent": ""}, "consent", "Zet een vinkje als je het goed vindt"),
    ],
)
def test_bad_input_changes_nothing_and_says_what_is_wrong(
    client: Client, world: ReferralWorld, overrides: dict[str, Any], field: str, message: str
) -> None:
    response = _post(client, **overrides)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}-error"' in html or field == "topics"
    assert 'role="alert"' in html
    assert not Referral.objects.exists()
    assert not Consent.objects.exists()
    # Her input is kept in the form (not lost), except for what she must fix.
    if field != "given_name":
        assert 'value="Samira"' in html


def test_bad_input_in_arabic_is_answered_in_arabic(client: Client, world: ReferralWorld) -> None:
    response = _post(client, "/ouders/ar/huisbezoek-aanvragen/", given_name="", consent="")
    html = response.content.decode()
    assert response.status_code == 400
    assert "اكتبي اسمك الأول." in html
    assert "ضعي علامة في المربع" in html


def test_honeypot_answers_as_sent_and_creates_nothing(client: Client, world: ReferralWorld) -> None:
    response = _post(client, website="https://spam.example")
    assert response.status_code == 200
    assert "Je aanvraag is verstuurd" in response.content.decode()
    assert not Referral.objects.exists()
    refused = AccessEvent.objects.get(event_type="referral.self_referral.refused.automated")
    assert refused.outcome == Outcome.DENIED
    assert refused.client_ref == ""


def test_a_form_sent_back_at_once_is_a_robot(client: Client, world: ReferralWorld) -> None:
    data = {**_data(), "started": parent_forms.form_stamp()}
    response = client.post(URL, data, REMOTE_ADDR="192.0.2.11")
    assert response.status_code == 200
    assert not Referral.objects.exists()
    forged = {**_data(), "started": "1700000000:forged"}
    client.post(URL, forged, REMOTE_ADDR="192.0.2.11")
    assert not Referral.objects.exists()


def test_an_old_form_is_asked_again_without_losing_input(
    client: Client, world: ReferralWorld
) -> None:
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=7), tick=False):
        stamp = parent_forms.form_stamp()
    response = client.post(URL, {**_data(), "started": stamp}, REMOTE_ADDR="192.0.2.12")
    assert response.status_code == 400
    html = response.content.decode()
    assert "te lang open" in html
    assert 'value="Samira"' in html
    assert not Referral.objects.exists()


def test_size_limit(client: Client, world: ReferralWorld) -> None:
    response = _post(client, note="x" * 30_000)
    assert response.status_code == 413
    assert not Referral.objects.exists()
    assert AccessEvent.objects.filter(event_type="referral.self_referral.refused.size").exists()


@override_settings(
    SELF_REFERRAL_POST_RATES={"address": "5/h", "network": "8/h"},
    SELF_REFERRAL_SENT_RATES={"address": "2/d", "network": "3/d"},
)
def test_rate_limits_per_address_and_network(client: Client, world: ReferralWorld) -> None:
    # Two requests from one address are sent; the third is refused (sent per address).
    for _ in range(2):
        assert _post(client, ip="198.51.100.7").status_code == 200
    response = _post(client, ip="198.51.100.7")
    assert response.status_code == 429
    assert "Probeer het later opnieuw" in response.content.decode()
    assert Referral.objects.count() == 2
    # A neighbour in the same /24 sends one more; then the network is full.
    assert _post(client, ip="198.51.100.8").status_code == 200
    assert _post(client, ip="198.51.100.9").status_code == 429
    assert Referral.objects.count() == 3
    # Another network is not affected.
    assert _post(client, ip="203.0.113.5").status_code == 200
    # Posts with bad input count too (address: 5 an hour).
    for _ in range(5):
        _post(client, ip="192.0.2.99", given_name="")
    assert _post(client, ip="192.0.2.99").status_code == 429
    # Each limit is logged once, when it is first passed; no address is kept in the cache key.
    refusals = AccessEvent.objects.filter(
        event_type__startswith="referral.self_referral.refused.rate"
    )
    assert refusals.count() == 3
    assert all(event.outcome == Outcome.DENIED for event in refusals)


def test_ipv6_networks(client: Client, world: ReferralWorld) -> None:
    from django.test import RequestFactory

    from kansrijk.parents.protection import network_key

    request = RequestFactory().get("/", REMOTE_ADDR="2001:db8:1234:5678::1")
    assert network_key("g", request) == "2001:db8:1234::/48"
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.77")
    assert network_key("g", request) == "192.0.2.0/24"


def test_csrf_failure_is_explained_in_the_page_language(world: ReferralWorld) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/ouders/tr/huisbezoek-aanvragen/", {**_data(), **_form(strict)})
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="tr" dir="ltr">' in html
    assert "Formun gönderilemedi" in html
    assert not Referral.objects.exists()


def test_nested_and_odd_bodies_do_not_break_the_form(client: Client, world: ReferralWorld) -> None:
    response = client.post(
        URL, "{" * 1000, content_type="application/json", REMOTE_ADDR="192.0.2.50"
    )
    # Not a form a person sent (no start stamp): answered as sent, nothing made.
    assert response.status_code == 200
    assert not Referral.objects.exists()
    response = client.post(URL, {"given_name": ["a"] * 50}, REMOTE_ADDR="192.0.2.51")
    assert response.status_code == 200
    assert not Referral.objects.exists()


def test_professionals_cannot_record_online_consent(world: ReferralWorld) -> None:
    from kansrijk.referrals.exceptions import InvalidReferral
    from tests.referrals.factories import referral_input

    referral = services.create_referral(user=world.midwife, data=referral_input(world.service))
    with pytest.raises(InvalidReferral):
        services.record_consent(
            referral=referral,
            user=world.midwife,
            data_categories=["identity_contact", "pregnancy"],
            method=ConsentMethod.ONLINE,
        )


def test_the_model_refuses_a_self_referral_with_a_sender(
    client: Client, world: ReferralWorld
) -> None:
    from django.db import IntegrityError, transaction

    _post(client)
    referral = Referral.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(sender_organisation=world.sender_org)


def test_professionals_cannot_make_a_self_referral(world: ReferralWorld) -> None:
    from kansrijk.referrals.exceptions import InvalidReferral
    from tests.referrals.factories import referral_input

    for overrides in ({"kind": Kind.SELF_REFERRAL}, {"source": Source.PARENT}):
        with pytest.raises(InvalidReferral) as caught:
            services.create_referral(
                user=world.midwife, data=referral_input(world.service, **overrides)
            )
        assert set(caught.value.errors) == set(overrides)
    assert not Referral.objects.exists()
