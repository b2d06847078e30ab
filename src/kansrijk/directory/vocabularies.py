"""Vocabularies of the social map.

1. **Need categories** (``hulpvraag``): the situations of Kansrijke Start (DOMAIN.md §4) and the
   usual needs around pregnancy and the first 1000 days. They are *data*: ``load_need_categories()``
   writes them (idempotent, by fixed ids) and coalitions may add terms in the admin.
2. **Kansrijk attributes**: how our additions to HSDS (phase, domain, referral methods, free or
   paid, response time, demo) travel in HSDS documents, as ``attributes`` whose taxonomy terms
   have fixed ids in code. They are not stored as taxonomy rows: the import maps them back onto
   the service fields.

All fixed ids are UUID version 5 in ``KANSRIJK_NAMESPACE``, so every installation agrees on them.
"""

from __future__ import annotations

import uuid
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.db import transaction

from kansrijk.core.loading import sync_rows

#: The namespace of every fixed id Kansrijk hands out (``uuid5(NAMESPACE_URL, "https://kansrijk.nl/hsds")``).
KANSRIJK_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://kansrijk.nl/hsds")


def fixed_id(*parts: object) -> uuid.UUID:
    """A stable UUID for a thing Kansrijk names itself, e.g. ``fixed_id("term", "hulpvraag", "roken")``."""
    return uuid.uuid5(KANSRIJK_NAMESPACE, "/".join(str(part) for part in parts))


#: Identifies Kansrijk's HSDS profile (HSDS 3.0 plus the attributes below); a name, not a page.
PROFILE_URI = "https://kansrijk.nl/hsds/profiel/kansrijke-start"

NEED_TAXONOMY_NAME = "Kansrijke Start hulpvraag"
NEED_TAXONOMY_ID = fixed_id("taxonomy", "hulpvraag")

#: (code, Dutch name, description, parent code). The codes are stable; names may be edited in the admin.
NEED_CATEGORIES: list[tuple[str, str, str, str]] = [
    (
        "geldzorgen",
        "Geldzorgen en schulden",
        "Armoede, schulden, moeite met rondkomen, toeslagen.",
        "",
    ),
    ("roken", "Roken", "Stoppen met roken, rookvrije start, meeroken.", ""),
    ("verslaving", "Verslaving", "Alcohol, drugs, gokken, middelengebruik.", ""),
    (
        "huiselijk-geweld",
        "Huiselijk geweld",
        "Geweld in het gezin, kindermishandeling, Veilig Thuis.",
        "",
    ),
    ("psychische-problemen", "Psychische problemen", "Angst, depressie, psychiatrie, trauma.", ""),
    ("stress", "Stress", "Veel spanning, overbelasting, weinig steun.", "psychische-problemen"),
    (
        "huisvesting",
        "Huisvesting",
        "Slechte of geen woning, dakloosheid, dreigende uithuiszetting.",
        "",
    ),
    ("taalbarriere", "Taalbarrière", "Geen of weinig Nederlands, tolk nodig.", ""),
    (
        "laaggeletterdheid",
        "Laaggeletterdheid",
        "Moeite met lezen, schrijven en gezondheidsinformatie.",
        "",
    ),
    (
        "lvb",
        "Licht verstandelijke beperking",
        "LVB: ondersteuning bij een licht verstandelijke beperking.",
        "",
    ),
    ("tienerzwangerschap", "Tienerzwangerschap", "Zwanger of ouder worden als tiener.", ""),
    (
        "onbedoelde-zwangerschap",
        "Onbedoelde zwangerschap",
        "Onbedoeld zwanger, keuzehulp, anticonceptie.",
        "",
    ),
    (
        "vluchtelingen",
        "Vluchtelingen en nieuwkomers",
        "Oorlog en verlies, statushouders, asielzoekers.",
        "",
    ),
    ("relatieproblemen", "Relatieproblemen", "Problemen tussen partners, scheiding.", ""),
    (
        "alleenstaand-ouderschap",
        "Alleenstaand ouderschap",
        "Alleen voor de zorg van een kind staan.",
        "",
    ),
    ("medische-problemen", "Medische problemen", "Ziekte of beperking van ouder of kind.", ""),
    ("huilbaby", "Huilbaby", "Veel huilen, slaapproblemen, onrust bij de baby.", ""),
    (
        "zwangerschap-en-geboorte",
        "Zwangerschap en geboorte",
        "Verloskundige zorg, bevalling, kraamtijd.",
        "",
    ),
    (
        "preconceptiezorg",
        "Preconceptiezorg",
        "Gezond zwanger worden, kinderwens, voorbereiding.",
        "zwangerschap-en-geboorte",
    ),
    ("kraamzorg", "Kraamzorg", "Zorg in de kraamweek.", "zwangerschap-en-geboorte"),
    (
        "opvoeden",
        "Opvoeden en opgroeien",
        "Opvoedsteun, ouderschap, ontwikkeling van het kind.",
        "",
    ),
    (
        "sociaal-netwerk",
        "Weinig sociaal netwerk",
        "Eenzaamheid, weinig hulp van familie of vrienden.",
        "",
    ),
    (
        "werk-en-inkomen",
        "Werk en inkomen",
        "Uitkering, werk zoeken, inkomensondersteuning.",
        "geldzorgen",
    ),
]


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int


@transaction.atomic
def load_need_categories() -> LoadResult:
    """Create or update the need-category vocabulary. Safe to run again: nothing is duplicated,
    names edited in the admin are overwritten only for the terms listed here."""
    from kansrijk.directory.models import Taxonomy, TaxonomyTerm

    Taxonomy.objects.update_or_create(
        id=NEED_TAXONOMY_ID,
        defaults={
            "name": NEED_TAXONOMY_NAME,
            "description": "Hulpvragen en kwetsbare situaties rond zwangerschap en de eerste 1000 dagen.",
            "version": "1",
        },
    )
    # Parents first, so that each term's parent is there when it is created.
    ordered = sorted(enumerate(NEED_CATEGORIES), key=lambda item: bool(item[1][3]))
    counts = sync_rows(
        TaxonomyTerm.objects.filter(taxonomy_id=NEED_TAXONOMY_ID),
        {
            need_term_id(code): {
                "taxonomy_id": NEED_TAXONOMY_ID,
                "code": code,
                "name": name,
                "description": description,
                "parent_id": need_term_id(parent) if parent else None,
                "language": "nl",
                "position": position,
            }
            for position, (code, name, description, parent) in ordered
        },
        "directory",
    )
    return LoadResult(created=counts.created, updated=counts.updated + counts.unchanged)


def need_term_id(code: str) -> uuid.UUID:
    return fixed_id("term", "hulpvraag", code)


# --- Kansrijk attributes in HSDS documents --------------------------------------------------------


@dataclass(frozen=True)
class AttributeTerm:
    taxonomy: str  # the vocabulary name
    code: str
    name: str

    @property
    def id(self) -> uuid.UUID:
        return fixed_id("term", self.taxonomy, self.code)

    @property
    def taxonomy_id(self) -> uuid.UUID:
        return fixed_id("taxonomy", self.taxonomy)


PHASE_TAXONOMY = "kansrijk-fase"
DOMAIN_TAXONOMY = "kansrijk-domein"
REFERRAL_TAXONOMY = "kansrijk-verwijzing"
COST_TAXONOMY = "kansrijk-kosten"
RESPONSE_TAXONOMY = "kansrijk-reactietermijn"
DEMO_TAXONOMY = "kansrijk-demo"
TARGET_GROUP_TAXONOMY = "kansrijk-doelgroep"

ATTRIBUTE_TAXONOMY_DESCRIPTIONS = {
    PHASE_TAXONOMY: "Kansrijke Start: fase (voor, tijdens, na de zwangerschap)",
    DOMAIN_TAXONOMY: "Kansrijke Start: domein (medisch, sociaal, informeel)",
    REFERRAL_TAXONOMY: "Kansrijke Start: manier van verwijzen; value = instructies, link_type = adres of nummer",
    COST_TAXONOMY: "Kansrijke Start: kosteloos of betaald",
    RESPONSE_TAXONOMY: "Kansrijke Start: reactietermijn in werkdagen (value)",
    DEMO_TAXONOMY: "Kansrijke Start: voorbeeldgegevens",
    TARGET_GROUP_TAXONOMY: "Kansrijke Start: doelgroep (value)",
}

PHASE_TERMS = {
    "preconception": AttributeTerm(PHASE_TAXONOMY, "preconception", "Voor de zwangerschap"),
    "pregnancy": AttributeTerm(PHASE_TAXONOMY, "pregnancy", "Tijdens de zwangerschap"),
    "postnatal": AttributeTerm(PHASE_TAXONOMY, "postnatal", "Na de geboorte"),
}
DOMAIN_TERMS = {
    "medical": AttributeTerm(DOMAIN_TAXONOMY, "medical", "Medisch"),
    "social": AttributeTerm(DOMAIN_TAXONOMY, "social", "Sociaal"),
    "informal": AttributeTerm(DOMAIN_TAXONOMY, "informal", "Informeel"),
}
REFERRAL_TERMS = {
    "phone": AttributeTerm(REFERRAL_TAXONOMY, "phone", "Telefonisch"),
    "secure_mail": AttributeTerm(REFERRAL_TAXONOMY, "secure_mail", "Beveiligde mail"),
    "referral_form": AttributeTerm(REFERRAL_TAXONOMY, "referral_form", "Verwijsformulier"),
    "zorgdomein": AttributeTerm(REFERRAL_TAXONOMY, "zorgdomein", "ZorgDomein"),
    "self_referral": AttributeTerm(REFERRAL_TAXONOMY, "self_referral", "Zelf aanmelden"),
}
COST_TERMS = {
    True: AttributeTerm(COST_TAXONOMY, "free", "Kosteloos"),
    False: AttributeTerm(COST_TAXONOMY, "paid", "Betaald"),
}
RESPONSE_TERM = AttributeTerm(RESPONSE_TAXONOMY, "working-days", "Reactietermijn (werkdagen)")
DEMO_TERM = AttributeTerm(DEMO_TAXONOMY, "demo", "Voorbeeldgegevens")
TARGET_GROUP_TERM = AttributeTerm(TARGET_GROUP_TAXONOMY, "target-group", "Doelgroep")

#: Every Kansrijk attribute term by id, for the import.
ATTRIBUTE_TERMS_BY_ID: dict[uuid.UUID, AttributeTerm] = {
    term.id: term
    for term in [
        *PHASE_TERMS.values(),
        *DOMAIN_TERMS.values(),
        *REFERRAL_TERMS.values(),
        *COST_TERMS.values(),
        RESPONSE_TERM,
        DEMO_TERM,
        TARGET_GROUP_TERM,
    ]
}
ATTRIBUTE_TAXONOMIES = frozenset(term.taxonomy for term in ATTRIBUTE_TERMS_BY_ID.values())


def attribute_term_for(taxonomy: str, code: str) -> AttributeTerm | None:
    """The Kansrijk attribute term of a (taxonomy name, code) pair, if it is one."""
    for term in ATTRIBUTE_TERMS_BY_ID.values():
        if term.taxonomy == taxonomy and term.code == code:
            return term
    return None


_Id = TypeVar("_Id", bound=Hashable)


def category_and_descendants(
    terms: Iterable[tuple[_Id, str, _Id | None]], code: str
) -> set[_Id] | None:
    """The ids of the need category ``code`` and all its descendants, from ``(id, code,
    parent id)`` of every term of the vocabulary; ``None`` when no term has that code."""
    terms = list(terms)
    by_code = {term_code: term_id for term_id, term_code, _parent in terms}
    if code not in by_code:
        return None
    wanted = {by_code[code]}
    grew = True
    while grew:
        before = len(wanted)
        wanted |= {term_id for term_id, _code, parent in terms if parent in wanted}
        grew = len(wanted) > before
    return wanted
