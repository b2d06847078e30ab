"""Generate a national social map for benchmarks: ≥ 50,000 services over all 342 municipalities.

    uv run python bench/generate_directory.py                      # PostgreSQL kansrijk_bench
    uv run python bench/generate_directory.py --services 5000 --database-url sqlite:///bench/results/bench.sqlite3

What it makes (deterministic for a given ``--seed``):

- per municipality 30 services plus a share of the rest proportional to its population (CBS
  2021, from the places reference data), so Amsterdam gets ~2,400 and Schiermonnikoog 30;
- organisations of ~35 kinds (midwife practices, JGZ, GGD, wijkteams, debt counselling, food
  banks, informal support …) named after the places in the municipality, each with one or two
  locations at a postcode of the municipality (weighted by population), the point within a few
  hundred metres of the PC4 centre;
- per service: need categories, phases, domain, languages, referral methods, a phone, free or
  paid, a verification date (some older than 12 months), service areas (the municipality; about
  one in seven regional services serve the whole GGD region);
- the denormalised search columns via ``kansrijk.directory.search.refresh_search_text`` (the
  bulk refresh every write path uses), then ``VACUUM (ANALYZE)`` on PostgreSQL.

It wipes the social map of the target database first, so it refuses a database whose name does
not contain "bench" unless ``--force``. A missing PostgreSQL database is created and migrated.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/kansrijk_bench"


# --- The catalogue ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """A kind of service, with the organisations that offer it."""

    key: str
    weight: float  # relative frequency
    names: tuple[str, ...]  # service names
    organisations: tuple[str, ...]  # organisation name patterns ({place})
    domain: str
    phases: tuple[str, ...]
    categories: tuple[str, ...]
    sentences: tuple[str, ...]
    regional: float = 0.0  # share serving the whole GGD region
    free: float = 0.9  # share free of charge


PRE, PREG, POST = "preconception", "pregnancy", "postnatal"

KINDS: list[Kind] = [
    Kind(
        "verloskunde",
        6,
        ("Verloskundige zorg", "Zwangerschapsbegeleiding", "Verloskundige controles"),
        (
            "Verloskundigenpraktijk {place}",
            "Verloskundigen {place}",
            "Verloskundig Centrum {place}",
        ),
        "medical",
        (PRE, PREG, POST),
        ("zwangerschap-en-geboorte",),
        (
            "Controles tijdens de zwangerschap en begeleiding van de bevalling thuis of in het ziekenhuis.",
            "In het eerste gesprek vragen we ook naar geld, wonen, stress en steun van anderen.",
            "Nazorg in de kraamweek in samenwerking met de kraamzorg.",
            "Echo's en termijnecho's in de eigen praktijk.",
        ),
    ),
    Kind(
        "preconceptie",
        2,
        ("Kinderwensspreekuur", "Preconceptieconsult", "Spreekuur gezond zwanger worden"),
        ("Verloskundigenpraktijk {place}", "Huisartsenpraktijk {place}"),
        "medical",
        (PRE,),
        ("preconceptiezorg", "zwangerschap-en-geboorte"),
        (
            "Een gesprek vóór de zwangerschap over foliumzuur, leefstijl, medicijnen en erfelijkheid.",
            "We bespreken de uitkomst van de ZwangerWijzer als je die hebt ingevuld.",
            "Ook voor paren met een kinderwens en een chronische ziekte.",
        ),
        free=0.3,
    ),
    Kind(
        "centering",
        1.5,
        ("CenteringZwangerschap", "Zwangerschapscontroles in een groep"),
        ("Verloskundigenpraktijk {place}", "Verloskundigen {place}"),
        "medical",
        (PREG,),
        ("zwangerschap-en-geboorte", "sociaal-netwerk"),
        (
            "Controles in een groep van acht tot twaalf zwangeren die rond dezelfde tijd uitgerekend zijn.",
            "Tien bijeenkomsten over voeding, bevallen, borstvoeding en ouderschap.",
            "Je bouwt een netwerk op met andere aanstaande ouders.",
        ),
    ),
    Kind(
        "phb",
        2.5,
        ("Prenataal huisbezoek JGZ", "Prenataal huisbezoek"),
        ("JGZ {place}", "Jeugdgezondheidszorg {place}", "CJG {place}"),
        "medical",
        (PREG,),
        ("zwangerschap-en-geboorte", "opvoeden", "stress", "sociaal-netwerk"),
        (
            "Een jeugdverpleegkundige komt tijdens de zwangerschap thuis op bezoek.",
            "Aanstaande ouders maken al vóór de geboorte kennis met de JGZ.",
            "Waar nodig regelt de verpleegkundige extra ondersteuning, zoals het wijkteam of schuldhulpverlening.",
            "Aanmelden door verloskundige, huisarts of gynaecoloog, met toestemming van de zwangere.",
        ),
    ),
    Kind(
        "consultatiebureau",
        5,
        ("Consultatiebureau", "JGZ 0-4 jaar", "Inloopspreekuur consultatiebureau"),
        ("JGZ {place}", "Jeugdgezondheidszorg {place}", "CJG {place}"),
        "medical",
        (POST,),
        ("opvoeden", "huilbaby", "medische-problemen"),
        (
            "Het consultatiebureau volgt de groei en ontwikkeling van je kind en geeft vaccinaties.",
            "Vragen over voeding, slapen, huilen en opvoeden zijn altijd welkom.",
            "Het eerste bezoek is een huisbezoek rond de tweede week na de geboorte.",
        ),
    ),
    Kind(
        "stevig",
        1,
        ("Stevig Ouderschap",),
        ("JGZ {place}", "CJG {place}"),
        "medical",
        (PREG, POST),
        ("opvoeden", "stress", "sociaal-netwerk"),
        (
            "Extra huisbezoeken van een jeugdverpleegkundige tot de baby achttien maanden is.",
            "Samen werken aan vertrouwen als ouder en een veilige band met je kind.",
        ),
    ),
    Kind(
        "voorzorg",
        0.8,
        ("VoorZorg",),
        ("JGZ {place}", "GGD {region}"),
        "medical",
        (PREG, POST),
        ("tienerzwangerschap", "opvoeden", "huiselijk-geweld", "roken"),
        (
            "Intensieve begeleiding van jonge vrouwen die voor het eerst moeder worden.",
            "Huisbezoeken vanaf de zwangerschap tot het kind twee jaar is.",
        ),
        regional=0.5,
    ),
    Kind(
        "nnz",
        1.2,
        ("Nu Niet Zwanger",),
        ("GGD {region}",),
        "social",
        (PRE,),
        ("onbedoelde-zwangerschap", "lvb", "verslaving", "psychische-problemen"),
        (
            "Een eerlijk gesprek over kinderwens, seksualiteit en anticonceptie.",
            "Voor vrouwen en mannen met een opeenstapeling van complexe problemen.",
            "De consulent werkt samen met verslavingszorg, GGZ, wijkteams en Veilig Thuis.",
        ),
        regional=0.9,
    ),
    Kind(
        "wijkteam",
        6,
        ("Sociaal wijkteam", "Wijkteam", "Sociaal team", "Gebiedsteam"),
        ("Wijkteam {place}", "Sociaal Team {place}", "Gemeente {municipality}"),
        "social",
        (PRE, PREG, POST),
        (
            "geldzorgen",
            "huisvesting",
            "relatieproblemen",
            "opvoeden",
            "stress",
            "alleenstaand-ouderschap",
        ),
        (
            "Het wijkteam helpt bij vragen over geld, wonen, werk, opvoeden en relaties.",
            "Een vaste contactpersoon maakt samen met het gezin een plan.",
            "Zwangeren en gezinnen met een baby krijgen voorrang.",
            "Geen verwijzing nodig; bel of loop binnen.",
        ),
    ),
    Kind(
        "schuldhulp",
        4,
        ("Schuldhulpverlening", "Hulp bij schulden", "Budgetbeheer", "Geldzorgenspreekuur"),
        ("Gemeente {municipality}", "Kredietbank {region}", "Geldloket {place}"),
        "social",
        (PRE, PREG, POST),
        ("geldzorgen", "werk-en-inkomen", "stress"),
        (
            "Hulp bij geldzorgen en schulden: een gratis geldgesprek en overzicht in inkomsten en uitgaven.",
            "Afspraken met schuldeisers, budgetbeheer en zo nodig een schuldregeling.",
            "Hulp bij het aanvragen van toeslagen en bijzondere bijstand.",
        ),
    ),
    Kind(
        "thuisadministratie",
        2.5,
        ("Thuisadministratie", "Geldmaatje", "Formulierenhulp"),
        ("Humanitas {place}", "Welzijn {municipality}", "SchuldHulpMaatje {place}"),
        "informal",
        (PRE, PREG, POST),
        ("geldzorgen", "laaggeletterdheid"),
        (
            "Een vrijwilliger helpt thuis met post, papieren en een begroting.",
            "Samen de administratie bijhouden zodat er geen nieuwe schulden ontstaan.",
        ),
    ),
    Kind(
        "voedselbank",
        1.5,
        ("Voedselbank", "Voedselpakket"),
        ("Voedselbank {place}",),
        "informal",
        (PREG, POST),
        ("geldzorgen",),
        (
            "Een wekelijks voedselpakket voor huishoudens die (tijdelijk) te weinig geld hebben.",
            "Ook babyspullen, luiers en flesvoeding zijn soms beschikbaar.",
        ),
    ),
    Kind(
        "werk",
        2,
        ("Werk en inkomen", "Bijstand en re-integratie", "Werkcoach"),
        ("Gemeente {municipality}", "Werkplein {region}"),
        "social",
        (PRE, PREG, POST),
        ("werk-en-inkomen", "geldzorgen"),
        (
            "Hulp bij een uitkering, werk zoeken en inkomensondersteuning.",
            "Een werkcoach kijkt samen met je naar opleiding, kinderopvang en werk.",
        ),
    ),
    Kind(
        "homestart",
        2,
        ("Home-Start", "Gezinsmaatje"),
        ("Home-Start {place}", "Humanitas {place}", "Welzijn {municipality}"),
        "informal",
        (PREG, POST),
        ("opvoeden", "sociaal-netwerk", "stress", "alleenstaand-ouderschap"),
        (
            "Een ervaren vrijwilliger komt een dagdeel per week bij je thuis.",
            "Voor een luisterend oor, praktische steun en samen dingen doen met de kinderen.",
        ),
    ),
    Kind(
        "mim",
        1.2,
        ("Moeders Informeren Moeders",),
        ("Welzijn {municipality}", "Moeders Informeren Moeders {place}"),
        "informal",
        (POST,),
        ("opvoeden", "sociaal-netwerk", "taalbarriere"),
        (
            "Een getrainde vrijwillige moeder bezoekt je thuis tot je kind anderhalf jaar is.",
            "Jullie praten over voeding, slapen, spelen en je eigen gezondheid.",
        ),
    ),
    Kind(
        "kraamzorg",
        3,
        ("Kraamzorg", "Partusassistentie", "Kraamzorg thuis"),
        ("Kraamzorg {region}", "Kraamzorg {place}", "Kraamcentrum {region}"),
        "medical",
        (PREG, POST),
        ("kraamzorg", "zwangerschap-en-geboorte"),
        (
            "Een kraamverzorgende zorgt in de eerste acht tot tien dagen thuis voor moeder en baby.",
            "Intakegesprek in de zwangerschap; aanmelden vóór zestien weken.",
            "Je betaalt een wettelijke eigen bijdrage per uur.",
        ),
        regional=0.5,
        free=0.1,
    ),
    Kind(
        "ggz",
        3,
        ("Perinatale GGZ", "POP-poli", "Behandeling angst en depressie", "Ouder-babytherapie"),
        ("GGZ {region}", "Praktijk voor psychologie {place}", "Ziekenhuis {region}"),
        "medical",
        (PRE, PREG, POST),
        ("psychische-problemen", "stress"),
        (
            "Behandeling van psychische klachten voor, tijdens en na de zwangerschap.",
            "Aandacht voor angst, depressie, trauma en de band tussen ouder en baby.",
            "Verwijzing van huisarts, verloskundige of gynaecoloog nodig.",
        ),
        regional=0.4,
        free=0.1,
    ),
    Kind(
        "verslaving",
        1.2,
        ("Verslavingszorg", "Hulp bij alcohol en drugs"),
        ("Verslavingszorg {region}", "Jellinek {region}"),
        "medical",
        (PRE, PREG, POST),
        ("verslaving", "psychische-problemen"),
        (
            "Hulp bij problemen met alcohol, drugs, gokken of medicijnen.",
            "Zwangeren krijgen voorrang en worden samen met de verloskundige begeleid.",
        ),
        regional=0.7,
        free=0.3,
    ),
    Kind(
        "roken",
        2,
        ("Rookvrije Start", "Stoppen met roken", "Stoppen-met-rokenbegeleiding"),
        ("Rookvrije Start {region}", "Leefstijlpraktijk {place}", "Huisartsenpraktijk {place}"),
        "medical",
        (PRE, PREG, POST),
        ("roken",),
        (
            "Persoonlijke begeleiding bij stoppen met roken voor aanstaande ouders en hun partner.",
            "Vergoed uit de basisverzekering, buiten het eigen risico.",
        ),
    ),
    Kind(
        "veiligthuis",
        0.8,
        ("Veilig Thuis", "Advies en melding huiselijk geweld"),
        ("Veilig Thuis {region}",),
        "social",
        (PRE, PREG, POST),
        ("huiselijk-geweld",),
        (
            "Advies en meldingen bij huiselijk geweld en kindermishandeling, dag en nacht.",
            "Professionals gebruiken de meldcode.",
        ),
        regional=1.0,
    ),
    Kind(
        "vrouwenopvang",
        0.6,
        ("Vrouwenopvang", "Opvang en begeleiding bij geweld"),
        ("Vrouwenopvang {region}",),
        "social",
        (PREG, POST),
        ("huiselijk-geweld", "huisvesting"),
        (
            "Veilige opvang voor vrouwen en kinderen die thuis niet veilig zijn.",
            "Ambulante begeleiding na de opvang.",
        ),
        regional=0.9,
    ),
    Kind(
        "taal",
        2.5,
        ("Taalhuis", "Taalcafé", "Taalmaatje", "Cursus Nederlands"),
        ("Bibliotheek {place}", "Taalhuis {place}", "Stichting Lezen en Schrijven {region}"),
        "informal",
        (PRE, PREG, POST),
        ("laaggeletterdheid", "taalbarriere"),
        (
            "Gratis hulp om beter te lezen, schrijven of Nederlands te spreken.",
            "Taalmaatjes, cursussen en hulp met formulieren en de computer.",
        ),
    ),
    Kind(
        "vluchtelingen",
        1,
        ("Begeleiding statushouders", "Spreekuur nieuwkomers"),
        ("VluchtelingenWerk {region}", "Welzijn {municipality}"),
        "social",
        (PRE, PREG, POST),
        ("vluchtelingen", "taalbarriere"),
        (
            "Begeleiding van statushouders en nieuwkomers bij wonen, inburgering en zorg.",
            "Uitleg over de Nederlandse geboortezorg, met tolk.",
        ),
        regional=0.3,
    ),
    Kind(
        "lvb",
        0.8,
        ("Ondersteuning bij een licht verstandelijke beperking", "MEE-consulent"),
        ("MEE {region}",),
        "social",
        (PRE, PREG, POST),
        ("lvb", "opvoeden"),
        (
            "Ondersteuning van ouders met een licht verstandelijke beperking.",
            "Uitleg in eenvoudige taal en hulp bij het regelen van zorg.",
        ),
        regional=0.8,
    ),
    Kind(
        "tienermoeders",
        0.6,
        ("Begeleiding tienermoeders", "Jonge moedersgroep"),
        ("Tienermoederpunt {place}", "Welzijn {municipality}"),
        "social",
        (PREG, POST),
        ("tienerzwangerschap", "alleenstaand-ouderschap"),
        (
            "Begeleiding en ontmoeting voor zwangeren en moeders tot drieëntwintig jaar.",
            "Over school en werk, geld, wonen en de baby.",
        ),
    ),
    Kind(
        "huisvesting",
        1.2,
        ("Woonbegeleiding", "Hulp bij huurachterstand", "Spreekuur wonen"),
        ("Woningcorporatie {place}", "Gemeente {municipality}", "Stichting Thuis {region}"),
        "social",
        (PRE, PREG, POST),
        ("huisvesting", "geldzorgen"),
        (
            "Hulp bij huurachterstand en dreigende uithuiszetting.",
            "Begeleiding bij het vinden van een passende woning.",
        ),
    ),
    Kind(
        "relatie",
        1,
        ("Relatiehulp", "Scheidingsspreekuur", "Hulp bij ruzie thuis"),
        ("Maatschappelijk werk {place}", "Welzijn {municipality}"),
        "social",
        (PREG, POST),
        ("relatieproblemen", "stress"),
        (
            "Gesprekken voor partners die vastlopen in hun relatie.",
            "Aandacht voor de kinderen bij scheiding.",
        ),
    ),
    Kind(
        "opvoedsteun",
        2.5,
        ("Opvoedspreekuur", "Oudercursus", "Babycafé", "Ouder-en-kindgroep"),
        ("CJG {place}", "Welzijn {municipality}", "Buurthuis {place}"),
        "informal",
        (POST,),
        ("opvoeden", "sociaal-netwerk", "huilbaby"),
        (
            "Ontmoeting en informatie voor ouders van baby's en jonge kinderen.",
            "Een pedagoog beantwoordt vragen over slapen, huilen en opvoeden.",
        ),
    ),
    Kind(
        "huilbaby",
        0.6,
        ("Spreekuur huilbaby", "Hulp bij veel huilen"),
        ("JGZ {place}", "Ziekenhuis {region}"),
        "medical",
        (POST,),
        ("huilbaby", "stress"),
        (
            "Hulp voor ouders van een baby die veel huilt.",
            "Een verpleegkundige kijkt naar voeding, slapen en rust.",
        ),
    ),
    Kind(
        "gynaecologie",
        1.2,
        ("Gynaecologie en verloskunde", "Poli verloskunde"),
        ("Ziekenhuis {region}", "Medisch Centrum {place}"),
        "medical",
        (PRE, PREG, POST),
        ("zwangerschap-en-geboorte", "medische-problemen"),
        (
            "Tweedelijns verloskundige zorg bij een medische indicatie.",
            "Verwijzing door verloskundige of huisarts.",
        ),
        regional=0.5,
        free=0.2,
    ),
    Kind(
        "huisarts",
        4,
        ("Huisartsenzorg", "Spreekuur praktijkondersteuner"),
        ("Huisartsenpraktijk {place}", "Gezondheidscentrum {place}"),
        "medical",
        (PRE, PREG, POST),
        ("medische-problemen", "psychische-problemen"),
        (
            "Huisartsenzorg voor het hele gezin, ook rond zwangerschap en de eerste jaren.",
            "De praktijkondersteuner GGZ heeft spreekuur voor psychische klachten.",
        ),
        free=0.6,
    ),
    Kind(
        "lotgenoten",
        0.8,
        ("Lotgenotengroep", "Ervaringsdeskundige ondersteuning"),
        ("Stichting Ouders Samen {region}", "Welzijn {municipality}"),
        "informal",
        (PREG, POST),
        ("sociaal-netwerk", "psychische-problemen", "alleenstaand-ouderschap"),
        (
            "Ontmoeting met ouders die hetzelfde hebben meegemaakt.",
            "Begeleid door ervaringsdeskundigen.",
        ),
    ),
]

GENERAL_SENTENCES = (
    "Aanmelden kan telefonisch of via de website.",
    "Met toestemming van de cliënt kan een professional aanmelden.",
    "Bij een taalbarrière zetten we een tolk in.",
    "We werken samen in de lokale coalitie Kansrijke Start.",
    "Er is geen wachtlijst.",
    "De wachttijd is meestal twee tot vier weken.",
    "Het eerste gesprek kan ook bij je thuis.",
    "Ook partners zijn welkom.",
    "Voor inwoners van {municipality}.",
    "Open op werkdagen van half negen tot vijf.",
)
TARGET_GROUPS = (
    "Zwangeren",
    "Ouders van jonge kinderen",
    "Gezinnen",
    "Inwoners",
    "Jonge ouders",
    "(Aanstaande) ouders",
)
LANGUAGES = [
    ("en", 0.45),
    ("ar", 0.12),
    ("tr", 0.12),
    ("pl", 0.1),
    ("de", 0.05),
    ("ti", 0.05),
    ("uk", 0.06),
    ("pap", 0.03),
    ("so", 0.03),
    ("zgh", 0.03),
]
REFERRAL_METHODS = ("phone", "secure_mail", "referral_form", "zorgdomein", "self_referral")


# --- Setup ---------------------------------------------------------------------------------------


def _ensure_postgres_database(url: str) -> None:
    """Create the PostgreSQL database of ``url`` when it does not exist yet."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created database {name}")


def setup_django(database_url: str) -> None:
    """Point Django at ``database_url`` with the bench settings and migrate."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    if database_url.startswith(("postgres://", "postgresql://")):
        _ensure_postgres_database(database_url)
    else:
        (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def database_name(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[-1]


# --- Generation ----------------------------------------------------------------------------------


class Ids:
    """Fast random UUIDs from the seeded generator (deterministic per seed)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)


def _weighted(rng: random.Random, items: list[Any], weights: list[float]) -> Iterator[Any]:
    while True:
        yield from rng.choices(items, weights=weights, k=1024)


def services_per_municipality(
    populations: dict[str, int], total: int, minimum: int = 30
) -> dict[str, int]:
    """At least ``minimum`` services each, the rest by population; sums to exactly ``total``."""
    codes = sorted(populations)
    minimum = min(minimum, total // (2 * len(codes)) or 1)
    rest = max(0, total - minimum * len(codes))
    population = sum(populations.values()) or 1
    shares = {code: rest * populations[code] / population for code in codes}
    counts = {code: minimum + int(shares[code]) for code in codes}
    # Hand out what rounding left, largest remainders first.
    short = total - sum(counts.values())
    for code in sorted(codes, key=lambda c: shares[c] - int(shares[c]), reverse=True)[:short]:
        counts[code] += 1
    return counts


def wipe_directory() -> None:
    """Remove every row of the social map (not the taxonomies)."""
    from django.db import connection

    from kansrijk.directory import models as m

    ordered: list[type[Any]] = [
        m.ServiceChange,
        m.Phone,
        m.Contact,
        m.Schedule,
        m.Language,
        m.CostOption,
        m.ReferralMethod,
        m.ServiceTaxonomy,
        m.ServiceArea,
        m.ServiceAtLocation,
        m.Service,
        m.Location,
        m.Organization,
    ]
    if connection.vendor == "postgresql":
        tables = ", ".join(model._meta.db_table for model in ordered)
        with connection.cursor() as cursor:
            # CASCADE: other apps point at services (interventions on offer, pathway steps,
            # referrals); in a bench database those rows go too.
            cursor.execute(f"TRUNCATE {tables} CASCADE")
    else:
        for model in ordered:
            model.objects.all().delete()


def generate(total: int, seed: int, log: Callable[[str], None] = print) -> dict[str, int]:
    """Write ``total`` services (and everything around them). Returns row counts per table."""
    from django.db import connection, transaction
    from django.utils import timezone

    from kansrijk.core.languages import dutch_language_name
    from kansrijk.directory import models as m
    from kansrijk.directory.search import refresh_search_text
    from kansrijk.directory.vocabularies import (
        NEED_CATEGORIES,
        load_need_categories,
        need_term_id,
    )
    from kansrijk.places.models import Municipality, PostcodeArea

    rng = random.Random(seed)
    new_id = Ids(rng)
    all_categories = [code for code, *_ in NEED_CATEGORIES]
    load_need_categories()
    municipalities = list(
        Municipality.objects.select_related("ggd_region", "province").order_by("code")
    )
    if len(municipalities) < 300:
        raise SystemExit("Load the reference data first (kansrijk load_places / demo).")
    by_region: dict[str, list[str]] = defaultdict(list)
    for municipality in municipalities:
        by_region[municipality.ggd_region_id].append(municipality.code)
    areas: dict[str, list[PostcodeArea]] = defaultdict(list)
    for area in PostcodeArea.objects.filter(latitude__isnull=False).order_by("code"):
        areas[area.municipality_id].append(area)
    counts = services_per_municipality(
        {mun.code: mun.population_2021 or 10_000 for mun in municipalities}, total
    )
    kind_stream = _weighted(rng, KINDS, [kind.weight for kind in KINDS])
    language_codes = [code for code, _ in LANGUAGES]
    language_weights = [weight for _, weight in LANGUAGES]
    language_names = {code: dutch_language_name(code) for code in ["nl", "fy", *language_codes]}
    now = timezone.now()
    today = timezone.localdate()

    rows: dict[type[Any], list[Any]] = defaultdict(list)
    service_ids: list[uuid.UUID] = []
    phone_serial = 0
    started = time.perf_counter()

    for municipality in municipalities:
        pc_areas = areas.get(municipality.code) or []
        if not pc_areas:
            continue
        pc_weights = [max(area.population_2021 or 0, 50) for area in pc_areas]
        places = sorted({area.place_name for area in pc_areas if area.place_name}) or [
            municipality.name
        ]
        region_name = municipality.ggd_region.name.removeprefix("GGD ").strip()
        organisations: dict[str, list[tuple[Any, list[Any]]]] = defaultdict(list)

        def make_location(
            organization: Any,
            name: str,
            municipality: Any = municipality,
            pc_areas: list[Any] = pc_areas,
            pc_weights: list[int] = pc_weights,
        ) -> Any:
            area = rng.choices(pc_areas, weights=pc_weights, k=1)[0]
            location = m.Location(
                id=new_id(),
                organization=organization,
                name=name,
                latitude=round(area.latitude + rng.uniform(-0.004, 0.004), 6),
                longitude=round(area.longitude + rng.uniform(-0.006, 0.006), 6),
                address_1=f"{rng.choice(STREETS)} {rng.randint(1, 250)}",
                city=area.place_name or municipality.name,
                state_province=municipality.province.name,
                postal_code=f"{area.code} {rng.choice(LETTERS)}{rng.choice(LETTERS)}",
                postcode_area_id=area.code,
                municipality_id=area.municipality_id,
                is_demo=True,
                last_modified=now,
            )
            rows[m.Location].append(location)
            return location

        for _ in range(counts[municipality.code]):
            kind: Kind = next(kind_stream)
            place = rng.choice(places)
            existing = organisations[kind.key]
            if existing and rng.random() < 0.55:
                organization, locations = rng.choice(existing)
            else:
                pattern = rng.choice(kind.organisations)
                name = pattern.format(
                    place=place, municipality=municipality.name, region=region_name
                )
                organization = m.Organization(
                    id=new_id(),
                    name=name,
                    description=f"{name}: {kind.sentences[0]}",
                    email=f"info@{kind.key}-{municipality.code.lower()}.example.org",
                    website=f"https://www.example.org/{kind.key}/{municipality.code.lower()}",
                    is_demo=True,
                    created_at=now,
                    last_modified=now,
                )
                rows[m.Organization].append(organization)
                locations = [make_location(organization, name)]
                if rng.random() < 0.3:
                    locations.append(make_location(organization, f"{name}, {rng.choice(places)}"))
                existing.append((organization, locations))
            service_name = rng.choice(kind.names)
            if rng.random() < 0.5:
                service_name = f"{service_name} {place}"
            sentences = rng.sample(kind.sentences, k=min(len(kind.sentences), rng.randint(2, 3)))
            sentences.append(rng.choice(GENERAL_SENTENCES).format(municipality=municipality.name))
            phases = [phase for phase in kind.phases if rng.random() < 0.85] or [kind.phases[0]]
            is_free = rng.random() < kind.free
            verified_roll = rng.random()
            assured = (
                None
                if verified_roll < 0.08
                else today - datetime.timedelta(days=rng.randint(0, 730))
            )
            status_roll = rng.random()
            status = (
                "defunct"
                if status_roll < 0.01
                else "inactive"
                if status_roll < 0.03
                else "temporarily closed"
                if status_roll < 0.04
                else "active"
            )
            service = m.Service(
                id=new_id(),
                organization=organization,
                name=service_name,
                description=" ".join(sentences),
                status=status,
                application_process=rng.choice(GENERAL_SENTENCES[:3]),
                fees_description="Kosteloos." if is_free else "Vergoed of deels betaald.",
                eligibility_description=f"{rng.choice(TARGET_GROUPS)} in {municipality.name}.",
                target_group=rng.choice(TARGET_GROUPS),
                phase_preconception=PRE in phases,
                phase_pregnancy=PREG in phases,
                phase_postnatal=POST in phases,
                domain=kind.domain,
                is_free=is_free,
                response_time_days=rng.choice([None, 3, 5, 10]),
                is_demo=True,
                assured_date=assured,
                created_at=now,
                last_modified=now - datetime.timedelta(days=rng.randint(0, 900)),
            )
            rows[m.Service].append(service)
            service_ids.append(service.id)
            # Where it is delivered and whom it serves.
            for location in locations if rng.random() < 0.4 else locations[:1]:
                rows[m.ServiceAtLocation].append(
                    m.ServiceAtLocation(id=new_id(), service=service, location=location)
                )
            served = (
                by_region[municipality.ggd_region_id]
                if rng.random() < kind.regional
                else [municipality.code]
            )
            for code in served:
                rows[m.ServiceArea].append(
                    m.ServiceArea(
                        id=new_id(),
                        service=service,
                        municipality_id=code,
                        extent=code,
                        extent_type="text",
                    )
                )
            # Categories: the kind's, sometimes one more.
            categories = set(rng.sample(kind.categories, k=rng.randint(1, len(kind.categories))))
            if rng.random() < 0.2:
                categories.add(rng.choice(all_categories))
            for code in categories:
                rows[m.ServiceTaxonomy].append(
                    m.ServiceTaxonomy(
                        id=new_id(), service=service, taxonomy_term_id=need_term_id(code)
                    )
                )
            languages = {"nl"}
            if municipality.province_id == "PV21" and rng.random() < 0.3:  # Fryslân
                languages.add("fy")
            for _ in range(rng.choices([0, 1, 2, 3], weights=[45, 30, 15, 10])[0]):
                languages.add(rng.choices(language_codes, weights=language_weights)[0])
            for code in sorted(languages):
                rows[m.Language].append(
                    m.Language(id=new_id(), service=service, code=code, name=language_names[code])
                )
            phone_serial += 1
            number = f"0{rng.randint(10, 99)} 000 {phone_serial % 10_000:04d}"
            for method in rng.sample(REFERRAL_METHODS, k=rng.randint(1, 3)):
                rows[m.ReferralMethod].append(
                    m.ReferralMethod(
                        id=new_id(),
                        service=service,
                        method=method,
                        instructions="Aanmelden met toestemming van de cliënt.",
                        contact=number if method in ("phone", "self_referral") else "",
                    )
                )
            rows[m.Phone].append(m.Phone(id=new_id(), service=service, number=number, type="voice"))

    log(f"  built {len(service_ids):,} services in memory in {time.perf_counter() - started:.1f} s")
    order: list[type[Any]] = [
        m.Organization,
        m.Location,
        m.Service,
        m.ServiceAtLocation,
        m.ServiceArea,
        m.ServiceTaxonomy,
        m.Language,
        m.ReferralMethod,
        m.Phone,
    ]
    written: dict[str, int] = {}
    with transaction.atomic():
        for model in order:
            t0 = time.perf_counter()
            model.objects.bulk_create(rows[model], batch_size=2000)
            written[model._meta.db_table] = len(rows[model])
            log(
                f"  {model._meta.db_table:<34} {len(rows[model]):>9,} rows"
                f" in {time.perf_counter() - t0:5.1f} s"
            )
    rows.clear()
    t0 = time.perf_counter()
    with transaction.atomic():
        refreshed = refresh_search_text(service_ids)
    log(f"  search text of {refreshed:,} services in {time.perf_counter() - t0:5.1f} s")
    t0 = time.perf_counter()
    # VACUUM too (outside a transaction): it sets the hint bits and the visibility map that a
    # long-running database has, so the first searches do not pay for the bulk load.
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)" if vacuum else "ANALYZE")
    log(f"  {'VACUUM (ANALYZE)' if vacuum else 'ANALYZE'} in {time.perf_counter() - t0:5.1f} s")
    return written


STREETS = (
    "Dorpsstraat",
    "Kerkstraat",
    "Schoolstraat",
    "Molenweg",
    "Stationsweg",
    "Julianastraat",
    "Wilhelminastraat",
    "Beatrixlaan",
    "Hoofdstraat",
    "Marktplein",
    "Raadhuisplein",
    "Parklaan",
    "Zuiderweg",
    "Noordeinde",
    "Lindelaan",
    "Eikenlaan",
    "Havenstraat",
    "Burgemeester de Boerweg",
)
LETTERS = "ABCDEGHJKLMNPRSTVWXZ"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=50_000, help="how many (default 50000)")
    parser.add_argument("--seed", type=int, default=20260101, help="random seed")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help=f"target database (default $BENCH_DATABASE_URL or {DEFAULT_DATABASE_URL})",
    )
    parser.add_argument(
        "--force", action="store_true", help="allow a database whose name lacks 'bench'"
    )
    args = parser.parse_args(argv)
    if args.services < 342:
        parser.error("--services must be at least 342 (one per municipality)")
    name = database_name(args.database_url)
    if "bench" not in name and not args.force:
        parser.error(f"refusing to wipe the social map of {name!r}: its name lacks 'bench'")

    started = time.perf_counter()
    print(f"Database: {args.database_url}")
    setup_django(args.database_url)

    from kansrijk.places.models import Municipality
    from kansrijk.places.services import load_reference_data

    if Municipality.objects.count() < 342:
        load_reference_data()
        print("  reference data loaded")
    wipe_directory()
    written = generate(args.services, args.seed)
    elapsed = time.perf_counter() - started
    print(
        f"Done: {written['directory_service']:,} services, "
        f"{written['directory_organization']:,} organisations, "
        f"{written['directory_location']:,} locations in {elapsed:.0f} s "
        f"({time.process_time():.0f} s CPU in this process)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
