"""The loop's own figures for coordinators and analysts of the municipality (logged, with "< 10"
where due), the opt-in anonymous demand signal, and the analysts' upload page."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse

from kansrijk.accounts.roles import Role
from kansrijk.audit.models import AccessEvent
from kansrijk.monitoring.models import DemandSignal, Indicator, IndicatorValue
from kansrijk.monitoring.services import count_graded_conversation
from kansrijk.referrals.models import ReferralStatistic
from kansrijk.referrals.workflow import Status
from tests.factories import UserFactory
from tests.monitoring.conftest import scoped_user
from tests.referrals.factories import make_referral, reach

pytestmark = pytest.mark.django_db


@pytest.fixture
def loop_world(world, catalogue):
    for _ in range(3):
        make_referral(world, status=Status.REJECTED)
    accepted = make_referral(world, status=Status.ACCEPTED)
    reach(world, accepted)
    ReferralStatistic.objects.create(
        month=datetime.date(2024, 5, 1),
        municipality_code="GM0090",
        service_ref=str(world.service.pk),
        kind="prenatal_home_visit",
        final_status=Status.COMPLETED,
        count=30,
        contact_days={"2": 20, "5": 10},
    )
    ReferralStatistic.objects.create(
        month=datetime.date(2024, 5, 1),
        municipality_code="GM0090",
        service_ref=str(world.service.pk),
        kind="prenatal_home_visit",
        final_status=Status.REJECTED,
        reason_code="no_capacity",
        count=12,
    )
    ReferralStatistic.objects.create(
        month=datetime.date(2024, 5, 1),
        municipality_code="GM0090",
        service_ref=str(world.service.pk),
        kind="prenatal_home_visit",
        final_status=Status.REJECTED,
        reason_code="other",
        count=4,
    )
    for final_status, reason, count in ((Status.COMPLETED, "", 7), (Status.REJECTED, "other", 9)):
        ReferralStatistic.objects.create(
            month=datetime.date(2023, 3, 1),
            municipality_code="GM0090",
            service_ref=str(world.service.pk),
            kind="prenatal_home_visit",
            final_status=final_status,
            reason_code=reason,
            count=count,
            contact_days={"3": 7} if count == 7 else {},
        )
    IndicatorValue.objects.create(
        indicator=Indicator.objects.get(code="levend-geborenen"),
        area_code="GM0090",
        area_level="municipality",
        period_start=2024,
        period_end=2024,
        numerator=600,
        value=600,
    )
    return world


def _loop(client, user):
    client.force_login(user)
    response = client.get(reverse("monitoring:municipality", args=["GM0090"]))
    assert response.status_code == 200
    return response.context.get("loop")


def test_a_coordinator_sees_the_loop_with_small_numbers_suppressed(client, loop_world):
    coordinator = scoped_user(Role.COALITION_COORDINATOR)
    loop = _loop(client, coordinator)
    assert loop is not None
    this_year = max(loop.years)
    rows = {row.indicator.code: row for row in loop.rows}
    # 2023: 16 sent (7 completed, 9 rejected); 2024: 46 sent (30 completed, 16 rejected);
    # this year 4. 600 births in 2024 -> 46 requests: 7,7 per 100.
    assert rows["verwijzingen-verstuurd"].figures[2024].display == "46"
    assert rows["phb-per-100-geboorten"].figures[2024].display == "7,7%"
    assert rows["verwijzingen-afgewezen"].figures[2024].display == "34,8%"
    # The referral results page shows 37 completed over all years: 37 minus the 30 of 2024 would
    # tell the 7 of 2023 and the 0 of this year, so 2024 is not shown either; and 16 sent in
    # 2023 is not shown, or 66 minus 16 and 46 would tell this year's 4.
    assert rows["verwijzingen-afgerond"].figures[2024].display == "niet getoond"
    assert rows["verwijzingen-afgerond"].figures[2024].value is None
    assert rows["verwijzingen-verstuurd"].figures[2023].display == "niet getoond"
    assert rows["dagen-tot-contact"].figures[2024].display == "2,0 dagen"
    # This year: 4 live referrals, all under 10.
    assert rows["verwijzingen-verstuurd"].figures[this_year].display == "< 10"
    reasons = {reason.label: reason.shown for reason in loop.reasons}
    # 16 rejected in 2024: 12 "no capacity" and 4 "other": 16 - 12 would tell the 4.
    assert reasons["Anders"][2024] == "< 10"
    assert reasons["Geen plek"][2024] == "niet getoond"
    event = AccessEvent.objects.get(event_type="monitoring.loop")
    assert (event.role, event.purpose, event.object_id) == (
        Role.COALITION_COORDINATOR,
        "coalition.monitoring",
        "GM0090",
    )


def test_a_share_of_a_year_whose_referrals_are_not_shown_is_not_shown(client, world, catalogue):
    """2021: 40 sent (25 completed, 15 rejected); 2022: 30 (15, 15); 2023: 5 (5 completed).
    2022's 30 sent is withheld (75 over all years minus 40 would tell the 5 of 2023); then its
    share rejected, 50,0 % of a number between 26 and 35, is withheld too."""
    for year, completed, rejected in ((2021, 25, 15), (2022, 15, 15), (2023, 5, 0)):
        for final_status, count in ((Status.COMPLETED, completed), (Status.REJECTED, rejected)):
            if count:
                ReferralStatistic.objects.create(
                    month=datetime.date(year, 4, 1),
                    municipality_code="GM0090",
                    service_ref=str(world.service.pk),
                    kind="prenatal_home_visit",
                    final_status=final_status,
                    reason_code="other" if final_status == Status.REJECTED else "",
                    count=count,
                )
    rows = {row.indicator.code: row for row in _loop(client, scoped_user(Role.ANALYST)).rows}
    assert rows["verwijzingen-verstuurd"].figures[2021].display == "40"
    assert rows["verwijzingen-verstuurd"].figures[2022].display == "niet getoond"
    assert rows["verwijzingen-afgewezen"].figures[2022].display == "niet getoond"
    assert rows["verwijzingen-afgewezen"].figures[2022].value is None


def test_the_loop_per_pathway_and_year(client, world, catalogue):
    """The counts per pathway and year, protected against each pathway's total over all years
    (the referral results page) and each year's total (the monitor)."""
    pathway = "77"  # a pathway since deleted: shown by its reference
    for year, ref, count in (
        (2023, pathway, 30),
        (2024, pathway, 25),
        (2023, "", 40),
        (2024, "", 4),
    ):
        ReferralStatistic.objects.create(
            month=datetime.date(year, 4, 1),
            municipality_code="GM0090",
            service_ref=str(world.service.pk),
            pathway_ref=ref,
            kind="prenatal_home_visit",
            final_status=Status.COMPLETED,
            count=count,
        )
    loop = _loop(client, scoped_user(Role.COALITION_COORDINATOR))
    rows = {(row.pathway, row.label): row.shown for row in loop.by_pathway}
    sent = "Verwijzingen verstuurd"
    # 2023: 70 sent, 2024: 29 -- both shown above. Not from a pathway: 40 and 4 (44 over all
    # years): the 4 is small, and 44 - 40 would tell it, so the 40 goes too; then the 30 and 25
    # of the pathway, or 2023's 70 - 30 and 2024's 29 - 25 would tell them.
    assert rows[("Niet vanuit een zorgpad", sent)] == {2023: "niet getoond", 2024: "< 10"}
    assert rows[("Zorgpad 77", sent)][2023] == "niet getoond"
    assert rows[("Zorgpad 77", sent)][2024] == "niet getoond"
    assert [row.label for row in loop.by_pathway][:4] == [
        "Verwijzingen verstuurd",
        "Verwijzingen geaccepteerd",
        "Verwijzingen afgerond",
        "Verwijzingen afgewezen",
    ]
    body = client.get(reverse("monitoring:municipality", args=["GM0090"])).content.decode()
    assert "Per zorgpad en jaar" in body
    assert "Zorgpad 77: verwijzingen verstuurd" in body


def test_one_pathway_shows_per_year_what_the_years_show(client, world, catalogue):
    """With one pathway its counts per year are the years' counts: shown the same way ("< 10"
    where small, "not shown" where withheld)."""
    for year, count in ((2023, 40), (2024, 30), (2025, 4)):
        ReferralStatistic.objects.create(
            month=datetime.date(year, 4, 1),
            municipality_code="GM0090",
            service_ref=str(world.service.pk),
            kind="prenatal_home_visit",
            final_status=Status.COMPLETED,
            count=count,
        )
    loop = _loop(client, scoped_user(Role.ANALYST))
    years = next(r for r in loop.rows if r.indicator.code == "verwijzingen-verstuurd")
    shown = {year: years.figures[year].display for year in (2023, 2024, 2025)}
    assert shown == {2023: "40", 2024: "niet getoond", 2025: "< 10"}
    per_pathway = next(r for r in loop.by_pathway if r.label == "Verwijzingen verstuurd")
    assert {year: per_pathway.shown[year] for year in shown} == shown


def test_the_loop_is_logged_under_the_role_that_gives_access_to_the_municipality(
    client, loop_world
):
    """A coordinator of Rotterdam who is an analyst of Smallingerland reads Smallingerland's
    figures as its analyst: the access log names that role, not the coordinator's."""
    from kansrijk.accounts.models import RoleAssignment

    user = scoped_user(Role.COALITION_COORDINATOR, "GM0599")
    RoleAssignment.objects.create(user=user, role=Role.ANALYST).municipalities.set(["GM0090"])
    assert _loop(client, user) is not None
    event = AccessEvent.objects.get(event_type="monitoring.loop")
    assert (event.role, event.object_id) == (Role.ANALYST, "GM0090")
    client.get(reverse("monitoring:municipality", args=["GM0599"]))
    latest = AccessEvent.objects.filter(event_type="monitoring.loop").latest("id")
    assert (latest.role, latest.object_id) == (Role.COALITION_COORDINATOR, "GM0599")


def test_others_do_not_see_the_loop(client, loop_world, login_verified):
    assert _loop(client, scoped_user(Role.COALITION_COORDINATOR, "GM0599")) is None
    login_verified(client, loop_world.midwife)
    response = client.get(reverse("monitoring:municipality", args=["GM0090"]))
    assert response.context.get("loop") is None
    client.logout()
    response = client.get(reverse("monitoring:municipality", args=["GM0090"]))
    assert response.context.get("loop") is None
    assert not AccessEvent.objects.filter(event_type="monitoring.loop").exists()


def test_the_demand_signal_is_off_by_default(loop_world):
    professional = loop_world.midwife
    assert (
        count_graded_conversation(
            user=professional,
            municipality_code="GM0090",
            phase="pregnancy",
            risk_codes=["geldzorgen"],
        )
        == 0
    )
    assert not DemandSignal.objects.exists()


@override_settings(KANSRIJK_DEMAND_SIGNAL=True)
def test_the_demand_signal_counts_professionals_only_and_keeps_no_person(client, loop_world):
    for _ in range(12):
        count_graded_conversation(
            user=loop_world.midwife,
            municipality_code="GM0090",
            phase="pregnancy",
            risk_codes=["geldzorgen", "roken"],
        )
    anonymous = UserFactory(username="bezoeker", roles=[])
    count_graded_conversation(
        user=anonymous, municipality_code="GM0090", phase="pregnancy", risk_codes=["geldzorgen"]
    )
    signals = {s.factor_code: s for s in DemandSignal.objects.all()}
    assert {code: s.count for code, s in signals.items()} == {"geldzorgen": 12, "roken": 12}
    fields = {f.name for f in DemandSignal._meta.get_fields()}
    assert fields == {
        "id",
        "municipality_code",
        "phase",
        "factor_code",
        "month",
        "count",
        "is_demo",
    }
    assert not any(s.is_demo for s in signals.values())
    loop = _loop(client, scoped_user(Role.ANALYST))
    rows = {row.factor_code: row for row in loop.demand}
    assert rows["geldzorgen"].count == "12"
    assert rows["geldzorgen"].is_todo  # no pathways in this test world
    assert (
        "vaak gesignaleerd, geen lokaal zorgpad"
        in client.get(reverse("monitoring:municipality", args=["GM0090"])).content.decode()
    )


def _demand_section(client) -> str:
    body = client.get(reverse("monitoring:municipality", args=["GM0090"])).content.decode()
    start = body.index('id="demand-heading"')
    return body[start : body.index("</section>", start)]


@override_settings(KANSRIJK_DEMAND_SIGNAL=True)
def test_the_demo_demand_signal_is_labelled_demo(client, loop_world):
    """Counts from gradings are not labelled; the counts the demo makes up are, on the page."""
    from kansrijk.monitoring import demo

    for _ in range(11):
        count_graded_conversation(
            user=loop_world.midwife,
            municipality_code="GM0090",
            phase="pregnancy",
            risk_codes=["roken"],
        )
    client.force_login(scoped_user(Role.COALITION_COORDINATOR))
    section = _demand_section(client)
    assert ">11<" in section
    assert "Demo" not in section
    demo._demand()
    assert DemandSignal.objects.filter(is_demo=True).count() == 6
    section = _demand_section(client)
    assert (
        "<strong>Demo:</strong> verzonnen aantallen, niet geteld uit beoordeelde gesprekken."
        in section
    )


@override_settings(KANSRIJK_DEMAND_SIGNAL=True)
def test_grading_on_the_signalling_page_counts(client, loop_world, login_verified):
    from kansrijk.signalling.services import load_default_rules
    from kansrijk.situations.services import load_catalogue

    load_catalogue()
    load_default_rules()
    login_verified(client, loop_world.midwife)
    response = client.post(
        reverse("signalling:conversation"),
        {
            "municipality": "GM0090",
            "phase": "pregnancy",
            "factor": ["geldzorgen", "warmte-en-affectie"],
        },
    )
    assert response.status_code == 303
    assert {s.factor_code: s.count for s in DemandSignal.objects.all()} == {"geldzorgen": 1}
    # Viewing the result again does not count again.
    client.get(reverse("signalling:outcome"))
    assert DemandSignal.objects.get(factor_code="geldzorgen").count == 1


def test_analyst_upload_reports_every_bad_row_then_imports(client, catalogue):
    analyst = scoped_user(Role.ANALYST, "GM0090")
    client.force_login(analyst)
    url = reverse("monitoring:upload")
    assert client.get(url).status_code == 200
    bad = b"indicator,area,period,numerator,denominator\nbig2,GM0090,2023,60,400\nbig2,GM0090,2024,500,400\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(url, {"values": SimpleUploadedFile("values.csv", bad)})
    assert response.status_code == 400
    assert [(p.row, p.column) for p in response.context["problems"]] == [(3, "numerator")]
    assert not IndicatorValue.objects.exists()
    good = bad.replace(b"500,400", b"50,400")
    response = client.post(url, {"values": SimpleUploadedFile("values.csv", good)}, follow=True)
    assert response.status_code == 200
    assert IndicatorValue.objects.filter(area_code="GM0090").count() == 2
    assert AccessEvent.objects.filter(event_type="monitoring.import", outcome="success").exists()
    assert AccessEvent.objects.filter(event_type="monitoring.import", outcome="failure").exists()


def test_upload_is_for_analysts(client, catalogue):
    client.force_login(scoped_user(Role.COALITION_COORDINATOR))
    response = client.get(reverse("monitoring:upload"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Geen toegang" in page
    assert "Cijfers uploaden is voor analisten." in page
    assert f'href="{reverse("core:start")}">Terug naar de startpagina</a>' in page
    client.logout()
    assert client.get(reverse("monitoring:upload")).status_code == 302  # to the log-in page
