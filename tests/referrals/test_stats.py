"""Closing the loop for the coalition: counts per pathway and municipality, live and purged
together, numbers under 10 suppressed, only for coordinators and analysts of the municipality."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from kansrijk.accounts.roles import Role
from kansrijk.audit.models import AccessEvent
from kansrijk.monitoring.suppression import Reason
from kansrijk.referrals import stats
from kansrijk.referrals.models import ReferralStatistic
from kansrijk.referrals.workflow import Status
from tests.factories import UserFactory
from tests.referrals.factories import make_referral, reach

pytestmark = pytest.mark.django_db


def _coordinator(municipality: str = "GM0090", role: str = Role.COALITION_COORDINATOR):
    from kansrijk.accounts.models import RoleAssignment

    user = UserFactory(username=f"{role}-{municipality}", roles=[])
    assignment = RoleAssignment.objects.create(user=user, role=role)
    assignment.municipalities.set([municipality])
    return user


def test_shown():
    assert [stats.shown(n, None) for n in (0, 250)] == ["0", "250"]
    assert stats.shown(3, Reason.SMALL_COUNT) == "< 10"
    assert stats.shown(30, Reason.SECONDARY) == "niet getoond"


def test_live_and_purged_referrals_are_combined_and_small_numbers_suppressed(world):
    for _ in range(3):
        make_referral(world, status=Status.REJECTED, pathway_ref="7")
    accepted = make_referral(world, status=Status.ACCEPTED, pathway_ref="7")
    reach(world, accepted)
    make_referral(world, status=Status.DRAFT, pathway_ref="7")  # not sent: not counted
    ReferralStatistic.objects.create(
        month=datetime.date(2025, 1, 1),
        municipality_code="GM0090",
        service_ref=str(world.service.pk),
        pathway_ref="7",
        kind="prenatal_home_visit",
        final_status=Status.COMPLETED,
        outcome="help_started",
        count=12,
        contact_days={"2": 10, "4": 2},
    )
    ReferralStatistic.objects.create(
        month=datetime.date(2025, 1, 1),
        municipality_code="GM0090",
        service_ref=str(world.service.pk),
        pathway_ref="7",
        kind="prenatal_home_visit",
        final_status=Status.REJECTED,
        reason_code="no_capacity",
        count=8,
    )
    cells = stats.tally({"GM0090"})
    cell = cells[("7", "GM0090")]
    assert cell.sent == 3 + 1 + 12 + 8
    assert cell.accepted == 1 + 12
    assert cell.completed == 12
    assert cell.rejected == 3 + 8
    assert cell.reasons == {"other": 3, "no_capacity": 8}
    assert sum(cell.contact_days.values()) == 13
    assert cell.median_days() == 2.0

    (row,) = stats.rows_for({"GM0090"})
    assert row.sent == "24"
    assert row.accepted == "13"
    assert row.completed == "12"
    assert row.rejected == "11"
    assert dict(row.reasons) == {"Geen plek": "< 10", "Anders": "< 10"}
    assert row.median_days == "2"
    assert row.municipality_name == "Smallingerland"


def test_a_pathway_count_that_would_give_away_another_is_not_shown(world):
    for pathway, count in (("7", 12), ("8", 3)):
        ReferralStatistic.objects.create(
            month=datetime.date(2025, 1, 1),
            municipality_code="GM0090",
            service_ref=str(world.service.pk),
            pathway_ref=pathway,
            kind="general",
            final_status=Status.COMPLETED,
            count=count,
        )
    rows = {row.pathway_ref: row for row in stats.rows_for({"GM0090"})}
    # The municipality's total (15) is public through the monitor: 15 - 12 would tell the 3.
    assert rows["8"].sent == "< 10"
    assert rows["7"].sent == "niet getoond"


def test_median_under_ten_is_not_shown(world):
    referral = make_referral(world, status=Status.ACCEPTED)
    reach(world, referral)
    (row,) = stats.rows_for({"GM0090"})
    assert row.sent == "< 10"
    assert row.median_days == "< 10"


def test_results_page_for_coordinator_and_analyst_of_their_municipality(
    client, login_verified, world
):
    make_referral(world, status=Status.REQUESTED)
    ReferralStatistic.objects.create(
        month=datetime.date(2025, 1, 1),
        municipality_code="GM0599",
        service_ref="x",
        kind="general",
        final_status=Status.COMPLETED,
        count=40,
    )
    coordinator = _coordinator("GM0090")
    login_verified(client, coordinator)
    response = client.get(reverse("referrals:results"))
    assert response.status_code == 200
    rows = response.context["table"]
    assert [r.municipality_code for r in rows] == ["GM0090"]  # not Rotterdam's
    assert rows[0].sent == "< 10"
    assert "&lt; 10" in response.content.decode()
    assert AccessEvent.objects.filter(event_type="referral.statistics").exists()
    client.logout()
    analyst = _coordinator("GM0599", Role.ANALYST)
    login_verified(client, analyst)
    rows = client.get(reverse("referrals:results")).context["table"]
    assert [(r.municipality_code, r.sent) for r in rows] == [("GM0599", "40")]


def test_results_page_is_403_for_others(client, login_verified, world):
    for user in (world.midwife, world.intake):
        client.logout()
        login_verified(client, user)
        assert client.get(reverse("referrals:results")).status_code == 403
