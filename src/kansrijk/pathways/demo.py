"""Demo coalitions and pathways (zorgpaden) for Smallingerland, Rotterdam and Heerlen.

- One local coalition per demo municipality, led by the demo municipality organisation (so the
  demo editors ``redacteur.<town>`` belong to it), with pathways for money worries, domestic
  violence, psychological problems, housing, language barrier and more, referring to the demo
  social map (``kansrijk.directory.demo``).
- A regional coalition for the GGD region of Smallingerland (GGD Fryslân) with a regional default
  for smoking: Smallingerland has no smoking pathway of its own, so professionals there see the
  regional default, marked as such.
- A national coalition with a national default for every situation of the catalogue.
- One pathway (Heerlen, housing) was last reviewed 14 months ago, so "te herzien" shows.

Everything is marked demo. ``load()`` is idempotent: it writes through the import
(``kansrijk.pathways.importing``) with fixed keys, so running it again changes nothing (a new
version appears only when this file's content changed).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from kansrijk.accounts.models import Organisation, OrganisationKind
from kansrijk.coalitions.models import Coalition, CoalitionScope
from kansrijk.directory.models import Service
from kansrijk.directory.vocabularies import fixed_id
from kansrijk.pathways.importing import ImportResult, RawPathway, RawRow, import_rows
from kansrijk.pathways.references import ServiceNotFound, find_service
from kansrijk.places.models import Municipality
from kansrijk.situations.models import FactorKind, Situation

logger = logging.getLogger(__name__)

NATIONAL_COALITION = "Landelijke standaard Kansrijke Start"
NATIONAL_ORGANISATION = "Landelijk team Kansrijke Start"
REGIONAL_COALITION = "Regio Fryslân (GGD Fryslân)"
FRYSLAN_GGD = "GG7206"


@dataclass(frozen=True)
class DemoTown:
    code: str
    slug: str
    name: str
    coalition: str


TOWNS = [
    DemoTown("GM0090", "smallingerland", "Smallingerland", "Kansrijke Start Smallingerland"),
    DemoTown("GM0599", "rotterdam", "Rotterdam", "Kansrijke Start Rotterdam"),
    DemoTown("GM0917", "heerlen", "Heerlen", "Kansrijke Start Heerlen"),
]

# (kind, title, text, tips, service key in the demo social map or "")
Step = tuple[str, str, str, str, str]


def _geldzorgen(town: DemoTown) -> list[Step]:
    return [
        (
            "discuss",
            "Bespreek de geldzorgen",
            "Vraag naar inkomen, vaste lasten, betalingsachterstanden en post die blijft liggen. "
            "Schaamte is groot: benoem dat het vaak voorkomt.",
            '"Lukt het om rond te komen?" "Liggen er brieven die je liever niet opent?" '
            "Vraag ook naar toeslagen en de zorgverzekering.",
            "",
        ),
        (
            "consent",
            "Vraag toestemming om door te verwijzen",
            "Leg uit wat de schuldhulp doet en welke gegevens je doorgeeft. Noteer de toestemming.",
            "",
            "",
        ),
        (
            "refer",
            "Verwijs naar de schuldhulpverlening",
            "Meld aan met toestemming; vermeld dat het om een zwangere of een gezin met een baby "
            "gaat (voorrang).",
            "",
            "schuldhulpverlening",
        ),
        (
            "handover",
            "Warme overdracht",
            "Bel samen met de cliënt het sociaal team of spreek een eerste afspraak af waar je bij "
            "kunt zijn. Bij een gezin met meerdere problemen: één plan via het wijkteam.",
            "",
            "sociaal-wijkteam",
        ),
        (
            "follow_up",
            "Vraag na of de hulp op gang kwam",
            "Vraag bij de volgende controle of er contact is geweest. Geen contact binnen twee "
            "weken: neem zelf contact op met de schuldhulp.",
            "",
            "",
        ),
    ]


def _huiselijk_geweld(town: DemoTown) -> list[Step]:
    return [
        (
            "urgent_safety",
            "Bij acuut gevaar: bel 112",
            "Is er direct gevaar voor moeder, kind of ongeboren kind, bel 112. Twijfel je: bel "
            "Veilig Thuis (0800-2000, dag en nacht, gratis) voor advies.",
            "",
            "veilig-thuis",
        ),
        (
            "discuss",
            "Bespreek je zorgen, veilig en alleen",
            "Spreek de cliënt zonder partner of familie. Volg de stappen van de meldcode.",
            '"Voel je je veilig thuis?" "Is er iemand die je bang maakt of pijn doet?"',
            "",
        ),
        (
            "refer",
            "Vraag advies aan Veilig Thuis",
            "Overleg (anoniem kan) en besluit samen of een melding nodig is.",
            "",
            "veilig-thuis",
        ),
        (
            "handover",
            "Warme overdracht aan het wijkteam",
            "Met toestemming: het wijkteam maakt met het gezin een veiligheidsplan.",
            "",
            "sociaal-wijkteam",
        ),
        (
            "follow_up",
            "Blijf betrokken",
            "Vraag bij elk contact hoe het gaat en leg vast wat je hebt gedaan (meldcode).",
            "",
            "",
        ),
    ]


def _psychisch(town: DemoTown) -> list[Step]:
    return [
        (
            "urgent_safety",
            "Bij gedachten aan zelfdoding: direct hulp",
            "Vraag ernaar; het vergroot het risico niet. Bel bij acuut gevaar de huisarts of de "
            "huisartsenpost (crisisdienst). 113 Zelfmoordpreventie: 0800-0113.",
            "",
            "",
        ),
        (
            "discuss",
            "Bespreek stemming en angst",
            "Vraag naar somberheid, angst, slaap en eerdere psychische klachten. Gebruik zo nodig "
            "de EPDS-vragenlijst.",
            '"Hoe voel je je de laatste weken?" "Kun je nog genieten?"',
            "",
        ),
        (
            "consent",
            "Vraag toestemming",
            "Bespreek de verwijzing en de gegevens die je deelt.",
            "",
            "",
        ),
        (
            "refer",
            "Verwijs naar de perinatale GGZ",
            "Via de huisarts (verwijsbrief) of, bij ernstige klachten, rechtstreeks na overleg.",
            "",
            "perinatale-ggz",
        ),
        (
            "follow_up",
            "Volg het op",
            "Vraag na of de intake heeft plaatsgevonden en of extra steun thuis nodig is.",
            "",
            "",
        ),
    ]


def _huisvesting(town: DemoTown) -> list[Step]:
    return [
        (
            "discuss",
            "Bespreek de woonsituatie",
            "Vraag naar dreigende uithuiszetting, een te kleine of ongezonde woning en of er een "
            "eigen plek is voor de baby.",
            '"Waar woon je nu, en kun je daar blijven als de baby er is?"',
            "",
        ),
        ("consent", "Vraag toestemming", "", "", ""),
        (
            "refer",
            "Verwijs naar het wijkteam",
            "Het wijkteam kijkt naar urgentie, woonruimte en betalingsachterstanden.",
            "",
            "sociaal-wijkteam",
        ),
        ("follow_up", "Vraag na of er een plan is", "", "", ""),
    ]


def _taal(town: DemoTown) -> list[Step]:
    return [
        (
            "discuss",
            "Spreek af hoe je elkaar begrijpt",
            "Gebruik een professionele tolk (telefoon of video), niet een familielid of kind.",
            "Gebruik korte zinnen en check: laat de cliënt in eigen woorden herhalen wat je "
            "afsprak.",
            "",
        ),
        (
            "refer",
            "Verwijs naar het Taalhuis",
            "Voor Nederlands leren, taalmaatjes en hulp bij formulieren.",
            "",
            "taalhuis",
        ),
        (
            "handover",
            "Prenataal huisbezoek door de JGZ",
            "Meld aan voor een prenataal huisbezoek; de JGZ regelt een tolk.",
            "",
            "prenataal-huisbezoek",
        ),
        ("follow_up", "Check of de informatie is aangekomen", "", "", ""),
    ]


def _roken(town: DemoTown) -> list[Step]:
    return [
        (
            "discuss",
            "Bespreek roken (ook van de partner)",
            "Gebruik de V-MIS: vraag, adviseer en verwijs. Bespreek ook meeroken.",
            '"Rook jij of iemand in huis?" Zeg dat stoppen op elk moment helpt.',
            "",
        ),
        (
            "refer",
            "Verwijs naar Rookvrije Start",
            "Persoonlijke begeleiding door een stoppen-met-rokencoach, ook voor de partner.",
            "",
            "rookvrije-start",
        ),
        ("follow_up", "Vraag bij elke controle naar roken", "", "", ""),
    ]


def _onbedoeld(town: DemoTown) -> list[Step]:
    return [
        (
            "discuss",
            "Bespreek de kinderwens",
            'Stel de vraag: "Wil je het komende jaar zwanger worden?" Bespreek anticonceptie.',
            "",
            "",
        ),
        ("consent", "Vraag toestemming", "", "", ""),
        (
            "refer",
            "Verwijs naar Nu Niet Zwanger",
            "Bij meerdere complexe problemen (LVB, verslaving, psychische problemen, schulden).",
            "",
            "nu-niet-zwanger",
        ),
        ("follow_up", "Vraag na of er contact was", "", "", ""),
    ]


def _local_pathways(town: DemoTown) -> list[tuple[str, list[str], str, list[Step]]]:
    """(situation, phases, title, steps) per demo town."""
    pathways = [
        (
            "geldzorgen",
            ["pregnancy", "postnatal"],
            f"Geldzorgen en schulden in {town.name}",
            _geldzorgen(town),
        ),
        (
            "huiselijk-geweld",
            ["preconception", "pregnancy", "postnatal"],
            f"Huiselijk geweld in {town.name}",
            _huiselijk_geweld(town),
        ),
        (
            "psychische-problemen",
            ["pregnancy", "postnatal"],
            f"Psychische problemen rond de zwangerschap in {town.name}",
            _psychisch(town),
        ),
        (
            "huisvesting",
            ["pregnancy", "postnatal"],
            f"Huisvesting in {town.name}",
            _huisvesting(town),
        ),
        ("taalbarriere", ["pregnancy"], f"Taalbarrière in {town.name}", _taal(town)),
        (
            "onbedoelde-zwangerschap",
            ["preconception"],
            f"Onbedoelde zwangerschap in {town.name}",
            _onbedoeld(town),
        ),
    ]
    if town.slug != "smallingerland":  # Smallingerland uses the regional default (GGD Fryslân)
        pathways.append(
            (
                "roken",
                ["preconception", "pregnancy", "postnatal"],
                f"Stoppen met roken in {town.name}",
                _roken(town),
            )
        )
    return pathways


#: Per situation: where the national default refers to (the service differs per municipality).
NATIONAL_REFERRALS: dict[str, str] = {
    "geldzorgen": "Verwijs naar de schuldhulpverlening of het sociaal (wijk)team van de gemeente van de cliënt.",
    "werkloosheid": "Verwijs naar het werkplein of het sociaal (wijk)team van de gemeente.",
    "huisvesting": "Verwijs naar het sociaal (wijk)team van de gemeente; bij dreigende uithuiszetting met spoed.",
    "dakloosheid": "Verwijs naar de centrale toegang maatschappelijke opvang van de regio.",
    "roken": "Verwijs naar een stoppen-met-rokencoach (Rookvrije Start) in de buurt.",
    "alcohol": "Verwijs naar de huisarts of de verslavingszorg in de regio.",
    "verslaving": "Verwijs naar de verslavingszorg in de regio; overweeg Nu Niet Zwanger (GGD).",
    "huiselijk-geweld": "Vraag advies aan Veilig Thuis: 0800-2000 (gratis, dag en nacht).",
    "psychische-problemen": "Verwijs via de huisarts naar de (perinatale) GGZ.",
    "stress": "Verwijs naar de POH-GGZ van de huisarts of het sociaal (wijk)team.",
    "lvb": "Verwijs naar het sociaal (wijk)team; overweeg Nu Niet Zwanger (GGD).",
    "laaggeletterdheid": "Verwijs naar het Taalhuis in de bibliotheek.",
    "taalbarriere": "Gebruik een professionele tolk en verwijs naar het Taalhuis of de JGZ.",
    "vluchtelingen": "Verwijs naar VluchtelingenWerk en de JGZ (prenataal huisbezoek).",
    "tienerzwangerschap": "Verwijs naar de JGZ (VoorZorg) en het sociaal (wijk)team.",
    "onbedoelde-zwangerschap": "Verwijs naar Nu Niet Zwanger van de GGD of de huisarts voor anticonceptie.",
    "relatieproblemen": "Verwijs naar het sociaal (wijk)team of het maatschappelijk werk.",
    "alleenstaand-ouderschap": "Verwijs naar het sociaal (wijk)team; informele steun zoals Home-Start.",
    "weinig-netwerk": "Verwijs naar informele steun zoals Home-Start of Moeders Informeren Moeders.",
    "opvoedvragen": "Verwijs naar de JGZ (consultatiebureau) of het Centrum voor Jeugd en Gezin.",
    "huilbaby": "Verwijs naar de JGZ; bij zorgen over de veiligheid van de baby: Veilig Thuis.",
}
NATIONAL_URGENT: dict[str, tuple[str, str]] = {
    "huiselijk-geweld": (
        "Bij acuut gevaar: bel 112",
        "Twijfel je: Veilig Thuis 0800-2000, dag en nacht.",
    ),
    "psychische-problemen": (
        "Bij gedachten aan zelfdoding: direct hulp",
        "Huisarts of huisartsenpost; 113 Zelfmoordpreventie: 0800-0113.",
    ),
    "huilbaby": (
        "Bij zorgen over schudden of geweld",
        "Bel direct Veilig Thuis (0800-2000) of bij acuut gevaar 112.",
    ),
}


def _national_steps(situation: Situation) -> list[Step]:
    steps: list[Step] = []
    if situation.code in NATIONAL_URGENT:
        title, text = NATIONAL_URGENT[situation.code]
        steps.append(("urgent_safety", title, text, "", ""))
    steps += [
        (
            "discuss",
            f"Bespreek: {situation.name.lower()}",
            "Vraag open door en vraag ook naar wat wél goed gaat (beschermende factoren).",
            "Sluit aan bij de woorden van de cliënt; geef geen oordeel.",
            "",
        ),
        (
            "consent",
            "Vraag toestemming om door te verwijzen",
            "Leg uit welke gegevens je deelt.",
            "",
            "",
        ),
        (
            "refer",
            "Verwijs naar passende hulp",
            NATIONAL_REFERRALS.get(
                situation.code,
                "Zoek op de sociale kaart van de gemeente van de cliënt naar passende hulp.",
            ),
            "",
            "",
        ),
        ("follow_up", "Vraag na of de hulp op gang kwam", "", "", ""),
    ]
    return steps


def _organisation(name: str, kind: str) -> Organisation:
    organisation, _ = Organisation.objects.update_or_create(
        name=name, defaults={"kind": kind, "is_demo": True}
    )
    return organisation


def _coalition(
    name: str,
    municipalities: list[str],
    *,
    scope: str,
    lead: Organisation | None,
    description: str,
) -> Coalition:
    coalition, _ = Coalition.objects.update_or_create(
        name=name,
        defaults={
            "scope": scope,
            "lead_organisation": lead,
            "is_demo": True,
            "description": description,
        },
    )
    coalition.municipalities.set(Municipality.objects.filter(code__in=municipalities))
    return coalition


def _service(town: DemoTown, key: str, cache: dict[tuple[str, str], str]) -> str:
    """The id of a demo service: by its fixed id in the demo social map, else by name."""
    if not key:
        return ""
    if (town.slug, key) in cache:
        return cache[(town.slug, key)]
    service_id = fixed_id("demo", "service", town.slug, key)
    found = ""
    if Service.objects.filter(pk=service_id).exists():
        found = str(service_id)
    else:
        try:
            found = str(
                find_service(key.replace("-", " ").capitalize(), municipalities=[town.code]).pk
            )
        except ServiceNotFound:
            logger.warning("demo pathways: no demo service %s in %s", key, town.name)
    cache[(town.slug, key)] = found
    return found


def _row(values: dict[str, Any], steps: list[dict[str, Any]], index: int) -> RawPathway:
    raw = RawPathway(RawRow("demo", index, values, {}))
    for position, step in enumerate(steps, start=1):
        raw.steps.append(
            RawRow(f"demo[{index}].steps", position, {**step, "position": position}, {})
        )
    return raw


def _owner(username: str) -> str:
    from django.contrib.auth import get_user_model

    return username if get_user_model().objects.filter(username=username).exists() else ""


@transaction.atomic
def load() -> ImportResult:
    """Create or update the demo coalitions and pathways (idempotent)."""
    if not Situation.objects.exists():
        from kansrijk.situations.services import load_catalogue

        load_catalogue()
    today = timezone.localdate()
    national_lead = _organisation(NATIONAL_ORGANISATION, OrganisationKind.NATIONAL)
    national = _coalition(
        NATIONAL_COALITION,
        [],
        scope=CoalitionScope.NATIONAL,
        lead=national_lead,
        description="Landelijke standaardzorgpaden, voor gemeenten zonder eigen zorgpad (demo).",
    )
    fryslan = list(
        Municipality.objects.filter(ggd_region_id=FRYSLAN_GGD).values_list("code", flat=True)
    )
    _coalition(
        REGIONAL_COALITION,
        fryslan,
        scope=CoalitionScope.REGIONAL,
        lead=Organisation.objects.filter(name="Gemeente Smallingerland").first(),
        description="Regionale afspraken van de Friese gemeenten en GGD Fryslân (demo).",
    )
    for town in TOWNS:
        _coalition(
            town.coalition,
            [town.code],
            scope=CoalitionScope.LOCAL,
            lead=Organisation.objects.filter(name=f"Gemeente {town.name}").first(),
            description=f"De lokale coalitie Kansrijke Start van {town.name} (demo).",
        )

    cache: dict[tuple[str, str], str] = {}
    rows: list[RawPathway] = []

    def add(values: dict[str, Any], steps: list[Step], town: DemoTown | None) -> None:
        step_rows = []
        complete = True
        for kind, title, text, tips, service_key in steps:
            service = _service(town, service_key, cache) if town else ""
            if service_key and not service:
                complete = complete and kind not in {"refer", "handover"}
            step_rows.append(
                {"kind": kind, "title": title, "text": text, "tips": tips, "service": service}
            )
        values.setdefault("publish", complete)
        rows.append(_row(values, step_rows, len(rows) + 1))

    for town in TOWNS:
        for situation, phases, title, steps in _local_pathways(town):
            stale = town.slug == "heerlen" and situation == "huisvesting"
            add(
                {
                    "key": f"demo-{town.slug}-{situation}",
                    "coalition": town.coalition,
                    "situation": situation,
                    "scope": "municipal",
                    "municipalities": [town.code],
                    "phases": phases,
                    "title": title,
                    "introduction": f"Afspraken van de coalitie Kansrijke Start {town.name} (demo).",
                    "owner": _owner(f"redacteur.{town.slug}"),
                    "last_reviewed": (today - datetime.timedelta(days=425)).isoformat()
                    if stale
                    else "",
                },
                steps,
                town,
            )
    smallingerland = TOWNS[0]
    add(
        {
            "key": "demo-fryslan-roken",
            "coalition": REGIONAL_COALITION,
            "situation": "roken",
            "scope": "regional",
            "municipalities": fryslan,
            "phases": ["preconception", "pregnancy", "postnatal"],
            "title": "Stoppen met roken in Fryslân (regionale standaard)",
            "introduction": "Regionale afspraken met Rookvrije Start Fryslân (demo).",
            "owner": _owner("redacteur.smallingerland"),
        },
        _roken(smallingerland),
        smallingerland,
    )
    for catalogued in Situation.objects.filter(kind=FactorKind.RISK, is_active=True).order_by(
        "position"
    ):
        add(
            {
                "key": f"demo-nl-{catalogued.code}",
                "coalition": national.name,
                "situation": catalogued.code,
                "scope": "national",
                "municipalities": [],
                "phases": catalogued.phases,
                "title": f"{catalogued.name} (landelijke standaard)",
                "introduction": "Algemene stappen voor gemeenten zonder eigen zorgpad. Zoek de "
                "lokale diensten op de sociale kaart (demo).",
            },
            _national_steps(catalogued),
            None,
        )
    return import_rows(rows, filename="demo", is_demo=True)
