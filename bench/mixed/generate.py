"""Fill one PostgreSQL database with the national data sets for the mixed-traffic benchmark.

    uv run python bench/mixed/generate.py                       # kansrijk_bench_mixed, national
    uv run python bench/mixed/generate.py --services 2000 --referrals 20000 --events 100000

It runs the other benchmarks' generators, as they are, one after the other into the same
database (the order matters: the social map's wipe cascades into pathways and referrals):

1. the social map, ``bench/generate_directory.py`` (``--services``, default 50,000);
2. the pathways, ``bench/pathways/generate.py`` (every municipality x situation x phase: own
   pathways, regional and national defaults; the catalogue, signalling rules and menukaart);
3. the referrals and the access log, ``bench/referrals/generate.py`` (``--referrals``, default
   1,000,000, and ``--events``, default 10,000,000), with its bench professional, intake handler
   and 20 referrals made through the real services;
4. for this benchmark: a coalition editor (``bench.editor``) for the ten largest municipalities,
   with a confirmed TOTP device, who edits services during the run.

The ids the runner needs go to ``bench/results/mixed-data.json``. The database name must contain
"bench" (its social map, pathways and referrals are wiped first). ``--keep-map`` keeps a social
map and pathways that are there and redoes the referrals only.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results"
DATA_FILE = RESULTS / "mixed-data.json"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/kansrijk_bench_mixed"
EDITOR = "bench.editor"
EDITOR_MUNICIPALITIES = 10


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    for path in (str(ROOT), str(ROOT / "src")):
        if path not in sys.path:
            sys.path.insert(0, path)
    from bench.referrals.generate import ensure_database

    ensure_database(database_url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def social_map_and_pathways(services: int, seed: int) -> dict[str, int]:
    from bench import generate_directory
    from bench.pathways import generate as pathways

    pathways.wipe_pathways()
    pathways.wipe_directory()
    log(f"social map: {services:,} services (bench/generate_directory.py)")
    generate_directory.generate(services, seed, log=log)
    log("pathways (bench/pathways/generate.py)")
    pathways.load_supporting_data()
    return pathways.generate(seed + 1, own_share=0.85, regional_share=0.4)


def referrals_and_access_log(referrals: int, events: int) -> dict[str, Any]:
    from django.db import connection

    from bench.referrals import generate as generator

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE referrals_referral, referrals_consent, referrals_statusevent, "
            "referrals_contactattempt, referrals_outboxmessage, referrals_referral_situations, "
            "audit_accessevent"
        )
    data = generator.base_data()
    with generator.indexes_dropped("referrals_referral"):
        generator.insert_referrals(referrals, data)
    with generator.indexes_dropped("audit_accessevent"):
        generator.insert_events(events, referrals)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE referrals_referral")
        cursor.execute("ANALYZE audit_accessevent")
    data["referral_ids"] = generator.target_referrals(data)
    return data


def editor() -> tuple[int, list[str]]:
    """``bench.editor``: coalition editor for the ten most populous municipalities."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kansrijk.accounts.models import Organisation, OrganisationKind, RoleAssignment, User
    from kansrijk.accounts.roles import Role
    from kansrijk.places.models import Municipality

    codes = list(
        Municipality.objects.order_by("-population_2021").values_list("code", flat=True)[
            :EDITOR_MUNICIPALITIES
        ]
    )
    organisation, _ = Organisation.objects.get_or_create(
        name="Bench coalitie", defaults={"kind": OrganisationKind.MUNICIPALITY}
    )
    user, _ = User.objects.get_or_create(
        username=EDITOR, defaults={"organisation": organisation, "email": "editor@bench.invalid"}
    )
    assignment, _ = RoleAssignment.objects.get_or_create(
        user=user, role=Role.COALITION_EDITOR, organisation=organisation
    )
    assignment.municipalities.set(Municipality.objects.filter(code__in=codes))
    TOTPDevice.objects.get_or_create(user=user, name="authenticator", defaults={"confirmed": True})
    return user.pk, codes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_MIXED_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--services", type=int, default=50_000)
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10_000_000, help="access-log rows")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument(
        "--keep-map", action="store_true", help="keep the social map and pathways that are there"
    )
    args = parser.parse_args(argv)
    name = urlsplit(args.database_url).path.rsplit("/", 1)[-1]
    if "bench" not in name:
        parser.error(f"refusing to wipe {name!r}: its name lacks 'bench'")
    if args.services < 342:
        parser.error("--services must be at least 342 (one per municipality)")
    started = time.monotonic()
    log(f"database {args.database_url}")
    setup_django(args.database_url)
    from kansrijk.directory.models import Service
    from kansrijk.pathways.models import Pathway
    from kansrijk.places.models import Municipality
    from kansrijk.places.services import load_reference_data

    if Municipality.objects.count() < 342:
        load_reference_data()
        log("reference data loaded")
    if args.keep_map and Service.objects.exists() and Pathway.objects.exists():
        log(f"kept: {Service.objects.count():,} services, {Pathway.objects.count():,} pathways")
    else:
        counts = social_map_and_pathways(args.services, args.seed)
        log(f"pathways: {counts}")
    data = referrals_and_access_log(args.referrals, args.events)
    editor_id, editor_codes = editor()
    out = {
        "database_url": args.database_url,
        "services": Service.objects.count(),
        "pathways": Pathway.objects.count(),
        "referrals": args.referrals,
        "access_events": args.events,
        "intake_user_id": data["intake"].pk,
        "professional_user_id": data["professional"].pk,
        "editor_user_id": editor_id,
        "editor_municipalities": editor_codes,
        "receiver_service_id": data["services"][0],
        "referral_ids": data["referral_ids"],
        "seconds": round(time.monotonic() - started, 1),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    DATA_FILE.write_text(json.dumps(out, indent=2))
    log(
        f"done in {out['seconds']} s: {out['services']:,} services, {out['pathways']:,} "
        f"pathways, {args.referrals:,} referrals, {args.events:,} access events -> {DATA_FILE}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
