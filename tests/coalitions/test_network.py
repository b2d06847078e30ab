"""The referral network: pairs counted for the coalition's municipalities in the period, small
numbers suppressed through the shared rules, totals that give nothing away, the access log."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kansrijk.accounts.models import RoleAssignment
from kansrijk.accounts.roles import Role
from kansrijk.audit.models import AccessEvent
from kansrijk.coalitions import network
from kansrijk.coalitions.access import access_for
from kansrijk.coalitions.models import Coalition, Member
from kansrijk.places.models import Municipality
from kansrijk.referrals.models import Referral
from kansrijk.referrals.workflow import Status
from tests.conftest import _login_verified as login
from tests.factories import UserFactory
from tests.referrals.factories import build_world, make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(places: None) -> Any:
    world = build_world()
    coalition = Coalition.objects.create(name="Kansrijke Start Drachten")
    coalition.municipalities.set(Municipality.objects.filter(code="GM0090"))
    for organisation, domain in [
        (world.sender_org, "medical"),
        (world.receiver_org, "medical"),
        (world.third_org, "social"),
    ]:
        Member.objects.create(coalition=coalition, organisation=organisation, domain=domain)
    coordinator = UserFactory(username="kartrekker", organisation=world.third_org)
    assignment = RoleAssignment.objects.create(
        user=coordinator, role=Role.COALITION_COORDINATOR, organisation=world.third_org
    )
    assignment.municipalities.set(Municipality.objects.filter(code="GM0090"))
    world.extra.update(coalition=coalition, coordinator=coordinator)
    for _ in range(12):
        make_referral(world, status=Status.REQUESTED)
    for _ in range(2):
        make_referral(world, status=Status.REJECTED)
    small = list(Referral.objects.order_by("created_at")[:3].values_list("pk", flat=True))
    Referral.objects.filter(pk__in=small).update(sender_organisation=world.third_org)
    # A draft is not sent; a referral from another municipality is not the coalition's.
    make_referral(world, status=Status.DRAFT)
    elsewhere = make_referral(world, status=Status.REQUESTED)
    Referral.objects.filter(pk=elsewhere.pk).update(client_municipality_id="GM0599")
    return world


def build(world: Any, **kwargs: Any) -> network.Network:
    access = access_for(world.extra["coordinator"], world.extra["coalition"].pk)
    assert access is not None
    start, end = network.default_period()
    return network.build(access, kwargs.get("start", start), kwargs.get("end", end))


def test_pairs_totals_and_suppression(world: Any) -> None:
    data = build(world)
    assert data.total == "14"
    edges = {(e.source.name, e.target.name): e.shown for e in data.edges}
    # 11 from the midwives and 3 from the third organisation to the JGZ: the 3 is under 10,
    # and the JGZ's total (14) minus 11 would give it away, so 11 is withheld as well.
    assert edges == {
        (world.sender_org.name, world.receiver_org.name): "not shown",
        (world.third_org.name, world.receiver_org.name): "< 10",
    }
    nodes = {n.name: n for n in data.nodes}
    # The grand total (14) is shown; the organisations' totals are its parts: the third
    # organisation's 3 sent is under 10, so the midwives' 11 would give it away.
    assert nodes[world.sender_org.name].sent == "not shown"
    assert nodes[world.third_org.name].sent == "< 10"
    # Everything went to the JGZ: its 14 would tell that the others received 0.
    assert nodes[world.receiver_org.name].received == "not shown"
    assert {n.name for n in data.quiet_members} == {world.sender_org.name, world.third_org.name}
    assert not any(n.name == "Gemeente Rotterdam" for n in data.nodes)
    (service,) = data.services
    assert service.received == "14"
    assert service.declined == "< 10"  # 2 of 14: the numerator is under 10


def test_a_large_enough_pair_is_shown(world: Any) -> None:
    Referral.objects.filter(sender_organisation=world.third_org).update(
        sender_organisation=world.sender_org
    )
    data = build(world)
    assert [e.shown for e in data.edges] == ["14"]


def test_the_period_counts(world: Any) -> None:
    later = timezone.localdate() + datetime.timedelta(days=10)
    data = build(world, start=later, end=later + datetime.timedelta(days=5))
    assert data.total == "< 10"
    assert data.edges == ()


def test_the_page_and_its_log(client: Client, world: Any) -> None:
    coalition = world.extra["coalition"]
    login(client, world.extra["coordinator"])
    page = client.get(reverse("coalitions:network", args=[coalition.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Who refers to whom" in html
    assert "&lt; 10" in html
    assert AccessEvent.objects.filter(
        event_type="coalitions.network.view", action="search", role="coalition_coordinator"
    ).exists()
    bad = client.get(reverse("coalitions:network", args=[coalition.pk]), {"van": "gisteren"})
    assert bad.status_code == 400
    login(client, world.midwife)
    assert client.get(reverse("coalitions:network", args=[coalition.pk])).status_code == 403
