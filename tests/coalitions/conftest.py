"""Fixtures for the coalition's workspace and self-assessments.

``workspace`` is a coalition in Smallingerland with four member organisations (municipality,
midwives, JGZ, welfare), its coordinator, analyst and editor, a user per member, and a second
coalition in Rotterdam with its own coordinator and member: the outsiders.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from kansrijk.accounts.models import Organisation, OrganisationKind, RoleAssignment, User
from kansrijk.accounts.roles import Role
from kansrijk.assessments.importing import import_instrument
from kansrijk.assessments.models import InstrumentVersion
from kansrijk.coalitions.models import Coalition, Member
from kansrijk.places.models import Municipality
from tests.factories import UserFactory

INSTRUMENT = {
    "code": "proef",
    "name": "Proefinstrument",
    "version": "1",
    "kind": "coalition",
    "source": "Voorbeeldtekst voor de tests.",
    "example_text": True,
    "scale": {
        "min": 1,
        "max": 5,
        "labels": ["helemaal niet", "niet", "neutraal", "wel", "helemaal wel"],
        "allow_unknown": True,
    },
    "parts": [
        {
            "code": "problematiek",
            "name": "Problematiek",
            "statements": [
                {"code": "P01", "text": "We kennen de cijfers."},
                {"code": "P02", "text": "We kennen de wijken."},
            ],
        },
        {
            "code": "samenwerking",
            "name": "Samenwerking",
            "statements": [{"code": "S01", "text": "Partners weten elkaar te vinden."}],
        },
    ],
}


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"})


def make_user(
    username: str,
    organisation: Organisation,
    role: str | None = None,
    municipalities: list[str] | None = None,
) -> User:
    user = UserFactory(username=username, organisation=organisation, first_name=username.title())
    if role:
        assignment = RoleAssignment.objects.create(user=user, role=role, organisation=organisation)
        if municipalities:
            assignment.municipalities.set(Municipality.objects.filter(code__in=municipalities))
    return user


def make_coalition(
    name: str, code: str, orgs: dict[str, tuple[str, str]]
) -> tuple[Coalition, dict[str, Organisation]]:
    coalition = Coalition.objects.create(name=name)
    coalition.municipalities.set(Municipality.objects.filter(code=code))
    made = {}
    for key, (org_name, kind) in orgs.items():
        organisation = Organisation.objects.create(name=org_name, kind=kind)
        organisation.municipalities.set(Municipality.objects.filter(code=code))
        Member.objects.create(coalition=coalition, organisation=organisation, domain=kind)
        made[key] = organisation
    return coalition, made


@pytest.fixture
def instrument(db: None) -> InstrumentVersion:
    return import_instrument(INSTRUMENT).version


@pytest.fixture
def workspace(places: None, instrument: InstrumentVersion) -> SimpleNamespace:
    coalition, orgs = make_coalition(
        "Kansrijke Start Smallingerland",
        "GM0090",
        {
            "gemeente": ("Gemeente Smallingerland", OrganisationKind.MUNICIPALITY),
            "midwives": ("Verloskundigen De Wieken", OrganisationKind.MEDICAL),
            "jgz": ("JGZ Drachten", OrganisationKind.MEDICAL),
            "welfare": ("Welzijn Smallingerland", OrganisationKind.INFORMAL),
        },
    )
    other, other_orgs = make_coalition(
        "Kansrijke Start Rotterdam",
        "GM0599",
        {"gemeente": ("Gemeente Rotterdam", OrganisationKind.MUNICIPALITY)},
    )
    ns = SimpleNamespace(
        coalition=coalition,
        other=other,
        orgs=orgs,
        instrument=instrument,
        coordinator=make_user(
            "coordinator", orgs["gemeente"], Role.COALITION_COORDINATOR, ["GM0090"]
        ),
        analyst=make_user("analist", orgs["gemeente"], Role.ANALYST, ["GM0090"]),
        editor=make_user("redacteur", orgs["gemeente"], Role.COALITION_EDITOR, ["GM0090"]),
        midwife=make_user("verloskundige", orgs["midwives"], Role.PROFESSIONAL),
        jgz=make_user("jgz", orgs["jgz"], Role.INTAKE_HANDLER),
        welfare=make_user("welzijn", orgs["welfare"]),
        outsider=make_user(
            "coordinator.rotterdam", other_orgs["gemeente"], Role.COALITION_COORDINATOR, ["GM0599"]
        ),
        outsider_member=make_user("medewerker.rotterdam", other_orgs["gemeente"]),
    )
    return ns


def closes(days: int = 14) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def ready(ns: Any) -> Any:
    """The workspace namespace (for type checkers in tests)."""
    return ns
