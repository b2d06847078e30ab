"""Fixtures for the pathway tests: the situations catalogue, coalitions, editors and pathways.

``make_pathway(coalition, situation="geldzorgen", municipalities=["GM0090"], steps=[...])`` builds
a published pathway (version 1) directly; ``editor(["GM0090"])`` a coalition editor whose role
covers those municipalities.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from kansrijk.accounts.models import RoleAssignment, User
from kansrijk.accounts.roles import Role
from kansrijk.coalitions.models import Coalition, CoalitionScope
from kansrijk.directory.models import Service
from kansrijk.pathways.models import Pathway, PathwayScope, PathwayVersion, StepKind
from kansrijk.pathways.services import (
    StepInput,
    _create_pathway_row,
    publish_version,
    write_version_content,
)
from kansrijk.places.models import Municipality
from kansrijk.situations.models import Situation
from tests.directory.factories import ServiceFactory
from tests.factories import OrganisationFactory, UserFactory


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are compared in English (their msgid)."""
    with translation.override("en"):
        yield


@pytest.fixture
def client() -> Client:
    """Pages in English (their msgids); ``dutch_client`` for the Dutch interface."""
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def dutch_client() -> Client:
    return Client(headers={"accept-language": "nl"})


@pytest.fixture
def catalogue(places: None) -> None:
    from kansrijk.situations.services import load_catalogue

    if not Situation.objects.filter(code="geldzorgen").exists():
        load_catalogue()


def make_coalition(
    name: str, municipalities: list[str], *, scope: str = CoalitionScope.LOCAL, lead: Any = None
) -> Coalition:
    coalition = Coalition.objects.create(name=name, scope=scope, lead_organisation=lead)
    coalition.municipalities.set(Municipality.objects.filter(code__in=municipalities))
    return coalition


def make_editor(
    municipalities: list[str], *, role: str = Role.COALITION_EDITOR, organisation: Any = None
) -> User:
    user = UserFactory(organisation=organisation or OrganisationFactory())
    assignment = RoleAssignment.objects.create(user=user, role=role, organisation=user.organisation)
    assignment.municipalities.set(Municipality.objects.filter(code__in=municipalities))
    return user


def step(kind: str, title: str, service: Service | None = None, **kwargs: Any) -> StepInput:
    return StepInput(kind=kind, title=title, service=service, **kwargs)


def make_pathway(
    coalition: Coalition,
    *,
    situation: str = "geldzorgen",
    scope: str = PathwayScope.MUNICIPAL,
    municipalities: list[str] | None = None,
    phases: list[str] | None = None,
    title: str | None = None,
    steps: list[StepInput] | None = None,
    publish: bool = True,
    owner: Any = None,
) -> Pathway:
    codes = ["GM0090"] if municipalities is None else municipalities
    pathway = _create_pathway_row(
        coalition=coalition,
        situation=Situation.objects.get(code=situation),
        scope=scope,
        municipalities=list(Municipality.objects.filter(code__in=codes)),
        phases=phases or ["pregnancy"],
        owner=owner,
        is_demo=False,
    )
    version = PathwayVersion.objects.create(pathway=pathway, number=1, title=title or situation)
    write_version_content(
        version,
        title=title or f"{situation} ({coalition.name})",
        introduction="Voor gezinnen met deze zorg.",
        change_note="",
        steps=steps
        if steps is not None
        else [step(StepKind.DISCUSS, "Bespreek het", tips="Vraag open door.")],
    )
    if publish:
        publish_version(version, user=None)
    pathway.refresh_from_db()
    return pathway


@pytest.fixture
def smallingerland(catalogue: None) -> Coalition:
    return make_coalition("Kansrijke Start Smallingerland", ["GM0090", "GM0086"])


@pytest.fixture
def rotterdam(catalogue: None) -> Coalition:
    return make_coalition("Kansrijke Start Rotterdam", ["GM0599"])


@pytest.fixture
def editor_smallingerland(smallingerland: Coalition) -> User:
    return make_editor(["GM0090"])


@pytest.fixture
def editor_rotterdam(rotterdam: Coalition) -> User:
    return make_editor(["GM0599"])


@pytest.fixture
def service(places: None) -> Service:
    return ServiceFactory(
        name="Schuldhulp Smallingerland",
        municipalities=["GM0090"],
        referral_methods=["phone", "secure_mail"],
    )


@pytest.fixture
def pathway_factory() -> Callable[..., Pathway]:
    return make_pathway
