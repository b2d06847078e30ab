from __future__ import annotations

import pytest

from tests.referrals.factories import ReferralWorld, build_world


@pytest.fixture
def world(places: None) -> ReferralWorld:
    return build_world()
