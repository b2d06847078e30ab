"""Inbox and sent lists: who sees what, age in working days against the response time, keyset
pages, query counts, the detail read and the client's access report."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from kansrijk.accounts.roles import Role
from kansrijk.audit.models import AccessEvent, Action
from kansrijk.referrals import selectors
from kansrijk.referrals.exceptions import NotAllowed, ReferralNotFound
from kansrijk.referrals.models import Referral
from kansrijk.referrals.workdays import add_working_days, is_working_day, working_days_between
from kansrijk.referrals.workflow import Status
from tests.factories import UserFactory
from tests.referrals.factories import (
    CLIENT_BIRTH,
    CLIENT_FAMILY,
    CLIENT_GIVEN,
    ReferralWorld,
    make_referral,
    reach,
)

pytestmark = pytest.mark.django_db

MONDAY = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=datetime.UTC)


def test_working_days() -> None:
    friday = datetime.date(2025, 3, 7)
    assert add_working_days(friday, 1) == datetime.date(2025, 3, 10)
    assert working_days_between(friday, datetime.date(2025, 3, 10)) == 1
    assert working_days_between(friday, friday) == 0
    # Dutch public holidays: Easter Monday, King's Day, Ascension, Whit Monday, Christmas.
    for day in ["2025-04-21", "2025-04-26", "2025-05-29", "2025-06-09", "2025-12-25", "2026-01-01"]:
        assert not is_working_day(datetime.date.fromisoformat(day)), day
    assert add_working_days(datetime.date(2025, 12, 24), 1) == datetime.date(2025, 12, 29)


def test_working_days_between_counts_as_a_walk_over_the_days_does() -> None:
    def walk(start: datetime.date, end: datetime.date) -> int:
        days = (end - start).days
        return sum(
            is_working_day(start + datetime.timedelta(days=i)) for i in range(1, max(days, 0) + 1)
        )

    first = datetime.date(2024, 12, 20)
    for offset in range(0, 40):
        start = first + datetime.timedelta(days=offset)
        for length in (-3, 0, 1, 2, 5, 6, 7, 8, 13, 30, 120, 400, 800):
            end = start + datetime.timedelta(days=length)
            assert working_days_between(start, end) == walk(start, end), (start, end)


def test_inbox_age_and_overdue(world: ReferralWorld) -> None:
    with time_machine.travel(MONDAY, tick=False):
        late = make_referral(world, status=Status.REQUESTED)
        contacted = make_referral(world, status=Status.ACCEPTED)
        reach(world, contacted)
    assert late.response_due_on == datetime.date(2025, 3, 10)  # 5 working days
    with time_machine.travel(MONDAY + datetime.timedelta(days=8), tick=False):
        page = selectors.inbox(world.intake)
        rows = {row.referral.pk: row for row in page.rows}
        assert rows[late.pk].age_working_days == 6
        assert rows[late.pk].overdue is True
        assert rows[contacted.pk].overdue is False
        overdue = selectors.inbox(world.intake, filters=selectors.InboxFilter(overdue=True))
        assert [r.referral.pk for r in overdue.rows] == [late.pk]


def test_inbox_shows_open_referrals_oldest_first_in_keyset_pages(world: ReferralWorld) -> None:
    made = []
    for day in range(5):
        with time_machine.travel(MONDAY + datetime.timedelta(hours=day), tick=False):
            made.append(make_referral(world, status=Status.REQUESTED))
    make_referral(world)  # draft: not in the inbox
    make_referral(world, status=Status.COMPLETED)  # closed: not in the inbox
    seen = []
    cursor = None
    while True:
        page = selectors.inbox(world.intake, after=cursor, page_size=2)
        seen += [row.referral.pk for row in page.rows]
        if not page.has_more:
            break
        cursor = page.next_cursor
    assert seen == [r.pk for r in made]
    with pytest.raises(selectors.InvalidCursor):
        selectors.inbox(world.intake, after="garbage")
    filtered = selectors.inbox(world.intake, filters=selectors.InboxFilter(status="accepted"))
    assert filtered.rows == []


def test_lists_load_no_client_data(world: ReferralWorld) -> None:
    make_referral(world, status=Status.REQUESTED)
    row = selectors.inbox(world.intake).rows[0]
    assert "client_family_name" in row.referral.get_deferred_fields()


def test_sent_list(world: ReferralWorld) -> None:
    with time_machine.travel(MONDAY, tick=False):
        first = make_referral(world)
    with time_machine.travel(MONDAY + datetime.timedelta(hours=1), tick=False):
        second = make_referral(world, status=Status.REQUESTED)
    colleague_view = selectors.sent_referrals(world.colleague)
    assert [r.referral.pk for r in colleague_view.rows] == [second.pk, first.pk]
    page = selectors.sent_referrals(world.midwife, page_size=1)
    rest = selectors.sent_referrals(world.midwife, page_size=1, after=page.next_cursor)
    assert [r.referral.pk for r in rest.rows] == [first.pk]
    drafts = selectors.sent_referrals(world.midwife, filters=selectors.SentFilter(status="draft"))
    assert [r.referral.pk for r in drafts.rows] == [first.pk]
    # Without the grant for a side, its list is refused (and the refusal logged).
    with pytest.raises(NotAllowed):
        selectors.sent_referrals(world.intake)
    with pytest.raises(NotAllowed):
        selectors.inbox(world.midwife)
    searches = AccessEvent.objects.filter(event_type="referral.sent", action=Action.SEARCH)
    assert searches.filter(outcome="success").count() == 4
    assert {e.role for e in searches.filter(outcome="success")} == {"professional"}
    refused = searches.get(outcome="denied")
    assert (refused.user, refused.role, refused.purpose) == (
        world.intake,
        "intake_handler",
        "referral.intake",
    )
    inbox = AccessEvent.objects.get(event_type="referral.inbox")
    assert (inbox.user, inbox.outcome, inbox.role) == (world.midwife, "denied", "professional")


def test_for_user(world: ReferralWorld) -> None:
    draft = make_referral(world)
    sent = make_referral(world, status=Status.REQUESTED)
    assert set(Referral.objects.for_user(world.midwife)) == {draft, sent}
    assert set(Referral.objects.for_user(world.intake)) == {sent}
    assert not Referral.objects.for_user(world.outsider).exists()
    analyst = UserFactory(organisation=world.receiver_org, roles=[Role.ANALYST])
    admin = UserFactory(organisation=world.receiver_org, roles=[Role.ADMINISTRATOR])
    for nobody in (analyst, admin, None):
        assert not Referral.objects.for_user(nobody).exists()
    # A role for another organisation than the user's own.
    seconded = UserFactory(organisation=world.third_org)
    seconded.role_assignments.create(role=Role.INTAKE_HANDLER, organisation=world.receiver_org)
    assert set(Referral.objects.for_user(seconded)) == {sent}


def test_get_referral_logs_a_read(world: ReferralWorld) -> None:
    referral = make_referral(world, status=Status.REQUESTED)
    found = selectors.get_referral(world.intake, str(referral.pk))
    assert found == referral
    event = AccessEvent.objects.latest("id")
    assert (event.action, event.client_ref, event.role) == (
        Action.READ,
        referral.client_ref,
        "intake_handler",
    )
    for other in ("nonsense", None, referral.pk):
        with pytest.raises(ReferralNotFound):
            selectors.get_referral(world.outsider, other)
    assert [t.target for t in selectors.allowed_transitions(world.intake, found)] == [
        "received",
        "accepted",
        "rejected",
    ]
    assert [t.target for t in selectors.allowed_transitions(world.midwife, found)] == ["cancelled"]


def test_query_counts(
    world: ReferralWorld,
    login_verified: Callable[..., Client],
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    for _ in range(12):
        make_referral(world, status=Status.REQUESTED)
    referral = Referral.objects.filter(status=Status.REQUESTED).first()
    assert referral is not None
    client = login_verified(Client(), world.intake)
    client.get("/api/v1/referrals")  # warm the session
    # Session, user, OTP device, roles, the page, the access-log insert (+ savepoints).
    with django_assert_max_num_queries(12):
        assert len(client.get("/api/v1/referrals?side=inbox").json()["results"]) == 12
    with django_assert_max_num_queries(16):
        assert client.get(f"/api/v1/referrals/{referral.pk}").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(f"/fhir/Task/{referral.pk}").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/fhir/Task").status_code == 200


def test_client_access_report(world: ReferralWorld) -> None:
    referral = make_referral(world, status=Status.REQUESTED)
    selectors.get_referral(world.intake, referral.pk)
    admin = UserFactory(roles=[Role.ADMINISTRATOR], organisation=world.sender_org)
    with pytest.raises(NotAllowed):
        selectors.client_access_report(
            admin, given_name=CLIENT_GIVEN, family_name=CLIENT_FAMILY, birth_date=CLIENT_BIRTH
        )
    admin.is_verified = lambda: True  # type: ignore[method-assign]
    events = selectors.client_access_report(
        admin,
        given_name=CLIENT_GIVEN.upper(),
        family_name=CLIENT_FAMILY,
        birth_date=CLIENT_BIRTH,
    )
    kinds = {e.event_type for e in events}
    assert {"referral.create", "referral.status.requested", "referral.view"} <= kinds
    # The sending practice's administrator sees the receiver's read of its referral too.
    assert {e.user_id for e in events} == {world.midwife.pk, world.intake.pk}
    assert AccessEvent.objects.latest("id").event_type == "referral.access_report"
    # An administrator of an organisation that had nothing to do with her sees nothing.
    stranger = UserFactory(roles=[Role.ADMINISTRATOR], organisation=world.third_org)
    stranger.is_verified = lambda: True  # type: ignore[method-assign]
    assert not selectors.client_access_report(
        stranger, given_name=CLIENT_GIVEN, family_name=CLIENT_FAMILY, birth_date=CLIENT_BIRTH
    )


@pytest.mark.django_db
def test_the_users_roles_and_referral_scope_are_read_in_one_query(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    """A page with client data needs both the user's roles (menu, second factor) and the
    organisations whose referrals they see: one read of their role assignments."""
    from kansrijk.accounts.models import Organisation, RoleAssignment, User
    from kansrijk.referrals.models import referral_scope

    user = UserFactory(roles=[Role.INTAKE_HANDLER, Role.COALITION_EDITOR])
    other = Organisation.objects.create(name="Verwijzers")
    RoleAssignment.objects.create(user=user, role=Role.PROFESSIONAL, organisation=other)
    user = User.objects.get(pk=user.pk)  # (a new request)
    with django_assert_num_queries(1):
        scope = referral_scope(user)
        codes = user.role_codes
    assert codes == {Role.INTAKE_HANDLER, Role.COALITION_EDITOR, Role.PROFESSIONAL}
    assert scope.receiver_org_ids == {user.organisation_id}
    assert scope.sender_org_ids == {other.pk}


def _orm_detail(user: object) -> object:
    """The referral page's referral as the ORM reads it: select_related, only and
    prefetch_related (what get_referral ran before its SQL was compiled once)."""
    from django.db.models import Prefetch

    return selectors.with_detail_columns(Referral.objects.for_user(user)).prefetch_related(
        *(Prefetch(name, queryset=read()) for name, read in selectors.DETAIL_HISTORY.items())
    )


def _page_state(referral: Referral) -> tuple[object, ...]:
    def row(obj: Any) -> list[tuple[str, object]]:
        deferred = obj.get_deferred_fields()
        return [
            (f.attname, getattr(obj, f.attname))
            for f in type(obj)._meta.concrete_fields
            if f.attname not in deferred
        ]

    return (
        [(f.name, getattr(referral, f.attname)) for f in Referral._meta.concrete_fields],
        sorted(referral.get_deferred_fields()),
        [
            (
                name,
                getattr(referral, name).pk,
                sorted(getattr(referral, name).get_deferred_fields()),
            )
            for name in ("service", "sender_organisation", "receiver_organisation", "sender_user")
        ],
        referral.client_municipality.name,
        [(s.code, s.name) for s in referral.situations.all()],
        [
            (row(c), c.organisation.name, c.recorded_by.username, c.referral is referral)
            for c in referral.consents.all()
        ],
        [(row(e), e.referral is referral) for e in referral.status_events.all()],
        [(row(a), a.referral is referral) for a in referral.contact_attempts.all()],
    )


def test_the_referral_page_reads_what_the_orm_reads(
    world: ReferralWorld, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    """get_referral runs SQL compiled once per scope shape (kansrijk.core.compiled): the
    referral, its related rows and its history are what select_related and prefetch_related
    give, for the sender and the receiver, and for a second referral (the SQL kept); the
    history is then read without another query."""
    from tests.referrals.factories import situation

    geld, stress = situation(), situation("stress", "Stress")
    first = make_referral(world, status=Status.ACCEPTED)
    first.situations.set([geld, stress])
    reach(world, first)
    second = make_referral(world, status=Status.IN_PROGRESS)
    for referral in (first, second):
        for user in (world.midwife, world.intake):
            found = selectors.get_referral(user, referral.pk, log=False)
            with django_assert_num_queries(0):
                state = _page_state(found)
            assert state == _page_state(_orm_detail(user).get(pk=referral.pk))  # type: ignore[attr-defined]
    draft = make_referral(world)
    assert selectors.get_referral(world.midwife, draft.pk, log=False) == draft
    with pytest.raises(ReferralNotFound):
        selectors.get_referral(world.intake, draft.pk)
