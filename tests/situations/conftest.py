"""Fixtures for the situations tests."""

from __future__ import annotations

import pytest

from kansrijk.situations.services import load_catalogue


@pytest.fixture
def catalogue(db: None) -> None:
    """The national catalogue of life domains, risk and protective factors."""
    load_catalogue()
