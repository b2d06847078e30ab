"""Fill a PostgreSQL database with referrals and access-log rows for the referral benchmark.

Default (``--scale 1``): 1,000,000 referrals and 10,000,000 access-log rows, spread over 100
receiving and 200 sending organisations (so one receiving organisation has ~10,000 referrals,
of which ~2,500 open), made with ``INSERT … SELECT generate_series`` in chunks. ``--scale 0.1``
makes a tenth. The target database must have "bench" in its name; the referral and access-log
tables there are emptied first (TRUNCATE: the append-only trigger guards UPDATE and DELETE).
Their indexes (other than primary keys and unique constraints) are dropped for the bulk load
and built again afterwards: inserting 10M access-log rows into a table with its four random-order
indexes slowed to ~3.5 min per million rows; without them a million takes ~7 s, plus one sorted
build per index at the end.

Then, through the real services, 20 referrals from the bench professional to the bench intake
handler's organisation (consent, sent, received), the ones the runner opens; the ids and the
users go to ``bench/results/referrals-data.json``.

    uv run python bench/referrals/generate.py                # 1M / 10M
    uv run python bench/referrals/generate.py --scale 0.1    # 100k / 1M
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kansrijk_refbench"
RECEIVERS = 100
SENDERS = 200
CHUNK_REFERRALS = 250_000
CHUNK_EVENTS = 1_000_000
#: Status by (i / RECEIVERS) % 20: a quarter open, most completed, a few others.
STATUSES = (
    ["requested", "received", "accepted", "in-progress", "on-hold"]
    + ["completed"] * 10
    + ["rejected", "cancelled", "failed", "completed", "draft"]
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def ensure_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to fill {name!r}: the database name must contain 'bench'")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            log(f"created database {name}")


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.referrals.settings"
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]
    import django

    django.setup()


def base_data() -> dict[str, object]:
    """Organisations, services, the bench users (with a TOTP device)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kansrijk.accounts.models import Organisation, OrganisationKind, RoleAssignment, User
    from kansrijk.accounts.roles import Role
    from kansrijk.directory.models import Organization, Service, ServiceArea
    from kansrijk.places.models import Municipality

    codes = list(Municipality.objects.order_by("code").values_list("code", flat=True))
    home = Municipality.objects.get(code="GM0090")
    receivers, services = [], []
    for n in range(RECEIVERS):
        org, _ = Organisation.objects.get_or_create(
            name=f"Bench ontvanger {n:03d}", defaults={"kind": OrganisationKind.MEDICAL}
        )
        directory, _ = Organization.objects.get_or_create(
            name=f"Bench ontvanger {n:03d}", defaults={"account_organisation": org}
        )
        service, _ = Service.objects.get_or_create(
            organization=directory,
            name=f"Prenataal huisbezoek bench {n:03d}",
            defaults={"phase_pregnancy": True, "response_time_days": 5, "status": "active"},
        )
        ServiceArea.objects.get_or_create(service=service, municipality=home)
        receivers.append(org.pk)
        services.append(str(service.pk))
    senders = []
    for n in range(SENDERS):
        org, _ = Organisation.objects.get_or_create(
            name=f"Bench verwijzer {n:03d}", defaults={"kind": OrganisationKind.MEDICAL}
        )
        senders.append(org.pk)

    def user(username: str, organisation_id: int, role: str) -> User:
        account, _ = User.objects.get_or_create(
            username=username, defaults={"organisation_id": organisation_id}
        )
        RoleAssignment.objects.get_or_create(
            user=account, role=role, organisation_id=organisation_id
        )
        TOTPDevice.objects.get_or_create(
            user=account, name="authenticator", defaults={"confirmed": True}
        )
        return account

    intake = user("bench.intake", receivers[0], Role.INTAKE_HANDLER)
    professional = user("bench.professional", senders[0], Role.PROFESSIONAL)
    return {
        "codes": codes,
        "receivers": receivers,
        "services": services,
        "senders": senders,
        "intake": intake,
        "professional": professional,
    }


def _array(values: list[object], cast: str) -> str:
    inner = ",".join(f"'{v}'" if isinstance(v, str) else str(v) for v in values)
    return f"ARRAY[{inner}]::{cast}[]"


@contextlib.contextmanager
def indexes_dropped(table: str) -> Iterator[None]:
    """Drop ``table``'s indexes (except those behind a constraint: primary key, unique) for a
    bulk load and build them again afterwards: one sorted build per index is much faster than
    millions of random insertions into indexes that outgrow memory (the access log's
    ``object_id`` and ``client_ref`` are random md5 values)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(i.oid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = %s
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
            """,
            [table],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _name, definition in indexes:
                cursor.execute(definition)
        log(f"{table}: {len(indexes)} indexes built in {time.monotonic() - started:.0f} s")


def insert_referrals(total: int, data: dict[str, object]) -> None:
    from django.db import connection

    statuses = _array(list(STATUSES), "text")
    receivers = _array(list(data["receivers"]), "int")  # type: ignore[arg-type]
    services = _array(list(data["services"]), "uuid")  # type: ignore[arg-type]
    senders = _array(list(data["senders"]), "int")  # type: ignore[arg-type]
    codes = _array(list(data["codes"]), "text")  # type: ignore[arg-type]
    user_id = data["professional"].pk  # type: ignore[attr-defined]
    sql = f"""
    INSERT INTO referrals_referral (
        id, reference, kind, status, version, source, pathway_ref, pathway_step_ref,
        signalling_ref, client_ref, client_given_name, client_family_name, client_birth_date,
        client_phone, client_email, client_address, client_postal_code, client_municipality_id,
        client_language, interpreter_needed, phase, due_date, child_birth_date, urgency,
        handover_note, contact_preference, contact_note, gestational_age_weeks, parity,
        risk_signals, preferred_visit_from, preferred_visit_until, sender_user_id,
        sender_organisation_id, service_id, receiver_organisation_id, status_reason,
        status_reason_code, outcome, outcome_note, response_due_on, created_at, updated_at,
        sent_at, received_at, accepted_at, first_contact_at, closed_at)
    SELECT
        md5('ref' || i)::uuid, 'B' || lpad(i::text, 10, '0'),
        CASE WHEN i %% 3 = 0 THEN 'prenatal_home_visit' ELSE 'general' END,
        s.status, 3, 'service',
        CASE WHEN i %% 2 = 0 THEN (1 + i %% 50)::text ELSE '' END, '', '',
        md5('client' || (i %% 700000)), 'Bench', 'Cliënt ' || i, date '1990-01-01' + (i %% 7000)::int,
        '06 00000000', '', '', '9203AB', ({codes})[1 + i %% {len(data["codes"])}],
        'nl', false, 'pregnancy', current_date + (i %% 200)::int, NULL,
        (ARRAY['routine','routine','routine','urgent','asap'])[1 + i %% 5],
        'Bench: overdrachtsnotitie.', 'contact_client', '',
        CASE WHEN i %% 3 = 0 THEN 20 END, CASE WHEN i %% 3 = 0 THEN 0 END, '', NULL, NULL,
        {user_id}, ({senders})[1 + i %% {SENDERS}], ({services})[1 + i %% {RECEIVERS}],
        ({receivers})[1 + i %% {RECEIVERS}],
        CASE WHEN s.status IN ('rejected','cancelled','failed','on-hold') THEN 'Bench.' ELSE '' END,
        CASE WHEN s.status IN ('rejected','cancelled','failed') THEN 'other' ELSE '' END,
        CASE WHEN s.status = 'completed' THEN 'help_started' ELSE '' END, '',
        CASE WHEN s.status <> 'draft' THEN (t.created + interval '1 hour')::date + 7 END,
        t.created, t.created + interval '2 days',
        CASE WHEN s.status <> 'draft' THEN t.created + interval '1 hour' END,
        CASE WHEN s.status NOT IN ('draft','requested') THEN t.created + interval '5 hours' END,
        CASE WHEN s.status IN ('accepted','in-progress','on-hold','completed','failed')
             THEN t.created + interval '6 hours' END,
        CASE WHEN s.status IN ('in-progress','completed') THEN t.created + interval '2 days' END,
        CASE WHEN s.status IN ('completed','rejected','cancelled','failed')
             THEN t.created + interval '20 days' END
    FROM generate_series(%s::bigint, %s::bigint) AS i,
         LATERAL (SELECT ({statuses})[1 + (i / {RECEIVERS}) %% {len(STATUSES)}] AS status) s,
         LATERAL (SELECT now() - ((i * 7919) %% 600) * interval '1 day'
                          - ((i * 104729) %% 86400) * interval '1 second' AS created) t
    """  # noqa: S608 - the f-string holds internal constants only
    for start in range(1, total + 1, CHUNK_REFERRALS):
        end = min(total, start + CHUNK_REFERRALS - 1)
        with connection.cursor() as cursor:
            cursor.execute(sql, [start, end])
        log(f"referrals {end:,} / {total:,}")


def insert_events(total: int, referrals: int, first: int = 1) -> None:
    from django.db import connection

    sql = f"""
    INSERT INTO audit_accessevent (
        occurred_at, event_type, action, outcome, user_id, user_display, role, organisation_id,
        on_behalf_of, purpose, object_type, object_id, client_ref, consent_ref, request_id,
        source_ip, details)
    SELECT now() - ((i * 7919) %% 1800) * interval '1 day' - (i %% 86400) * interval '1 second',
        (ARRAY['referral.view','referral.inbox','referral.status.accepted','referral.print'])[1 + i %% 4],
        (ARRAY['read','search','update','print'])[1 + i %% 4], 'success', NULL,
        'bench.user' || (i %% 500), 'intake_handler', NULL, '', 'referral.intake', 'referral',
        md5('ref' || (1 + i %% {max(referrals, 1)}))::uuid::text,
        md5('client' || ((1 + i %% {max(referrals, 1)}) %% 700000)), '', '', '127.0.0.1', ''
    FROM generate_series(%s::bigint, %s::bigint) AS i
    """  # noqa: S608 - the f-string holds internal constants only
    for start in range(first, total + 1, CHUNK_EVENTS):
        end = min(total, start + CHUNK_EVENTS - 1)
        with connection.cursor() as cursor:
            cursor.execute(sql, [start, end])
        log(f"access events {end:,} / {total:,}")


def target_referrals(data: dict[str, object], count: int = 20) -> list[str]:
    import datetime

    from django.utils import timezone

    from kansrijk.referrals import services
    from kansrijk.referrals.models import DataCategory

    professional, intake = data["professional"], data["intake"]
    ids = []
    for n in range(count):
        referral = services.create_referral(
            user=professional,
            data=services.ReferralInput(
                service_id=data["services"][0],  # type: ignore[index]
                kind="prenatal_home_visit",
                client_given_name="Bench",
                client_family_name=f"Doel {n}",
                client_birth_date=datetime.date(1996, 1, 1 + n),
                client_phone="06 00000000",
                client_municipality="GM0090",
                phase="pregnancy",
                due_date=timezone.localdate() + datetime.timedelta(days=100),
                gestational_age_weeks=22,
                parity=0,
                handover_note="Bench: overdracht.",
            ),
        )
        services.record_consent(
            referral=referral,
            user=professional,
            data_categories=list(DataCategory.values),
            method="verbal",
        )
        referral = services.send_referral(referral=referral, user=professional)
        services.acknowledge_receipt(referral=referral, user=intake)
        ids.append(str(referral.pk))
    return ids


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 1M referrals, 10M events")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_REFERRALS_DATABASE_URL", DEFAULT_URL)
    )
    args = parser.parse_args(argv)
    referrals = max(1000, int(1_000_000 * args.scale))
    events = max(10_000, int(10_000_000 * args.scale))
    started = time.monotonic()
    ensure_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from kansrijk.places.models import Municipality
    from kansrijk.places.services import load_reference_data

    if not Municipality.objects.exists():
        load_reference_data()
    log("schema and reference data ready")
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE referrals_referral, referrals_consent, referrals_statusevent, "
            "referrals_contactattempt, referrals_outboxmessage, referrals_referral_situations, "
            "audit_accessevent"
        )
    data = base_data()
    with indexes_dropped("referrals_referral"):
        insert_referrals(referrals, data)
    with indexes_dropped("audit_accessevent"):
        insert_events(events, referrals)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE referrals_referral")
        cursor.execute("ANALYZE audit_accessevent")
    ids = target_referrals(data)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = {
        "database_url": args.database_url,
        "scale": args.scale,
        "referrals": referrals,
        "access_events": events,
        "intake_user_id": data["intake"].pk,  # type: ignore[attr-defined]
        "referral_ids": ids,
        "seconds": round(time.monotonic() - started, 1),
    }
    (RESULTS / "referrals-data.json").write_text(json.dumps(out, indent=2))
    log(f"done in {out['seconds']} s: {referrals:,} referrals, {events:,} access events")
    return 0


if __name__ == "__main__":
    sys.exit(main())
