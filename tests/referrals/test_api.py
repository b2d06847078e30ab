"""The referrals REST API: the happy path, problems, preconditions, idempotency, access."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kansrijk.audit.models import AccessEvent, Action
from kansrijk.referrals.models import Consent, ContactAttempt, IdempotencyRecord, Referral
from kansrijk.referrals.workflow import Status
from tests.referrals.factories import (
    ALL_CATEGORIES,
    CLIENT_FAMILY,
    ReferralWorld,
    api_payload,
    make_referral,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/referrals"
PROBLEM = "application/problem+json"


@pytest.fixture
def as_user(login_verified: Callable[..., Client]) -> Callable[[Any], Client]:
    def login(user: Any) -> Client:
        return login_verified(Client(), user)

    return login


def post(client: Client, url: str, data: Any, **headers: str) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


def put(client: Client, url: str, data: Any, **headers: str) -> Any:
    return client.put(url, json.dumps(data), content_type="application/json", headers=headers)


def test_full_flow(world: ReferralWorld, as_user: Callable[[Any], Client]) -> None:
    midwife = as_user(world.midwife)
    response = post(midwife, BASE, api_payload(world.service))
    assert response.status_code == 201, response.json()
    body = response.json()
    rid = body["id"]
    assert response["ETag"] == '"1"'
    assert response["Location"] == f"{BASE}/{rid}"
    assert body["status"] == "draft"
    assert body["reference"].startswith("VW-")
    assert body["client"]["family_name"] == CLIENT_FAMILY
    assert body["prenatal_home_visit"]["is_first_child"] is True
    assert {t["to"] for t in body["allowed_transitions"]} == {"requested", "cancelled"}

    # Sending without consent: 409 with an explanation.
    response = post(midwife, f"{BASE}/{rid}/transitions", {"to": "requested"}, If_Match='"1"')
    assert response.status_code == 409
    assert response["Content-Type"] == PROBLEM
    problem = response.json()
    assert problem["code"] == "toestemming-vereist"
    assert "toestemming" in problem["detail"]
    assert "identity_contact" in problem["missing_categories"]

    response = post(
        midwife,
        f"{BASE}/{rid}/consents",
        {"data_categories": ALL_CATEGORIES, "method": "verbal"},
    )
    assert response.status_code == 201, response.json()
    consent_id = response.json()["id"]

    response = post(midwife, f"{BASE}/{rid}/transitions", {"to": "requested"}, If_Match='"1"')
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "requested"
    assert response["ETag"] == '"2"'

    # The receiver.
    intake = as_user(world.intake)
    listing = intake.get(BASE, {"side": "inbox"}).json()
    assert [r["id"] for r in listing["results"]] == [rid]
    assert "client" not in listing["results"][0]
    detail = intake.get(f"{BASE}/{rid}")
    assert detail.status_code == 200
    assert detail["ETag"] == '"2"'
    response = post(intake, f"{BASE}/{rid}/transitions", {"to": "accepted"}, If_Match='"2"')
    assert response.status_code == 200
    response = post(
        intake, f"{BASE}/{rid}/contact-attempts", {"channel": "phone", "result": "reached"}
    )
    assert response.status_code == 201, response.json()
    assert Referral.objects.get(pk=rid).status == Status.IN_PROGRESS
    version = Referral.objects.get(pk=rid).version
    response = post(
        intake,
        f"{BASE}/{rid}/outcome",
        {"outcome": "help_started", "outcome_note": "Huisbezoek gepland."},
        If_Match=f'"{version}"',
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "completed"
    assert body["closed_at"]
    assert [h["to_status"] for h in body["history"]] == [
        "draft",
        "requested",
        "accepted",
        "in-progress",
        "completed",
    ]
    # The sender sees every status change.
    sent = midwife.get(BASE, {"side": "sent"}).json()["results"]
    assert sent[0]["status"] == "completed"
    detail = midwife.get(f"{BASE}/{rid}").json()
    assert detail["consents"][0]["id"] == consent_id
    assert len(detail["contact_attempts"]) == 1


def test_bad_input_is_400_without_rows(world: ReferralWorld, as_user: Callable) -> None:
    midwife = as_user(world.midwife)
    payload = api_payload(world.service)
    payload["client"]["birth_date"] = "morgen"
    payload["phase"] = "unknown"
    response = post(midwife, BASE, payload)
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    # Serializer errors and domain errors name fields by the same flat paths.
    assert set(response.json()["errors"]) == {"client.birth_date", "phase"}
    payload = api_payload(world.service)
    payload["client"]["municipality"] = "GM9999"
    payload["due_date"] = None
    response = post(midwife, BASE, payload)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"client.municipality", "due_date"}
    response = midwife.post(BASE, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert not Referral.objects.exists()
    assert not IdempotencyRecord.objects.exists()


def test_idempotency(world: ReferralWorld, as_user: Callable) -> None:
    midwife = as_user(world.midwife)
    key = str(uuid.uuid4())
    first = post(midwife, BASE, api_payload(world.service), Idempotency_Key=key)
    again = post(midwife, BASE, api_payload(world.service), Idempotency_Key=key)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Referral.objects.count() == 1
    other = post(midwife, BASE, api_payload(world.service, urgency="urgent"), Idempotency_Key=key)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency-key-hergebruikt"
    assert Referral.objects.count() == 1
    # Another user may use the same key for their own request.
    colleague = as_user(world.colleague)
    assert post(colleague, BASE, api_payload(world.service), Idempotency_Key=key).status_code == 201
    # A bad key is a 400.
    assert (
        post(midwife, BASE, api_payload(world.service), Idempotency_Key="ä" * 3).status_code == 400
    )
    # A failed request leaves no record: the key can be used again.
    bad = api_payload(world.service)
    bad["due_date"] = None
    key2 = str(uuid.uuid4())
    assert post(midwife, BASE, bad, Idempotency_Key=key2).status_code == 400
    assert post(midwife, BASE, api_payload(world.service), Idempotency_Key=key2).status_code == 201


def test_idempotent_transition_replay(world: ReferralWorld, as_user: Callable) -> None:
    referral = make_referral(world, status=Status.REQUESTED)
    intake = as_user(world.intake)
    url = f"{BASE}/{referral.pk}/transitions"
    first = post(intake, url, {"to": "accepted"}, If_Match=referral.etag, Idempotency_Key="k-1")
    again = post(intake, url, {"to": "accepted"}, If_Match=referral.etag, Idempotency_Key="k-1")
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    stale = post(intake, url, {"to": "accepted"}, If_Match=referral.etag)
    assert stale.status_code == 412


def test_a_write_reads_the_history_once_for_its_answer(
    world: ReferralWorld, as_user: Callable
) -> None:
    """The check before a write (may this user see the referral?) reads the referral alone:
    the write locks and reads the row again, and only the answer shows the history."""
    referral = make_referral(world, status=Status.REQUESTED)
    intake = as_user(world.intake)
    with CaptureQueriesContext(connection) as queries:
        response = post(
            intake, f"{BASE}/{referral.pk}/transitions", {"to": "accepted"}, If_Match=referral.etag
        )
    assert response.status_code == 200
    assert response.json()["history"][-1]["to_status"] == "accepted"
    history_reads = [
        q["sql"] for q in queries.captured_queries if 'FROM "referrals_statusevent"' in q["sql"]
    ]
    assert len(history_reads) == 1


def test_preconditions(world: ReferralWorld, as_user: Callable) -> None:
    referral = make_referral(world, status=Status.REQUESTED)
    intake = as_user(world.intake)
    url = f"{BASE}/{referral.pk}/transitions"
    missing = post(intake, url, {"to": "accepted"})
    assert missing.status_code == 428
    assert missing["Content-Type"] == PROBLEM
    assert missing.json()["code"] == "if-match-vereist"
    malformed = post(intake, url, {"to": "accepted"}, If_Match="yesterday")
    assert malformed.status_code == 400
    stale = post(intake, url, {"to": "accepted"}, If_Match='"1"')
    assert stale.status_code == 412
    assert stale["ETag"] == referral.etag
    assert stale.json()["code"] == "verouderde-versie"
    weak = post(intake, url, {"to": "accepted"}, If_Match=f'W/"{referral.version}"')
    assert weak.status_code == 200
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED
    # Outcome needs If-Match too.
    assert post(intake, f"{BASE}/{referral.pk}/outcome", {"outcome": "other"}).status_code == 428


def test_contact_attempt_if_match_is_optional(world: ReferralWorld, as_user: Callable) -> None:
    referral = make_referral(world, status=Status.ACCEPTED)
    intake = as_user(world.intake)
    url = f"{BASE}/{referral.pk}/contact-attempts"
    attempt = {"channel": "phone", "result": "no_answer"}
    assert post(intake, url, attempt, If_Match="yesterday").status_code == 400
    stale = post(intake, url, attempt, If_Match='"1"')
    assert stale.status_code == 412
    assert stale.json()["code"] == "verouderde-versie"
    assert not ContactAttempt.objects.filter(referral=referral).exists()
    # A bad body is reported before a malformed If-Match.
    bad = post(intake, url, {"channel": "pigeon", "result": "no_answer"}, If_Match="yesterday")
    assert bad.status_code == 400
    assert "channel" in bad.json()["errors"]
    current = post(intake, url, attempt, If_Match=referral.etag)
    assert current.status_code == 201, current.json()
    assert current.json()["channel"] == "phone"
    assert post(intake, url, attempt).status_code == 201
    assert ContactAttempt.objects.filter(referral=referral).count() == 2


def test_transition_problems(world: ReferralWorld, as_user: Callable) -> None:
    referral = make_referral(world, status=Status.REQUESTED)
    intake = as_user(world.intake)
    midwife = as_user(world.midwife)
    url = f"{BASE}/{referral.pk}/transitions"
    etag = referral.etag
    assert post(intake, url, {"to": "completed"}, If_Match=etag).status_code == 409
    assert post(midwife, url, {"to": "accepted"}, If_Match=etag).status_code == 403
    response = post(intake, url, {"to": "rejected"}, If_Match=etag)
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
    assert post(intake, url, {"to": "nowhere"}, If_Match=etag).status_code == 400
    referral.refresh_from_db()
    assert referral.status == Status.REQUESTED
    assert referral.version == 2


def test_put_draft(world: ReferralWorld, as_user: Callable) -> None:
    referral = make_referral(world, consent=False)
    midwife = as_user(world.midwife)
    url = f"{BASE}/{referral.pk}"
    payload = api_payload(world.service, urgency="urgent")
    assert put(midwife, url, payload).status_code == 428
    response = put(midwife, url, payload, If_Match='"1"')
    assert response.status_code == 200
    assert response.json()["urgency"] == "urgent"
    assert response["ETag"] == '"2"'
    assert put(midwife, url, payload, If_Match='"1"').status_code == 412


def test_consent_endpoints(world: ReferralWorld, as_user: Callable) -> None:
    referral = make_referral(world, consent=False)
    midwife = as_user(world.midwife)
    url = f"{BASE}/{referral.pk}/consents"
    bad = post(midwife, url, {"data_categories": [], "method": "verbal"})
    assert bad.status_code == 400
    bad = post(
        midwife,
        url,
        {
            "data_categories": ["identity_contact"],
            "method": "verbal",
            "given_by": "legal_representative",
        },
    )
    assert bad.status_code == 400
    assert "representative_name" in bad.json()["errors"]
    assert not Consent.objects.exists()
    ok = post(midwife, url, {"data_categories": ALL_CATEGORIES, "method": "written"})
    assert ok.status_code == 201
    consent_id = ok.json()["id"]
    withdraw = post(midwife, f"{url}/{consent_id}/withdraw", {})
    assert withdraw.status_code == 200
    assert withdraw.json()["withdrawn_at"]
    assert post(midwife, f"{url}/{uuid.uuid4()}/withdraw", {}).status_code == 404


def test_lists(world: ReferralWorld, as_user: Callable) -> None:
    for _ in range(3):
        make_referral(world, status=Status.REQUESTED)
    make_referral(world, status=Status.DRAFT)
    intake = as_user(world.intake)
    page = intake.get(BASE, {"pageSize": 2}).json()  # default side for an intake handler: inbox
    assert len(page["results"]) == 2
    assert page["next_cursor"]
    rest = intake.get(BASE, {"pageSize": 2, "cursor": page["next_cursor"]}).json()
    assert len(rest["results"]) == 1
    assert rest["next_cursor"] is None
    first = page["results"][0]
    assert first["age_working_days"] == 0
    assert first["response_time_days"] == 5
    assert first["overdue"] is False
    assert intake.get(BASE, {"cursor": "nonsense"}).status_code == 400
    assert intake.get(BASE, {"status": "bogus"}).status_code == 400
    midwife = as_user(world.midwife)
    assert len(midwife.get(BASE).json()["results"]) == 4
    assert len(midwife.get(BASE, {"status": "draft"}).json()["results"]) == 1
    # A midwife has no inbox: refused (403), and the refusal is in the log.
    refused = midwife.get(BASE, {"side": "inbox"})
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("application/problem+json")
    events = AccessEvent.objects.filter(event_type__in=["referral.inbox", "referral.sent"])
    assert events.count() == 5
    assert all(e.action == Action.SEARCH for e in events)
    assert events.get(outcome="denied").user == world.midwife


def test_workflow_endpoint(world: ReferralWorld, as_user: Callable) -> None:
    rows = as_user(world.midwife).get(f"{BASE}/workflow").json()
    assert {
        "from": "draft",
        "to": "requested",
        "side": "sender",
        "reason_required": False,
        "outcome_required": False,
    } in rows


def _endpoints(referral: Referral, consent: Consent) -> list[tuple[str, str, dict]]:
    rid = referral.pk
    return [
        ("get", f"{BASE}/{rid}", {}),
        ("put", f"{BASE}/{rid}", api_payload(referral.service)),
        ("post", f"{BASE}/{rid}/consents", {"data_categories": ALL_CATEGORIES, "method": "verbal"}),
        ("post", f"{BASE}/{rid}/consents/{consent.pk}/withdraw", {}),
        ("post", f"{BASE}/{rid}/transitions", {"to": "accepted"}),
        ("post", f"{BASE}/{rid}/outcome", {"outcome": "other"}),
        ("post", f"{BASE}/{rid}/contact-attempts", {"channel": "phone", "result": "reached"}),
    ]


def _call(client: Client, method: str, url: str, data: dict, **headers: str) -> Any:
    if method == "get":
        return client.get(url, headers=headers)
    return getattr(client, method)(
        url, json.dumps(data), content_type="application/json", headers=headers
    )


def test_other_organisation_gets_404_everywhere(world: ReferralWorld, as_user: Callable) -> None:
    referral = make_referral(world, status=Status.REQUESTED)
    consent = referral.consents.get()
    outsider = as_user(world.outsider)
    before = (
        Referral.objects.get().version,
        Consent.objects.count(),
        ContactAttempt.objects.count(),
    )
    for method, url, data in _endpoints(referral, consent):
        response = _call(outsider, method, url, data, If_Match=referral.etag)
        assert response.status_code == 404, (method, url)
        assert response["Content-Type"] == PROBLEM
        assert response.json()["code"] == "niet-gevonden"
    # An unknown id and a malformed id look the same.
    assert outsider.get(f"{BASE}/{uuid.uuid4()}").json()["code"] == "niet-gevonden"
    assert outsider.get(f"{BASE}/not-a-uuid").status_code == 404
    assert outsider.get(BASE, {"side": "inbox"}).json()["results"] == []
    assert outsider.get(BASE, {"side": "sent"}).json()["results"] == []
    assert before == (
        Referral.objects.get().version,
        Consent.objects.count(),
        ContactAttempt.objects.count(),
    )


def test_receiver_does_not_see_drafts(world: ReferralWorld, as_user: Callable) -> None:
    draft = make_referral(world)
    assert as_user(world.intake).get(f"{BASE}/{draft.pk}").status_code == 404


def test_second_factor_required(world: ReferralWorld) -> None:
    referral = make_referral(world, status=Status.REQUESTED)
    consent = referral.consents.get()
    client = Client()
    client.force_login(world.intake)  # no verified device
    for method, url, data in [*_endpoints(referral, consent), ("get", BASE, {})]:
        response = _call(client, method, url, data, If_Match=referral.etag)
        assert response.status_code == 403, (method, url)
        assert response.json()["code"] == "tweede-factor-vereist"


def test_anonymous_refused(world: ReferralWorld) -> None:
    response = Client().get(BASE)
    assert response.status_code in (401, 403)
    assert response["Content-Type"] == PROBLEM


def test_access_log_for_reads_and_writes(world: ReferralWorld, as_user: Callable) -> None:
    referral = make_referral(world, status=Status.REQUESTED)
    intake = as_user(world.intake)
    before = AccessEvent.objects.count()
    intake.get(f"{BASE}/{referral.pk}")
    event = AccessEvent.objects.latest("id")
    assert AccessEvent.objects.count() == before + 1
    assert (event.event_type, event.action, event.user, event.role, event.purpose) == (
        "referral.view",
        Action.READ,
        world.intake,
        "intake_handler",
        "referral.intake",
    )
    assert event.client_ref == referral.client_ref
    assert event.consent_ref
    assert event.object_id == str(referral.pk)
    assert event.request_id
    post(intake, f"{BASE}/{referral.pk}/transitions", {"to": "accepted"}, If_Match=referral.etag)
    assert AccessEvent.objects.latest("id").event_type == "referral.status.accepted"


def test_schema_includes_referrals(world: ReferralWorld, as_user: Callable) -> None:
    response = Client().get("/api/v1/openapi.yaml")
    assert response.status_code == 200
    text = response.content.decode()
    assert "\n  /referrals/{referral_id}/transitions:" in text
    assert "Idempotency-Key" in text
