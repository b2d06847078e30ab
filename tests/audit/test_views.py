"""The access-log search page and CSV export: who may use them, filters, pages, recording."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from kansrijk.accounts.roles import Role
from kansrijk.audit.models import AccessEvent, Action, Outcome
from kansrijk.audit.selectors import PAGE_SIZE
from tests.audit.helpers import at, make_event
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("audit:search")
EXPORT = reverse("audit:export")
EMPTY_SEARCH = {"user": "", "client_ref": "", "action": ""}


@pytest.fixture
def home():
    """The administrator's organisation: the log shows what was recorded for it."""
    return OrganisationFactory(name="Gemeente Thuis")


@pytest.fixture
def admin_user(home):
    return UserFactory(username="beheerder", organisation=home, roles=[Role.ADMINISTRATOR])


@pytest.fixture
def admin_client(client, admin_user, login_verified):
    return login_verified(client, admin_user)


@pytest.fixture
def events(home):
    """A small log of the administrator's organisation: three users, two clients, several
    actions and days. (The ``elsewhere`` fixture adds another organisation's.)"""
    alice = UserFactory(username="alice", organisation=home, roles=[Role.PROFESSIONAL])
    bob = UserFactory(username="bob", organisation=home, roles=[Role.INTAKE_HANDLER])
    return {
        "alice_read": make_event(
            organisation=home,
            user=alice,
            user_display="alice",
            role=Role.PROFESSIONAL,
            object_type="referral",
            object_id="1",
            client_ref="C-1",
            occurred_at=at(2025, 3, 1),
            purpose="referral.create",
        ),
        "alice_create": make_event(
            organisation=home,
            user=alice,
            user_display="alice",
            action=Action.CREATE,
            object_type="referral",
            object_id="2",
            client_ref="C-2",
            occurred_at=at(2025, 3, 2),
            event_type="referral.create",
        ),
        "bob_read": make_event(
            organisation=home,
            user=bob,
            user_display="bob",
            role=Role.INTAKE_HANDLER,
            object_type="referral",
            object_id="1",
            client_ref="C-1",
            occurred_at=at(2025, 3, 3),
        ),
        "bob_export": make_event(
            organisation=home,
            user=bob,
            user_display="bob",
            action=Action.EXPORT,
            object_type="report",
            object_id="1",
            occurred_at=at(2025, 3, 4),
            event_type="report.export",
        ),
        "gone_user": make_event(
            organisation=home,
            user_id=999_999,
            user_display="vertrokken",
            occurred_at=at(2025, 3, 5),
            outcome=Outcome.DENIED,
        ),
    }


@pytest.fixture
def elsewhere(events):
    """The same kinds of events, recorded for another organisation: never shown to the
    administrator of ``home``."""
    other = OrganisationFactory(name="Elders")
    return [
        make_event(
            organisation=other,
            user_display="alice",
            object_type="referral",
            object_id="1",
            client_ref="C-1",
            occurred_at=at(2025, 3, 3),
        ),
        make_event(
            organisation=other,
            user_display="carol",
            action=Action.EXPORT,
            object_type="report",
            object_id="1",
            occurred_at=at(2025, 3, 4),
        ),
    ]


def shown_ids(response) -> list[int]:
    """The events on the page, leaving out the role grants the fixtures themselves caused."""
    page = response.context["page"]
    if not page:
        return []
    return [event.pk for event in page.events if not event.event_type.startswith("accounts.")]


def search(client, **params):
    return client.get(SEARCH, {**EMPTY_SEARCH, **params})


# --- Access --------------------------------------------------------------------------------


def test_first_visit_shows_the_form_without_running_a_search(admin_client):
    response = admin_client.get(SEARCH)
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="nl"' in content
    assert "Toegangslog" in content
    assert response.context["page"] is None
    assert not AccessEvent.objects.exclude(event_type__startswith="accounts.").exists()


def test_verified_administrator_sees_results_and_the_search_is_recorded(
    admin_client, admin_user, events
):
    response = search(admin_client)
    assert response.status_code == 200
    assert shown_ids(response) == [
        events[k].pk for k in ("gone_user", "bob_export", "bob_read", "alice_create", "alice_read")
    ]
    content = response.content.decode()
    assert "<caption" in content
    assert 'scope="col"' in content
    assert "vertrokken" in content
    assert "Intakemedewerker" in content  # the role, in Dutch
    assert response["Cache-Control"].count("no-store") == 1

    recorded = AccessEvent.objects.get(event_type="audit.search")
    assert recorded.action == Action.SEARCH
    assert recorded.outcome == Outcome.SUCCESS
    assert recorded.user_id == admin_user.pk
    assert recorded.role == Role.ADMINISTRATOR
    assert recorded.purpose == "audit.review"


def test_the_operator_sees_every_organisations_events(client, login_verified, events, elsewhere):
    operator = UserFactory(is_superuser=True, is_staff=True)
    response = search(login_verified(client, operator))
    assert response.status_code == 200
    assert len(shown_ids(response)) == len(events) + len(elsewhere)
    assert AccessEvent.objects.get(event_type="audit.search").role == "operator"


def test_an_administrator_sees_only_their_organisations_events(admin_client, events, elsewhere):
    for params in ({}, {"client_ref": "C-1"}, {"user": "alice"}, {"action": "export"}):
        shown = set(shown_ids(search(admin_client, **params)))
        assert shown, params
        assert shown <= {e.pk for e in events.values()}, params
    rows = read_csv(admin_client.get(EXPORT, EMPTY_SEARCH))
    exported = {int(r["id"]) for r in rows}
    assert not exported & {e.pk for e in elsewhere}
    assert {e.pk for e in events.values()} <= exported


def test_a_staff_member_without_the_administrator_role_is_refused(client, login_verified, events):
    staff = UserFactory(is_staff=True)
    response = search(login_verified(client, staff))
    assert response.status_code == 403


@pytest.mark.parametrize("role", [Role.PROFESSIONAL, Role.INTAKE_HANDLER, Role.ANALYST])
def test_signed_in_user_without_the_role_is_refused_and_the_attempt_recorded(
    client, login_verified, events, role
):
    user = UserFactory(roles=[role])
    before = AccessEvent.objects.count()
    response = search(login_verified(client, user), client_ref="C-1")
    assert response.status_code == 403
    assert b"C-1" not in response.content
    assert AccessEvent.objects.count() == before + 1
    denied = AccessEvent.objects.latest("id")
    assert (denied.event_type, denied.action, denied.outcome) == (
        "audit.search",
        "search",
        "denied",
    )
    assert denied.user_id == user.pk


def test_administrator_without_a_verified_second_factor_sees_nothing(client, admin_user, events):
    client.force_login(admin_user)
    response = search(client)
    assert response.status_code != 200
    assert b"referral.create" not in response.content
    assert not AccessEvent.objects.filter(event_type="audit.search", outcome="success").exists()


def test_anonymous_visitor_is_sent_to_the_login_page(client, events):
    response = client.get(SEARCH)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=" in response["Location"]
    assert not AccessEvent.objects.filter(event_type="audit.search").exists()


@pytest.mark.parametrize("url", [SEARCH, EXPORT])
def test_only_get_is_allowed(admin_client, url):
    assert admin_client.post(url, EMPTY_SEARCH).status_code == 405


# --- Filters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"user": "alice"}, ["alice_create", "alice_read"]),
        ({"user": "vertrokken"}, ["gone_user"]),  # a user who no longer exists
        ({"user": "nobody"}, []),
        ({"object_type": "referral"}, ["bob_read", "alice_create", "alice_read"]),
        ({"object_type": "referral", "object_id": "1"}, ["bob_read", "alice_read"]),
        ({"object_type": "report", "object_id": "1"}, ["bob_export"]),
        ({"client_ref": "C-1"}, ["bob_read", "alice_read"]),
        ({"action": "export"}, ["bob_export"]),
        ({"date_from": "2025-03-03"}, ["gone_user", "bob_export", "bob_read"]),
        ({"date_to": "2025-03-02"}, ["alice_create", "alice_read"]),
        ({"date_from": "02-03-2025", "date_to": "03-03-2025"}, ["bob_read", "alice_create"]),
        ({"user": "bob", "client_ref": "C-1", "action": "read"}, ["bob_read"]),
    ],
)
def test_filters_narrow_the_results(admin_client, events, params, expected):
    response = search(admin_client, **params)
    assert response.status_code == 200
    assert response.context["form"].errors == {}
    assert shown_ids(response) == [events[k].pk for k in expected]


def test_the_search_records_the_references_searched_for(admin_client, events):
    search(admin_client, object_type="referral", object_id="1", client_ref="C-1")
    recorded = AccessEvent.objects.get(event_type="audit.search")
    assert (recorded.object_type, recorded.object_id, recorded.client_ref) == (
        "referral",
        "1",
        "C-1",
    )

    # A later search for that client shows the earlier search too.
    response = search(admin_client, client_ref="C-1")
    assert recorded.pk in shown_ids(response)


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"date_from": "31-02-2025"},
            "date_from",
            "Voer een geldige datum in, bijvoorbeeld 31-12-2025.",
        ),
        ({"date_to": "gisteren"}, "date_to", "Voer een geldige datum in, bijvoorbeeld 31-12-2025."),
        ({"date_from": "1850-01-01"}, "date_from", "Voer een datum tussen 1900 en 2999 in."),
        (
            {"date_from": "2025-03-05", "date_to": "2025-03-01"},
            "date_to",
            "De einddatum ligt vóór de begindatum.",
        ),
        ({"object_id": "1"}, "object_type", "Vul het objecttype in dat bij het object-id hoort."),
        ({"action": "peek"}, "action", "Selecteer een geldige keuze."),
        ({"after": "not-a-cursor"}, "after", "Deze pagina met resultaten bestaat niet."),
        (
            {"client_ref": "x" * 65},
            "client_ref",
            "Zorg dat deze waarde niet meer dan 64 tekens bevat",
        ),
    ],
)
def test_bad_input_shows_a_dutch_error_and_runs_no_search(
    admin_client, events, params, field, message
):
    before = AccessEvent.objects.count()
    response = search(admin_client, **params)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    content = response.content.decode()
    assert message in content
    assert 'role="alert"' in content
    assert response.context["page"] is None
    assert "<table" not in content
    assert AccessEvent.objects.count() == before  # nothing recorded


def test_error_is_linked_to_its_field(admin_client):
    content = search(admin_client, date_from="31-02-2025").content.decode()
    assert 'href="#id_date_from"' in content
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="id_date_from"', content) or re.search(
        r'<input[^>]*id="id_date_from"[^>]*aria-invalid="true"', content
    )
    assert 'aria-describedby="id_date_from_error"' in content
    assert 'id="id_date_from_error"' in content


def test_inputs_are_labelled(admin_client):
    content = admin_client.get(SEARCH).content.decode()
    for name in (
        "user",
        "object_type",
        "object_id",
        "client_ref",
        "action",
        "date_from",
        "date_to",
    ):
        assert f'for="id_{name}"' in content
        assert f'id="id_{name}"' in content
    assert "<legend" in content
    assert "style=" not in content
    assert "<script>" not in content


# --- Pages ---------------------------------------------------------------------------------


def test_results_come_in_keyset_pages_without_counting(
    admin_client, home, django_assert_max_num_queries
):
    same_time = timezone.now() - datetime.timedelta(hours=1)
    # More than a page, with many events at the same moment (the id breaks the tie).
    created = [
        make_event(
            organisation=home, occurred_at=same_time, object_type="referral", object_id=str(i)
        )
        for i in range(PAGE_SIZE + 7)
    ]
    expected = [e.pk for e in sorted(created, key=lambda e: e.pk, reverse=True)]

    with django_assert_max_num_queries(12) as captured:
        first = search(admin_client, object_type="referral")
    assert not any("COUNT(" in q["sql"].upper() for q in captured.captured_queries)
    assert shown_ids(first) == expected[:PAGE_SIZE]
    assert first.context["page"].has_more
    content = first.content.decode()
    assert "Oudere gebeurtenissen" in content
    assert "Terug naar de nieuwste gebeurtenissen" not in content

    next_query = first.context["next_query"]
    second = admin_client.get(f"{SEARCH}?{next_query}")
    assert shown_ids(second) == expected[PAGE_SIZE:]
    assert not second.context["page"].has_more
    assert "Terug naar de nieuwste gebeurtenissen" in second.content.decode()
    # Each page view is recorded as a search (and the records do not match the filter).
    assert AccessEvent.objects.filter(event_type="audit.search").count() == 2


def test_empty_result_says_so(admin_client):
    response = search(admin_client, client_ref="ONBEKEND")
    assert shown_ids(response) == []
    assert (
        "Er zijn geen gebeurtenissen die aan deze zoekopdracht voldoen."
        in response.content.decode()
    )


# --- Export --------------------------------------------------------------------------------


def read_csv(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_export_streams_the_current_filter_as_csv_and_is_recorded(admin_client, admin_user, events):
    response = admin_client.get(EXPORT, {**EMPTY_SEARCH, "client_ref": "C-1"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="toegangslog-\d{8}-\d{6}\.csv"', response["Content-Disposition"]
    )

    rows = read_csv(response)
    assert [int(r["id"]) for r in rows] == [events["bob_read"].pk, events["alice_read"].pk]
    first = rows[0]
    assert first["user_display"] == "bob"
    assert first["user_id"] == str(events["bob_read"].user_id)
    assert first["client_ref"] == "C-1"
    assert first["object_type"] == "referral"
    assert first["action"] == "read"
    assert first["occurred_at"] == "2025-03-03T13:00:00+01:00"  # Amsterdam time

    recorded = AccessEvent.objects.get(event_type="audit.export")
    assert (recorded.action, recorded.outcome) == (Action.EXPORT, Outcome.SUCCESS)
    assert (recorded.user_id, recorded.client_ref) == (admin_user.pk, "C-1")
    assert recorded.pk not in {int(r["id"]) for r in rows}


def test_export_is_capped(admin_client, home, monkeypatch):
    monkeypatch.setattr("kansrijk.audit.views.EXPORT_LIMIT", 3)
    for _ in range(5):
        make_event(organisation=home)
    rows = read_csv(admin_client.get(EXPORT, EMPTY_SEARCH))
    assert len(rows) == 3


def test_export_neutralises_spreadsheet_formulas(admin_client, home):
    make_event(organisation=home, object_type="referral", object_id="=HYPERLINK(1)")
    rows = read_csv(admin_client.get(EXPORT, EMPTY_SEARCH))
    assert rows[0]["object_id"] == "'=HYPERLINK(1)"


def test_export_with_bad_filters_shows_the_error_and_exports_nothing(admin_client, events):
    before = AccessEvent.objects.count()
    response = admin_client.get(EXPORT, {"date_from": "2025-03-05", "date_to": "2025-03-01"})
    assert response.status_code == 400
    assert "De einddatum ligt vóór de begindatum." in response.content.decode()
    assert AccessEvent.objects.count() == before


def test_export_refused_for_a_user_without_the_role(client, login_verified, events):
    user = UserFactory(roles=[Role.PROFESSIONAL])
    response = login_verified(client, user).get(EXPORT, EMPTY_SEARCH)
    assert response.status_code == 403
    denied = AccessEvent.objects.latest("id")
    assert (denied.event_type, denied.outcome) == ("audit.export", "denied")


def test_export_link_carries_the_filter(admin_client, events):
    response = search(admin_client, client_ref="C-1")
    assert f'href="{EXPORT}?' in response.content.decode()
    assert "client_ref=C-1" in response.context["export_query"]
