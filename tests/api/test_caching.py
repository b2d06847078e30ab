"""Client data is not cached anywhere: every operation of both APIs (taken from their
committed OpenAPI documents, so a new one is covered without a change here) and every FHIR
endpoint answers a signed-in user with Cache-Control no-store, whatever its status; so does
every write, signed in or not. Anonymous reads of the public catalogues stay cacheable."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.test import Client

from kansrijk.referrals.workflow import Status
from tests.referrals.factories import ReferralWorld, make_referral

pytestmark = pytest.mark.django_db


def operations() -> Iterator[tuple[str, str, str]]:
    """(method, path template with its server, e.g. /api/v1/referrals/{referral_id})."""
    for name in ("openapi.yaml", "openapi-hsds.yaml"):
        document = yaml.safe_load((Path(settings.BASE_DIR) / name).read_text())
        server = document["servers"][0]["url"]
        for path, item in document["paths"].items():
            for method in item:
                if method in {"get", "post", "put", "patch", "delete"}:
                    yield method, server + path, name


def fill(template: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m[1], "onbekend"), template)


def no_store(response: Any) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.fixture
def signed_in(world: ReferralWorld, login_verified: Callable) -> tuple[Client, dict[str, str]]:
    referral = make_referral(world, status=Status.REQUESTED)
    values = {
        "referral_id": str(referral.pk),
        "consent_id": str(referral.consents.get().pk),
        "service_id": str(world.service.pk),
        "organization_id": str(world.service.organization_id),
        "postcode": "9203",
        "code": "geldzorgen",
        "slug": "voorzorg",
        "id": "1",
    }
    return login_verified(Client(raise_request_exception=False), world.midwife), values


def test_every_operation_answers_a_signed_in_user_with_no_store(signed_in: Any) -> None:
    client, values = signed_in
    checked = []
    for method, template, document in operations():
        path = fill(template, values)
        if method == "get":
            response = client.get(path)
        else:
            response = getattr(client, method)(
                path, json.dumps({}), content_type="application/json", headers={"If-Match": '"2"'}
            )
        assert no_store(response), (method, path, response.status_code, document)
        checked.append((method, template))
    assert len(checked) >= 25


def test_every_fhir_endpoint_answers_with_no_store(signed_in: Any, world: ReferralWorld) -> None:
    client, values = signed_in
    referral_id, consent_id = values["referral_id"], values["consent_id"]
    paths = [
        f"/fhir/Task/{referral_id}",
        f"/fhir/ServiceRequest/{referral_id}",
        f"/fhir/Consent/{consent_id}",
        f"/fhir/Task?owner=Organization/{world.receiver_org.pk}",
        "/fhir/Task/onbekend",
        "/fhir/metadata",
        "/fhir/Patient/1",
    ]
    for path in paths:
        response = client.get(path)
        assert no_store(response), (path, response.status_code)
    assert no_store(Client().get(f"/fhir/Task/{referral_id}"))  # refused: no data, still


def test_writes_are_not_cached_even_when_anonymous(default_rules: Any) -> None:
    response = Client().post(
        "/api/v1/signalling/assessments",
        json.dumps({"factors": ["roken"], "phase": "pregnancy", "municipality": "GM0090"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert no_store(response)


def test_anonymous_catalogue_reads_stay_cacheable(places: None) -> None:
    response = Client().get("/api/v1/places/municipalities")
    assert response.status_code == 200
    assert not no_store(response)
