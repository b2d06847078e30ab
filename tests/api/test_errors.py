"""No input gives a 500, and no API error is an HTML page: bodies nested 1,000 levels deep,
oversized bodies, broken JSON, unrouted paths, refused methods and crashes all answer problem
details under /api/ and an OperationOutcome under /fhir/ — with DEBUG off (as in production)
and on."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import RequestDataTooBig
from django.test import Client, override_settings

from kansrijk.api.parsers import MAX_DEPTH, JSONParser, PayloadTooLarge
from kansrijk.api.problems import problem_exception_handler
from kansrijk.core.json_depth import too_deep
from kansrijk.referrals.models import Consent, ContactAttempt, IdempotencyRecord, Referral
from kansrijk.referrals.workflow import Status
from tests.referrals.factories import ReferralWorld, api_payload, make_referral
from tests.signalling.conftest import row_counts

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
FHIR = "application/fhir+json"
REFERRALS = "/api/v1/referrals"
ASSESSMENTS = "/api/v1/signalling/assessments"


def nested(depth: int, leaf: str = "1") -> str:
    """``depth`` levels of alternating arrays and objects around ``leaf``."""
    text = leaf
    for level in range(depth):
        text = f"[{text}]" if level % 2 else f'{{"a": {text}}}'
    return text


DEEP_BODIES = [
    pytest.param("[" * 1000 + "]" * 1000, id="arrays-1000"),
    pytest.param('{"a":' * 1000 + "1" + "}" * 1000, id="objects-1000"),
    pytest.param('{"factors": ' + "[" * 1000 + "]" * 1000 + "}", id="field-1000"),
    pytest.param("[" * 100_000, id="unclosed-100000"),
    pytest.param(nested(MAX_DEPTH + 1), id=f"mixed-{MAX_DEPTH + 1}"),
]


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    return body


def assert_outcome(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == FHIR
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["diagnostics"]
    return body


@pytest.fixture
def as_user(login_verified: Callable[..., Client]) -> Callable[[Any], Client]:
    def login(user: Any) -> Client:
        client = login_verified(Client(raise_request_exception=False), user)
        return client

    return login


def write_paths(world: ReferralWorld) -> list[tuple[str, str]]:
    """(method, path) of every referral write, on a referral the midwife may change."""
    referral = make_referral(world)
    consent = referral.consents.get()
    base = f"{REFERRALS}/{referral.pk}"
    return [
        ("post", REFERRALS),
        ("put", base),
        ("post", f"{base}/consents"),
        ("post", f"{base}/consents/{consent.pk}/withdraw"),
        ("post", f"{base}/transitions"),
        ("post", f"{base}/outcome"),
        ("post", f"{base}/contact-attempts"),
    ]


def referral_rows() -> tuple[int, ...]:
    return (
        Referral.objects.count(),
        Consent.objects.count(),
        ContactAttempt.objects.count(),
        IdempotencyRecord.objects.count(),
        Consent.objects.filter(withdrawn_at__isnull=False).count(),
    )


def test_too_deep_counts_levels() -> None:
    assert not too_deep(json.loads(nested(MAX_DEPTH)), MAX_DEPTH)
    assert too_deep(json.loads(nested(MAX_DEPTH + 1)), MAX_DEPTH)
    assert not too_deep({"a": [1, 2, {"b": []}], "c": "[[[[["}, MAX_DEPTH)
    assert not too_deep(1, MAX_DEPTH)


@pytest.mark.parametrize("body", DEEP_BODIES)
def test_deep_bodies_on_the_signalling_api(default_rules: Any, body: str) -> None:
    before = row_counts()
    response = Client(raise_request_exception=False).post(
        ASSESSMENTS, body, content_type="application/json"
    )
    problem = assert_problem(response, 400)
    assert problem["code"] == "parse-error"
    assert row_counts() == before


def test_nesting_up_to_the_limit_is_read(default_rules: Any) -> None:
    body = '{"phase": "pregnancy", "municipality": "GM0090", "factors": ' + nested(31) + "}"
    response = Client().post(ASSESSMENTS, body, content_type="application/json")
    problem = assert_problem(response, 400)
    assert problem["code"] == "ongeldige-invoer"  # read, then refused by validation
    assert "factors" in problem["errors"]


@pytest.mark.parametrize("body", DEEP_BODIES)
def test_deep_bodies_on_every_referral_write(
    world: ReferralWorld, as_user: Callable, body: str
) -> None:
    midwife = as_user(world.midwife)
    paths = write_paths(world)
    before = referral_rows()
    for method, path in paths:
        response = getattr(midwife, method)(
            path, body, content_type="application/json", headers={"If-Match": '"1"'}
        )
        problem = assert_problem(response, 400)
        assert problem["code"] == "parse-error", (method, path)
    assert referral_rows() == before


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{not json", "geen geldige JSON (regel 1, kolom 2)"),
        ('{"a": NaN}', "geen geldige JSON"),
        ('{"a": ' + "9" * 5000 + "}", "geen geldige JSON"),
        (b'{"a": "\xff"}', "geen geldige utf-8"),
    ],
)
def test_broken_json_is_a_translated_400(
    world: ReferralWorld, as_user: Callable, body: Any, message: str
) -> None:
    midwife = as_user(world.midwife)
    paths = write_paths(world)
    before = referral_rows()
    for method, path in paths:
        response = getattr(midwife, method)(
            path, body, content_type="application/json", headers={"If-Match": '"1"'}
        )
        problem = assert_problem(response, 400)
        assert message.lower() in problem["detail"].lower(), problem["detail"]
    assert referral_rows() == before


def test_oversized_bodies_are_413(
    world: ReferralWorld, as_user: Callable, default_rules: Any
) -> None:
    midwife = as_user(world.midwife)
    before = Referral.objects.count()
    payload = api_payload(world.service, handover_note="x" * 3_000_000)
    response = midwife.post(REFERRALS, json.dumps(payload), content_type="application/json")
    assert_problem(response, 413)
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000):
        response = midwife.post(
            REFERRALS,
            json.dumps(api_payload(world.service, handover_note="x" * 2000)),
            content_type="application/json",
        )
        assert_problem(response, 413)
    response = Client(raise_request_exception=False).post(
        ASSESSMENTS, json.dumps({"factors": ["x" * 3_000_000]}), content_type="application/json"
    )
    assert_problem(response, 413)
    assert Referral.objects.count() == before


@pytest.mark.parametrize("debug", [False, True])
def test_errors_outside_the_views_are_problems(
    world: ReferralWorld, as_user: Callable, debug: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = as_user(world.midwife)
    with override_settings(DEBUG=debug):
        for path in ["/api/", "/api/nothing", "/api/v1/nothing/at/all", "/api/v1/interventions/"]:
            problem = assert_problem(client.get(path), 404)
            assert problem["code"] == "not-found"
            assert problem["instance"] == path
        response = client.delete(ASSESSMENTS)
        assert_problem(response, 405)
        assert "POST" in response["Allow"]

        def crash(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("boom")

        monkeypatch.setattr("kansrijk.places.api.PostcodeDetailView.get", crash)
        problem = assert_problem(client.get("/api/v1/places/postcodes/9203"), 500)
        assert problem["code"] == "server-error"
        assert "boom" not in json.dumps(problem)
        monkeypatch.setattr("kansrijk.referrals.fhir.TaskReadView.get", crash)
        referral = make_referral(world, status=Status.REQUESTED)
        outcome = assert_outcome(client.get(f"/fhir/Task/{referral.pk}"), 500)
        assert outcome["issue"][0]["code"] == "exception"


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_write_to_an_address_without_its_slash_is_a_404_not_a_crash(
    world: ReferralWorld, as_user: Callable, debug: bool, method: str
) -> None:
    """``/fhir`` and ``/api/hsds`` exist only with a slash. Django's APPEND_SLASH cannot
    redirect a write (its body would be lost): with DEBUG on it raised a RuntimeError (a 500,
    at ``/fhir`` Django's HTML debug page), with DEBUG off it answered a 301 that drops the
    body. A write there is a 404, as the API at that address answers it; a read is still
    redirected."""
    client = as_user(world.midwife)
    with override_settings(DEBUG=debug):
        send = getattr(client, method)
        assert_outcome(send("/fhir", "{}", content_type="application/json"), 404)
        assert_problem(send("/api/hsds", "{}", content_type="application/json"), 404)
        response = client.get("/fhir")
        assert (response.status_code, response["Location"]) == (301, "/fhir/")
        response = client.get("/api/hsds")
        assert (response.status_code, response["Location"]) == (301, "/api/hsds/")


def test_fhir_errors_are_operation_outcomes(world: ReferralWorld, as_user: Callable) -> None:
    client = as_user(world.midwife)
    assert_outcome(client.get("/fhir/Nothing/1/2"), 404)
    assert_outcome(client.post("/fhir/Task", "{}", content_type="application/json"), 405)
    # Signed in without the second factor: refused as an OperationOutcome too.
    unverified = Client()
    unverified.force_login(world.midwife)
    outcome = assert_outcome(unverified.get("/fhir/Task"), 403)
    assert "tweede factor" in outcome["issue"][0]["diagnostics"]
    problem = assert_problem(unverified.get(REFERRALS), 403)
    assert problem["code"] == "tweede-factor-vereist"


def test_the_parser_reads_no_more_than_the_limit() -> None:
    """Also when nothing says how long the body is, at most the limit + 1 bytes are read."""
    stream = io.BytesIO(b"[" + b"1," * 2000 + b"1]")
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000), pytest.raises(PayloadTooLarge):
        JSONParser().parse(stream, "application/json", {})
    assert stream.tell() == 1001
    assert JSONParser().parse(io.BytesIO(b'{"a": [1]}'), "application/json", {}) == {"a": [1]}


def test_django_refusing_a_body_is_a_413_problem() -> None:
    response = problem_exception_handler(RequestDataTooBig("too big"), {})
    assert response is not None
    assert response.status_code == 413
    assert response.data["code"] == "payload-too-large"


def test_pages_keep_their_html_errors(client: Client) -> None:
    response = client.get("/geen-pagina/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    # A form posted to a page's address without its slash: the 404 page, also with DEBUG on
    # (where Django's slash redirect raised a RuntimeError).
    with override_settings(DEBUG=True):
        response = Client(raise_request_exception=False).post("/signalering/uitkomst", {})
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
