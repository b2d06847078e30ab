"""The admin shows the reference data but does not let anyone change it (the loader owns it)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from kansrijk.accounts.models import User
from kansrijk.places.models import Municipality
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("places")


@pytest.fixture
def admin_client(client: Client, login_verified: Callable[[Client, User], Client]) -> Client:
    user: User = UserFactory(is_staff=True, is_superuser=True)  # type: ignore[assignment]
    return login_verified(client, user)


@pytest.mark.parametrize(
    "model", ["province", "ggdregion", "youthcareregion", "municipality", "postcodearea"]
)
def test_changelist_and_search(admin_client: Client, model: str) -> None:
    url = reverse(f"admin:places_{model}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "Smallingerland"}).status_code == 200
    assert admin_client.get(reverse(f"admin:places_{model}_add")).status_code == 403


def test_municipality_is_view_only(admin_client: Client) -> None:
    url = reverse("admin:places_municipality_change", args=["GM0090"])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert b"Smallingerland" in response.content
    assert b'name="_save"' not in response.content
    admin_client.post(url, {"name": "Verkeerd"})
    assert Municipality.objects.get(code="GM0090").name == "Smallingerland"
    delete = reverse("admin:places_municipality_delete", args=["GM0090"])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Municipality.objects.filter(code="GM0090").exists()


def test_list_filters(admin_client: Client) -> None:
    url = reverse("admin:places_municipality_changelist")
    response = admin_client.get(url, {"province__code__exact": "PV21"})
    assert response.status_code == 200
    assert b"Smallingerland" in response.content
    assert b"Heerlen" not in response.content
