from __future__ import annotations

import pytest

from kansrijk.monitoring.services import load_catalogue


@pytest.fixture
def catalogue(places: None) -> None:
    """The seeded indicator catalogue (no values)."""
    load_catalogue()
