"""Factories and helpers for the referral tests. They need the ``places`` fixture.

``ReferralWorld`` builds the usual cast: a midwife practice in Drachten (sender), the JGZ
(receiver, with a prenatal-home-visit service for Smallingerland, GM0090) and a third
organisation that must see nothing. ``make_referral(world, status=...)`` drives a referral
through the real services to the wanted status.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from kansrijk.accounts.models import Organisation, User
from kansrijk.accounts.roles import Role
from kansrijk.directory.models import Service
from kansrijk.referrals import services
from kansrijk.referrals.models import (
    ConsentMethod,
    ContactChannel,
    ContactResult,
    DataCategory,
    Kind,
    Outcome,
    Referral,
)
from kansrijk.referrals.workflow import Status
from kansrijk.situations.models import LifeDomain, Situation
from tests.directory.factories import DirectoryOrganizationFactory, ServiceFactory
from tests.factories import OrganisationFactory, UserFactory

CLIENT_GIVEN = "Fenna"
CLIENT_FAMILY = "Zwanenburg-Oudega"
CLIENT_BIRTH = datetime.date(1996, 3, 14)
ALL_CATEGORIES = list(DataCategory.values)


def situation(code: str = "geldzorgen", name: str = "Geldzorgen") -> Situation:
    domain, _ = LifeDomain.objects.get_or_create(code="geld-en-werk", defaults={"name": "Geld"})
    obj, _ = Situation.objects.get_or_create(
        code=code, defaults={"name": name, "kind": "risk", "domain": domain}
    )
    return obj


@dataclass
class ReferralWorld:
    sender_org: Organisation
    receiver_org: Organisation
    third_org: Organisation
    service: Service
    midwife: User
    colleague: User
    intake: User
    outsider: User
    extra: dict[str, Any] = field(default_factory=dict)


def build_world(*, suffix: str = "") -> ReferralWorld:
    sender_org = OrganisationFactory(name=f"Verloskundigenpraktijk Drachten{suffix}")
    receiver_org = OrganisationFactory(name=f"JGZ Fryslân{suffix}", email="")
    third_org = OrganisationFactory(name=f"Wijkteam Elders{suffix}")
    directory_org = DirectoryOrganizationFactory(
        name=f"JGZ Fryslân{suffix}", account_organisation=receiver_org
    )
    service = ServiceFactory(
        organization=directory_org,
        name=f"Prenataal huisbezoek{suffix}",
        municipalities=["GM0090"],
        phase_pregnancy=True,
        response_time_days=5,
    )
    midwife = UserFactory(
        username=f"verloskundige{suffix}",
        organisation=sender_org,
        email=f"verloskundige{suffix}@example.org",
        roles=[Role.PROFESSIONAL],
    )
    colleague = UserFactory(
        username=f"collega{suffix}", organisation=sender_org, roles=[Role.PROFESSIONAL]
    )
    intake = UserFactory(
        username=f"intake{suffix}",
        organisation=receiver_org,
        email=f"intake{suffix}@example.org",
        roles=[Role.INTAKE_HANDLER],
    )
    outsider = UserFactory(
        username=f"buitenstaander{suffix}",
        organisation=third_org,
        roles=[Role.PROFESSIONAL, Role.INTAKE_HANDLER],
    )
    return ReferralWorld(
        sender_org, receiver_org, third_org, service, midwife, colleague, intake, outsider
    )


def referral_input(service: Service, **overrides: Any) -> services.ReferralInput:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "service_id": service.pk,
        "kind": Kind.PRENATAL_HOME_VISIT,
        "client_given_name": CLIENT_GIVEN,
        "client_family_name": CLIENT_FAMILY,
        "client_birth_date": CLIENT_BIRTH,
        "client_phone": "06 12345678",
        "client_municipality": "GM0090",
        "client_language": "nl",
        "phase": "pregnancy",
        "due_date": today + datetime.timedelta(days=120),
        "handover_note": "Eerste zwangerschap, weinig steun.",
        "gestational_age_weeks": 22,
        "parity": 0,
        "risk_signals": "Geldzorgen.",
    }
    values.update(overrides)
    return services.ReferralInput(**values)


def api_payload(service: Service, **overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    payload: dict[str, Any] = {
        "kind": "prenatal_home_visit",
        "service": str(service.pk),
        "client": {
            "given_name": CLIENT_GIVEN,
            "family_name": CLIENT_FAMILY,
            "birth_date": CLIENT_BIRTH.isoformat(),
            "phone": "06 12345678",
            "municipality": "GM0090",
            "language": "nl",
        },
        "phase": "pregnancy",
        "due_date": (today + datetime.timedelta(days=120)).isoformat(),
        "urgency": "routine",
        "handover_note": "Eerste zwangerschap, weinig steun.",
        "contact_preference": "contact_client",
        "prenatal_home_visit": {"gestational_age_weeks": 22, "parity": 0},
    }
    payload.update(overrides)
    return payload


def add_consent(world: ReferralWorld, referral: Referral, **kwargs: Any) -> Any:
    values: dict[str, Any] = {
        "data_categories": ALL_CATEGORIES,
        "method": ConsentMethod.VERBAL,
    }
    values.update(kwargs)
    return services.record_consent(referral=referral, user=world.midwife, **values)


#: The path through the workflow to each status (after the draft).
_PATH: dict[str, list[str]] = {
    Status.DRAFT: [],
    Status.REQUESTED: [Status.REQUESTED],
    Status.RECEIVED: [Status.REQUESTED, Status.RECEIVED],
    Status.ACCEPTED: [Status.REQUESTED, Status.ACCEPTED],
    Status.IN_PROGRESS: [Status.REQUESTED, Status.ACCEPTED, Status.IN_PROGRESS],
    Status.ON_HOLD: [Status.REQUESTED, Status.ACCEPTED, Status.ON_HOLD],
    Status.REJECTED: [Status.REQUESTED, Status.REJECTED],
    Status.CANCELLED: [Status.REQUESTED, Status.CANCELLED],
    Status.FAILED: [Status.REQUESTED, Status.ACCEPTED, Status.FAILED],
    Status.COMPLETED: [Status.REQUESTED, Status.ACCEPTED, Status.IN_PROGRESS, Status.COMPLETED],
}


_NEEDS_REASON = {Status.REJECTED, Status.CANCELLED, Status.FAILED, Status.ON_HOLD}


def make_referral(
    world: ReferralWorld, *, status: str = Status.DRAFT, consent: bool = True, **overrides: Any
) -> Referral:
    referral = services.create_referral(
        user=world.midwife, data=referral_input(world.service, **overrides)
    )
    if consent:
        add_consent(world, referral)
    for target in _PATH[status]:
        user = world.midwife if target in (Status.REQUESTED, Status.CANCELLED) else world.intake
        referral = services.transition(
            referral=referral,
            to=target,
            user=user,
            reason="Reden." if target in _NEEDS_REASON else "",
            outcome=Outcome.HELP_STARTED if target == Status.COMPLETED else "",
        )
    return referral


def reach(world: ReferralWorld, referral: Referral) -> Any:
    return services.record_contact_attempt(
        referral=referral,
        user=world.intake,
        channel=ContactChannel.PHONE,
        result=ContactResult.REACHED,
    )
