"""Fixtures and HSDS documents for the social-map tests."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from kansrijk.directory.vocabularies import (
    PHASE_TERMS,
    REFERRAL_TERMS,
    load_need_categories,
    need_term_id,
)

EXAMPLES = Path(__file__).parent / "hsds_examples"


@pytest.fixture
def english() -> Iterator[None]:
    """Messages compared in English (their msgid); the data-layer test modules use it."""
    with translation.override("en"):
        yield


@pytest.fixture
def need_categories(places: None) -> None:
    load_need_categories()


def _id() -> str:
    return str(uuid.uuid4())


def make_service_doc(
    *,
    service_id: str | None = None,
    organization_id: str | None = None,
    name: str = "Schuldhulpverlening Drachten",
    description: str = "Hulp bij schulden en geldzorgen voor (aanstaande) ouders.",
    postcode: str = "9203 AB",
    areas: list[dict[str, Any]] | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    category: str | None = "geldzorgen",
) -> dict[str, Any]:
    """A valid HSDS 3.0 service document the way a Dutch source would send it."""
    service_id = service_id or _id()
    organization_id = organization_id or _id()
    location: dict[str, Any] = {
        "id": _id(),
        "location_type": "physical",
        "name": "Gemeentehuis",
        "addresses": [
            {
                "id": _id(),
                "address_1": "Gauke Boelensstraat 2",
                "city": "Drachten",
                "state_province": "Fryslân",
                "postal_code": postcode,
                "country": "NL",
                "address_type": "physical",
            }
        ],
        "phones": [{"id": _id(), "number": "0512 581234", "type": "voice"}],
    }
    if latitude is not None:
        location["latitude"] = latitude
        location["longitude"] = longitude
    attributes: list[dict[str, Any]] = [
        {
            "id": _id(),
            "link_entity": "service",
            "taxonomy_term_id": str(PHASE_TERMS["pregnancy"].id),
            "taxonomy_term": {
                "id": str(PHASE_TERMS["pregnancy"].id),
                "code": "pregnancy",
                "name": "Tijdens de zwangerschap",
                "description": "",
                "taxonomy": "kansrijk-fase",
            },
        },
        {
            "id": _id(),
            "link_entity": "service",
            "taxonomy_term_id": str(REFERRAL_TERMS["phone"].id),
            "value": "Bel het sociaal team en vraag naar de schuldhulpverlener.",
            "link_type": "0512 581234",
            "taxonomy_term": {
                "id": str(REFERRAL_TERMS["phone"].id),
                "code": "phone",
                "name": "Telefonisch",
                "description": "",
                "taxonomy": "kansrijk-verwijzing",
            },
        },
    ]
    if category:
        attributes.append(
            {
                "id": _id(),
                "link_entity": "service",
                "taxonomy_term_id": str(need_term_id(category)),
                "taxonomy_term": {
                    "id": str(need_term_id(category)),
                    "name": category,
                    "description": "",
                },
            }
        )
    return {
        "id": service_id,
        "name": name,
        "description": description,
        "status": "active",
        "email": "schuldhulp@example.org",
        "organization": {
            "id": organization_id,
            "name": "Gemeente Smallingerland",
            "description": "De gemeente.",
        },
        "service_areas": copy.deepcopy(areas)
        if areas is not None
        else [{"id": _id(), "name": "Smallingerland", "extent": "GM0090", "extent_type": "text"}],
        "service_at_locations": [{"id": _id(), "location": location}],
        "languages": [{"id": _id(), "code": "nl", "name": "Nederlands"}],
        "cost_options": [{"id": _id(), "option": "Gratis", "amount": 0, "currency": "EUR"}],
        "attributes": attributes,
    }
