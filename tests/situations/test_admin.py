"""Editing the catalogue in the admin: synonyms as lines, need categories checked, codes fixed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from kansrijk.accounts.models import User
from kansrijk.situations.models import Situation
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("catalogue")


@pytest.fixture
def admin_client(client: Client, login_verified: Callable[[Client, User], Client]) -> Client:
    user: User = UserFactory(is_staff=True, is_superuser=True)  # type: ignore[assignment]
    return login_verified(client, user)


def _form_data(situation: Situation, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": situation.kind,
        "domain": situation.domain_id,
        "name": situation.name,
        "description": situation.description,
        "synonyms": "\n".join(situation.synonyms),
        "phase_preconception": "on" if situation.phase_preconception else "",
        "phase_pregnancy": "on" if situation.phase_pregnancy else "",
        "phase_postnatal": "on" if situation.phase_postnatal else "",
        "need_category": situation.need_category,
        "position": situation.position,
        "is_active": "on",
        "source": situation.source,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


@pytest.mark.parametrize("model", ["situation", "lifedomain"])
def test_changelists(admin_client: Client, model: str) -> None:
    url = reverse(f"admin:situations_{model}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "geld"}).status_code == 200


def test_edit_synonyms_as_lines(admin_client: Client) -> None:
    situation = Situation.objects.get(code="huilbaby")
    url = reverse("admin:situations_situation_change", args=[situation.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "huilbaby\nhuilen" in page.content.decode()
    response = admin_client.post(
        url, _form_data(situation, synonyms="huilen\n  krijsen , huilen\n\nonrustig", code="x")
    )
    assert response.status_code == 302
    situation.refresh_from_db()
    assert situation.synonyms == ["huilen", "krijsen", "onrustig"]
    assert situation.code == "huilbaby"  # read-only
    assert "krijsen" in situation.search_text


def test_unknown_need_category_or_no_phase_is_refused(admin_client: Client) -> None:
    situation = Situation.objects.get(code="roken")
    url = reverse("admin:situations_situation_change", args=[situation.pk])
    response = admin_client.post(url, _form_data(situation, need_category="bestaat-niet"))
    assert response.status_code == 200
    assert (
        "bestaat-niet is geen hulpvraagcategorie van de sociale kaart." in response.content.decode()
    )
    response = admin_client.post(
        url,
        _form_data(
            situation, phase_preconception="", phase_pregnancy="", phase_postnatal="", name="X"
        ),
    )
    assert response.status_code == 200
    assert "Kies minstens één fase." in response.content.decode()
    situation.refresh_from_db()
    assert situation.need_category == "roken"
    assert situation.name == "Roken"
