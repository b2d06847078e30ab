"""A demo social map for Smallingerland (Drachten), Rotterdam and Heerlen.

The organisations are made up, after the world of Kansrijke Start (see ``../shared/seeds``): the
midwife practice, the JGZ with its prenatal home visit, the GGD with Nu Niet Zwanger, the social
district team, debt counselling, GGZ, informal support (Home-Start, Moeders Informeren Moeders),
maternity care, Stevig Ouderschap, VoorZorg, CenteringZwangerschap, Rookvrije Start, the Taalhuis
and the regional Veilig Thuis.

Everything is marked ``is_demo`` (and so shows as "(demo)"); phone numbers are obviously not real
(``0512 000 0xx``, ``010 000 0xxx``, ``045 000 0xxx``); addresses lie in real PC4 areas of the three
towns with made-up streets and numbers. Regional services (GGD, Veilig Thuis, maternity care,
GGZ) serve every municipality of the town's GGD region.

``load()`` is idempotent: every row has a fixed id (``fixed_id("demo", ...)``), the top-level rows
are updated in place and the rows that hang from them are replaced, so running it again changes
nothing but the relative dates ("last verified 400 days ago"). It needs the reference data
(``kansrijk.places``) and links the JGZ, midwife and debt-counselling organisations to the
demo accounts organisations of ``kansrijk.accounts.demo`` when those exist.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from kansrijk.accounts.models import Organisation
from kansrijk.core import freshness
from kansrijk.core.languages import dutch_language_name
from kansrijk.core.phases import Phase
from kansrijk.directory.models import (
    Contact,
    CostOption,
    Domain,
    Frequency,
    Language,
    Location,
    Organization,
    Phone,
    PhoneType,
    ReferralMethod,
    ReferralMethodKind,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceTaxonomy,
)
from kansrijk.directory.search import refresh_search_text
from kansrijk.directory.vocabularies import fixed_id, load_need_categories, need_term_id
from kansrijk.places.models import Municipality, PostcodeArea

__all__ = ["TOWNS", "DemoSummary", "Town", "load"]

DEMO_NOTE = "demonummer, bestaat niet"
MAIL_DOMAIN = "demo.kansrijk.localhost"
WEEKDAYS = "MO,TU,WE,TH,FR"


@dataclass(frozen=True)
class Town:
    """One demo municipality and the local names used in its social map."""

    code: str  # CBS code, e.g. GM0090
    slug: str
    town: str  # the place name on addresses
    area_code: str  # the phone area code, e.g. "0512"
    region: str  # the region in organisation names, e.g. "Fryslân"
    midwife_practice: str  # equal to the accounts demo organisation
    youth_health_care: str  # equal to the accounts demo organisation
    ggd: str
    veilig_thuis: str
    district_team: str
    debt_counselling: str
    maternity_care: str
    mental_health: str
    informal: str  # the welfare organisation behind Home-Start and the volunteers
    languages: tuple[str, ...]  # languages spoken often, besides Dutch
    second_consultation_office: str  # the name of the JGZ's second location
    #: location key → "street and number|postcode"; the PC4 gives the point and municipality
    addresses: dict[str, str] = field(default_factory=dict)


TOWNS: list[Town] = [
    Town(
        code="GM0090",
        slug="smallingerland",
        town="Drachten",
        area_code="0512",
        region="Fryslân",
        midwife_practice="Verloskundigenpraktijk De Wieken",
        youth_health_care="JGZ Fryslân Drachten",
        ggd="GGD Fryslân",
        veilig_thuis="Veilig Thuis Friesland",
        district_team="Sociaal Team Smallingerland",
        debt_counselling="Schuldhulpverlening Smallingerland",
        maternity_care="Kraamzorg De Friese Wâlden",
        mental_health="GGZ Fryslân Zuidoost, ouder-en-kindteam",
        informal="Welzijn Smallingerland",
        languages=("fy", "en", "pl", "ar", "ti"),
        second_consultation_office="Consultatiebureau Drachten-Noord",
        addresses={
            "midwife": "Wiekslag 14|9203 HM",
            "jgz": "Burgemeester Wuiteweg 30|9203 KK",
            "jgz2": "Noordkade 7|9201 AB",
            "ggd": "Zuiderdiep 21|9201 DB",
            "district": "Moleneind 5|9201 CH",
            "debt": "Raadhuisplein 3|9202 AA",
            "maternity": "De Drift 40|9204 LB",
            "mental": "Stationsweg 62|9201 GS",
            "informal": "Torenstraat 11|9200 BD",
            "library": "Museumplein 2|9201 BG",
            "vt": "Zuidkade 90|9203 CA",
            "smoke": "Oliemolen 18|9205 CD",
        },
    ),
    Town(
        code="GM0599",
        slug="rotterdam",
        town="Rotterdam",
        area_code="010",
        region="Rijnmond",
        midwife_practice="Verloskundigenpraktijk Kralingen",
        youth_health_care="CJG Rotterdam Oost",
        ggd="GGD Rotterdam-Rijnmond",
        veilig_thuis="Veilig Thuis Rotterdam Rijnmond",
        district_team="Wijkteam Kralingen-Crooswijk",
        debt_counselling="Kredietbank Rotterdam",
        maternity_care="Kraamzorg Rijnmond",
        mental_health="POP-poli Maasstad Oost",
        informal="Stichting Samen Sterk Rotterdam",
        languages=("en", "ar", "tr", "pap", "zgh", "pl", "so"),
        second_consultation_office="Consultatiebureau Charlois",
        addresses={
            "midwife": "Oudedijk 112|3062 AG",
            "jgz": "Lusthofstraat 40|3062 WL",
            "jgz2": "Pleinweg 160|3083 EP",
            "ggd": "Wijnhaven 24|3011 WR",
            "district": "Crooswijksestraat 9|3034 AA",
            "debt": "Meent 44|3011 JN",
            "maternity": "Ringdijk 310|3053 KZ",
            "mental": "Prins Alexanderlaan 19|3067 GA",
            "informal": "Beijerlandselaan 77|3074 EB",
            "library": "Hoogstraat 101|3011 PM",
            "vt": "Rochussenstraat 200|3015 EK",
            "smoke": "Dordtselaan 55|3073 AE",
            "teen": "Putselaan 8|3072 CA",
        },
    ),
    Town(
        code="GM0917",
        slug="heerlen",
        town="Heerlen",
        area_code="045",
        region="Zuid-Limburg",
        midwife_practice="Verloskundigenpraktijk Heerlen-Centrum",
        youth_health_care="JGZ Heerlen",
        ggd="GGD Zuid Limburg",
        veilig_thuis="Veilig Thuis Limburg-Zuid",
        district_team="Sociaal Wijkteam Heerlen",
        debt_counselling="Geldzaken Heerlen",
        maternity_care="Kraamzorg Parkstad",
        mental_health="GGZ Parkstad, team moeder en kind",
        informal="Welzijnswerk Parkstad",
        languages=("en", "ar", "de", "pl", "tr", "uk"),
        second_consultation_office="Consultatiebureau Heerlerbaan",
        addresses={
            "midwife": "Geleenstraat 30|6411 HS",
            "jgz": "Akerstraat 55|6411 GZ",
            "jgz2": "Heerlerbaan 120|6418 CK",
            "ggd": "Stationsplein 4|6411 NE",
            "district": "Kruisstraat 14|6412 EN",
            "debt": "Raadhuisplein 1|6411 HK",
            "maternity": "Schandelerboord 12|6415 AB",
            "mental": "Valkenburgerweg 76|6419 AV",
            "informal": "Bekkerweg 48|6417 AH",
            "library": "Glaspaleis 2|6411 GA",
            "vt": "Putgraaf 6|6411 GW",
            "smoke": "Coriovallumstraat 9|6411 CA",
        },
    ),
]


@dataclass(frozen=True)
class OrgSpec:
    key: str
    name: str
    description: str
    location_name: str
    link_account: bool = False  # link to the accounts organisation of the same name
    hours: tuple[str, str, str] | None = (WEEKDAYS, "08:30", "17:00")


@dataclass(frozen=True)
class ServiceSpec:
    key: str
    org: str
    name: str
    description: str
    eligibility: str
    target_group: str
    phases: tuple[str, ...]
    domain: str
    categories: tuple[str, ...]
    referrals: tuple[tuple[str, str], ...]  # (method, instructions); contact is derived
    application_process: str
    is_free: bool | None = True
    fees: str = "Kosteloos."
    regional: bool = False  # serves the whole GGD region, not only the municipality
    languages: tuple[str, ...] = ()  # besides Dutch
    all_town_languages: bool = False
    verified_days_ago: int | None = 30
    response_time_days: int | None = None
    wait_time: str = ""
    alternate_name: str = ""
    minimum_age: int | None = None
    maximum_age: int | None = None
    interpretation: str = ""
    alert: str = ""
    cost: tuple[str, str | None, str] | None = None  # (option, amount, description)
    contact: tuple[str, str] = ("", "")  # (department, job title)
    locations: tuple[str, ...] = ()  # org keys of extra locations
    session: str = ""  # a recurring group session, as a schedule note


def _organisations(town: Town) -> list[OrgSpec]:
    t = town.town
    return [
        OrgSpec(
            "midwife",
            town.midwife_practice,
            f"Eerstelijns verloskundigenpraktijk in {t} met vier verloskundigen. Begeleidt "
            "zwangerschap, bevalling en kraamtijd, en houdt een kinderwensspreekuur. Werkt in het "
            "verloskundig samenwerkingsverband (VSV) en in de lokale coalitie Kansrijke Start.",
            f"Praktijk {t}",
            link_account=True,
        ),
        OrgSpec(
            "jgz",
            town.youth_health_care,
            f"Jeugdgezondheidszorg (JGZ) voor alle kinderen van 0 tot 18 jaar in {t}: "
            "consultatiebureau, prenataal huisbezoek en extra ondersteuning voor ouders die dat "
            "nodig hebben.",
            f"Consultatiebureau {t}",
            link_account=True,
        ),
        OrgSpec(
            "ggd",
            town.ggd,
            f"Publieke gezondheidszorg voor de regio {town.region}: infectieziekten, "
            "seksuele gezondheid, Nu Niet Zwanger en gezondheidsonderzoek.",
            f"{town.ggd}, locatie {t}",
        ),
        OrgSpec(
            "district",
            town.district_team,
            "Het sociaal (wijk)team is de toegang tot hulp van de gemeente: één gesprek over "
            "geld, wonen, opvoeden, relaties en gezondheid, en één plan.",
            f"Wijkteamkantoor {t}",
        ),
        OrgSpec(
            "debt",
            town.debt_counselling,
            f"Gemeentelijke schuldhulpverlening voor inwoners van {t}: van een eerste "
            "geldgesprek tot budgetbeheer en een schuldregeling.",
            f"Loket Geldzaken {t}",
            link_account=True,
        ),
        OrgSpec(
            "maternity",
            town.maternity_care,
            f"Kraamzorgorganisatie in de regio {town.region}: intake in de zwangerschap, "
            "partusassistentie en kraamzorg thuis in de eerste 8 tot 10 dagen.",
            f"Kantoor {town.maternity_care}",
        ),
        OrgSpec(
            "mental",
            town.mental_health,
            "Specialistische GGZ rond zwangerschap en de eerste levensjaren: psychische klachten "
            "van (aanstaande) ouders en de band tussen ouder en kind.",
            f"Polikliniek {t}",
        ),
        OrgSpec(
            "informal",
            town.informal,
            f"Welzijnsorganisatie in {t} met beroepskrachten en getrainde vrijwilligers: "
            "Home-Start, Moeders Informeren Moeders, thuisadministratie en ontmoeting voor "
            "ouders.",
            f"Buurthuis {t}",
        ),
        OrgSpec(
            "library",
            f"Taalhuis {t}",
            f"Het Taalhuis in de bibliotheek van {t} helpt volwassenen die beter willen leren "
            "lezen, schrijven, rekenen, Nederlands spreken of digitaal werken.",
            f"Bibliotheek {t}",
            hours=("TU,WE,TH", "10:00", "16:00"),
        ),
        OrgSpec(
            "vt",
            town.veilig_thuis,
            "Advies- en meldpunt huiselijk geweld en kindermishandeling voor de regio "
            f"{town.region}. Dag en nacht bereikbaar.",
            f"{town.veilig_thuis}, kantoor {t}",
        ),
        OrgSpec(
            "smoke",
            f"Rookvrije Start {town.region}",
            "Samenwerking van verloskundigen, JGZ en stoppen-met-rokencoaches: begeleiding bij "
            "stoppen met roken voor (aanstaande) ouders en hun partners.",
            f"Stoppen-met-rokenpraktijk {t}",
            hours=("MO,WE,FR", "09:00", "17:00"),
        ),
        *(
            [
                OrgSpec(
                    "teen",
                    "Tienermoederpunt Rotterdam-Zuid",
                    "Begeleiding en ontmoeting voor tienermoeders en jonge ouders tot 23 jaar in "
                    "Rotterdam.",
                    "Tienermoederpunt Zuid",
                )
            ]
            if town.slug == "rotterdam"
            else []
        ),
    ]


_SECURE = ReferralMethodKind.SECURE_MAIL
_PHONE = ReferralMethodKind.PHONE
_FORM = ReferralMethodKind.REFERRAL_FORM
_ZD = ReferralMethodKind.ZORGDOMEIN
_SELF = ReferralMethodKind.SELF_REFERRAL
_PRE, _PREG, _POST = Phase.PRECONCEPTION, Phase.PREGNANCY, Phase.POSTNATAL


def _services(town: Town) -> list[ServiceSpec]:
    t = town.town
    rotterdam, heerlen, drachten = (
        town.slug == "rotterdam",
        town.slug == "heerlen",
        town.slug == "smallingerland",
    )
    services = [
        # --- Midwives ----------------------------------------------------------------------------
        ServiceSpec(
            "verloskundige-zorg",
            "midwife",
            "Verloskundige zorg",
            "Controles tijdens de zwangerschap, begeleiding van de bevalling thuis of in het "
            "ziekenhuis, en nazorg in de kraamweek. In het eerste gesprek (het brede gesprek) "
            "vragen we ook naar geld, wonen, stress en steun van anderen, zodat we samen met u "
            "extra hulp kunnen regelen als dat nodig is.",
            "Iedereen die zwanger is of net bevallen, vanaf de positieve zwangerschapstest.",
            "Zwangeren en hun partner",
            (_PRE, _PREG, _POST),
            Domain.MEDICAL,
            ("zwangerschap-en-geboorte", "medische-problemen"),
            (
                (_SELF, "Cliënten melden zich zelf aan via de website of telefonisch."),
                (_PHONE, "Overleg met een verloskundige: bel de praktijklijn, kies optie 2."),
                (_ZD, "Verwijzen door de huisarts kan via ZorgDomein (eerstelijns verloskunde)."),
            ),
            "Bel of meld je aan via de website zodra je zwanger bent. Je krijgt binnen een week "
            "een eerste afspraak.",
            fees="Vergoed uit de basisverzekering, zonder eigen risico.",
            all_town_languages=True,
            interpretation="Bij een taalbarrière zetten we een professionele tolk in (telefonisch of video).",
            response_time_days=5,
            verified_days_ago=45,
            contact=("Praktijklijn", "Verloskundige"),
        ),
        ServiceSpec(
            "kinderwensspreekuur",
            "midwife",
            "Kinderwensspreekuur (preconceptieconsult)",
            "Een gesprek vóór de zwangerschap over gezond zwanger worden: foliumzuur, leefstijl, "
            "medicijnen, erfelijkheid, werk en geld. We bespreken de uitkomst van de ZwangerWijzer "
            "als je die hebt ingevuld.",
            "Vrouwen en paren die het komende jaar zwanger willen worden.",
            "Vrouwen en paren met een kinderwens",
            (_PRE,),
            Domain.MEDICAL,
            ("preconceptiezorg", "roken", "medische-problemen"),
            (
                (_SELF, "Maak zelf een afspraak; vul vooraf de ZwangerWijzer in."),
                (_ZD, "Huisartsen verwijzen via ZorgDomein: 'preconceptieconsult verloskundige'."),
            ),
            "Maak een afspraak via de praktijklijn. Neem de uitkomst van de ZwangerWijzer mee.",
            is_free=False,
            fees="Vaak vergoed uit de aanvullende verzekering. Zonder vergoeding betaal je het "
            "tarief van de praktijk.",
            cost=("Preconceptieconsult zonder vergoeding", "45.00", "Tarief per consult (demo)"),
            languages=("en",),
            verified_days_ago=120,
            contact=("Praktijklijn", "Verloskundige"),
        ),
        ServiceSpec(
            "centering-zwangerschap",
            "midwife",
            "CenteringZwangerschap",
            "Zwangerschapscontroles in een groep van 8 tot 12 vrouwen die rond dezelfde tijd "
            "uitgerekend zijn. Tien bijeenkomsten van twee uur: je doet zelf een deel van de "
            "controles en praat met elkaar over voeding, bevallen, borstvoeding en ouderschap. Je "
            "bouwt een netwerk op met andere aanstaande ouders.",
            "Zwangeren tot 16 weken; partners zijn welkom bij de bijeenkomsten.",
            "Zwangeren",
            (_PREG,),
            Domain.MEDICAL,
            ("zwangerschap-en-geboorte", "sociaal-netwerk"),
            (
                (_SELF, "Aanmelden via de eigen verloskundige of de praktijklijn."),
                (
                    _PHONE,
                    "Professionals bellen de praktijklijn voor een plek in de volgende groep.",
                ),
            ),
            "Vraag je verloskundige naar de volgende groep. Aanmelden kan tot 16 weken zwangerschap.",
            fees="Vergoed uit de basisverzekering, zonder eigen risico.",
            verified_days_ago=410 if drachten else 90,
            session="Om de twee weken op dinsdagavond, 19:00-21:00",
            contact=("Centering-coördinator", "Verloskundige"),
        ),
        # --- JGZ -----------------------------------------------------------------------------------
        ServiceSpec(
            "prenataal-huisbezoek",
            "jgz",
            "Prenataal huisbezoek JGZ",
            "Een jeugdverpleegkundige van de JGZ komt tijdens de zwangerschap thuis op bezoek. "
            "Aanstaande ouders maken zo al vóór de geboorte kennis met de JGZ en bespreken hun "
            "vragen en zorgen over de komst van de baby, geld, wonen, stress en steun. Waar nodig "
            "regelt de verpleegkundige extra ondersteuning, bijvoorbeeld het sociaal wijkteam, "
            "schuldhulpverlening of Home-Start. Sinds 2022 een wettelijke taak van elke gemeente "
            "(Wet publieke gezondheid).",
            "Zwangeren en hun gezin in een kwetsbare situatie, vanaf ongeveer 16 weken "
            "zwangerschap. Alleen met toestemming van de zwangere.",
            "Zwangeren in een kwetsbare situatie",
            (_PREG,),
            Domain.MEDICAL,
            (
                "zwangerschap-en-geboorte",
                "opvoeden",
                "stress",
                "sociaal-netwerk",
                "geldzorgen",
            ),
            (
                (
                    _SECURE,
                    "Stuur het verwijsformulier prenataal huisbezoek via beveiligde mail. Vermeld "
                    "de uitgerekende datum, de gesignaleerde factoren en dat de zwangere "
                    "toestemming gaf.",
                ),
                (_ZD, "Verwijzen via ZorgDomein: product 'Prenataal huisbezoek JGZ'."),
                (
                    _PHONE,
                    "Bij spoed of twijfel: bel het intaketeam en vraag naar de dienstdoende verpleegkundige.",
                ),
                (_FORM, "Of vul het online verwijsformulier in (ook voor huisartsen)."),
                (
                    _SELF,
                    "Zwangeren vragen het huisbezoek ook zelf aan, op de ouderpagina's van "
                    "Kansrijk (/ouders/nl/huisbezoek-aanvragen/).",
                ),
            ),
            "Een verloskundige, huisarts of gynaecoloog meldt aan, altijd met toestemming van de "
            "zwangere. De JGZ belt binnen 5 werkdagen voor een afspraak.",
            all_town_languages=True,
            interpretation="De verpleegkundige neemt zo nodig een tolk mee of belt een tolkentelefoon.",
            response_time_days=5,
            wait_time="Binnen 5 werkdagen contact.",
            verified_days_ago=20,
            contact=("Intaketeam prenataal huisbezoek", "Jeugdverpleegkundige"),
        ),
        ServiceSpec(
            "consultatiebureau",
            "jgz",
            "Consultatiebureau (JGZ 0-4 jaar)",
            "Het consultatiebureau volgt de groei en ontwikkeling van je kind, geeft vaccinaties "
            "en beantwoordt vragen over voeding, slapen, huilen en opvoeden. Het eerste bezoek is "
            "een huisbezoek rond de tweede week na de geboorte.",
            "Alle ouders van kinderen van 0 tot 4 jaar.",
            "Ouders van jonge kinderen",
            (_POST,),
            Domain.MEDICAL,
            ("opvoeden", "huilbaby", "medische-problemen"),
            (
                (_SELF, "Ouders worden na de geboorteaangifte vanzelf uitgenodigd."),
                (_PHONE, "Professionals kunnen overleggen via het JGZ-nummer."),
            ),
            "Je krijgt na de geboorteaangifte vanzelf een uitnodiging.",
            all_town_languages=True,
            verified_days_ago=60,
            locations=("jgz2",),
            contact=("Klantcontactcentrum", "Doktersassistent JGZ"),
        ),
        # --- GGD ----------------------------------------------------------------------------------
        ServiceSpec(
            "nu-niet-zwanger",
            "ggd",
            "Nu Niet Zwanger",
            "Nu Niet Zwanger helpt vrouwen én mannen in een kwetsbare situatie om een bewuste "
            "keuze te maken over het moment van een kinderwens. Het begint met een eerlijk gesprek "
            "over kinderwens, seksualiteit en anticonceptie. Een NNZ-consulent begeleidt actief, "
            "ook naar anticonceptie als iemand dat wil, en werkt samen met verslavingszorg, GGZ, "
            "wijkteams, Veilig Thuis, huisartsen en verloskundigen.",
            "Vrouwen en mannen met meerdere complexe problemen, zoals een licht verstandelijke "
            "beperking, psychische problemen, verslaving, dakloosheid of schulden.",
            "Mannen en vrouwen in een kwetsbare situatie",
            (_PRE,),
            Domain.SOCIAL,
            (
                "onbedoelde-zwangerschap",
                "lvb",
                "verslaving",
                "psychische-problemen",
                "tienerzwangerschap",
            ),
            (
                (_PHONE, "Bel de NNZ-consulent voor overleg; ook anoniem overleggen kan."),
                (
                    _SECURE,
                    "Aanmelden met het aanmeldformulier Nu Niet Zwanger via beveiligde mail.",
                ),
            ),
            "Een professional meldt aan na overleg met de cliënt. Een consulent neemt binnen 10 "
            "werkdagen contact op.",
            regional=True,
            languages=("en",),
            response_time_days=10,
            verified_days_ago=75,
            contact=("Nu Niet Zwanger", "NNZ-consulent"),
        ),
        # --- Sociaal domein -------------------------------------------------------------------------
        ServiceSpec(
            "sociaal-wijkteam",
            "district",
            "Sociaal wijkteam" if not drachten else "Sociaal team",
            "Het wijkteam helpt bij vragen over geld, wonen, werk, opvoeden, relaties, "
            "mantelzorg en gezondheid. Een vaste contactpersoon maakt samen met het gezin een plan "
            "en schakelt waar nodig andere hulp in. Zwangeren en gezinnen met een baby krijgen "
            "voorrang.",
            f"Alle inwoners van {t}. Geen verwijzing nodig.",
            "Inwoners en gezinnen",
            (_PRE, _PREG, _POST),
            Domain.SOCIAL,
            (
                "geldzorgen",
                "huisvesting",
                "relatieproblemen",
                "huiselijk-geweld",
                "alleenstaand-ouderschap",
                "opvoeden",
                "stress",
                "werk-en-inkomen",
            ),
            (
                (_SELF, "Inwoners bellen of lopen binnen tijdens het inloopspreekuur."),
                (_PHONE, "Professionals bellen de wijkteamlijn voor een warme overdracht."),
                (_SECURE, "Aanmelden met toestemming van de cliënt via beveiligde mail."),
            ),
            "Bel, mail of kom langs. Binnen 3 werkdagen belt een medewerker terug.",
            all_town_languages=rotterdam,
            languages=("en",),
            response_time_days=3,
            verified_days_ago=500 if heerlen else 150,
            contact=("Aanmeldteam", "Wijkteammedewerker"),
        ),
        ServiceSpec(
            "schuldhulpverlening",
            "debt",
            "Schuldhulpverlening",
            "Hulp bij geldzorgen en schulden: een gratis geldgesprek, overzicht in inkomsten en "
            "uitgaven, hulp bij toeslagen, afspraken met schuldeisers, budgetbeheer en zo nodig "
            "een schuldregeling. Zwangeren en gezinnen met een baby krijgen binnen 3 werkdagen "
            "een eerste gesprek.",
            f"Inwoners van {t} met geldzorgen of schulden.",
            "Inwoners met geldzorgen of schulden",
            (_PRE, _PREG, _POST),
            Domain.SOCIAL,
            ("geldzorgen", "werk-en-inkomen", "stress"),
            (
                (_SELF, "Inwoners melden zich zelf aan via het Loket Geldzaken of telefonisch."),
                (
                    _PHONE,
                    "Professionals bellen de aanmeldlijn; vermeld dat het om een zwangere gaat.",
                ),
                (
                    _FORM,
                    "Meldformulier geldzorgen voor professionals (met toestemming van de cliënt).",
                ),
            ),
            "Aanmelden kan zelf of via een professional. Neem bij het eerste gesprek je "
            "post, bankafschriften en loonstroken mee.",
            languages=("en", "ar", "tr") if rotterdam else ("en",),
            response_time_days=3,
            wait_time="Eerste gesprek binnen 3 werkdagen voor zwangeren, anders binnen 2 weken.",
            alternate_name="Geldzaken, schulden en budgetbeheer",
            verified_days_ago=35,
            contact=("Aanmeldlijn", "Schuldhulpverlener"),
        ),
        ServiceSpec(
            "thuisadministratie",
            "informal",
            "Thuisadministratie en geldmaatje",
            "Een getrainde vrijwilliger helpt thuis met het ordenen van post en papieren, het "
            "maken van een begroting en het aanvragen van toeslagen. Samen houden jullie de "
            "administratie bij, zodat er geen nieuwe schulden ontstaan.",
            "Inwoners die moeite hebben met hun administratie of met lezen en schrijven.",
            "Inwoners met moeite met administratie",
            (_PRE, _PREG, _POST),
            Domain.INFORMAL,
            ("geldzorgen", "laaggeletterdheid"),
            ((_SELF, "Aanmelden via het buurthuis of telefonisch."),),
            "Bel of kom langs; binnen twee weken hoor je wie je vrijwilliger wordt.",
            verified_days_ago=None if rotterdam else 200,
            contact=("Coördinator vrijwilligers", "Coördinator"),
        ),
        ServiceSpec(
            "home-start",
            "informal",
            "Home-Start",
            "Een ervaren vrijwilliger (zelf ook ouder) komt een dagdeel per week bij je thuis, "
            "een half jaar tot een jaar lang. Voor een luisterend oor, praktische steun en om "
            "samen dingen met de kinderen te doen. De vrijwilliger is geen hulpverlener maar een "
            "steun in de rug.",
            "(Aanstaande) ouders met ten minste één kind van 0 tot 7 jaar (of zwanger) die steun "
            "willen bij het opvoeden of weinig mensen om zich heen hebben.",
            "Ouders van jonge kinderen",
            (_PREG, _POST),
            Domain.INFORMAL,
            ("opvoeden", "sociaal-netwerk", "stress", "alleenstaand-ouderschap"),
            (
                (_SELF, "Ouders melden zich zelf aan bij de coördinator."),
                (_PHONE, "Professionals overleggen eerst met de coördinator Home-Start."),
            ),
            "De coördinator komt op kennismakingsbezoek en zoekt een passende vrijwilliger.",
            languages=("en",),
            alert="Wachtlijst: nieuwe gezinnen worden binnen 6 weken gekoppeld aan een vrijwilliger."
            if drachten
            else "",
            wait_time="4 tot 6 weken." if drachten else "",
            verified_days_ago=380 if rotterdam else 100,
            contact=("Home-Start", "Coördinator Home-Start"),
        ),
        # --- Kraamzorg, GGZ ----------------------------------------------------------------------
        ServiceSpec(
            "kraamzorg",
            "maternity",
            "Kraamzorg",
            "Een kraamverzorgende helpt bij de bevalling en zorgt in de eerste 8 tot 10 dagen "
            "thuis voor moeder en baby: controles, voeding, hygiëne en uitleg. In de "
            "zwangerschap is er een intakegesprek thuis of telefonisch. Kraamzorg ziet ook of een "
            "gezin extra steun nodig heeft en draagt dat over aan de JGZ.",
            "Iedereen die bevalt; aanmelden vóór 16 weken zwangerschap.",
            "Zwangeren en kraamgezinnen",
            (_PREG, _POST),
            Domain.MEDICAL,
            ("kraamzorg", "zwangerschap-en-geboorte"),
            (
                (
                    _SELF,
                    "Zelf aanmelden via de website of het landelijke nummer van de organisatie.",
                ),
                (_PHONE, "Verloskundigen bellen voor extra kraamzorguren of een spoedaanvraag."),
            ),
            "Meld je aan vóór 16 weken zwangerschap. Je zorgverzekeraar vergoedt kraamzorg; je "
            "betaalt een wettelijke eigen bijdrage per uur.",
            is_free=False,
            fees="Vergoed uit de basisverzekering; je betaalt een wettelijke eigen bijdrage per "
            "uur. Heb je weinig geld? Vraag de gemeente naar bijzondere bijstand.",
            cost=(
                "Wettelijke eigen bijdrage",
                None,
                "Bedrag per uur, vastgesteld door de overheid",
            ),
            regional=True,
            languages=("en",),
            verified_days_ago=55,
            contact=("Planning", "Kraamverzorgende"),
        ),
        ServiceSpec(
            "perinatale-ggz",
            "mental",
            "Perinatale GGZ (POP-poli)" if rotterdam else "Perinatale GGZ",
            "Behandeling van psychische klachten vóór, tijdens en na de zwangerschap, zoals "
            "angst, depressie, trauma of een eerdere psychose. Een team van psychiater, "
            "psycholoog en sociaal psychiatrisch verpleegkundige werkt samen met verloskundige, "
            "gynaecoloog en JGZ. Ook aandacht voor de band tussen ouder en baby.",
            "(Aanstaande) ouders met psychische klachten, of met een kinderwens en een "
            "psychiatrische voorgeschiedenis.",
            "(Aanstaande) ouders met psychische klachten",
            (_PRE, _PREG, _POST),
            Domain.MEDICAL,
            ("psychische-problemen", "stress", "verslaving"),
            (
                (_ZD, "Verwijzing van huisarts, verloskundige of gynaecoloog via ZorgDomein."),
                (_PHONE, "Overleg met de dienstdoende psychiater is mogelijk op werkdagen."),
            ),
            "Je hebt een verwijzing nodig van je huisarts, verloskundige of gynaecoloog.",
            is_free=False,
            fees="Vergoed uit de basisverzekering; het eigen risico geldt.",
            regional=True,
            languages=("en",),
            wait_time="Zwangeren krijgen binnen 2 weken een intake.",
            verified_days_ago=430 if drachten else 140,
            contact=("Secretariaat", "Sociaal psychiatrisch verpleegkundige"),
        ),
        # --- Taal, Veilig Thuis, roken --------------------------------------------------------------
        ServiceSpec(
            "taalhuis",
            "library",
            "Taalhuis: beter lezen, schrijven en Nederlands spreken",
            "In het Taalhuis vind je gratis cursussen en taalmaatjes om beter te lezen, schrijven "
            "of Nederlands te spreken, en hulp bij formulieren en de computer. Er is ook een "
            "taalcafé voor ouders, met voorlezen voor de kinderen.",
            "Volwassenen die moeite hebben met lezen, schrijven of de Nederlandse taal.",
            "Laaggeletterden en anderstaligen",
            (_PRE, _PREG, _POST),
            Domain.INFORMAL,
            ("laaggeletterdheid", "taalbarriere", "vluchtelingen"),
            (
                (_SELF, "Kom langs tijdens de openingstijden; aanmelden is niet nodig."),
                (_PHONE, "Professionals kunnen een cliënt telefonisch aanmelden voor een intake."),
            ),
            "Loop binnen of bel voor een intake met een taalconsulent.",
            all_town_languages=True,
            verified_days_ago=460 if rotterdam else 180,
            session="Taalcafé voor ouders: elke woensdagochtend, 10:00-11:30",
            contact=("Taalhuis", "Taalconsulent"),
        ),
        ServiceSpec(
            "veilig-thuis",
            "vt",
            "Advies en melding huiselijk geweld en kindermishandeling",
            "Veilig Thuis geeft advies aan iedereen die zich zorgen maakt over huiselijk geweld "
            "of kindermishandeling, en neemt meldingen aan. Professionals gebruiken de meldcode. "
            "Let op: dit is een demo-vermelding; het echte landelijke nummer van Veilig Thuis is "
            "0800-2000.",
            "Slachtoffers, omstanders en professionals.",
            "Iedereen",
            (_PRE, _PREG, _POST),
            Domain.SOCIAL,
            ("huiselijk-geweld",),
            (
                (_PHONE, "Bel voor advies of een melding, dag en nacht (meldcode stap 2 en 5)."),
                (_SELF, "Iedereen kan zelf bellen of chatten, ook anoniem."),
            ),
            "Bel dag en nacht. Bij direct gevaar: bel 112.",
            regional=True,
            languages=("en", "ar", "tr", "pl"),
            response_time_days=1,
            verified_days_ago=15,
            contact=("Advies- en meldlijn", "Medewerker Veilig Thuis"),
        ),
        ServiceSpec(
            "rookvrije-start",
            "smoke",
            "Rookvrije Start: stoppen met roken",
            "Persoonlijke begeleiding bij stoppen met roken voor (aanstaande) ouders en hun "
            "partner, met gesprekken, een stopdatum en zo nodig nicotinevervangers. De coach "
            "werkt samen met de verloskundige en de JGZ, zodat je kind rookvrij kan opgroeien.",
            "Rokers met een kinderwens, zwangeren, partners en ouders van een baby.",
            "Rokende (aanstaande) ouders",
            (_PRE, _PREG, _POST),
            Domain.MEDICAL,
            ("roken", "verslaving"),
            (
                (_SELF, "Meld je zelf aan via telefoon of website."),
                (_ZD, "Verwijzen via ZorgDomein: 'Stoppen met roken - Rookvrije Start'."),
                (_PHONE, "Verloskundigen en JGZ kunnen bellen voor een warme overdracht."),
            ),
            "Meld je aan; de coach belt binnen een week voor het eerste gesprek.",
            fees="Vergoed uit de basisverzekering, buiten het eigen risico.",
            languages=("en", "tr", "ar") if rotterdam else ("en",),
            response_time_days=5,
            verified_days_ago=390 if heerlen else 70,
            contact=("Stoppen-met-rokencoach", "Leefstijlcoach"),
        ),
    ]
    if drachten or rotterdam:
        services.append(
            ServiceSpec(
                "stevig-ouderschap",
                "jgz",
                "Stevig Ouderschap",
                "Een jeugdverpleegkundige met extra training komt vanaf de zwangerschap tot de "
                "baby 18 maanden is regelmatig op huisbezoek. Samen werken jullie aan "
                "vertrouwen in jezelf als ouder, een veilige band met je kind en aan wat je "
                "zorgen geeft, zoals stress of weinig steun.",
                "Ouders bij wie de JGZ of verloskundige risico's ziet voor het ouderschap, "
                "bijvoorbeeld door stress, een moeilijke jeugd of weinig steun. Aanmelden kan "
                "vanaf de zwangerschap tot de baby 6 maanden is.",
                "(Aanstaande) ouders met risico's voor het ouderschap",
                (_PREG, _POST),
                Domain.MEDICAL,
                ("opvoeden", "stress", "sociaal-netwerk", "psychische-problemen"),
                (
                    (_SECURE, "Aanmelden via beveiligde mail met toestemming van de ouders."),
                    (_PHONE, "Overleg eerst met de JGZ-verpleegkundige Stevig Ouderschap."),
                ),
                "Aanmelden door een professional, in overleg met de ouders.",
                languages=("en",),
                response_time_days=10,
                verified_days_ago=80,
                contact=("Stevig Ouderschap", "Jeugdverpleegkundige"),
            )
        )
    if drachten or heerlen:
        services.append(
            ServiceSpec(
                "voorzorg",
                "jgz",
                "VoorZorg",
                "Intensieve begeleiding door een VoorZorg-verpleegkundige voor jonge vrouwen die "
                "voor het eerst moeder worden: zo'n 40 huisbezoeken vanaf de zwangerschap tot het "
                "kind 2 jaar is. Over gezond zwanger zijn, niet roken, een veilige band met je "
                "baby, relaties en je eigen toekomst.",
                "Vrouwen tot 25 jaar, zwanger van hun eerste kind (vóór 28 weken), met "
                "bijvoorbeeld weinig opleiding, weinig steun, geldzorgen of geweld in hun "
                "omgeving.",
                "Jonge vrouwen, eerste kind",
                (_PREG, _POST),
                Domain.MEDICAL,
                ("tienerzwangerschap", "opvoeden", "huiselijk-geweld", "roken"),
                (
                    (_SECURE, "Aanmelden via beveiligde mail vóór 28 weken zwangerschap."),
                    (_PHONE, "Bel de VoorZorg-verpleegkundige om te overleggen of iemand past."),
                ),
                "Aanmelden door verloskundige, huisarts, wijkteam of de vrouw zelf, vóór 28 "
                "weken zwangerschap.",
                minimum_age=12,
                maximum_age=25,
                response_time_days=5,
                verified_days_ago=110,
                contact=("VoorZorg", "VoorZorg-verpleegkundige"),
            )
        )
    if rotterdam or heerlen:
        services.append(
            ServiceSpec(
                "moeders-informeren-moeders",
                "informal",
                "Moeders Informeren Moeders",
                "Een getrainde vrijwillige moeder bezoekt je thuis, vanaf de geboorte tot je kind "
                "anderhalf jaar is. Jullie praten over wat jij belangrijk vindt: voeding, "
                "slapen, spelen, je eigen gezondheid. Ook voor moeders die Nederlands als "
                "tweede taal spreken.",
                "Moeders met een baby, vooral bij een eerste kind of weinig steun.",
                "Moeders met een baby",
                (_POST,),
                Domain.INFORMAL,
                ("opvoeden", "sociaal-netwerk", "taalbarriere", "vluchtelingen"),
                (
                    (_SELF, "Moeders melden zich zelf aan bij de coördinator."),
                    (_PHONE, "JGZ en kraamzorg kunnen aanmelden na toestemming van de moeder."),
                ),
                "Aanmelden bij de coördinator; een vrijwilliger komt binnen drie weken.",
                all_town_languages=True,
                verified_days_ago=250,
                alternate_name="MIM",
                contact=("MIM", "Coördinator MIM"),
            )
        )
        services.append(
            ServiceSpec(
                "centering-ouderschap",
                "jgz",
                "Centering Ouderschap",
                "In plaats van losse afspraken op het consultatiebureau kom je met 6 tot 8 "
                "ouders met baby's van dezelfde leeftijd samen. De JGZ doet de controles in de "
                "groep; jullie praten over voeding, slapen, huilen en opvoeden en leren van "
                "elkaar.",
                "Ouders van baby's tot 4 weken oud bij de start van de groep.",
                "Ouders van baby's",
                (_POST,),
                Domain.MEDICAL,
                ("opvoeden", "sociaal-netwerk", "huilbaby"),
                ((_SELF, "Ouders melden zich aan bij hun consultatiebureau."),),
                "Vraag bij het eerste huisbezoek van de JGZ naar een plek in een groep.",
                verified_days_ago=95,
                session="Tien bijeenkomsten op vrijdagochtend, 09:30-11:30",
                contact=("Centering Ouderschap", "Jeugdverpleegkundige"),
            )
        )
    if rotterdam:
        services.append(
            ServiceSpec(
                "tienermoeders",
                "teen",
                "Begeleiding tienermoeders",
                "Persoonlijke begeleiding en een wekelijkse groep voor jonge moeders en "
                "zwangeren tot 23 jaar: over school en werk, geld, wonen, de baby en je eigen "
                "toekomst.",
                "Zwangeren en moeders tot 23 jaar in Rotterdam.",
                "Tienermoeders en jonge moeders",
                (_PREG, _POST),
                Domain.SOCIAL,
                ("tienerzwangerschap", "alleenstaand-ouderschap", "huisvesting", "werk-en-inkomen"),
                (
                    (_SELF, "Jonge moeders kunnen zelf langskomen of appen."),
                    (_SECURE, "Professionals melden aan via beveiligde mail."),
                ),
                "Kom langs, bel of app. Een begeleider belt binnen een week.",
                minimum_age=12,
                maximum_age=23,
                languages=("en", "pap"),
                response_time_days=5,
                verified_days_ago=300,
                contact=("Tienermoederpunt", "Ambulant begeleider"),
            )
        )
    return services


# --- Writing ---------------------------------------------------------------------------------------


@dataclass
class DemoSummary:
    organizations: int = 0
    locations: int = 0
    services: int = 0
    per_municipality: dict[str, int] = field(default_factory=dict)


def _id(kind: str, town: Town, *parts: object) -> uuid.UUID:
    return fixed_id("demo", kind, town.slug, *parts)


def _phone_number(town: Town, n: int) -> str:
    """An obviously fake number of ten digits in the town's area: ``0512 000 007``."""
    width = 10 - len(town.area_code) - 3
    return f"{town.area_code} 000 {n:0{width}d}"


def _jitter(seed: str) -> tuple[float, float]:
    """A fixed offset of at most ~400 m, so the locations in one PC4 area do not coincide."""
    digest = hashlib.sha256(seed.encode()).digest()
    return ((digest[0] - 128) / 128 * 0.0035, (digest[1] - 128) / 128 * 0.0055)


def _time(value: str) -> datetime.time:
    hours, minutes = value.split(":")
    return datetime.time(int(hours), int(minutes))


@transaction.atomic
def load() -> DemoSummary:
    """Create or reset the demo social map of the three demo municipalities."""
    load_need_categories()
    today = timezone.localdate()
    summary = DemoSummary()
    accounts = {
        org.name: org
        for org in Organisation.objects.filter(
            name__in=[
                name
                for t in TOWNS
                for name in (t.midwife_practice, t.youth_health_care, t.debt_counselling)
            ]
        )
    }
    rows: dict[type[Any], list[Any]] = {
        model: []
        for model in (
            Phone,
            Contact,
            Schedule,
            Language,
            CostOption,
            ReferralMethod,
            ServiceTaxonomy,
            ServiceArea,
            ServiceAtLocation,
        )
    }
    org_ids: list[uuid.UUID] = []
    location_ids: list[uuid.UUID] = []
    service_ids: list[uuid.UUID] = []

    for town in TOWNS:
        municipality = Municipality.objects.get(code=town.code)
        region = list(
            Municipality.objects.filter(ggd_region_id=municipality.ggd_region_id)
            .order_by("code")
            .values_list("code", "name")
        )
        names = dict(region)
        phone_counter = iter(range(1, 1000))
        locations: dict[str, Location] = {}
        orgs: dict[str, Organization] = {}

        for org_spec in _organisations(town):
            org_id = _id("organization", town, org_spec.key)
            number = _phone_number(town, next(phone_counter))
            linked = accounts.get(org_spec.name) if org_spec.link_account else None
            org, _ = Organization.objects.update_or_create(
                id=org_id,
                defaults={
                    "name": org_spec.name,
                    "description": org_spec.description,
                    "email": f"info.{org_spec.key}.{town.slug}@{MAIL_DOMAIN}",
                    "website": f"https://www.example.org/demo/{town.slug}/{org_spec.key}",
                    "legal_status": "Demo",
                    "account_organisation": linked,
                    "is_demo": True,
                },
            )
            orgs[org_spec.key] = org
            org_ids.append(org_id)
            rows[Phone].append(
                Phone(
                    id=_id("phone", town, "organization", org_spec.key),
                    organization=org,
                    number=number,
                    type=PhoneType.VOICE,
                    description=DEMO_NOTE,
                )
            )
            location_keys = [org_spec.key] + (["jgz2"] if org_spec.key == "jgz" else [])
            for key in location_keys:
                street, postcode = town.addresses[key].split("|")
                area = PostcodeArea.objects.get(code=postcode[:4])
                d_lat, d_lon = _jitter(f"{town.slug}/{key}")
                location_id = _id("location", town, key)
                name = (
                    org_spec.location_name
                    if key == org_spec.key
                    else town.second_consultation_office
                )
                location, _ = Location.objects.update_or_create(
                    id=location_id,
                    defaults={
                        "organization": org,
                        "name": name,
                        "description": f"Locatie van {org_spec.name} (demo).",
                        "transportation": "Bushalte op 200 meter; fietsenstalling bij de ingang.",
                        "latitude": round(area.latitude + d_lat, 6)
                        if area.latitude is not None
                        else None,
                        "longitude": round(area.longitude + d_lon, 6)
                        if area.longitude is not None
                        else None,
                        "address_1": street,
                        "city": town.town,
                        "state_province": municipality.province.name,
                        "postal_code": postcode,
                        "country": "NL",
                        "postcode_area": area,
                        "municipality_id": area.municipality_id,
                        "is_demo": True,
                    },
                )
                locations[key] = location
                location_ids.append(location_id)
                if org_spec.hours:
                    byday, opens, closes = org_spec.hours
                    rows[Schedule].append(
                        Schedule(
                            id=_id("schedule", town, "location", key),
                            location=location,
                            freq=Frequency.WEEKLY,
                            wkst="MO",
                            byday=byday,
                            opens_at=_time(opens),
                            closes_at=_time(closes),
                            description=f"Open {opens}-{closes}",
                        )
                    )

        count = 0
        for spec in _services(town):
            service_id = _id("service", town, spec.key)
            org = orgs[spec.org]
            verified = (
                today - datetime.timedelta(days=spec.verified_days_ago)
                if spec.verified_days_ago is not None
                else None
            )
            service, _ = Service.objects.update_or_create(
                id=service_id,
                defaults={
                    "organization": org,
                    "name": spec.name,
                    "alternate_name": spec.alternate_name,
                    "description": spec.description,
                    "url": f"https://www.example.org/demo/{town.slug}/{spec.key}",
                    "email": f"{spec.key}.{town.slug}@{MAIL_DOMAIN}",
                    "status": "active",
                    "interpretation_services": spec.interpretation,
                    "application_process": spec.application_process,
                    "fees_description": spec.fees,
                    "wait_time": spec.wait_time,
                    "alert": spec.alert,
                    "eligibility_description": spec.eligibility,
                    "target_group": spec.target_group,
                    "minimum_age": spec.minimum_age,
                    "maximum_age": spec.maximum_age,
                    "phase_preconception": _PRE in spec.phases,
                    "phase_pregnancy": _PREG in spec.phases,
                    "phase_postnatal": _POST in spec.phases,
                    "domain": spec.domain,
                    "is_free": spec.is_free,
                    "response_time_days": spec.response_time_days,
                    "is_demo": True,
                    "assured_date": verified,
                    "assurer_email": f"redacteur.{town.slug}@{MAIL_DOMAIN}" if verified else "",
                },
            )
            service_ids.append(service_id)
            count += 1
            number = _phone_number(town, next(phone_counter))
            for method, instructions in spec.referrals:
                contacts: dict[str, str] = {
                    _PHONE: number,
                    _SECURE: f"aanmelden.{spec.key}.{town.slug}@{MAIL_DOMAIN}",
                    _FORM: f"https://www.example.org/demo/{town.slug}/{spec.key}/verwijzen",
                    _ZD: f"ZorgDomein: {spec.name} - {town.town} (demo)",
                    _SELF: number,
                }
                contact = contacts[method]
                rows[ReferralMethod].append(
                    ReferralMethod(
                        id=fixed_id("referral-method", service_id, method),
                        service=service,
                        method=method,
                        instructions=instructions,
                        contact=contact,
                    )
                )
            for code in spec.categories:
                term_id = need_term_id(code)
                rows[ServiceTaxonomy].append(
                    ServiceTaxonomy(
                        id=fixed_id("attribute", service_id, term_id),
                        service=service,
                        taxonomy_term_id=term_id,
                    )
                )
            area_codes = [code for code, _ in region] if spec.regional else [town.code]
            for code in area_codes:
                rows[ServiceArea].append(
                    ServiceArea(
                        id=fixed_id("service-area", service_id, code),
                        service=service,
                        municipality_id=code,
                        name=names.get(code, ""),
                        extent=code,
                        extent_type="text",
                    )
                )
            codes = ["nl", *(town.languages if spec.all_town_languages else spec.languages)]
            for code in dict.fromkeys(codes):
                rows[Language].append(
                    Language(
                        id=fixed_id("language", service_id, code),
                        service=service,
                        code=code,
                        name=dutch_language_name(code),
                    )
                )
            if spec.cost:
                option, amount, description = spec.cost
                rows[CostOption].append(
                    CostOption(
                        id=_id("cost", town, spec.key),
                        service=service,
                        option=option,
                        currency="EUR",
                        amount=decimal.Decimal(amount) if amount else None,
                        amount_description=description,
                    )
                )
            for key in (spec.org, *spec.locations):
                rows[ServiceAtLocation].append(
                    ServiceAtLocation(
                        id=fixed_id("service-at-location", service_id, locations[key].id),
                        service=service,
                        location=locations[key],
                    )
                )
            department, title = spec.contact
            contact_row = Contact(
                id=_id("contact", town, spec.key),
                service=service,
                name=f"{department} (demo)",
                title=title,
                department=department,
                email=f"{spec.key}.{town.slug}@{MAIL_DOMAIN}",
            )
            rows[Contact].append(contact_row)
            rows[Phone].append(
                Phone(
                    id=_id("phone", town, "service", spec.key),
                    service=service,
                    contact=contact_row,
                    number=number,
                    type=PhoneType.VOICE,
                    description=DEMO_NOTE,
                )
            )
            if spec.session:
                rows[Schedule].append(
                    Schedule(
                        id=_id("schedule", town, "service", spec.key),
                        service=service,
                        description=spec.session,
                        attending_type="in person",
                        notes="Groepsbijeenkomsten (demo).",
                    )
                )
        summary.per_municipality[town.code] = count

    # Demo services of demo organisations that this version no longer lists.
    Service.objects.filter(organization_id__in=org_ids, is_demo=True).exclude(
        id__in=service_ids
    ).delete()
    # Replace what hangs from the demo rows (children first, so nothing cascades twice).
    Phone.objects.filter(organization_id__in=org_ids).delete()
    Phone.objects.filter(service_id__in=service_ids).delete()
    Contact.objects.filter(service_id__in=service_ids).delete()
    Schedule.objects.filter(location_id__in=location_ids).delete()
    Schedule.objects.filter(service_id__in=service_ids).delete()
    children: tuple[type[Any], ...] = (
        Language,
        CostOption,
        ReferralMethod,
        ServiceTaxonomy,
        ServiceArea,
    )
    for child in children:
        child.objects.filter(service_id__in=service_ids).delete()
    ServiceAtLocation.objects.filter(service_id__in=service_ids).delete()
    for model in (
        ServiceAtLocation,
        Contact,
        Phone,
        Schedule,
        Language,
        CostOption,
        ReferralMethod,
        ServiceTaxonomy,
        ServiceArea,
    ):
        model.objects.bulk_create(rows[model], batch_size=500)
    freshness.bump("directory")  # bulk writes send no signals

    refresh_search_text(service_ids)
    summary.organizations = len(org_ids)
    summary.locations = len(location_ids)
    summary.services = len(service_ids)
    return summary
