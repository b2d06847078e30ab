"""Changing a draft referral and recording a withdrawn consent, in the browser: the midwife
changes her draft (a bad value is refused with a clear error, then saved), sends it, and later
records that the client withdrew her consent, which cancels the open referral. axe-core on
every page; screenshots."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kansrijk.accounts.demo import DEMO_PASSWORD
from tests.e2e.conftest import assert_accessible, log_in, screenshot

pytestmark = pytest.mark.e2e

MIDWIFE = "verloskundige.smallingerland"
CLIENT = ("Sanne", "Proefcliënt")


def _check(page: Any, axe: Any, name: str) -> None:
    assert_accessible(axe, page)
    screenshot(page, f"referral-{name}")


def _draft() -> Any:
    from kansrijk.accounts.models import User
    from kansrijk.referrals import services
    from kansrijk.referrals.views import _prenatal_services

    midwife = User.objects.get(username=MIDWIFE)
    service = _prenatal_services("GM0090")[0]
    return services.create_referral(
        user=midwife,
        data=services.ReferralInput(
            service_id=service.pk,
            kind="prenatal_home_visit",
            client_given_name=CLIENT[0],
            client_family_name=CLIENT[1],
            client_birth_date=datetime.date(1995, 5, 1),
            client_phone="06 12345678",
            client_municipality="GM0090",
            phase="pregnancy",
            due_date=timezone.localdate() + datetime.timedelta(days=150),
            gestational_age_weeks=18,
            parity=0,
        ),
    )


def test_midwife_changes_her_draft_and_records_a_withdrawn_consent(page, axe, demo):
    referral = _draft()
    log_in(page, MIDWIFE, DEMO_PASSWORD, second_factor=True)
    page.goto(f"/verwijzingen/{referral.pk}/")
    page.get_by_role("link", name="Concept wijzigen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Verwijzing {referral.reference} wijzigen"
    )
    expect(page.get_by_label("Voornaam")).to_have_value(CLIENT[0])
    _check(page, axe, "edit")

    # A bad value: a clear error, nothing saved.
    page.get_by_label("Zwangerschapsduur (weken)").fill("60")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    expect(page.get_by_role("alert")).to_contain_text("Er is nog niets opgeslagen")
    _check(page, axe, "edit-error")

    page.get_by_label("Zwangerschapsduur (weken)").fill("19")
    page.get_by_label("Overdrachtsnotitie").fill("Na het tweede gesprek: wil graag hulp.")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    expect(page.get_by_text("De wijzigingen in het concept zijn opgeslagen.")).to_be_visible()
    expect(page.get_by_text("Na het tweede gesprek: wil graag hulp.")).to_be_visible()

    # Consent and send.
    consent = page.get_by_role("region", name="1. Toestemming")
    consent.get_by_role("radio", name="Mondeling").check()
    consent.get_by_role("button", name="Toestemming vastleggen").click()
    expect(page.get_by_text("De toestemming is vastgelegd.")).to_be_visible()
    page.get_by_role("button", name="Verwijzing versturen").click()
    expect(page.get_by_text("De verwijzing is verstuurd.")).to_be_visible()

    # She withdraws her consent: record it; the open referral is cancelled.
    page.get_by_role("link", name="Leg vast dat zij deze toestemming introk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Intrekking van toestemming vastleggen"
    )
    _check(page, axe, "withdraw-consent")
    page.get_by_role("button", name="Intrekking vastleggen").click()
    expect(page.get_by_role("alert")).to_contain_text("Kies hoe zij haar toestemming introk.")
    _check(page, axe, "withdraw-consent-error")
    page.get_by_role("radio", name="Schriftelijk").check()
    page.get_by_label("Waarom").fill("Wil nu geen hulp.")
    page.get_by_role("button", name="Intrekking vastleggen").click()
    expect(page.get_by_text("De intrekking is vastgelegd.")).to_be_visible()
    expect(page.locator(".kr-ref-summary")).to_contain_text("Geannuleerd")
    _check(page, axe, "consent-withdrawn")
