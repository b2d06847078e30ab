"""Fixtures for the menukaart tests. Services come from the social-map factories."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kansrijk.directory.models import Service
from kansrijk.interventions.models import Intervention
from kansrijk.interventions.services import load_menukaart
from kansrijk.situations.services import load_catalogue
from tests.directory.factories import ServiceFactory
from tests.scoped import data_for_scope


@pytest.fixture
def catalogue(db: None) -> None:
    load_catalogue()


def _catalogue_and_menukaart() -> None:
    load_catalogue()
    load_menukaart()


@pytest.fixture(scope="module")
def menukaart_rows(request: pytest.FixtureRequest) -> Iterator[None]:
    yield from data_for_scope(request, _catalogue_and_menukaart)


@pytest.fixture
def menukaart(db: None, menukaart_rows: None) -> None:
    """The situations catalogue and the shipped menukaart (no services linked), loaded once for
    the module's tests (``tests/scoped.py``)."""


@pytest.fixture
def offer(places: None, menukaart: None) -> dict[str, Any]:
    """Services that deliver interventions:

    - Smallingerland (GM0090): Nu Niet Zwanger (GGD, also serving Achtkarspelen GM0059),
      VoorZorg, Rookvrije Start;
    - Rotterdam (GM0599): Nu Niet Zwanger, CenteringPregnancy;
    - a defunct VoorZorg service in Rotterdam (does not count).
    """

    def deliver(slug: str, **kwargs: Any) -> Service:
        service: Service = ServiceFactory(**kwargs)
        Intervention.objects.get(slug=slug).services.add(service)
        return service

    return {
        "nnz_fryslan": deliver(
            "nu-niet-zwanger",
            name="Nu Niet Zwanger GGD Fryslân",
            municipalities=["GM0090", "GM0059"],
            referral_methods=["phone"],
        ),
        "voorzorg_drachten": deliver("voorzorg", name="VoorZorg Drachten"),
        "rookvrij_drachten": deliver("rookvrije-start", name="Stoppen met roken Drachten"),
        "nnz_rotterdam": deliver(
            "nu-niet-zwanger", name="Nu Niet Zwanger Rotterdam", municipalities=["GM0599"]
        ),
        "centering_rotterdam": deliver(
            "centeringpregnancy", name="Centering Rotterdam", municipalities=["GM0599"]
        ),
        "voorzorg_defunct": deliver(
            "voorzorg", name="VoorZorg (gestopt)", municipalities=["GM0599"], status="defunct"
        ),
    }
