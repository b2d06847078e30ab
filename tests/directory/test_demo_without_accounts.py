"""The demo social map loaded without the demo accounts (``test_demo.py`` shares one map with
the accounts among its tests)."""

from __future__ import annotations

import pytest

from kansrijk.directory import demo
from kansrijk.directory.models import Organization


@pytest.mark.django_db
def test_without_account_organisations_nothing_is_linked(places: None) -> None:
    demo.load()
    assert not Organization.objects.filter(account_organisation__isnull=False).exists()
