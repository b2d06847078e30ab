"""A bounded property-based fuzz run of both APIs (schemathesis) against the live test server:
every operation of the Kansrijk API and of the HSDA API, with valid and invalid input
generated from their OpenAPI documents, as a signed-in midwife (so the referral operations
are reached past the log-in). No answer may be a 5xx, and every answer must match the
document: its status code, content type, headers (API-Version) and body schema.

About a minute: ``FUZZ_EXAMPLES`` examples per operation and generation mode; set
``KANSRIJK_FUZZ_EXAMPLES`` for a longer run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import pytest
import requests
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.referrals.factories import (
    ALL_CATEGORIES,
    ReferralWorld,
    api_payload,
    build_world,
    make_referral,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

FUZZ_EXAMPLES = int(os.environ.get("KANSRIJK_FUZZ_EXAMPLES", "8"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
CSRF = "fuzzcsrftokenfuzzcsrftokenfuzzcs"  # 32 characters: an unmasked Django CSRF secret


def _session_headers(world: ReferralWorld, login_verified: Callable) -> dict[str, str]:
    client = login_verified(Client(), world.midwife)
    session = client.cookies["sessionid"].value
    return {"Cookie": f"sessionid={session}; csrftoken={CSRF}", "X-CSRFToken": CSRF}


def _fuzz(schema: Any, base_url: str, headers: dict[str, str]) -> list[str]:
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=FUZZ_EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            def run(case: Any) -> None:
                case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)

            try:
                run()
            except Unsatisfiable:  # no invalid input exists (e.g. any string is a valid code)
                continue
            except Exception as exc:  # one operation's failure must not hide the others
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    return failures


def _happy_path(schema: Any, base_url: str, headers: dict[str, str], world: ReferralWorld) -> None:
    """Random input rarely gets far in a referral's workflow, so its answers are also checked
    along the way a real client goes: create, record consent, send, read, list."""
    session = requests.Session()
    session.headers.update({**headers, "Content-Type": "application/json"})

    def call(method: str, path: str, template: str, body: Any = None, **extra: str) -> Any:
        response = session.request(
            method,
            base_url + path,
            data=json.dumps(body) if body is not None else None,
            headers=extra,
        )
        assert response.status_code < 300, (method, path, response.text[:500])
        schema[template][method].validate_response(response)
        return response

    created = call("POST", "/referrals", "/referrals", api_payload(world.service)).json()
    path = f"/referrals/{created['id']}"
    template = "/referrals/{referral_id}"
    consent = {"data_categories": ALL_CATEGORIES, "method": "verbal"}
    call("POST", f"{path}/consents", f"{template}/consents", consent)
    call(
        "POST",
        f"{path}/transitions",
        f"{template}/transitions",
        {"to": "requested"},
        **{"If-Match": '"1"'},
    )
    call("GET", path, template)
    call("GET", "/referrals?side=sent", "/referrals")
    call("GET", "/referrals/workflow", "/referrals/workflow")


def test_fuzz_both_apis(
    live_server: Any, places: None, default_rules: Any, login_verified: Callable
) -> None:
    world = build_world()
    make_referral(world)  # so that lists and the inbox have something to show
    headers = _session_headers(world, login_verified)
    failures = []
    for document, base in [
        ("/api/v1/openapi.json", "/api/v1"),
        ("/api/hsds/openapi.json", "/api/hsds"),
    ]:
        schema = schemathesis.openapi.from_url(live_server.url + document)
        failures += _fuzz(schema, live_server.url + base, headers)
    assert not failures, "\n\n".join(failures)
