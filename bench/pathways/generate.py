"""Generate pathways (zorgpaden) at national scale, on top of a 50,000-service social map.

    uv run python bench/pathways/generate.py                 # PostgreSQL kansrijk_bench_pathways
    uv run python bench/pathways/generate.py --skip-directory   # keep the social map, redo pathways

What it makes (deterministic for a given ``--seed``):

- the social map: ``bench/generate_directory.py`` (the directory benchmark's generator, run as
  it is, ``--services 50000``) — unless ``--skip-directory`` and the services are there;
- one local coalition per municipality (342), one regional coalition per GGD region (25) and one
  national coalition;
- for every municipality x every active situation of the catalogue x every phase that situation
  applies to: the municipality's own published pathway with probability ``--own-share``
  (default 0.85), so the rest is served by a regional default (each GGD region has one for about
  ``--regional-share`` = 40 % of the situations) or by the national default (every situation);
- 4 to 8 steps per pathway (discuss, consent, refer and warm handover to services that serve the
  municipality in the situation's need category, follow-up; an urgent safety step first for
  domestic violence and psychological problems); one in five pathways has an earlier published
  version too; review dates spread over 20 months, so some are "te herzien";
- the signalling rules and the intervention menu (``load_default_rules``, ``load_menukaart``)
  when those apps provide them, so ``POST /api/v1/signalling/assessments`` works; then ANALYZE.

It wipes the coalitions and pathways of the target database first, so it refuses a database whose
name does not contain "bench". It uses its own database (not the directory benchmark's
``kansrijk_bench``), because pathway steps refer to services and would block that benchmark's wipe.
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
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/kansrijk_bench_pathways"
DIRECTORY_GENERATOR = ROOT / "bench" / "generate_directory.py"

STEP_TEXTS = {
    "discuss": (
        "Bespreek de situatie",
        "Vraag open door en vraag ook naar wat goed gaat.",
        "Sluit aan bij de woorden van de cliënt.",
    ),
    "consent": (
        "Vraag toestemming",
        "Leg uit welke gegevens je deelt en noteer de toestemming.",
        "",
    ),
    "refer": ("Verwijs", "Meld aan met toestemming; vermeld de zwangerschap (voorrang).", ""),
    "handover": (
        "Warme overdracht",
        "Bel samen met de cliënt of plan een eerste afspraak samen.",
        "",
    ),
    "follow_up": (
        "Vraag na hoe het ging",
        "Vraag bij het volgende contact of de hulp op gang kwam.",
        "",
    ),
    "urgent_safety": (
        "Bij acuut gevaar: bel 112",
        "Twijfel: Veilig Thuis 0800-2000, dag en nacht.",
        "",
    ),
}
URGENT_SITUATIONS = {"huiselijk-geweld", "psychische-problemen", "huilbaby"}


def ensure_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone():
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created database {name}")


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.pathways.settings"
    for path in (str(ROOT), str(ROOT / "src")):
        if path not in sys.path:
            sys.path.insert(0, path)
    if database_url.startswith(("postgres://", "postgresql://")):
        ensure_database(database_url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def wipe_pathways() -> None:
    from django.db import connection

    from kansrijk.coalitions.models import Coalition
    from kansrijk.pathways.models import Pathway, PathwayStep, PathwayVersion

    models: list[Any] = [
        PathwayStep,
        Pathway.municipalities.through,
        PathwayVersion,
        Pathway,
        Coalition.municipalities.through,
        Coalition,
    ]
    if connection.vendor == "postgresql":
        tables = [model._meta.db_table for model in models]
        with connection.cursor() as cursor:
            # Other apps' rows that point at services (e.g. where an intervention is on offer)
            # would block the social-map generator's TRUNCATE; in this bench database they go too
            # and are loaded again afterwards.
            cursor.execute(
                """
                SELECT DISTINCT source.relname
                FROM pg_constraint c
                JOIN pg_class source ON source.oid = c.conrelid
                JOIN pg_class target ON target.oid = c.confrelid
                WHERE c.contype = 'f' AND target.relname LIKE 'directory\\_%%'
                  AND source.relname NOT LIKE 'directory\\_%%'
                """
            )
            tables += [row[0] for row in cursor.fetchall() if row[0] not in tables]
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
    else:
        Pathway.objects.update(current_version=None)
        for model in models:
            model.objects.all().delete()


def wipe_directory() -> None:
    """Empty the social map of the bench database, and what points at it (one TRUNCATE ...
    CASCADE, so other apps' links to services, such as intervention offers, cannot block it)."""
    from django.apps import apps
    from django.db import connection

    tables = [model._meta.db_table for model in apps.get_app_config("directory").get_models()]
    tables = [t for t in tables if "taxonomy" not in t or t == "directory_servicetaxonomy"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
    else:
        raise SystemExit("The national-scale benchmark needs PostgreSQL.")


def load_supporting_data() -> None:
    """The catalogue, and the signalling rules and intervention menu when those apps have them."""
    from django.utils.module_loading import import_string

    from kansrijk.situations.models import Situation

    if not Situation.objects.exists():
        import_string("kansrijk.situations.services.load_catalogue")()
    for name in (
        "kansrijk.signalling.services.load_default_rules",
        "kansrijk.interventions.services.load_menukaart",
    ):
        try:
            loader = import_string(name)
        except ImportError:
            print(f"  (no {name}; skipped)")
            continue
        loader()
        print(f"  {name} done")


def service_index() -> tuple[dict[tuple[str, str], list[uuid.UUID]], dict[str, list[uuid.UUID]]]:
    """Services per (municipality, need category) and per municipality."""
    from kansrijk.directory.models import ServiceArea, ServiceTaxonomy

    categories: dict[uuid.UUID, list[str]] = defaultdict(list)
    for service_id, code in ServiceTaxonomy.objects.values_list(
        "service_id", "taxonomy_term__code"
    ):
        categories[service_id].append(code)
    by_category: dict[tuple[str, str], list[uuid.UUID]] = defaultdict(list)
    by_municipality: dict[str, list[uuid.UUID]] = defaultdict(list)
    for service_id, code in ServiceArea.objects.values_list("service_id", "municipality_id"):
        by_municipality[code].append(service_id)
        for category in categories.get(service_id, ()):
            by_category[(code, category)].append(service_id)
    return by_category, by_municipality


def generate(seed: int, own_share: float, regional_share: float) -> dict[str, int]:
    from django.db import connection, transaction
    from django.utils import timezone

    from kansrijk.coalitions.models import Coalition, CoalitionScope
    from kansrijk.core.phases import PHASE_FIELDS
    from kansrijk.pathways.models import (
        Pathway,
        PathwayScope,
        PathwayStep,
        PathwayVersion,
        VersionStatus,
    )
    from kansrijk.places.models import Municipality
    from kansrijk.situations.models import FactorKind, Situation

    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    municipalities = list(Municipality.objects.order_by("code"))
    situations = list(
        Situation.objects.filter(kind=FactorKind.RISK, is_active=True).order_by("position")
    )
    by_category, by_municipality = service_index()
    print(f"  {len(by_municipality)} municipalities with services, {len(situations)} situations")

    def pick_service(codes: list[str], category: str) -> uuid.UUID | None:
        pool: list[uuid.UUID] = []
        for code in codes[:3]:
            pool += by_category.get((code, category), [])
        if not pool:
            for code in codes[:3]:
                pool += by_municipality.get(code, [])
        return rng.choice(pool) if pool else None

    with transaction.atomic():
        local = {
            m.code: Coalition(
                name=f"Kansrijke Start {m.name} ({m.code})", scope=CoalitionScope.LOCAL
            )
            for m in municipalities
        }
        regions: dict[str, list[str]] = defaultdict(list)
        for m in municipalities:
            regions[m.ggd_region_id].append(m.code)
        regional = {
            code: Coalition(name=f"Regio {code}", scope=CoalitionScope.REGIONAL) for code in regions
        }
        national = Coalition(name="Landelijke standaard", scope=CoalitionScope.NATIONAL)
        Coalition.objects.bulk_create([*local.values(), *regional.values(), national])
        through = Coalition.municipalities.through
        through.objects.bulk_create(
            [through(coalition_id=local[m.code].pk, municipality_id=m.code) for m in municipalities]
            + [
                through(coalition_id=regional[region].pk, municipality_id=code)
                for region, codes in regions.items()
                for code in codes
            ],
            batch_size=5000,
        )

        # (coalition, situation, scope, municipality codes, phases)
        specs: list[tuple[Coalition, Situation, str, list[str], list[str]]] = []
        for m in municipalities:
            for situation in situations:
                for phase in situation.phases:
                    if rng.random() < own_share:
                        specs.append(
                            (local[m.code], situation, PathwayScope.MUNICIPAL, [m.code], [phase])
                        )
        for region, codes in regions.items():
            for situation in situations:
                if rng.random() < regional_share:
                    specs.append(
                        (
                            regional[region],
                            situation,
                            PathwayScope.REGIONAL,
                            codes,
                            situation.phases,
                        )
                    )
        for situation in situations:
            specs.append((national, situation, PathwayScope.NATIONAL, [], situation.phases))

        pathways = []
        for coalition, situation, scope, _codes, phases in specs:
            pathways.append(
                Pathway(
                    coalition=coalition,
                    situation=situation,
                    scope=scope,
                    last_reviewed_on=today - datetime.timedelta(days=rng.randint(0, 600)),
                    external_key=f"bench-{len(pathways)}",
                    **{field: phase in phases for phase, field in PHASE_FIELDS.items()},
                )
            )
        Pathway.objects.bulk_create(pathways, batch_size=2000)
        print(f"  {len(pathways):,} pathways")
        through = Pathway.municipalities.through
        rows = [
            through(pathway_id=pathway.pk, municipality_id=code)
            for pathway, (_c, _s, _scope, codes, _p) in zip(pathways, specs, strict=True)
            for code in codes
        ]
        through.objects.bulk_create(rows, batch_size=10_000)

        versions: list[PathwayVersion] = []
        for pathway, (_c, situation, scope, codes, _p) in zip(pathways, specs, strict=True):
            count = 2 if rng.random() < 0.2 else 1
            for number in range(1, count + 1):
                versions.append(
                    PathwayVersion(
                        pathway=pathway,
                        number=number,
                        status=VersionStatus.PUBLISHED,
                        title=f"{situation.name} ({'landelijk' if scope == PathwayScope.NATIONAL else codes[0] if len(codes) == 1 else 'regio'})",
                        introduction="Afspraken van de coalitie over deze situatie.",
                        change_note="" if number == 1 else "Nieuwe verwijzing.",
                        published_at=now
                        - datetime.timedelta(days=(count - number) * 200 + rng.randint(0, 30)),
                    )
                )
        PathwayVersion.objects.bulk_create(versions, batch_size=5000)
        print(f"  {len(versions):,} versions")

        steps: list[PathwayStep] = []
        latest: dict[int, int] = {}
        spec_of = {pathway.pk: spec for pathway, spec in zip(pathways, specs, strict=True)}
        for version in versions:
            latest[version.pathway_id] = version.pk
            _c, situation, scope, codes, _p = spec_of[version.pathway_id]
            kinds = ["discuss", "consent", "refer", "handover", "follow_up"]
            if situation.code in URGENT_SITUATIONS:
                kinds.insert(0, "urgent_safety")
            extra = rng.randint(4, 8) - len(kinds)
            for _ in range(max(0, extra)):
                kinds.insert(rng.randint(1, len(kinds) - 1), rng.choice(["discuss", "refer"]))
            kinds = kinds[:8]
            for position, kind in enumerate(kinds, start=1):
                title, text, tips = STEP_TEXTS[kind]
                service = None
                if kind in {"refer", "handover"} and scope != PathwayScope.NATIONAL:
                    service = pick_service(codes, situation.need_category or "geldzorgen")
                elif kind == "urgent_safety" and codes:
                    service = pick_service(codes, "huiselijk-geweld")
                steps.append(
                    PathwayStep(
                        version=version,
                        key=uuid.UUID(int=rng.getrandbits(128), version=4),
                        position=position,
                        kind=kind,
                        title=f"{title}: {situation.name.lower()}"
                        if kind != "urgent_safety"
                        else title,
                        text=text,
                        tips=tips,
                        service_id=service,
                    )
                )
        PathwayStep.objects.bulk_create(steps, batch_size=10_000)
        print(f"  {len(steps):,} steps")
        for pathway in pathways:
            pathway.current_version_id = latest[pathway.pk]
        Pathway.objects.bulk_update(pathways, ["current_version"], batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"pathways": len(pathways), "versions": len(versions), "steps": len(steps)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_PATHWAYS_DATABASE_URL", DEFAULT_DATABASE_URL),
    )
    parser.add_argument(
        "--services", type=int, default=50_000, help="social-map size (default 50000)"
    )
    parser.add_argument("--seed", type=int, default=20260102)
    parser.add_argument(
        "--directory-seed", type=int, default=20260101, help="seed of the social map"
    )
    parser.add_argument("--own-share", type=float, default=0.85, help="share with an own pathway")
    parser.add_argument(
        "--regional-share",
        type=float,
        default=0.4,
        help="share of situations with a regional default",
    )
    parser.add_argument(
        "--skip-directory", action="store_true", help="keep the social map when it is there"
    )
    args = parser.parse_args(argv)
    name = urlsplit(args.database_url).path.rsplit("/", 1)[-1]
    if "bench" not in name:
        parser.error(f"refusing to wipe {name!r}: its name lacks 'bench'")
    started = time.perf_counter()
    print(f"Database: {args.database_url}")
    setup_django(args.database_url)
    from kansrijk.directory.models import Service
    from kansrijk.places.models import Municipality
    from kansrijk.places.services import load_reference_data

    if Municipality.objects.count() < 342:
        load_reference_data()
        print("  reference data loaded")
    wipe_pathways()
    if not (args.skip_directory and Service.objects.count() >= args.services * 0.99):
        if not DIRECTORY_GENERATOR.exists():
            raise SystemExit(f"{DIRECTORY_GENERATOR} is missing: generate the social map first")
        print(
            f"Social map: generate() of {DIRECTORY_GENERATOR.relative_to(ROOT)}, {args.services} services"
        )
        wipe_directory()
        from bench import generate_directory

        generate_directory.generate(args.services, args.directory_seed)
    load_supporting_data()
    counts = generate(args.seed, args.own_share, args.regional_share)
    print(f"Done in {time.perf_counter() - started:.0f} s: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
