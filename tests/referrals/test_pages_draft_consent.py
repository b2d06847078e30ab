"""Changing a draft and recording a withdrawn consent in the pages (before: only in the API).

Changing a draft: the sender only, only while it is a draft, with the version it was read at
(a stale form changes nothing and says so); bad input is a translated error and no change.
Withdrawing consent: who (the user), when, how and why; the referral follows the service's
rule (an open referral without other valid consent is cancelled). Both: another organisation
gets 404, the second factor is enforced, every read and write is in the access log.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kansrijk.audit.models import AccessEvent, Action
from kansrijk.referrals.models import Consent, ReasonCode, Referral
from kansrijk.referrals.workflow import Status
from tests.referrals.factories import (
    CLIENT_FAMILY,
    CLIENT_GIVEN,
    ReferralWorld,
    add_consent,
    make_referral,
)

pytestmark = pytest.mark.django_db


def _as(client: Any, login_verified: Any, user: Any) -> Any:
    client.logout()
    return login_verified(client, user)


def _edit_data(referral: Referral, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": str(referral.version),
        "client_given_name": CLIENT_GIVEN,
        "client_family_name": CLIENT_FAMILY,
        "client_birth_date": "1996-03-14",
        "client_municipality": "GM0090",
        "client_postal_code": "9203 AB",
        "client_language": "nl",
        "client_phone": "06 12345678",
        "contact_preference": "contact_client",
        "phase": "pregnancy",
        "due_date": (timezone.localdate() + datetime.timedelta(days=100)).isoformat(),
        "urgency": "urgent",
        "handover_note": "Gewijzigd: tweede gesprek gehad.",
        "gestational_age_weeks": "24",
        "parity": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- Changing a draft -------------------------------------------------------------------------


def test_edit_form_is_prefilled_and_its_opening_is_logged(client, login_verified, world):
    referral = make_referral(world)
    _as(client, login_verified, world.midwife)
    response = client.get(reverse("referrals:edit", args=[referral.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["client_given_name"] == CLIENT_GIVEN
    assert form.initial["version"] == referral.version
    body = response.content.decode()
    assert f"Verwijzing {referral.reference} wijzigen" in body
    assert ">Wijzigingen opslaan</button>" in body
    assert f'href="{reverse("referrals:detail", args=[referral.pk])}">Annuleren</a>' in body
    event = AccessEvent.objects.filter(object_id=str(referral.pk)).latest("id")
    assert (event.event_type, event.action, event.user) == (
        "referral.view",
        Action.READ,
        world.midwife,
    )
    assert event.client_ref == referral.client_ref
    assert event.role == "professional"
    assert event.purpose == "referral.care"
    # The draft page links to it.
    detail = client.get(reverse("referrals:detail", args=[referral.pk]))
    assert reverse("referrals:edit", args=[referral.pk]) in detail.content.decode()


def test_edit_saves_the_changes_with_a_new_version_and_logs_the_update(
    client, login_verified, world
):
    referral = make_referral(world)
    version = referral.version
    _as(client, login_verified, world.midwife)
    response = client.post(reverse("referrals:edit", args=[referral.pk]), _edit_data(referral))
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])
    referral.refresh_from_db()
    assert referral.version == version + 1
    assert referral.urgency == "urgent"
    assert referral.handover_note == "Gewijzigd: tweede gesprek gehad."
    assert referral.gestational_age_weeks == 24
    assert referral.parity == 1
    assert referral.status == Status.DRAFT
    assert referral.service_id == world.service.pk
    event = AccessEvent.objects.filter(object_id=str(referral.pk)).latest("id")
    assert (event.event_type, event.action, event.user) == (
        "referral.update",
        Action.UPDATE,
        world.midwife,
    )
    assert event.client_ref == referral.client_ref
    page = client.get(response["Location"])
    assert "De wijzigingen in het concept zijn opgeslagen." in page.content.decode()


def test_edit_cannot_move_the_draft_to_another_service(client, login_verified, world):
    referral = make_referral(world)
    _as(client, login_verified, world.midwife)
    data = _edit_data(referral, service=str(uuid.uuid4()), kind="general")
    response = client.post(reverse("referrals:edit", args=[referral.pk]), data)
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.service_id == world.service.pk
    assert referral.kind == "prenatal_home_visit"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"client_given_name": ""}, "client_given_name", "Vul haar voornaam in."),
        ({"client_birth_date": "gisteren"}, "client_birth_date", "Vul een datum in"),
        ({"due_date": ""}, "due_date", "Vul de uitgerekende datum in."),
        ({"client_phone": "", "contact_preference": "contact_client"}, "client_phone", "Vul in"),
        ({"client_postal_code": "12"}, "client_postal_code", "postcode"),
        ({"gestational_age_weeks": "60"}, "gestational_age_weeks", "0 tot en met 45"),
        ({"client_municipality": "GM9999"}, "client_municipality", ""),
        ({"version": ""}, "version", ""),
    ],
)
def test_edit_with_bad_input_changes_nothing(
    client, login_verified, world, overrides, field, message
):
    referral = make_referral(world)
    before = Referral.objects.values().get(pk=referral.pk)
    _as(client, login_verified, world.midwife)
    response = client.post(
        reverse("referrals:edit", args=[referral.pk]), _edit_data(referral, **overrides)
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors.get(field), form.errors
    if message:
        assert message in " ".join(form.errors[field]), form.errors[field]
    assert "Er is nog niets opgeslagen" in response.content.decode()
    assert Referral.objects.values().get(pk=referral.pk) == before
    assert not AccessEvent.objects.filter(event_type="referral.update").exists()


def test_a_stale_edit_form_loses_no_one_elses_change(client, login_verified, world):
    referral = make_referral(world)
    stale = _edit_data(referral, handover_note="Mijn versie.")
    # A colleague changes the draft in the meantime (through the API or another tab).
    _as(client, login_verified, world.colleague)
    first = client.post(
        reverse("referrals:edit", args=[referral.pk]),
        _edit_data(referral, handover_note="De versie van de collega."),
    )
    assert first.status_code == 302
    _as(client, login_verified, world.midwife)
    response = client.post(reverse("referrals:edit", args=[referral.pk]), stale)
    assert response.status_code == 409
    body = response.content.decode()
    assert "in de tussentijd" in body
    assert "Open de huidige versie van het concept" in body
    referral.refresh_from_db()
    assert referral.handover_note == "De versie van de collega."
    assert AccessEvent.objects.filter(event_type="referral.update").count() == 1


def test_a_sent_referral_cannot_be_edited(client, login_verified, world):
    referral = make_referral(world, status=Status.REQUESTED)
    version = referral.version
    _as(client, login_verified, world.midwife)
    response = client.get(reverse("referrals:edit", args=[referral.pk]))
    assert response.status_code == 409
    assert "Alleen een conceptverwijzing kan worden gewijzigd." in response.content.decode()
    response = client.post(reverse("referrals:edit", args=[referral.pk]), _edit_data(referral))
    assert response.status_code == 409
    referral.refresh_from_db()
    assert referral.version == version
    # The receiver has no edit page at all.
    _as(client, login_verified, world.intake)
    assert client.get(reverse("referrals:edit", args=[referral.pk])).status_code == 404


# --- Withdrawing consent ----------------------------------------------------------------------


def _withdraw_url(referral: Referral, consent: Consent) -> str:
    return reverse("referrals:withdraw_consent", args=[referral.pk, consent.pk])


def test_withdrawal_page_shows_the_consent_and_what_will_happen(client, login_verified, world):
    referral = make_referral(world, status=Status.ACCEPTED)
    consent = referral.consents.get()
    _as(client, login_verified, world.midwife)
    detail = client.get(reverse("referrals:detail", args=[referral.pk]))
    assert _withdraw_url(referral, consent) in detail.content.decode()
    response = client.get(_withdraw_url(referral, consent))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Intrekking van toestemming vastleggen" in body
    assert "wordt zij geannuleerd" in body
    event = AccessEvent.objects.latest("id")
    assert (event.event_type, event.action, event.object_id, event.consent_ref) == (
        "referral.consent.view",
        Action.READ,
        str(consent.pk),
        str(consent.pk),
    )


def test_withdrawing_consent_of_an_open_referral_cancels_it(client, login_verified, world):
    referral = make_referral(world, status=Status.ACCEPTED)
    consent = referral.consents.get()
    Consent.objects.filter(pk=consent.pk).update(
        given_at=timezone.now() - datetime.timedelta(days=3)
    )
    _as(client, login_verified, world.midwife)
    when = timezone.localtime() - datetime.timedelta(hours=2)
    response = client.post(
        _withdraw_url(referral, consent),
        {
            "method": "written",
            "withdrawn_at": when.strftime("%Y-%m-%dT%H:%M"),
            "reason": "Wil nu geen hulp.",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])
    consent.refresh_from_db()
    assert consent.withdrawn_by == world.midwife
    assert consent.withdrawal_method == "written"
    assert consent.withdrawal_reason == "Wil nu geen hulp."
    assert consent.withdrawn_at == when.replace(second=0, microsecond=0)
    referral.refresh_from_db()
    assert referral.status == Status.CANCELLED
    assert referral.status_reason_code == ReasonCode.CONSENT_WITHDRAWN
    events = AccessEvent.objects.filter(user=world.midwife).order_by("-id")
    assert {e.event_type for e in events[:2]} == {
        "referral.consent.withdraw",
        "referral.status.cancelled",
    }
    withdraw = events.get(event_type="referral.consent.withdraw")
    assert (withdraw.action, withdraw.object_id, withdraw.client_ref) == (
        Action.UPDATE,
        str(consent.pk),
        referral.client_ref,
    )
    page = client.get(response["Location"]).content.decode()
    assert "de verwijzing geannuleerd" in page
    assert "Wil nu geen hulp." in page
    # Withdrawn is withdrawn: the page does not offer it again.
    again = client.get(_withdraw_url(referral, consent))
    assert again.status_code == 302


def test_withdrawing_one_of_two_consents_leaves_the_draft_as_it_is(client, login_verified, world):
    referral = make_referral(world)
    first = referral.consents.get()
    add_consent(world, referral)
    _as(client, login_verified, world.midwife)
    response = client.post(_withdraw_url(referral, first), {"method": "verbal"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.withdrawn_at is not None
    referral.refresh_from_db()
    assert referral.status == Status.DRAFT
    assert referral.valid_consent() is not None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "method"),
        ({"method": "telepathy"}, "method"),
        ({"method": "verbal", "withdrawn_at": "2099-01-01T10:00"}, "withdrawn_at"),
        ({"method": "verbal", "withdrawn_at": "2001-01-01T10:00"}, "withdrawn_at"),
        ({"method": "verbal", "withdrawn_at": "gisteren"}, "withdrawn_at"),
        ({"method": "verbal", "reason": "x" * 501}, "reason"),
    ],
)
def test_withdrawal_with_bad_input_changes_nothing(client, login_verified, world, data, field):
    referral = make_referral(world, status=Status.RECEIVED)
    consent = referral.consents.get()
    _as(client, login_verified, world.midwife)
    response = client.post(_withdraw_url(referral, consent), data)
    assert response.status_code == 400
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert "Er is nog niets opgeslagen" in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED
    assert not AccessEvent.objects.filter(event_type="referral.consent.withdraw").exists()


def test_the_receiver_cannot_withdraw_consent(client, login_verified, world):
    referral = make_referral(world, status=Status.RECEIVED)
    consent = referral.consents.get()
    _as(client, login_verified, world.intake)
    response = client.post(_withdraw_url(referral, consent), {"method": "verbal"})
    assert response.status_code == 403
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_a_consent_of_another_referral_is_404(client, login_verified, world):
    referral = make_referral(world, status=Status.RECEIVED)
    other = make_referral(world, status=Status.RECEIVED, client_given_name="Anna")
    _as(client, login_verified, world.midwife)
    url = reverse("referrals:withdraw_consent", args=[referral.pk, other.consents.get().pk])
    assert client.post(url, {"method": "verbal"}).status_code == 404
    assert not Consent.objects.filter(withdrawn_at__isnull=False).exists()


# --- For both: other organisations, the second factor, query counts ---------------------------


@pytest.mark.parametrize("status", [Status.DRAFT, Status.REQUESTED])
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_organisation_gets_404(client, login_verified, world, status, method):
    referral = make_referral(world, status=status)
    consent = referral.consents.get()
    version = referral.version
    _as(client, login_verified, world.outsider)
    for url, data in (
        (reverse("referrals:edit", args=[referral.pk]), _edit_data(referral)),
        (_withdraw_url(referral, consent), {"method": "verbal"}),
        (reverse("referrals:edit", args=[uuid.uuid4()]), _edit_data(referral)),
        (
            reverse("referrals:withdraw_consent", args=[referral.pk, uuid.uuid4()]),
            {"method": "verbal"},
        ),
    ):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, url
    referral.refresh_from_db()
    assert referral.version == version
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    # Every attempt is logged as refused (denied: it exists; failure: unknown id), none as done.
    events = AccessEvent.objects.filter(user=world.outsider)
    assert events.count() == 4
    assert {e.outcome for e in events} == {"denied", "failure"}
    assert {e.object_id for e in events if e.outcome == "denied"} == {
        str(referral.pk),
        str(consent.pk),
    }


def test_both_pages_need_the_second_factor(world: ReferralWorld) -> None:
    referral = make_referral(world)
    consent = referral.consents.get()
    version = referral.version
    last_event = AccessEvent.objects.latest("id").pk
    client = Client()
    client.force_login(world.midwife)  # no verified device
    for url, data in (
        (reverse("referrals:edit", args=[referral.pk]), _edit_data(referral)),
        (_withdraw_url(referral, consent), {"method": "verbal"}),
    ):
        for response in (client.get(url), client.post(url, data)):
            assert response.status_code == 302, url
            assert "/tweede-factor/" in response["Location"]
    referral.refresh_from_db()
    assert referral.version == version
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    assert not AccessEvent.objects.filter(pk__gt=last_event).exists()


def test_edit_and_withdraw_pages_query_counts_are_capped(
    client, login_verified, world, django_assert_max_num_queries
):
    referral = make_referral(world)
    consent = referral.consents.get()
    _as(client, login_verified, world.midwife)
    client.get(reverse("referrals:edit", args=[referral.pk]))
    with django_assert_max_num_queries(18):
        assert client.get(reverse("referrals:edit", args=[referral.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(_withdraw_url(referral, consent)).status_code == 200
