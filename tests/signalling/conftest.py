"""Fixtures for signalling: the catalogue, the default rules and guide, and hand-made rules.

The default rule set and guide are loaded from their JSON files by their own loaders, not by
the demo: the tests do not depend on demo content. The pure grading tests build their rules in
code (``make_rules``) and need no database at all.
"""

from __future__ import annotations

from typing import Any

import pytest

from kansrijk.signalling.grading import FactorRule, GradingRules, Reinforcement, Threshold


@pytest.fixture
def catalogue(places: None) -> None:
    from kansrijk.directory.vocabularies import load_need_categories
    from kansrijk.situations.services import load_catalogue

    load_need_categories()
    load_catalogue()


@pytest.fixture
def default_rules(catalogue: None) -> dict[str, Any]:
    from kansrijk.signalling.services import load_default_rules

    return load_default_rules()


@pytest.fixture
def default_guide(places: None) -> dict[str, Any]:
    from kansrijk.signalling.services import load_default_guide

    return load_default_guide()


def factor(
    code: str, kind: str = "risk", domain: str = "d1", weight: int = 1, floor: str = ""
) -> FactorRule:
    return FactorRule(
        code=code,
        kind=kind,
        name=code.title(),
        domain=domain,
        domain_name=domain.upper(),
        weight=weight,
        floor=floor,
    )


def make_rules(*factors: FactorRule, **overrides: Any) -> GradingRules:
    """A small rule set shaped like the default: thresholds 1 / 3 / 6, reinforcement 2 and 3."""
    values: dict[str, Any] = {
        "version": 99,
        "factors": factors,
        "thresholds": [
            Threshold("potentieel-kwetsbaar", 1),
            Threshold("kwetsbaar", 3),
            Threshold("zeer-kwetsbaar", 6),
        ],
        "reinforcements": [
            Reinforcement(2, 2, "kwetsbaar"),
            Reinforcement(3, 4, "zeer-kwetsbaar"),
        ],
    }
    values.update(overrides)
    return GradingRules.build(**values)


# --- Local data: a pathway, a service and an intervention in Smallingerland ----------------------

SMALLINGERLAND = "GM0090"


def make_pathway(
    situation: str,
    *,
    scope: str = "municipal",
    municipalities: tuple[str, ...] = (SMALLINGERLAND,),
    title: str = "",
    phases: tuple[str, ...] = ("preconception", "pregnancy", "postnatal"),
) -> Any:
    """A published pathway (version 1) for ``situation``, made straight in the models."""
    from kansrijk.coalitions.models import Coalition, CoalitionScope
    from kansrijk.pathways.models import Pathway, PathwayVersion
    from kansrijk.pathways.services import publish_version
    from kansrijk.situations.models import Situation

    coalition, _ = Coalition.objects.get_or_create(
        name=f"Coalitie {scope}",
        defaults={
            "scope": CoalitionScope.NATIONAL if scope == "national" else CoalitionScope.LOCAL
        },
    )
    pathway = Pathway.objects.create(
        coalition=coalition,
        situation=Situation.objects.get(code=situation),
        scope=scope,
        **{f"phase_{phase}": True for phase in phases},
    )
    if scope != "national":
        pathway.municipalities.set(municipalities)
    version = PathwayVersion.objects.create(
        pathway=pathway, number=1, title=title or f"Zorgpad {situation} ({scope})"
    )
    publish_version(version, user=None)
    return pathway


@pytest.fixture
def local_offer_data(default_rules: dict[str, Any]) -> dict[str, Any]:
    """Smallingerland: its own pathway for money worries, the national default for smoking, no
    pathway for relationship problems; a debt-counselling service with an intervention on offer."""
    from kansrijk.interventions.models import Intervention
    from kansrijk.situations.models import Situation
    from tests.directory.factories import ServiceFactory

    own = make_pathway("geldzorgen", title="Geldzorgen in Smallingerland")
    national = make_pathway("roken", scope="national", title="Rookvrije start (landelijk)")
    service = ServiceFactory(
        name="Schuldhulp Drachten",
        municipalities=[SMALLINGERLAND],
        categories=["geldzorgen"],
        postcode="9203",
        referral_methods=["phone"],
    )
    intervention = Intervention.objects.create(
        slug="samen-sterk-met-geld",
        name="Samen sterk met geld",
        building_block=2,
        phase_pregnancy=True,
        phase_postnatal=True,
    )
    intervention.situations.set(Situation.objects.filter(code="geldzorgen"))
    intervention.services.set([service])
    return {"own": own, "national": national, "service": service, "intervention": intervention}


def row_counts() -> dict[str, int]:
    """The number of rows in every table of every installed model (and its m2m tables)."""
    from django.apps import apps

    counts: dict[str, int] = {}
    for model in apps.get_models(include_auto_created=True):
        counts[model._meta.label] = model._base_manager.count()
    return counts
