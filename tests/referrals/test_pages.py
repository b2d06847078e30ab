"""The referral pages: start a referral, consent before sending, the inbox with age and overdue,
accept / decline / contact / outcome with the version, the sender's timeline, print and access
report; 404 for another organisation on every page; every read, list and write logged."""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from kansrijk.audit.models import AccessEvent, Action
from kansrijk.referrals import services
from kansrijk.referrals.models import Consent, ContactAttempt, Referral
from kansrijk.referrals.workflow import Status
from tests.referrals.factories import (
    CLIENT_FAMILY,
    CLIENT_GIVEN,
    ReferralWorld,
    make_referral,
    situation,
)

pytestmark = pytest.mark.django_db


def _as(client: Any, login_verified: Any, user: Any) -> Any:
    client.logout()
    return login_verified(client, user)


def _events(**filters: Any) -> list[AccessEvent]:
    return list(AccessEvent.objects.filter(**filters).order_by("id"))


def _form_data(world: ReferralWorld, **overrides: Any) -> dict[str, Any]:
    due = timezone.localdate() + datetime.timedelta(days=120)
    data: dict[str, Any] = {
        "service": str(world.service.pk),
        "kind": "prenatal_home_visit",
        "source": "service",
        "client_given_name": CLIENT_GIVEN,
        "client_family_name": CLIENT_FAMILY,
        "client_birth_date": "1996-03-14",
        "client_municipality": "GM0090",
        "client_postal_code": "9203 AB",
        "client_language": "nl",
        "client_phone": "06 12345678",
        "contact_preference": "contact_client",
        "phase": "pregnancy",
        "due_date": due.isoformat(),
        "urgency": "routine",
        "handover_note": "Eerste zwangerschap.",
        "gestational_age_weeks": "20",
        "parity": "0",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- Starting a referral ----------------------------------------------------------------------


def test_new_referral_form_is_prefilled_from_the_query_without_personal_data(
    client, login_verified, world
):
    situation("geldzorgen")
    _as(client, login_verified, world.midwife)
    url = reverse("referrals:new")
    response = client.get(
        url,
        {
            "service": str(world.service.pk),
            "situation": "geldzorgen,unknown-code",
            "phase": "pregnancy",
            "pathway": "12",
            "step": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["situations"] == ["geldzorgen"]
    assert form.initial["source"] == "pathway"
    assert form.initial["pathway_ref"] == "12"
    body = response.content.decode()
    assert world.service.name in body
    assert ">Opslaan als concept</button>" in body
    assert f'href="{reverse("directory:service", args=[world.service.pk])}">Annuleren</a>' in body


def test_creating_a_draft_logs_it_and_shows_the_consent_step(client, login_verified, world):
    _as(client, login_verified, world.midwife)
    response = client.post(reverse("referrals:new"), _form_data(world))
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])
    assert referral.status == Status.DRAFT
    assert referral.kind == "prenatal_home_visit"
    assert referral.gestational_age_weeks == 20
    assert _events(event_type="referral.create", object_id=str(referral.pk))
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Toestemming vastleggen" in page.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"client_given_name": ""}, "client_given_name", "Vul haar voornaam in."),
        ({"client_birth_date": "gisteren"}, "client_birth_date", "Vul een datum in"),
        ({"due_date": ""}, "due_date", "Vul de uitgerekende datum in."),
        ({"client_phone": "", "contact_preference": "contact_client"}, "client_phone", "Vul in"),
        ({"client_postal_code": "12"}, "client_postal_code", "postcode"),
        ({"gestational_age_weeks": "zestig"}, "gestational_age_weeks", "Vul een heel aantal"),
        ({"client_municipality": "GM9999"}, "client_municipality", ""),
    ],
)
def test_new_referral_with_bad_input_changes_nothing(
    client, login_verified, world, overrides, field, message
):
    _as(client, login_verified, world.midwife)
    response = client.post(reverse("referrals:new"), _form_data(world, **overrides))
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors.get(field), form.errors
    if message:
        assert message in " ".join(form.errors[field])
    assert "Er is nog niets opgeslagen" in response.content.decode()
    assert not Referral.objects.exists()


def test_new_referral_for_an_unknown_service_asks_to_choose_one(client, login_verified, world):
    _as(client, login_verified, world.midwife)
    response = client.get(reverse("referrals:new"), {"service": str(uuid.uuid4())})
    assert response.status_code == 400
    response = client.get(reverse("referrals:new"), {"service": "not-a-uuid"})
    assert response.status_code == 400


def test_only_professionals_refer(client, login_verified, world):
    _as(client, login_verified, world.intake)
    response = client.get(reverse("referrals:new"), {"service": str(world.service.pk)})
    assert response.status_code == 403
    response = client.post(reverse("referrals:new"), _form_data(world))
    assert response.status_code == 403
    assert not Referral.objects.exists()


def test_prenatal_start_finds_the_jgz_of_her_municipality(client, login_verified, world):
    _as(client, login_verified, world.midwife)
    response = client.get(reverse("referrals:new_prenatal"), {"municipality": "GM0090"})
    assert response.status_code == 302
    assert f"service={world.service.pk}" in response["Location"]
    assert "kind=prenatal_home_visit" in response["Location"]
    form = client.get(response["Location"])
    assert form.status_code == 200
    assert form.context["is_phb"]
    nothing = client.get(reverse("referrals:new_prenatal"), {"municipality": "GM0599"})
    assert nothing.status_code == 200
    assert nothing.context["found"] == []
    bad = client.get(reverse("referrals:new_prenatal"), {"municipality": "nope"})
    assert bad.status_code == 400


# --- Consent before sending -------------------------------------------------------------------


def test_send_without_consent_is_refused_with_a_clear_message(client, login_verified, world):
    referral = make_referral(world, consent=False)
    _as(client, login_verified, world.midwife)
    response = client.post(
        reverse("referrals:transition", args=[referral.pk]),
        {"to": "requested", "version": referral.version},
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "toestemming" in body.lower()
    assert "Naam, geboortedatum en contactgegevens" in body
    referral.refresh_from_db()
    assert referral.status == Status.DRAFT
    assert not referral.status_events.filter(to_status=Status.REQUESTED).exists()


def test_record_consent_then_send(client, login_verified, world):
    referral = make_referral(world, consent=False)
    _as(client, login_verified, world.midwife)
    response = client.post(
        reverse("referrals:consent", args=[referral.pk]),
        {
            "given_by": "client",
            "method": "verbal",
            "data_categories": ["identity_contact", "pregnancy", "situations", "handover_note"],
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get(referral=referral)
    assert consent.organisation_id == world.receiver_org.pk
    assert consent.recorded_by == world.midwife
    assert _events(event_type="referral.consent.record", object_id=str(consent.pk))
    referral.refresh_from_db()
    response = client.post(
        reverse("referrals:transition", args=[referral.pk]),
        {"to": "requested", "version": referral.version},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.REQUESTED
    assert _events(event_type="referral.status.requested", action=Action.HANDOVER)


@pytest.mark.parametrize(
    "data",
    [
        {"given_by": "client", "data_categories": ["identity_contact"]},  # no method
        {"given_by": "client", "method": "verbal"},  # no categories
        {"given_by": "legal_representative", "method": "written", "data_categories": ["pregnancy"]},
        {"given_by": "client", "method": "verbal", "data_categories": ["bsn"]},
        {
            "given_by": "client",
            "method": "verbal",
            "data_categories": ["pregnancy"],
            "given_at": "2099-01-01T10:00",
        },
    ],
)
def test_consent_with_bad_input_changes_nothing(client, login_verified, world, data):
    referral = make_referral(world, consent=False)
    _as(client, login_verified, world.midwife)
    response = client.post(reverse("referrals:consent", args=[referral.pk]), data)
    assert response.status_code == 400
    assert "Er is nog niets opgeslagen" in response.content.decode()
    assert not Consent.objects.exists()


# --- Inbox ------------------------------------------------------------------------------------


def test_inbox_shows_age_against_the_response_time_and_overdue(client, login_verified, world):
    # Sent on Monday 2 March 2026; five working days later is Monday 9 March.
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)):
        late = make_referral(world, status=Status.REQUESTED, due_date=datetime.date(2026, 7, 1))
    with time_machine.travel(datetime.datetime(2026, 3, 9, 10, 0, tzinfo=datetime.UTC)):
        fresh = make_referral(
            world,
            status=Status.REQUESTED,
            client_given_name="Anna",
            due_date=datetime.date(2026, 7, 1),
        )
    with time_machine.travel(datetime.datetime(2026, 3, 12, 12, 0, tzinfo=datetime.UTC)):
        _as(client, login_verified, world.intake)
        response = client.get(reverse("referrals:inbox"))
        assert response.status_code == 200
        rows = {row.referral.pk: row for row in response.context["page"].rows}
        assert rows[late.pk].overdue
        assert rows[late.pk].age_working_days == 8
        assert not rows[fresh.pk].overdue
        assert rows[fresh.pk].age_working_days == 3
        body = response.content.decode()
        assert "3 van 5 werkdagen" in body
        assert "8 van 5 werkdagen" in body
        assert "Te laat" in body
        assert CLIENT_GIVEN not in body
        assert CLIENT_FAMILY not in body
        overdue_only = client.get(reverse("referrals:inbox"), {"overdue": "1"})
        assert [r.referral.pk for r in overdue_only.context["page"].rows] == [late.pk]
    assert _events(event_type="referral.inbox", action=Action.SEARCH)


def test_inbox_with_a_bad_cursor_and_for_non_intake_users(client, login_verified, world):
    _as(client, login_verified, world.intake)
    assert client.get(reverse("referrals:inbox"), {"na": "rubbish"}).status_code == 400
    _as(client, login_verified, world.midwife)
    assert client.get(reverse("referrals:inbox")).status_code == 403


#: Queries of a page request outside the page's own: session, user, second-factor device, the
#: menu's roles and organisation, and the session save (SESSION_SAVE_EVERY_REQUEST; in a test
#: transaction a savepoint, the update and its release).
FRAMEWORK_QUERIES = 8


def test_inbox_query_count_is_capped(client, login_verified, world, django_assert_max_num_queries):
    # More than a page, with every status, urgency and kind of row: still one query for the
    # rows (no query per row), one for the user's organisations and one access-log insert.
    for i in range(27):
        make_referral(
            world,
            status=[Status.REQUESTED, Status.ACCEPTED, Status.IN_PROGRESS][i % 3],
            client_given_name=f"Cliënt{i}",
            urgency=["routine", "urgent"][i % 2],
        )
    _as(client, login_verified, world.intake)
    client.get(reverse("referrals:inbox"))
    with django_assert_max_num_queries(FRAMEWORK_QUERIES + 3):
        response = client.get(reverse("referrals:inbox"))
    page = response.context["page"]
    assert len(page.rows) == 25
    assert page.next_cursor
    body = response.content.decode()
    assert body.count('class="utrecht-table__row') == 26  # header + 25 rows
    assert "Volgende pagina" in body
    with django_assert_max_num_queries(FRAMEWORK_QUERIES + 3):
        rest = client.get(reverse("referrals:inbox"), {"na": page.next_cursor})
    assert len(rest.context["page"].rows) == 2
    seen = {r.referral.pk for r in page.rows} | {r.referral.pk for r in rest.context["page"].rows}
    assert len(seen) == 27


def test_sent_list_for_the_professional(client, login_verified, world):
    make_referral(world, status=Status.REQUESTED)
    make_referral(world, client_given_name="Bea")
    _as(client, login_verified, world.midwife)
    response = client.get(reverse("referrals:sent"))
    assert response.status_code == 200
    assert len(response.context["page"].rows) == 2
    assert CLIENT_GIVEN not in response.content.decode()
    assert _events(event_type="referral.sent", action=Action.SEARCH)
    filtered = client.get(reverse("referrals:sent"), {"status": "draft"})
    assert len(filtered.context["page"].rows) == 1
    assert client.get(reverse("referrals:sent"), {"na": "x"}).status_code == 400
    _as(client, login_verified, world.intake)
    assert client.get(reverse("referrals:sent")).status_code == 403


def test_list_dates_use_the_month_names_of_the_page_language(
    client, login_verified, world, time_machine
):
    time_machine.move_to("2026-03-05 10:00:00+01:00", tick=False)
    make_referral(world, status=Status.REQUESTED)
    _as(client, login_verified, world.midwife)
    dutch = client.get(reverse("referrals:sent")).content.decode()
    assert '<time datetime="2026-03-05T10:00:00+01:00">5 maart 2026</time>' in dutch
    assert "Mrt" not in dutch
    client.cookies["django_language"] = "en"
    english = client.get(reverse("referrals:sent")).content.decode()
    assert ">5 March 2026</time>" in english


def test_list_cells_carry_their_column_label_and_table_roles(client, login_verified, world):
    """On a phone each row is a card whose cells show their column's label (data-label, see
    kr-table--stack in app.css); the roles keep it a table for screen readers."""
    make_referral(world, status=Status.REQUESTED)
    _as(client, login_verified, world.intake)
    body = client.get(reverse("referrals:inbox")).content.decode()
    assert 'class="utrecht-table kr-table kr-ref-table kr-table--stack" role="table"' in body
    headers = re.findall(
        r'<th class="utrecht-table__header-cell" scope="col" role="columnheader">([^<]*)</th>', body
    )
    assert headers == ["Kenmerk", "Van", "Dienst", "Urgentie", "Status", "Verstuurd", "Wachttijd"]
    row = re.search(r'<tr class="utrecht-table__row[^"]*" role="row"><td.*?</tr>', body, re.S)
    assert row is not None
    labels = re.findall(
        r'<td class="utrecht-table__cell" role="cell" data-label="([^"]*)">', row.group(0)
    )
    assert labels == headers


# --- Working on a referral --------------------------------------------------------------------


def test_opening_as_receiver_acknowledges_receipt(client, login_verified, world):
    referral = make_referral(world, status=Status.REQUESTED)
    _as(client, login_verified, world.intake)
    response = client.get(reverse("referrals:detail", args=[referral.pk]))
    assert response.status_code == 200
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED
    assert _events(event_type="referral.view", object_id=str(referral.pk), role="intake_handler")
    assert CLIENT_GIVEN in response.content.decode()


def test_accept_contact_and_outcome_and_the_sender_sees_every_change(client, login_verified, world):
    referral = make_referral(world, status=Status.RECEIVED)
    _as(client, login_verified, world.intake)
    url = reverse("referrals:transition", args=[referral.pk])
    response = client.post(url, {"to": "accepted", "version": referral.version})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED
    response = client.post(
        reverse("referrals:contact_attempt", args=[referral.pk]),
        {"version": referral.version, "channel": "phone", "result": "reached", "note": "Afspraak."},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.IN_PROGRESS
    assert referral.first_contact_at is not None
    response = client.post(
        url,
        {"to": "completed", "version": referral.version, "outcome": "help_started"},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.COMPLETED

    _as(client, login_verified, world.midwife)
    page = client.get(reverse("referrals:detail", args=[referral.pk]))
    body = page.content.decode()
    for label in ("Verstuurd", "Ontvangen", "Geaccepteerd", "In behandeling", "Afgerond"):
        assert label in body, label
    assert "Eerste contact met het gezin" in body


def test_decline_needs_a_reason(client, login_verified, world):
    referral = make_referral(world, status=Status.RECEIVED)
    _as(client, login_verified, world.intake)
    url = reverse("referrals:transition", args=[referral.pk])
    response = client.post(url, {"to": "rejected", "version": referral.version, "reason": " "})
    assert response.status_code == 400
    assert "Geef een reden voor deze wijziging." in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED
    response = client.post(
        url,
        {
            "to": "rejected",
            "version": referral.version,
            "reason_code": "outside_area",
            "reason": "Woont in Opsterland.",
        },
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.REJECTED
    assert referral.status_reason_code == "outside_area"


def test_the_outcome_form_says_required_and_shows_page_messages_only(client, login_verified, world):
    """The outcome is required to close: the label says so (no "optional"), a missing outcome
    is named at the field and in the page's summary, and no API wording reaches the page."""
    referral = make_referral(world, status=Status.IN_PROGRESS)
    _as(client, login_verified, world.intake)
    page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    label = re.search(r'<label[^>]*for="t-completed-outcome"[^>]*>(.*?)</label>', page, re.S)
    assert label is not None
    assert "Uitkomst" in label.group(1)
    assert "niet verplicht" not in label.group(1)
    note = re.search(r'<label[^>]*for="t-completed-outcome_note"[^>]*>(.*?)</label>', page, re.S)
    assert note is not None
    assert "niet verplicht" in note.group(1)  # the note stays optional
    response = client.post(
        reverse("referrals:transition", args=[referral.pk]),
        {"to": "completed", "version": referral.version, "outcome": ""},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Er is nog niets opgeslagen" in text
    assert "Uitkomst: Leg de uitkomst vast." in text
    assert "'errors'" not in text
    assert "Zie" not in text
    referral.refresh_from_db()
    assert referral.status == Status.IN_PROGRESS


def test_a_service_error_on_a_status_change_is_shown_per_field(client, login_verified, world):
    """What the service refuses (here: an unknown outcome code) is shown at the field, with the
    page's own summary, not as the API's "see 'errors'" sentence."""
    referral = make_referral(world, status=Status.IN_PROGRESS)
    _as(client, login_verified, world.intake)
    response = client.post(
        reverse("referrals:transition", args=[referral.pk]),
        {"to": "completed", "version": referral.version, "outcome": "verzonnen"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Er is nog niets opgeslagen" in text
    assert "'errors'" not in text


@pytest.mark.parametrize(
    "data",
    [
        {"to": "accepted"},  # no version
        {"to": "nonsense", "version": "3"},
        {"to": "completed", "version": "3"},  # not allowed from received
        {"to": "requested", "version": "3"},  # sender only
    ],
)
def test_bad_status_changes_change_nothing(client, login_verified, world, data):
    referral = make_referral(world, status=Status.RECEIVED)
    version = referral.version
    data = {**data, "version": str(version) if "version" in data else ""}
    _as(client, login_verified, world.intake)
    response = client.post(reverse("referrals:transition", args=[referral.pk]), data)
    assert response.status_code in (400, 403, 409)
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED
    assert referral.version == version


def test_stale_version_says_changed_in_the_meantime(client, login_verified, world):
    referral = make_referral(world, status=Status.RECEIVED)
    stale = referral.version - 1
    _as(client, login_verified, world.intake)
    response = client.post(
        reverse("referrals:transition", args=[referral.pk]), {"to": "accepted", "version": stale}
    )
    assert response.status_code == 409
    assert "in de tussentijd" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED
    response = client.post(
        reverse("referrals:contact_attempt", args=[referral.pk]),
        {"version": stale, "channel": "phone", "result": "no_answer"},
    )
    assert response.status_code == 409
    assert not ContactAttempt.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"channel": "pigeon", "result": "reached"},
        {"channel": "phone"},
        {"channel": "phone", "result": "reached", "at": "2099-01-01T10:00"},
        {"channel": "phone", "result": "reached", "at": "morgen"},
    ],
)
def test_contact_attempt_with_bad_input_changes_nothing(client, login_verified, world, data):
    referral = make_referral(world, status=Status.ACCEPTED)
    _as(client, login_verified, world.intake)
    response = client.post(
        reverse("referrals:contact_attempt", args=[referral.pk]),
        {**data, "version": referral.version},
    )
    assert response.status_code == 400
    assert "Er is nog niets opgeslagen" in response.content.decode()
    assert not ContactAttempt.objects.exists()
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED


def test_detail_query_count_is_capped(client, login_verified, world, django_assert_max_num_queries):
    situation("geldzorgen")
    situation("huisvesting", "Huisvesting")
    referral = make_referral(world, status=Status.ON_HOLD, situations=("geldzorgen", "huisvesting"))
    for _ in range(3):
        services.record_contact_attempt(
            referral=referral, user=world.intake, channel="phone", result="no_answer"
        )
    _as(client, login_verified, world.intake)
    client.get(reverse("referrals:detail", args=[referral.pk]))
    # The referral with its service, organisations, referrer and municipality; its situations,
    # consents, status history and contact attempts; the user's organisations; one insert in
    # the access log. However long the history is.
    with django_assert_max_num_queries(FRAMEWORK_QUERIES + 7):
        response = client.get(reverse("referrals:detail", args=[referral.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Huisvesting" in body
    assert body.count("Geen gehoor") >= 3
    assert AccessEvent.objects.latest("id").event_type == "referral.view"


# --- Print and access report ------------------------------------------------------------------


def test_print_is_logged_as_print(client, login_verified, world):
    referral = make_referral(world, status=Status.REQUESTED)
    _as(client, login_verified, world.midwife)
    response = client.get(reverse("referrals:print", args=[referral.pk]))
    assert response.status_code == 200
    assert CLIENT_FAMILY in response.content.decode()
    assert _events(event_type="referral.print", action=Action.PRINT, object_id=str(referral.pk))


def test_access_report_shows_who_looked_and_is_logged(client, login_verified, world):
    referral = make_referral(world, status=Status.REQUESTED)
    _as(client, login_verified, world.intake)
    client.get(reverse("referrals:detail", args=[referral.pk]))
    _as(client, login_verified, world.midwife)
    response = client.get(reverse("referrals:access_report", args=[referral.pk]))
    assert response.status_code == 200
    events = response.context["events"]
    users = {e.user_display for e in events}
    assert {world.intake.username, world.midwife.username} <= users
    assert {e.event_type for e in events} >= {"referral.view", "referral.status.requested"}
    body = response.content.decode()
    assert "Intake door de ontvangende organisatie" in body
    assert _events(event_type="referral.access_report", object_id=str(referral.pk))
    # Another referral of someone else is not in it.
    other = make_referral(world, status=Status.REQUESTED, client_given_name="Anders")
    assert str(other.pk) not in {e.object_id for e in events}


# --- Who sees what ----------------------------------------------------------------------------

_PAGES = [
    ("get", "referrals:detail", {}),
    ("get", "referrals:print", {}),
    ("get", "referrals:access_report", {}),
    ("post", "referrals:consent", {"given_by": "client", "method": "verbal"}),
    ("post", "referrals:transition", {"to": "cancelled", "version": "1", "reason": "x"}),
    (
        "post",
        "referrals:contact_attempt",
        {"version": "1", "channel": "phone", "result": "reached"},
    ),
]


@pytest.mark.parametrize(("method", "name", "data"), _PAGES)
@pytest.mark.parametrize("status", [Status.DRAFT, Status.REQUESTED])
def test_another_organisation_gets_404_on_every_page(
    client, login_verified, world, method, name, data, status
):
    referral = make_referral(world, status=status)
    version = referral.version
    _as(client, login_verified, world.outsider)
    response = getattr(client, method)(reverse(name, args=[referral.pk]), data)
    assert response.status_code == 404
    # An unknown id gives the same.
    unknown = uuid.uuid4()
    response = getattr(client, method)(reverse(name, args=[unknown]), data)
    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.version == version
    # Both attempts are in the access log: refused, in the role the outsider has.
    (refused,) = _events(object_id=str(referral.pk), user=world.outsider)
    assert (refused.outcome, refused.client_ref, refused.role) == (
        "denied",
        referral.client_ref,
        "professional",
    )
    assert refused.organisation_id == world.third_org.pk
    attempted = {"referrals:print": "print"}.get(name, "read" if method == "get" else "update")
    assert refused.action == attempted
    (missing,) = _events(object_id=str(unknown), user=world.outsider)
    assert (missing.outcome, missing.client_ref) == ("failure", "")


def test_the_receiver_does_not_see_drafts(client, login_verified, world):
    referral = make_referral(world)
    _as(client, login_verified, world.intake)
    assert client.get(reverse("referrals:detail", args=[referral.pk])).status_code == 404


def test_pages_need_a_log_in(client, world):
    referral = make_referral(world, status=Status.REQUESTED)
    for url in (
        reverse("referrals:inbox"),
        reverse("referrals:sent"),
        reverse("referrals:detail", args=[referral.pk]),
        reverse("referrals:results"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "inloggen" in response["Location"]
