"""Demo referrals in the three demo municipalities — Smallingerland (Drachten), Rotterdam and
Heerlen: from the demo midwife practice (``verloskundige.<town>``) and the demo GP
(``huisarts.<town>``) to the JGZ prenatal home visit and to debt counselling, in several
statuses, so that every demo coalition's referral network is drawn from them.

The clients are obviously made up and marked: every family name ends in "(demo)". The
referrals are made through the real services (so they have consent, status history and access
log), as the demo senders and the demo intake handlers of the JGZ (``jgz.<town>``) and of debt
counselling (``schuldhulp.<town>``), so that both inboxes have work.

It needs the demo accounts and the demo social map (``kansrijk.accounts.demo`` and
``kansrijk.directory.demo``). Should the debt-counselling organisation of Smallingerland's demo
social map have no Kansrijk account (a social map loaded without the demo accounts), this
loader gives it one, so that it can receive referrals.

``load()`` is idempotent: a demo referral that exists (same client name and sending
organisation) is left alone.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from kansrijk.referrals import services
from kansrijk.referrals.models import (
    ConsentMethod,
    ContactChannel,
    ContactPreference,
    ContactResult,
    DataCategory,
    Kind,
    Outcome,
    ReasonCode,
    Referral,
    Source,
    Urgency,
)
from kansrijk.referrals.workflow import Status

MUNICIPALITY = "GM0090"
MIDWIFE = "verloskundige.smallingerland"
GP = "huisarts.smallingerland"
INTAKE = "jgz.smallingerland"
DEBT_INTAKE = "schuldhulp.smallingerland"
MIDWIFE_PRACTICE = "Verloskundigenpraktijk De Wieken"
GP_PRACTICE = "Huisartsenpraktijk Drachten-Noord"
JGZ = "JGZ Fryslân Drachten"
DEBT = "Schuldhulpverlening Smallingerland"
DEMO_MARK = "(demo)"


@dataclass(frozen=True)
class Town:
    """A demo municipality whose demo users send and receive the demo referrals: who sends
    (per ``DemoReferral.sender``) and who receives (per service)."""

    slug: str  # the demo users' suffix, e.g. ``verloskundige.rotterdam``
    municipality: str  # CBS code
    postal_code: str  # where the made-up clients live

    @property
    def senders(self) -> dict[str, str]:
        return {"midwife": f"verloskundige.{self.slug}", "gp": f"huisarts.{self.slug}"}

    @property
    def receivers(self) -> dict[str, str]:
        return {"phb": f"jgz.{self.slug}", "debt": f"schuldhulp.{self.slug}"}


TOWNS = (
    Town("smallingerland", MUNICIPALITY, "9203 AB"),
    Town("rotterdam", "GM0599", "3061 AB"),
    Town("heerlen", "GM0917", "6411 AB"),
)


@dataclass(frozen=True)
class DemoReferral:
    given: str
    family: str
    service: str  # "phb" or "debt"
    status: str
    birth: datetime.date
    weeks: int = 20
    parity: int | None = 0
    situations: tuple[str, ...] = ()
    urgency: str = Urgency.ROUTINE
    note: str = ""
    contact: str = ContactPreference.CONTACT_CLIENT
    reached: bool = False
    sender: str = "midwife"  # or "gp"
    extra: dict[str, Any] = field(default_factory=dict)


REFERRALS = [
    DemoReferral(
        "Demi",
        f"Voorbeeld {DEMO_MARK}",
        "phb",
        Status.REQUESTED,
        datetime.date(1998, 5, 2),
        weeks=18,
        situations=("geldzorgen", "weinig-netwerk"),
        note="Demo: eerste zwangerschap, weinig steun van familie, zorgen over geld.",
    ),
    DemoReferral(
        "Tessa",
        f"Testpersoon {DEMO_MARK}",
        "phb",
        Status.ACCEPTED,
        datetime.date(2001, 9, 17),
        weeks=24,
        situations=("stress",),
        urgency=Urgency.URGENT,
        note="Demo: veel spanning thuis, graag snel contact.",
    ),
    DemoReferral(
        "Fleur",
        f"Fictief {DEMO_MARK}",
        "phb",
        Status.IN_PROGRESS,
        datetime.date(1995, 1, 30),
        weeks=28,
        parity=1,
        situations=("roken",),
        note="Demo: rookt nog, wil graag stoppen.",
        reached=True,
    ),
    DemoReferral(
        "Noor",
        f"Proef {DEMO_MARK}",
        "phb",
        Status.COMPLETED,
        datetime.date(1993, 11, 8),
        weeks=30,
        parity=2,
        reached=True,
    ),
    DemoReferral(
        "Sanne",
        f"Nepnaam {DEMO_MARK}",
        "phb",
        Status.REJECTED,
        datetime.date(1999, 7, 21),
        weeks=16,
        contact=ContactPreference.VIA_SENDER,
    ),
    DemoReferral(
        "Lotte",
        f"Oefen {DEMO_MARK}",
        "debt",
        Status.REQUESTED,
        datetime.date(1997, 3, 12),
        weeks=22,
        parity=None,
        situations=("geldzorgen",),
        note="Demo: schulden bij de zorgverzekeraar, wil hulp bij een overzicht.",
        contact=ContactPreference.JOINT,
    ),
    DemoReferral(
        "Mila",
        f"Concept {DEMO_MARK}",
        "debt",
        Status.DRAFT,
        datetime.date(2000, 12, 1),
        weeks=14,
        parity=None,
        situations=("geldzorgen",),
    ),
    DemoReferral(
        "Yara",
        f"Voorbeeldig {DEMO_MARK}",
        "debt",
        Status.REQUESTED,
        datetime.date(1994, 8, 23),
        weeks=12,
        parity=None,
        situations=("geldzorgen",),
        note="Demo: huurachterstand, wil graag snel een eerste gesprek.",
        sender="gp",
    ),
    DemoReferral(
        "Isa",
        f"Proefpersoon {DEMO_MARK}",
        "debt",
        Status.IN_PROGRESS,
        datetime.date(1999, 2, 14),
        weeks=26,
        parity=None,
        situations=("geldzorgen", "stress"),
        note="Demo: rekeningen stapelen zich op sinds de zwangerschap.",
        reached=True,
        sender="gp",
    ),
]


def _smallingerland_debt_service() -> Any:
    """Smallingerland's debt-counselling service, its organisation given a Kansrijk account
    when the social map was loaded without the demo accounts."""
    from kansrijk.accounts.models import Organisation, OrganisationKind
    from kansrijk.directory.models import Organization, Service
    from kansrijk.places.models import Municipality

    debt_org = Organization.objects.filter(name=DEBT, is_demo=True).first()
    if debt_org is None:
        return None
    if debt_org.account_organisation_id is None:
        account, _created = Organisation.objects.get_or_create(
            name=DEBT, defaults={"kind": OrganisationKind.SOCIAL, "is_demo": True}
        )
        account.municipalities.add(Municipality.objects.get(code=MUNICIPALITY))
        debt_org.account_organisation = account
        debt_org.save(update_fields=["account_organisation"])
    return (
        Service.objects.serving(MUNICIPALITY).filter(organization=debt_org).order_by("name")
    ).first()


def _services(town: Town, users: dict[str, Any]) -> dict[str, Any]:
    """The town's prenatal home visit (of its demo JGZ) and debt counselling (of its demo
    debt-counselling service), as its social map offers them."""
    from kansrijk.directory.models import Service

    serving = Service.objects.serving(town.municipality).order_by("name")
    jgz = users.get(town.receivers["phb"])
    phb = (
        serving.filter(
            organization__account_organisation_id=jgz.organisation_id,
            name__icontains="prenataal",
        ).first()
        if jgz is not None and jgz.organisation_id is not None
        else None
    )
    if town.municipality == MUNICIPALITY:
        debt = _smallingerland_debt_service()
    else:
        handler = users.get(town.receivers["debt"])
        debt = (
            serving.filter(organization__account_organisation_id=handler.organisation_id).first()
            if handler is not None and handler.organisation_id is not None
            else None
        )
    return {"phb": phb, "debt": debt}


def _path(status: str) -> list[str]:
    paths: dict[str, list[str]] = {
        Status.DRAFT: [],
        Status.REQUESTED: [Status.REQUESTED],
        Status.ACCEPTED: [Status.REQUESTED, Status.RECEIVED, Status.ACCEPTED],
        Status.IN_PROGRESS: [Status.REQUESTED, Status.RECEIVED, Status.ACCEPTED],
        Status.COMPLETED: [Status.REQUESTED, Status.RECEIVED, Status.ACCEPTED],
        Status.REJECTED: [Status.REQUESTED, Status.RECEIVED, Status.REJECTED],
    }
    return paths[status]


@transaction.atomic
def load() -> dict[str, int]:
    """Create the demo referrals that do not exist yet, in every demo municipality; returns
    what was made and skipped."""
    created = skipped = 0
    for town in TOWNS:
        made, left = _load_town(town)
        created += made
        skipped += left
    return {"created": created, "skipped": skipped}


def _load_town(town: Town) -> tuple[int, int]:
    from kansrijk.accounts.models import User

    users = {
        user.username: user
        for user in User.objects.filter(
            username__in=[*town.senders.values(), *town.receivers.values()]
        )
    }
    found = _services(town, users)
    if (
        town.senders["midwife"] not in users
        or town.receivers["phb"] not in users
        or found["phb"] is None
    ):
        return 0, len(REFERRALS)
    created = skipped = 0
    today = timezone.localdate()
    for spec in REFERRALS:
        service = found[spec.service]
        sender = users.get(town.senders[spec.sender])
        intake = users.get(town.receivers[spec.service])
        needs_intake = spec.status not in (Status.DRAFT, Status.REQUESTED)
        if service is None or sender is None or (needs_intake and intake is None):
            skipped += 1
            continue
        exists = Referral.objects.filter(
            sender_organisation_id=sender.organisation_id,
            client_given_name=spec.given,
            client_family_name=spec.family,
        ).exists()
        if exists:
            skipped += 1
            continue
        phb = spec.service == "phb"
        due = today + datetime.timedelta(weeks=40 - spec.weeks)
        referral = services.create_referral(
            user=sender,
            data=services.ReferralInput(
                service_id=service.pk,
                kind=Kind.PRENATAL_HOME_VISIT if phb else Kind.GENERAL,
                client_given_name=spec.given,
                client_family_name=spec.family,
                client_birth_date=spec.birth,
                client_phone="" if spec.contact == ContactPreference.VIA_SENDER else "06 00000000",
                client_postal_code=town.postal_code,
                client_municipality=town.municipality,
                phase="pregnancy",
                due_date=due,
                situations=spec.situations,
                urgency=spec.urgency,
                handover_note=spec.note,
                contact_preference=spec.contact,
                gestational_age_weeks=spec.weeks if phb else None,
                parity=spec.parity if phb else None,
                risk_signals="Demo: zie de overdracht." if phb and spec.situations else "",
                source=Source.SERVICE,
            ),
        )
        services.record_consent(
            referral=referral,
            user=sender,
            data_categories=list(DataCategory.values),
            method=ConsentMethod.VERBAL,
        )
        for target in _path(spec.status):
            referral = services.transition(
                referral=referral,
                to=target,
                user=sender if target == Status.REQUESTED else intake,
                reason="Demo: de cliënte woont buiten ons werkgebied."
                if target == Status.REJECTED
                else "",
                reason_code=ReasonCode.OUTSIDE_AREA if target == Status.REJECTED else "",
            )
        if spec.reached:
            services.record_contact_attempt(
                referral=referral,
                user=intake,
                channel=ContactChannel.PHONE,
                result=ContactResult.REACHED,
                note="Demo: afspraak gemaakt."
                if not phb
                else "Demo: afspraak voor huisbezoek gemaakt.",
            )
        if spec.status == Status.COMPLETED:
            referral.refresh_from_db()
            services.record_outcome(
                referral=referral,
                user=intake,
                outcome=Outcome.HELP_STARTED,
                outcome_note="Demo: huisbezoek gedaan; gezin krijgt extra ondersteuning.",
            )
        created += 1
    return created, skipped
