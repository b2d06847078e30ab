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
    """What workers keep in memory or in the cache (search-form choices, the social map's
    search index and result cards) does not leak from one test into the next."""
    from django.core.cache import cache

    from kansrijk.directory import page_selectors, ranking, search_html
    from kansrijk.directory.cache import forget_local_cards
    from kansrijk.monitoring.cache import forget_token
    from kansrijk.places.selectors import forget_areas

    def forget() -> None:
        cache.clear()
        forget_local_cards()
        page_selectors.forget_choices()
        ranking.forget_index()
        search_html.forget_skeletons()
        forget_areas()
        forget_token()

    forget()
    yield
    forget()


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
