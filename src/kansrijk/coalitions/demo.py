"""The demo workspace of the coalitions of Smallingerland, Rotterdam and Heerlen.

Each demo coalition gets every demo organisation of its municipality as a member (with a
made-up contact person; organisations of the demo social map that have no Kansrijk
organisation yet get one, without users), two cooperation agreements (one past its review date), two Analysetool
rounds answered by its demo users (one a year ago and one last month, so the results compare
with a previous round), a few improvement actions (one overdue, one linked to the geldzorgen
pathway), and a client journey per phase. The referral network is drawn from the demo
referrals (``kansrijk.referrals.demo``), which is why this loader runs last.

Everything is marked demo. The answers are made up (a fixed pseudo-random pattern per
coalition, so a second run gives the same figures), and the instruments' statements are
example text. ``load()`` is idempotent: a coalition that already has its demo rounds keeps
them; members, agreements, actions and journeys are added where missing.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from kansrijk.accounts.models import Organisation, User
from kansrijk.assessments import services as assessments
from kansrijk.assessments.importing import load_shipped
from kansrijk.assessments.models import Instrument, Round
from kansrijk.assessments.services import AnswerInput
from kansrijk.coalitions import services
from kansrijk.coalitions.models import (
    ActionStatus,
    Agreement,
    Coalition,
    ContactPerson,
    Journey,
    Member,
    domain_for_kind,
)
from kansrijk.core.phases import Phase
from kansrijk.directory.models import Service
from kansrijk.pathways.models import Pathway
from kansrijk.situations.models import Situation

#: (coalition name, municipality code, slug) as made by ``kansrijk.pathways.demo``.
TOWNS = [
    ("Kansrijke Start Smallingerland", "GM0090", "smallingerland"),
    ("Kansrijke Start Rotterdam", "GM0599", "rotterdam"),
    ("Kansrijke Start Heerlen", "GM0917", "heerlen"),
]
CONTACT_NAMES = [
    "Anna de Vries",
    "Bram Jansen",
    "Carla Bakker",
    "Dirk Visser",
    "Esra Yilmaz",
    "Femke Smit",
    "Gijs Meijer",
    "Hanna de Boer",
    "Ilse Mulder",
    "Jasper de Groot",
]


@dataclass
class DemoSummary:
    coalitions: int = 0
    members: int = 0
    rounds: int = 0
    actions: int = 0


def _coordinator(slug: str) -> User | None:
    return User.objects.filter(username=f"coordinator.{slug}").first()


def _partner_organisations(code: str) -> None:
    """Every demo organisation on the social map that serves the municipality gets a Kansrijk
    organisation of the same name (without users), as the referral demo does for debt
    counselling, so that it can be a member of the coalition and appear in its network."""
    from collections import Counter

    from kansrijk.directory.models import Organization
    from kansrijk.places.models import Municipality

    municipality = Municipality.objects.get(code=code)
    for organization in (
        Organization.objects.filter(
            is_demo=True, services__service_areas__municipality=municipality
        )
        .distinct()
        .prefetch_related("services")
    ):
        domains = Counter(s.domain for s in organization.services.all() if s.domain)
        kind = domains.most_common(1)[0][0] if domains else "social"
        if organization.name.startswith("Gemeente "):
            kind = "municipality"
        account = (
            organization.account_organisation
            or Organisation.objects.filter(name=organization.name).first()
        )
        if account is None:
            account = Organisation.objects.create(name=organization.name, kind=kind, is_demo=True)
        account.municipalities.add(municipality)
        if organization.account_organisation_id is None:
            Organization.objects.filter(pk=organization.pk).update(account_organisation=account)


def _members(coalition: Coalition, code: str) -> int:
    _partner_organisations(code)
    added = 0
    organisations = Organisation.objects.filter(is_demo=True, municipalities__code=code).distinct()
    for position, organisation in enumerate(organisations.order_by("name")):
        member, created = Member.objects.get_or_create(
            coalition=coalition,
            organisation=organisation,
            defaults={
                "domain": domain_for_kind(organisation.kind),
                "role": "kartrekker" if organisation == coalition.lead_organisation else "partner",
                "joined_on": datetime.date(2023, 3, 1),
                "is_demo": True,
            },
        )
        added += created
        if not member.contacts.exists():
            ContactPerson.objects.create(
                member=member,
                name=f"{CONTACT_NAMES[position % len(CONTACT_NAMES)]} (demo)",
                function="Contactpersoon Kansrijke Start",
                email=f"kansrijk.{organisation.pk}@demo.kansrijk.localhost",
                phone="0000 000 000",
            )
    return added


def _agreements(coalition: Coalition, today: datetime.date) -> None:
    if coalition.agreements.exists():
        return
    members = list(coalition.members.all())
    first = Agreement.objects.create(
        coalition=coalition,
        title="Convenant Kansrijke Start (demo)",
        text="Demo: de partners werken samen aan een kansrijke start voor ieder kind en "
        "bespreken elk jaar de voortgang.",
        agreed_on=today - datetime.timedelta(days=900),
        review_on=today - datetime.timedelta(days=40),
        is_demo=True,
    )
    first.parties.set(members)
    second = Agreement.objects.create(
        coalition=coalition,
        title="Afspraken warme overdracht verloskunde en JGZ (demo)",
        text="Demo: de verloskundige vraagt het prenataal huisbezoek aan met toestemming van de "
        "zwangere; de JGZ neemt binnen vijf werkdagen contact op.",
        agreed_on=today - datetime.timedelta(days=200),
        review_on=today + datetime.timedelta(days=165),
        is_demo=True,
    )
    second.parties.set([m for m in members if m.domain == "medical"])


def _answers(rng: random.Random, codes: list[str], lean: float) -> dict[str, AnswerInput]:
    """A made-up respondent: scores around ``lean`` with some disagreement, a few "don't know"."""
    answers = {}
    for code in codes:
        if rng.random() < 0.08:
            answers[code] = AnswerInput(None)
            continue
        value = round(lean + rng.gauss(0, 0.9) + (0.8 if code.startswith("P") else 0))
        answers[code] = AnswerInput(max(1, min(5, value)))
    return answers


def _rounds(coalition: Coalition, coordinator: User, slug: str, today: datetime.date) -> int:
    if Round.objects.filter(coalition=coalition, is_demo=True).exists():
        return 0
    instrument = Instrument.objects.get(code="analysetool")
    version = instrument.current_version
    assert version is not None
    codes = list(version.statements.order_by("position").values_list("code", flat=True))
    respondents = list(assessments.eligible_respondents(coalition))
    rng = random.Random(f"kansrijk-demo-{slug}")  # made-up demo answers
    made = 0
    for title, opened, closes, lean, share in [
        (f"Analysetool {today.year - 1}", 400, 370, 2.7, 1.0),
        (f"Analysetool {today.year}", 45, 15, 3.2, 0.85),
    ]:
        round_, _links = assessments.open_round(
            user=coordinator,
            coalition=coalition,
            instrument_version=version,
            closes_on=today + datetime.timedelta(days=1),
            title=title,
            respondents=respondents,
            is_demo=True,
        )
        answering = respondents[: max(4, round(len(respondents) * share))]
        for user in answering:
            answers = _answers(rng, codes, lean)
            if user == answering[0]:
                answers["S03"] = AnswerInput(
                    answers["S03"].value,
                    "Demo: het zorgpad geldzorgen is niet bij iedereen bekend.",
                )
            assessments.answer_as_user(user=user, round_=round_, answers=answers, submit=True)
        Round.objects.filter(pk=round_.pk).update(
            opened_on=today - datetime.timedelta(days=opened),
            closes_on=today - datetime.timedelta(days=closes),
        )
        made += 1
    return made


def _actions(coalition: Coalition, coordinator: User, code: str, today: datetime.date) -> int:
    if coalition.actions.exists():
        return 0
    last = coalition.assessment_rounds.order_by("-opened_on").first()
    statements = {s.code: s for s in services.linkable_statements(coalition)}
    geldzorgen = Pathway.objects.filter(coalition=coalition, situation__code="geldzorgen").first()
    members = {
        m.organisation.kind: m.organisation
        for m in coalition.members.select_related("organisation")
    }
    gemeente = coalition.lead_organisation or members.get("municipality")
    debt = Service.objects.filter(
        service_areas__municipality__code=code, name__icontains="schuld"
    ).first()
    specs: list[dict[str, Any]] = [
        {
            "title": "Zorgpad geldzorgen samen met de schuldhulp bijwerken",
            "description": "Demo: uit de Analysetool bleek dat het zorgpad niet overal bekend is.",
            "due_on": today + datetime.timedelta(days=60),
            "status": ActionStatus.IN_PROGRESS,
            "statements": [statements[c] for c in ("S03",) if c in statements],
            "pathways": [geldzorgen] if geldzorgen else [],
            "services": [debt] if debt else [],
            "organisation": gemeente,
            "person": "Anna de Vries (demo)",
        },
        {
            "title": "Ervaringsdeskundigen uitnodigen voor de coalitie",
            "description": "Demo: ouders denken nog niet mee over de aanpak.",
            "due_on": today - datetime.timedelta(days=12),
            "status": ActionStatus.OPEN,
            "statements": [statements[c] for c in ("S07",) if c in statements],
            "organisation": gemeente,
            "person": "Bram Jansen (demo)",
        },
        {
            "title": "Cijfers over vroeggeboorte bespreken in de coalitie",
            "description": "Demo: de perinatale cijfers van de gemeente samen bekijken.",
            "due_on": today - datetime.timedelta(days=90),
            "status": ActionStatus.DONE,
            "statements": [statements[c] for c in ("P01", "P04") if c in statements],
            "indicator_codes": ["vroeggeboorte"],
            "organisation": gemeente,
        },
    ]
    for spec in specs:
        services.create_action(
            user=coordinator,
            coalition=coalition,
            data=services.ActionInput(round=last, **spec),
        )
    return len(specs)


def _journeys(coalition: Coalition, coordinator: User, code: str) -> None:
    if coalition.journeys.exists():
        return
    organisations = {
        o.kind: o for o in Organisation.objects.filter(coalition_memberships__coalition=coalition)
    }
    by_name = {
        o.name: o for o in Organisation.objects.filter(coalition_memberships__coalition=coalition)
    }
    midwives = next(
        (o for n, o in by_name.items() if "erloskund" in n), organisations.get("medical")
    )
    jgz = next((o for n, o in by_name.items() if "JGZ" in n or "CJG" in n), None)
    gemeente = coalition.lead_organisation
    situations = {s.code: s for s in Situation.objects.all()}
    pathways = {
        p.situation.code: p
        for p in services.linkable_pathways(coalition).filter(current_version__isnull=False)
    }

    def pick(*codes: str) -> list[Situation]:
        return [situations[c] for c in codes if c in situations]

    journeys = {
        Phase.PRECONCEPTION: [
            services.TouchpointInput(
                title="Gesprek over kinderwens bij de huisarts",
                role="huisarts",
                moment="voor de zwangerschap",
                description="Demo: de huisarts vraagt of zij het komende jaar zwanger wil worden.",
                situations=pick("roken", "geldzorgen"),
                pathway=pathways.get("roken"),
            ),
        ],
        Phase.PREGNANCY: [
            services.TouchpointInput(
                title="Intake en het brede gesprek",
                role="verloskundige",
                moment="week 8-12",
                organisation=midwives,
                description="Demo: de verloskundige vraagt naar alle levensgebieden.",
                situations=pick("geldzorgen", "roken", "huiselijk-geweld", "psychische-problemen"),
                pathway=pathways.get("geldzorgen"),
            ),
            services.TouchpointInput(
                title="Prenataal huisbezoek",
                role="jeugdverpleegkundige",
                moment="week 20-30",
                organisation=jgz,
                description="Demo: de JGZ komt thuis op verzoek van de verloskundige.",
                situations=pick("weinig-netwerk", "stress"),
            ),
        ],
        Phase.POSTNATAL: [
            services.TouchpointInput(
                title="Kraamzorg en overdracht aan de JGZ",
                role="kraamverzorgende",
                moment="eerste week",
                description="Demo: de kraamzorg draagt bijzonderheden over aan de JGZ.",
                situations=pick("stress"),
            ),
            services.TouchpointInput(
                title="Eerste huisbezoek JGZ",
                role="jeugdverpleegkundige",
                moment="week 2",
                organisation=jgz,
                situations=pick("geldzorgen", "psychische-problemen"),
                pathway=pathways.get("geldzorgen"),
            ),
            services.TouchpointInput(
                title="Aanmelding bij het sociaal team",
                role="medewerker sociaal team",
                moment="wanneer nodig",
                organisation=gemeente,
                situations=pick("geldzorgen"),
            ),
        ],
    }
    for phase, points in journeys.items():
        services.save_journey(
            user=coordinator,
            coalition=coalition,
            phase=phase,
            data=services.JourneyInput(
                introduction="Demo: zo loopt een gezin door deze fase in deze gemeente.",
                touchpoints=points,
            ),
        )
    Journey.objects.filter(coalition=coalition).update(is_demo=True)


@transaction.atomic
def load() -> DemoSummary:
    load_shipped()
    summary = DemoSummary()
    today = timezone.localdate()
    for name, code, slug in TOWNS:
        coalition = Coalition.objects.filter(name=name).first()
        coordinator = _coordinator(slug)
        if coalition is None or coordinator is None:
            continue
        summary.coalitions += 1
        summary.members += _members(coalition, code)
        _agreements(coalition, today)
        summary.rounds += _rounds(coalition, coordinator, slug, today)
        summary.actions += _actions(coalition, coordinator, code, today)
        _journeys(coalition, coordinator, code)
    return summary
