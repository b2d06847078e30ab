"""Fixtures for the whole suite.

- The reference data (municipalities, PC4) is loaded once into the test database; the
  ``places`` fixture makes sure it is there (transactional tests flush it) and returns nothing.
- ``login_verified(client, user)`` logs a user in with a verified second factor.
- Browser tests (marked ``e2e``) run last, because their live server flushes the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from kansrijk.accounts.models import User
from tests.factories import TOTPDeviceFactory


def _ensure_reference_data() -> None:
    from kansrijk.places.models import Municipality
    from kansrijk.places.services import load_reference_data

    if not Municipality.objects.exists():
        load_reference_data()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        _ensure_reference_data()


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> Iterator[None]:
    """What workers keep in memory (``kansrijk.core.freshness``: every ``Kept``) or in the
    shared cache does not leak from one test into the next."""
    from django.core.cache import cache

    from kansrijk.core import freshness

    cache.clear()
    freshness.forget_all()
    yield
    cache.clear()
    freshness.forget_all()


@pytest.fixture
def written_elsewhere(db: None) -> Callable[[str], None]:
    """``written_elsewhere("directory")`` raises the version number of a kind of data in the
    database, as another process's committed write does (``kansrijk.core.freshness``); this
    process sees it once it reads the numbers again (``TOKEN_SECONDS``)."""
    from django.db.models import F

    from kansrijk.core.models import DataVersion

    def write(kind: str) -> None:
        if not DataVersion.objects.filter(kind=kind).update(version=F("version") + 1):
            DataVersion.objects.create(kind=kind, version=1)

    return write


@pytest.fixture
def places(db: None) -> None:
    """The national reference data: 342 municipalities and the PC4 table."""
    _ensure_reference_data()


def _login_verified(client: Client, user: User) -> Client:
    device = user.totpdevice_set.filter(confirmed=True).first() or TOTPDeviceFactory(user=user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def login_verified() -> Callable[[Client, User], Client]:
    return _login_verified


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: 1 if item.get_closest_marker("e2e") else 0)
