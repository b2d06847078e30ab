"""The access log answers NEN 7513's questions for referrals: every refused attempt is in it
(page, API and FHIR alike, also when the refusal rolls back a transaction), and every event
records the role, purpose and organisation of the grant that was actually used."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from kansrijk.accounts.models import RoleAssignment
from kansrijk.accounts.roles import Role
from kansrijk.audit.models import AccessEvent
from kansrijk.audit.services import refusals_kept
from kansrijk.referrals import selectors, services
from kansrijk.referrals.exceptions import NotAllowed, ReferralNotFound
from kansrijk.referrals.workflow import Status
from tests.factories import UserFactory
from tests.referrals.factories import ReferralWorld, make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(login_verified: Callable[..., Client]) -> Callable[[Any], Client]:
    return lambda user: login_verified(Client(), user)


def _post(client: Client, url: str, data: Any, **headers: str) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


#: One way per route to open a referral by its id.
ROUTES = {
    "page": lambda pk: reverse("referrals:detail", args=[pk]),
    "api": lambda pk: f"/api/v1/referrals/{pk}",
    "fhir-task": lambda pk: f"/fhir/Task/{pk}",
    "fhir-servicerequest": lambda pk: f"/fhir/ServiceRequest/{pk}",
}


# --- Refused attempts ---------------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES)
def test_opening_another_organisations_referral_by_id_is_refused_and_logged(
    world: ReferralWorld, as_user: Callable, route: str
) -> None:
    referral = make_referral(world, status=Status.REQUESTED)
    before = AccessEvent.objects.count()
    client = as_user(world.outsider)

    assert client.get(ROUTES[route](referral.pk)).status_code == 404
    unknown = uuid.uuid4()
    assert client.get(ROUTES[route](unknown)).status_code == 404

    events = list(AccessEvent.objects.order_by("id")[before:])
    assert len(events) == 2, [(e.event_type, e.outcome) for e in events]
    refused, missing = events
    assert refused.user == world.outsider
    assert (refused.outcome, refused.action) == ("denied", "read")
    assert (refused.object_type, refused.object_id) == ("referral", str(referral.pk))
    # Her pseudonymous reference: the referral's own access report shows the attempt.
    assert refused.client_ref == referral.client_ref
    # The outsider holds no grant for it: the role they have, at their own organisation.
    assert (refused.role, refused.purpose) == ("professional", "referral.care")
    assert refused.organisation_id == world.third_org.pk
    assert refused.request_id
    assert refused.source_ip == "127.0.0.1"
    assert (missing.outcome, missing.object_id, missing.client_ref) == (
        "failure",
        str(unknown),
        "",
    )
    # Nothing of it counts as a read.
    assert not AccessEvent.objects.filter(user=world.outsider, outcome="success").exists()


def test_the_referral_access_report_shows_the_refused_attempt(
    world: ReferralWorld, as_user: Callable
) -> None:
    referral = make_referral(world, status=Status.REQUESTED)
    as_user(world.outsider).get(f"/api/v1/referrals/{referral.pk}")
    events = selectors.referral_access_report(world.midwife, referral)
    assert any(e.user_id == world.outsider.pk and e.outcome == "denied" for e in events)


def test_a_refused_consent_and_a_malformed_id_are_logged(
    world: ReferralWorld, as_user: Callable
) -> None:
    referral = make_referral(world, status=Status.REQUESTED)
    consent = referral.consents.get()
    client = as_user(world.outsider)
    assert client.get(f"/fhir/Consent/{consent.pk}").status_code == 404
    assert client.get("/api/v1/referrals/not-a-uuid").status_code == 404
    consent_event = AccessEvent.objects.get(user=world.outsider, object_type="consent")
    assert (consent_event.outcome, consent_event.client_ref) == ("denied", referral.client_ref)
    malformed = AccessEvent.objects.get(user=world.outsider, object_id="not-a-uuid")
    assert malformed.outcome == "failure"


def test_a_change_by_an_outsider_is_logged_as_a_refused_change(
    world: ReferralWorld, as_user: Callable
) -> None:
    referral = make_referral(world, status=Status.REQUESTED)
    client = as_user(world.outsider)
    response = _post(
        client,
        f"/api/v1/referrals/{referral.pk}/transitions",
        {"to": "accepted"},
        **{"If-Match": f'"{referral.version}"', "Idempotency-Key": "k-1"},
    )
    assert response.status_code == 404
    event = AccessEvent.objects.get(user=world.outsider)
    assert (event.event_type, event.action, event.outcome) == (
        "referral.change",
        "update",
        "denied",
    )


@pytest.mark.parametrize("with_key", [False, True])
def test_a_change_from_the_wrong_side_is_logged_though_its_transaction_rolls_back(
    world: ReferralWorld, as_user: Callable, with_key: bool
) -> None:
    """The midwife may see the referral but not accept it: the refusal is raised inside the
    service's transaction (and the idempotency record's), which rolls back — the log keeps it."""
    referral = make_referral(world, status=Status.REQUESTED)
    headers = {"If-Match": f'"{referral.version}"'}
    if with_key:
        headers["Idempotency-Key"] = "accept-1"
    response = _post(
        as_user(world.midwife),
        f"/api/v1/referrals/{referral.pk}/transitions",
        {"to": "accepted"},
        **headers,
    )
    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == Status.REQUESTED
    event = AccessEvent.objects.get(outcome="denied")
    assert (event.user, event.event_type, event.action) == (
        world.midwife,
        "referral.status.accepted",
        "update",
    )
    # She acted on the grant that lets her see it: professional, for the sending practice.
    assert (event.role, event.purpose, event.organisation_id) == (
        "professional",
        "referral.care",
        world.sender_org.pk,
    )
    assert event.client_ref == referral.client_ref


def test_a_change_from_the_wrong_side_on_the_page_is_logged(
    world: ReferralWorld, login_verified: Callable
) -> None:
    referral = make_referral(world, status=Status.REQUESTED)
    client = login_verified(Client(), world.midwife)
    url = reverse("referrals:transition", args=[referral.pk])
    response = client.post(url, {"to": "accepted", "version": str(referral.version)})
    assert response.status_code == 403
    assert AccessEvent.objects.get(outcome="denied").event_type == "referral.status.accepted"


def test_a_refusal_inside_a_rolled_back_transaction_is_kept_by_refusals_kept(
    world: ReferralWorld,
) -> None:
    referral = make_referral(world, status=Status.REQUESTED)
    with refusals_kept():
        with pytest.raises(ReferralNotFound), transaction.atomic():
            services.transition(referral=referral, to=Status.ACCEPTED, user=world.outsider)
        # Rolled back with the transaction; written when the block ends.
        assert not AccessEvent.objects.filter(outcome="denied").exists()
    event = AccessEvent.objects.get(outcome="denied")
    assert (event.user, event.event_type) == (world.outsider, "referral.status.accepted")


@pytest.mark.parametrize(
    ("url", "event_type"),
    [
        (reverse("referrals:inbox"), "referral.inbox"),
        (reverse("referrals:results"), "referral.statistics"),
    ],
)
def test_a_page_without_the_grant_is_refused_and_logged(
    world: ReferralWorld, login_verified: Callable, url: str, event_type: str
) -> None:
    client = login_verified(Client(), world.midwife)
    assert client.get(url).status_code == 403
    event = AccessEvent.objects.get(event_type=event_type)
    assert (event.user, event.outcome, event.role) == (world.midwife, "denied", "professional")


def test_the_sent_list_and_new_referral_pages_refuse_an_intake_handler(
    world: ReferralWorld, login_verified: Callable
) -> None:
    client = login_verified(Client(), world.intake)
    assert client.get(reverse("referrals:sent")).status_code == 403
    assert client.get(reverse("referrals:new_prenatal")).status_code == 403
    events = AccessEvent.objects.filter(user=world.intake, outcome="denied")
    assert {(e.event_type, e.role) for e in events} == {
        ("referral.sent", "intake_handler"),
        ("referral.create", "intake_handler"),
    }


# --- The role actually used -----------------------------------------------------------------


def test_an_administrator_is_never_logged_as_a_professional(
    world: ReferralWorld, as_user: Callable
) -> None:
    make_referral(world, status=Status.REQUESTED)
    admin = UserFactory(organisation=world.sender_org, roles=[Role.ADMINISTRATOR])
    operator = UserFactory(is_superuser=True, is_staff=True, organisation=None)
    for user, role in ((admin, "administrator"), (operator, "operator")):
        client = as_user(user)
        assert client.get("/api/v1/referrals").status_code == 403
        assert client.get("/fhir/Task").status_code == 403
        events = AccessEvent.objects.filter(user=user)
        assert {e.role for e in events} == {role}
        assert {e.outcome for e in events} == {"denied"}
    assert not AccessEvent.objects.filter(user__in=[admin, operator], role="professional")


def test_reads_and_searches_record_the_grant_and_its_organisation(
    world: ReferralWorld, as_user: Callable
) -> None:
    referral = make_referral(world, status=Status.REQUESTED)
    # Seconded: works for the third organisation, handles intake for the JGZ.
    seconded = UserFactory(organisation=world.third_org, roles=[])
    RoleAssignment.objects.create(
        user=seconded, role=Role.INTAKE_HANDLER, organisation=world.receiver_org
    )
    client = as_user(seconded)
    assert client.get(f"/api/v1/referrals/{referral.pk}").status_code == 200
    assert client.get("/fhir/Task").status_code == 200
    assert client.get("/api/v1/referrals", {"side": "inbox"}).status_code == 200
    events = AccessEvent.objects.filter(user=seconded)
    assert events.count() == 3
    assert {(e.role, e.purpose, e.organisation_id) for e in events} == {
        ("intake_handler", "referral.intake", world.receiver_org.pk)
    }
    as_user(world.midwife).get(f"/api/v1/referrals/{referral.pk}")
    read = AccessEvent.objects.filter(user=world.midwife).latest("id")
    assert (read.role, read.purpose, read.organisation_id) == (
        "professional",
        "referral.care",
        world.sender_org.pk,
    )


def test_a_referral_by_someone_without_the_professional_role_is_refused_and_logged(
    world: ReferralWorld,
) -> None:
    from tests.referrals.factories import referral_input

    with refusals_kept(), pytest.raises(NotAllowed):
        services.create_referral(user=world.intake, data=referral_input(world.service))
    event = AccessEvent.objects.get(event_type="referral.create")
    assert (event.user, event.outcome, event.role) == (world.intake, "denied", "intake_handler")
