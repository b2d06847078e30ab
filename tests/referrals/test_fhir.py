"""FHIR R4 endpoints: every resource validates with fhir.resources (its R4B models, the
R4-compatible release it ships: Task, ServiceRequest, Consent and Bundle are the same in R4 and
R4B), the Gravity-style Task shape, search, access rules, audit and OperationOutcome errors."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kansrijk.audit.models import AccessEvent, Action
from kansrijk.referrals import services
from kansrijk.referrals.models import ConsentGivenBy, Kind
from kansrijk.referrals.workflow import Status
from tests.referrals.factories import (
    CLIENT_FAMILY,
    ReferralWorld,
    add_consent,
    make_referral,
    reach,
    situation,
)

pytestmark = pytest.mark.django_db

FHIR = "application/fhir+json"


def validate(resource: dict[str, Any]) -> Any:
    """Parse with the fhir.resources model of its resourceType (raises when invalid)."""
    model = get_fhir_model_class(resource["resourceType"])
    return model.model_validate(resource)


@pytest.fixture
def as_user(login_verified: Callable[..., Client]) -> Callable[[Any], Client]:
    return lambda user: login_verified(Client(), user)


@pytest.mark.parametrize("status", list(Status.values))
def test_task_for_every_status_validates(
    world: ReferralWorld, as_user: Callable, status: str
) -> None:
    referral = make_referral(world, status=status)
    client = as_user(world.midwife)
    response = client.get(f"/fhir/Task/{referral.pk}")
    assert response.status_code == 200
    assert response["Content-Type"] == FHIR
    body = response.json()
    task = validate(body)
    assert task.id == str(referral.pk)
    assert body["status"] == status
    assert body["intent"] == "order"
    assert body["code"]["coding"][0]["code"] == "fulfill"
    assert body["focus"]["reference"] == f"ServiceRequest/{referral.pk}"
    assert body["owner"]["reference"] == f"Organization/{world.receiver_org.pk}"
    assert body["requester"]["reference"] == f"Organization/{world.sender_org.pk}"
    assert body["meta"]["versionId"] == str(referral.version)
    assert ("statusReason" in body) == (status in ("rejected", "cancelled", "failed"))
    # No client data in a Task: only her pseudonym.
    text = response.content.decode()
    assert CLIENT_FAMILY not in text
    assert "1996-03-14" not in text
    assert body["for"]["identifier"]["value"] == referral.client_ref


def test_task_outputs(world: ReferralWorld, as_user: Callable) -> None:
    referral = make_referral(world, status=Status.ACCEPTED)
    reach(world, referral)
    referral = services.record_outcome(
        referral=referral, user=world.intake, outcome="help_started", outcome_note="Gepland."
    )
    body = as_user(world.intake).get(f"/fhir/Task/{referral.pk}").json()
    validate(body)
    kinds = [o["type"]["text"] for o in body["output"]]
    assert kinds == ["first-contact", "outcome"]
    assert body["output"][1]["valueCodeableConcept"]["coding"][0]["code"] == "help_started"
    rejected = make_referral(world, status=Status.REQUESTED)
    rejected = services.reject_referral(
        referral=rejected, user=world.intake, reason="Vol.", reason_code="no_capacity"
    )
    body = as_user(world.intake).get(f"/fhir/Task/{rejected.pk}").json()
    validate(body)
    assert body["statusReason"]["text"] == "Vol."
    assert body["statusReason"]["coding"][0]["code"] == "no_capacity"


def test_service_request_validates(world: ReferralWorld, as_user: Callable) -> None:
    situation("geldzorgen", "Geldzorgen")
    referral = make_referral(
        world,
        status=Status.REQUESTED,
        situations=("geldzorgen",),
        client_email="fenna@example.org",
        client_address="Stationsweg 1",
        client_postal_code="9203 AB",
        preferred_visit_from=timezone.localdate() + datetime.timedelta(days=20),
        preferred_visit_until=timezone.localdate() + datetime.timedelta(days=40),
        interpreter_needed=True,
    )
    response = as_user(world.intake).get(f"/fhir/ServiceRequest/{referral.pk}")
    assert response.status_code == 200
    assert response["Content-Type"] == FHIR
    body = response.json()
    validate(body)
    assert body["status"] == "active"
    assert body["intent"] == "order"
    assert body["subject"]["reference"] == "#client"
    patient = body["contained"][0]
    assert patient["name"][0]["family"] == CLIENT_FAMILY
    assert patient["birthDate"] == "1996-03-14"
    assert body["reasonCode"][0]["coding"][0]["code"] == "geldzorgen"
    assert body["supportingInfo"][0]["reference"].startswith("Consent/")
    assert body["occurrencePeriod"]["start"]
    urls = {e["url"].rsplit("/", 1)[1] for e in body["extension"]}
    assert {"zwangerschapsduur", "pariteit", "uitgerekende-datum", "tolk-nodig"} <= urls
    event = AccessEvent.objects.latest("id")
    assert event.event_type == "referral.fhir.servicerequest.read"
    assert event.client_ref == referral.client_ref


def test_general_referral_service_request(world: ReferralWorld, as_user: Callable) -> None:
    referral = make_referral(
        world,
        kind=Kind.GENERAL,
        phase="postnatal",
        due_date=None,
        child_birth_date=timezone.localdate() - datetime.timedelta(days=30),
        handover_note="",
    )
    body = as_user(world.midwife).get(f"/fhir/ServiceRequest/{referral.pk}").json()
    validate(body)
    assert body["status"] == "draft"
    assert "note" not in body
    assert "occurrencePeriod" not in body


def test_consent_validates(world: ReferralWorld, as_user: Callable) -> None:
    referral = make_referral(world, consent=False)
    consent = add_consent(
        world,
        referral,
        given_by=ConsentGivenBy.LEGAL_REPRESENTATIVE,
        representative_name="J. Oudega",
        method="written",
    )
    client = as_user(world.midwife)
    body = client.get(f"/fhir/Consent/{consent.pk}").json()
    validate(body)
    assert body["status"] == "active"
    assert body["provision"]["actor"][0]["reference"]["reference"] == (
        f"Organization/{world.receiver_org.pk}"
    )
    assert body["performer"][0]["type"] == "RelatedPerson"
    services.withdraw_consent(consent=consent, user=world.midwife)
    body = client.get(f"/fhir/Consent/{consent.pk}").json()
    validate(body)
    assert body["status"] == "inactive"
    assert body["provision"]["period"]["end"]
    assert AccessEvent.objects.latest("id").event_type == "referral.consent.view"


def test_task_search(world: ReferralWorld, as_user: Callable) -> None:
    with time_machine.travel(datetime.datetime(2025, 3, 3, 9, tzinfo=datetime.UTC), tick=False):
        old = make_referral(world, status=Status.REQUESTED)
    with time_machine.travel(datetime.datetime(2025, 3, 10, 9, tzinfo=datetime.UTC), tick=False):
        new = [make_referral(world, status=Status.REQUESTED) for _ in range(3)]
        make_referral(world)  # a draft: not for the receiver
    client = as_user(world.intake)
    owner = f"Organization/{world.receiver_org.pk}"
    response = client.get("/fhir/Task", {"owner": owner, "_lastUpdated": "gt2025-03-05T00:00:00Z"})
    assert response.status_code == 200
    assert response["Content-Type"] == FHIR
    bundle = response.json()
    validate(bundle)
    assert bundle["type"] == "searchset"
    assert bundle["total"] == 3
    assert {e["resource"]["id"] for e in bundle["entry"]} == {str(r.pk) for r in new}
    for entry in bundle["entry"]:
        validate(entry["resource"])
        assert entry["fullUrl"].endswith(f"/fhir/Task/{entry['resource']['id']}")
    everything = client.get("/fhir/Task", {"owner": owner}).json()
    assert everything["total"] == 4
    assert old.pk
    # Pages.
    page = client.get("/fhir/Task", {"owner": owner, "_count": 3}).json()
    validate(page)
    assert len(page["entry"]) == 3
    next_url = next(link["url"] for link in page["link"] if link["relation"] == "next")
    rest = client.get(next_url).json()
    assert len(rest["entry"]) == 1
    # Another owner, or another organisation's user: nothing.
    other = client.get("/fhir/Task", {"owner": f"Organization/{world.third_org.pk}"}).json()
    validate(other)
    assert other["total"] == 0
    assert "entry" not in other
    outsider = as_user(world.outsider).get("/fhir/Task", {"owner": owner}).json()
    assert outsider["total"] == 0
    assert client.get("/fhir/Task", {"status": "requested"}).json()["total"] == 4
    event = AccessEvent.objects.filter(event_type="referral.fhir.task.search").latest("id")
    assert event.action == Action.SEARCH


@pytest.mark.parametrize(
    "params",
    [
        {"owner": "Patient/1"},
        {"owner": "Organization/²"},  # a digit that int() refuses (a 500 before)
        {"owner": "Organization/" + "9" * 19},
        {"_lastUpdated": "gtyesterday"},
        # Well formed but no date: Django's parser raises ValueError (a 500 before).
        {"_lastUpdated": "ge2025-13-40"},
        {"_lastUpdated": "gt2025-02-30T12:00:00Z"},
        {"_lastUpdated": "gt2025-03-05T00:00:00+99:00"},
        {"_count": "many"},
        {"status": "lost"},
        {"_cursor": "nonsense"},
    ],
)
def test_search_errors_are_operation_outcomes(
    world: ReferralWorld, as_user: Callable, params: dict
) -> None:
    response = as_user(world.intake).get("/fhir/Task", params)
    assert response.status_code == 400
    assert response["Content-Type"] == FHIR
    body = response.json()
    validate(body)
    assert body["issue"][0]["code"] == "invalid"


#: Text shaped like a FHIR date search value, impossible dates and offsets included.
SEARCH_MOMENTS = st.from_regex(
    r"\A(gt|ge|lt|le|eq|ne)?\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?"
    r"(Z|[+-]\d{2}:\d{2})?)?)?)?\Z"
)
SEARCH_VALUES = SEARCH_MOMENTS | st.text(max_size=30) | st.from_regex(r"\AOrganization/\d{1,25}\Z")
SEARCH_KEYS = st.sampled_from(["owner", "status", "_lastUpdated", "_count", "_cursor", "_sort"])


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(params=st.lists(st.tuples(SEARCH_KEYS, SEARCH_VALUES), max_size=4))
def test_no_search_is_a_server_error(
    world: ReferralWorld, login_verified: Callable[..., Client], params: list[tuple[str, str]]
) -> None:
    """Any search answers a Bundle or an OperationOutcome, never a 500 (``_lastUpdated=
    ge2025-13-40`` was one). The HSDA API's ``modified_after`` goes through the same parser."""
    client = login_verified(Client(raise_request_exception=False), world.intake)
    params = [(key, value.replace("\x00", "")) for key, value in params]
    response = client.get("/fhir/Task", params)
    assert response.status_code in (200, 400), response.content[:300]
    assert response["Content-Type"] == FHIR
    moments = [value.lstrip("gtelnq") for key, value in params if key == "_lastUpdated"]
    for moment in moments:
        answer = client.get("/api/hsds/services", {"modified_after": moment})
        assert answer.status_code in (200, 400), answer.content[:300]


def test_other_organisation_and_unknown_ids_are_404(
    world: ReferralWorld, as_user: Callable
) -> None:
    referral = make_referral(world, status=Status.REQUESTED)
    consent = referral.consents.get()
    outsider = as_user(world.outsider)
    for url in (
        f"/fhir/Task/{referral.pk}",
        f"/fhir/ServiceRequest/{referral.pk}",
        f"/fhir/Consent/{consent.pk}",
        f"/fhir/Task/{uuid.uuid4()}",
        "/fhir/Task/not-a-uuid",
        "/fhir/Patient/1",
    ):
        response = outsider.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == FHIR
        body = response.json()
        validate(body)
        assert body["resourceType"] == "OperationOutcome"


def test_second_factor_and_login_required(world: ReferralWorld) -> None:
    referral = make_referral(world, status=Status.REQUESTED)
    anonymous = Client().get(f"/fhir/Task/{referral.pk}")
    assert anonymous.status_code in (401, 403)
    validate(anonymous.json())
    client = Client()
    client.force_login(world.intake)
    response = client.get(f"/fhir/Task/{referral.pk}")
    assert response.status_code == 403
    assert CLIENT_FAMILY not in response.content.decode()


def test_metadata(world: ReferralWorld) -> None:
    response = Client().get("/fhir/metadata")
    assert response.status_code == 200
    statement = response.json()
    validate(statement)
    assert statement["fhirVersion"] == "4.0.1"
