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
    from kansrijk.directory.models import Organization

    jgz = Organization.objects.get(name=demo.JGZ)
    assert jgz.account_organisation is not None
    assert jgz.account_organisation.name == demo.JGZ

    first = demo.load()
    assert first["created"] == len(demo.REFERRALS)
    referrals = list(Referral.objects.all())
    assert len(referrals) == len(demo.REFERRALS)
    assert all(r.client_family_name.endswith("(demo)") for r in referrals)
    statuses = {r.status for r in referrals}
    assert {"draft", "requested", "accepted", "in-progress", "completed", "rejected"} <= statuses
    assert {r.sender_organisation.name for r in referrals} == {demo.MIDWIFE_PRACTICE}
    receivers = {r.receiver_organisation.name for r in referrals}
    assert receivers == {demo.JGZ, demo.DEBT}
    assert all(r.consents.exists() for r in referrals)

    again = demo.load()
    assert again == {"created": 0, "skipped": len(demo.REFERRALS)}
    assert Referral.objects.count() == len(demo.REFERRALS)
