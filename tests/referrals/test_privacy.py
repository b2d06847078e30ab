"""No personal data in URLs, logs, access-log rows, e-mails or error reports."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.views.debug import ExceptionReporter

from kansrijk.audit.models import AccessEvent
from kansrijk.referrals import services
from kansrijk.referrals.models import OutboxMessage
from kansrijk.referrals.workflow import Status
from tests.referrals.factories import (
    ALL_CATEGORIES,
    CLIENT_BIRTH,
    CLIENT_FAMILY,
    CLIENT_GIVEN,
    ReferralWorld,
    api_payload,
    make_referral,
    referral_input,
)

pytestmark = pytest.mark.django_db

SECRETS = (CLIENT_GIVEN, CLIENT_FAMILY, CLIENT_BIRTH.isoformat(), "14-03-1996", "06 12345678")


def _assert_clean(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} in {where}"


def test_full_flow_leaks_nothing(
    world: ReferralWorld,
    login_verified: Callable[..., Client],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    midwife = login_verified(Client(), world.midwife)
    intake = login_verified(Client(), world.intake)
    urls: list[str] = []

    def call(client: Client, method: str, url: str, data: Any = None, **headers: str) -> Any:
        urls.append(url)
        if method == "get":
            response = client.get(url, headers=headers)
        else:
            response = client.post(
                url, json.dumps(data), content_type="application/json", headers=headers
            )
        for header in ("Location", "ETag", "Link"):
            if header in response:
                _assert_clean(response[header], f"{header} of {url}")
        return response

    created = call(midwife, "post", "/api/v1/referrals", api_payload(world.service)).json()
    rid = created["id"]
    base = f"/api/v1/referrals/{rid}"
    # Bad input and refusals are logged by Django as warnings: still nothing personal.
    bad = api_payload(world.service)
    bad["client"]["email"] = "fenna@"
    response = call(midwife, "post", "/api/v1/referrals", bad)
    _assert_clean(response.content.decode(), "a 400 problem")
    call(midwife, "post", f"{base}/transitions", {"to": "requested"}, If_Match='"1"')  # 409
    call(
        midwife, "post", f"{base}/consents", {"data_categories": ALL_CATEGORIES, "method": "verbal"}
    )
    call(midwife, "post", f"{base}/transitions", {"to": "requested"}, If_Match='"1"')
    call(intake, "get", "/api/v1/referrals?side=inbox")
    call(intake, "get", base)
    call(intake, "post", f"{base}/transitions", {"to": "accepted"}, If_Match='"1"')  # 412
    call(intake, "post", f"{base}/transitions", {"to": "accepted"}, If_Match='"2"')
    call(intake, "post", f"{base}/contact-attempts", {"channel": "phone", "result": "reached"})
    call(intake, "get", f"/fhir/Task/{rid}")
    call(intake, "get", f"/fhir/ServiceRequest/{rid}")
    bundle = call(intake, "get", "/fhir/Task").json()
    for link in bundle["link"]:
        _assert_clean(link["url"], "a Bundle link")

    for url in urls:
        _assert_clean(url, "a URL")
    for record in caplog.records:
        _assert_clean(record.getMessage(), f"log record {record.name}")
    for event in AccessEvent.objects.all():
        row = " ".join(str(getattr(event, f.attname)) for f in AccessEvent._meta.fields)
        _assert_clean(row, "an access-log row")
    assert AccessEvent.objects.filter(client_ref__startswith="cl-").count() >= 8
    for message in OutboxMessage.objects.all():
        _assert_clean(message.subject + message.body, "an e-mail")


def test_error_reports_hide_client_data(world: ReferralWorld) -> None:
    """An unexpected error while creating a referral: the error report (what Django mails to
    the administrators) shows no client data in its local variables."""
    with mock.patch(
        "kansrijk.referrals.services.client_ref", side_effect=RuntimeError("unexpected")
    ):
        try:
            services.create_referral(user=world.midwife, data=referral_input(world.service))
        except RuntimeError:
            exc_info = sys.exc_info()
    report = ExceptionReporter(None, *exc_info).get_traceback_text()
    assert "create_referral" in report
    _assert_clean(report, "an error report")


def test_str_and_repr_show_the_reference_only(world: ReferralWorld) -> None:
    referral = make_referral(world, status=Status.REQUESTED)
    _assert_clean(str(referral) + repr(referral), "str/repr")
    for consent in referral.consents.all():
        _assert_clean(str(consent), "str of a consent")
