"""Editing the menukaart in the admin: financing as checkboxes, services linked by search."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kansrijk.accounts.models import User
from kansrijk.interventions.models import Intervention
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("places", "menukaart")


@pytest.fixture
def admin_client(client: Client, login_verified: Callable[[Client, User], Client]) -> Client:
    user: User = UserFactory(is_staff=True, is_superuser=True)  # type: ignore[assignment]
    return login_verified(client, user)


def _form_data(intervention: Intervention, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": intervention.name,
        "alternate_names": "\n".join(intervention.alternate_names),
        "building_block": intervention.building_block,
        "description": intervention.description,
        "target_group": intervention.target_group,
        "provider_kind": intervention.provider_kind,
        "url": intervention.url,
        "phase_preconception": intervention.phase_preconception,
        "phase_pregnancy": intervention.phase_pregnancy,
        "phase_postnatal": intervention.phase_postnatal,
        "situations": [s.pk for s in intervention.situations.all()],
        "recognition": intervention.recognition,
        "recognition_source": intervention.recognition_source,
        "financing_laws": intervention.financing_laws,
        "services": [s.pk for s in intervention.services.all()],
        "source": intervention.source,
        "is_active": intervention.is_active,
    }
    data.update(changes)
    return {k: ("on" if v is True else v) for k, v in data.items() if v not in (False, None, "")}


def test_changelist(admin_client: Client) -> None:
    url = reverse("admin:interventions_intervention_changelist")
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "Nu Niet Zwanger" in response.content.decode()
    assert admin_client.get(url, {"q": "NNZ"}).status_code == 200


def test_edit_recognition_financing_and_services(
    admin_client: Client, offer: dict[str, Any]
) -> None:
    intervention = Intervention.objects.get(slug="voorzorg")
    url = reverse("admin:interventions_intervention_change", args=[intervention.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'type="checkbox" name="financing_laws" value="jeugdwet"' in page.content.decode()
    service = offer["nnz_rotterdam"]
    response = admin_client.post(
        url,
        _form_data(
            intervention,
            recognition="effective_good",
            recognition_source="https://example.org/databank/voorzorg",
            financing_laws=["jeugdwet", "wpg"],
            services=[*(s.pk for s in intervention.services.all()), service.pk],
            alternate_names="Voor Zorg\nVZ",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    intervention.refresh_from_db()
    assert intervention.recognition == "effective_good"
    assert intervention.financing_laws == ["jeugdwet", "wpg"]
    assert intervention.alternate_names == ["Voor Zorg", "VZ"]
    assert service in intervention.services.all()


def test_no_phase_or_bad_url_is_refused(admin_client: Client) -> None:
    intervention = Intervention.objects.get(slug="home-start")
    url = reverse("admin:interventions_intervention_change", args=[intervention.pk])
    response = admin_client.post(
        url,
        _form_data(intervention, phase_postnatal=False, url="geen adres", name="Anders"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kies minstens één fase." in html
    assert "Voer een geldige URL in." in html
    intervention.refresh_from_db()
    assert intervention.name == "Home-Start"
