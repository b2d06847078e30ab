"""The demo referrals: several statuses, obviously fake, linked organisations, idempotent."""

from __future__ import annotations

import pytest

from kansrijk.core.demo import DEMO_LOADERS
from kansrijk.referrals import demo
from kansrijk.referrals.models import Referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_world(places: None) -> None:
    from kansrijk.accounts.demo import load as load_accounts
    from kansrijk.directory.demo import load as load_directory
    from kansrijk.situations.services import load_catalogue

    load_accounts()
    load_catalogue()
    load_directory()


def test_registered_after_what_it_needs():
    """The demo referrals need the demo accounts, social map and pathways; loaders that
    draw on the referrals (monitor figures, the coalition's referral network) come after."""
    position = DEMO_LOADERS.index("kansrijk.referrals.demo.load")
    for needed in (
        "kansrijk.accounts.demo.load",
        "kansrijk.directory.demo.load",
        "kansrijk.pathways.demo.load",
    ):
        assert DEMO_LOADERS.index(needed) < position


def test_demo_referrals_are_made_once_and_marked(demo_world):
    from kansrijk.accounts.models import User
    from kansrijk.directory.models import Organization

    jgz = Organization.objects.get(name=demo.JGZ)
    assert jgz.account_organisation is not None
    assert jgz.account_organisation.name == demo.JGZ

    first = demo.load()
    every = len(demo.REFERRALS) * len(demo.TOWNS)
    assert first["created"] == every
    referrals = list(Referral.objects.all())
    assert len(referrals) == every
    assert all(r.client_family_name.endswith("(demo)") for r in referrals)
    assert all(r.consents.exists() for r in referrals)
    # In each demo municipality, from its midwives and GP to its JGZ and debt counselling.
    for town in demo.TOWNS:
        local = [r for r in referrals if r.client_municipality_id == town.municipality]
        assert len(local) == len(demo.REFERRALS), town.slug
        statuses = {r.status for r in local}
        assert {
            "draft",
            "requested",
            "accepted",
            "in-progress",
            "completed",
            "rejected",
        } <= statuses
        organisation = {
            u.username: u.organisation
            for u in User.objects.filter(
                username__in=[*town.senders.values(), *town.receivers.values()]
            )
        }
        assert {r.sender_organisation for r in local} == {
            organisation[name] for name in town.senders.values()
        }
        assert {r.receiver_organisation for r in local} == {
            organisation[name] for name in town.receivers.values()
        }
    smallingerland = [r for r in referrals if r.client_municipality_id == demo.MUNICIPALITY]
    assert {r.sender_organisation.name for r in smallingerland} == {
        demo.MIDWIFE_PRACTICE,
        demo.GP_PRACTICE,
    }
    assert {r.receiver_organisation.name for r in smallingerland} == {demo.JGZ, demo.DEBT}

    again = demo.load()
    assert again == {"created": 0, "skipped": every}
    assert Referral.objects.count() == every


def test_the_debt_counselling_intake_handler_has_referrals_to_accept(demo_world):
    """The demo user of debt counselling finds referrals in the inbox — from the midwife and
    from the GP — and can accept one; one is already being worked on."""
    from kansrijk.accounts.models import User
    from kansrijk.referrals import selectors, services
    from kansrijk.referrals.workflow import Status

    demo.load()
    handler = User.objects.get(username=demo.DEBT_INTAKE)
    inbox = selectors.inbox(handler)
    senders = {row.referral.sender_organisation.name for row in inbox.rows}
    assert senders == {demo.MIDWIFE_PRACTICE, demo.GP_PRACTICE}
    statuses = {row.referral.status for row in inbox.rows}
    assert {Status.REQUESTED, Status.IN_PROGRESS} <= statuses
    waiting = next(r.referral for r in inbox.rows if r.referral.status == Status.REQUESTED)
    referral = selectors.get_referral(handler, waiting.pk)
    services.acknowledge_receipt(referral=referral, user=handler)
    accepted = services.accept_referral(
        referral=selectors.get_referral(handler, waiting.pk), user=handler
    )
    assert accepted.status == Status.ACCEPTED
    gp = User.objects.get(username=demo.GP)
    assert gp.has_role("professional")
    assert selectors.sent_referrals(gp).rows
