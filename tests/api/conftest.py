"""The signalling fixtures (catalogue, default rules) for the API-wide tests."""

from tests.referrals.conftest import world  # noqa: F401
from tests.signalling.conftest import (  # noqa: F401
    _fresh_rules_cache,
    catalogue,
    default_rules,
)
