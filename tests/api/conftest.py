"""The signalling fixtures (catalogue, default rules) for the API-wide tests."""

from tests.referrals.conftest import world  # noqa: F401
from tests.signalling.conftest import catalogue, default_rules  # noqa: F401
