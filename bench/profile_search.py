"""Where does a search request spend its time? Queries, their durations and their plans.

    uv run python bench/profile_search.py                       # a few typical searches
    uv run python bench/profile_search.py --url "/sociale-kaart/?postcode=3062&q=schulden"
    uv run python bench/profile_search.py --explain              # EXPLAIN ANALYZE the slowest
    uv run python bench/profile_search.py --jit-sample 40        # JIT on/off over 40 searches

Runs in-process with ``bench.settings`` against the bench database (no server), renders the
search page with Django's test client and records every query (``CaptureQueriesContext``), the
wall time of the request, and the time spent in the database. With ``--explain`` it prints
``EXPLAIN (ANALYZE, BUFFERS)`` of the slowest query of each request (PostgreSQL).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/kansrijk_bench"
DEFAULT_URLS = [
    "/sociale-kaart/?postcode=9203&q=schulden",
    "/sociale-kaart/?postcode=3062&q=schulden",
    "/sociale-kaart/?postcode=1012&q=prenataal+huisbezoek",
    "/sociale-kaart/?postcode=3511&q=roken",
    "/sociale-kaart/?postcode=6411&q=zwanger",
    "/sociale-kaart/?postcode=3062",
    "/bench/bare",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--url", action="append", help="a path to profile (repeatable)")
    parser.add_argument("--repeat", type=int, default=3, help="requests per URL (best counts)")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest query")
    parser.add_argument("--show", type=int, default=3, help="slowest queries to print per URL")
    parser.add_argument(
        "--jit-sample",
        type=int,
        default=0,
        help="instead: N random searches, their two heaviest queries with JIT on and off",
    )
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)

    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["DATABASE_URL"] = args.database_url
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("collectstatic", interactive=False, verbosity=0)  # the hashed manifest
    client = Client(HTTP_HOST="127.0.0.1")
    if args.jit_sample:
        return jit_report(client, args.jit_sample, args.seed)
    for url in args.url or DEFAULT_URLS:
        best: tuple[float, list[dict[str, str]]] | None = None
        for _ in range(max(1, args.repeat)):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                elapsed = time.perf_counter() - started
            if response.status_code != 200:
                print(f"{url}: HTTP {response.status_code}")
                break
            if best is None or elapsed < best[0]:
                best = (elapsed, list(captured.captured_queries))
        if best is None:
            continue
        elapsed, queries = best
        in_db = sum(float(query["time"]) for query in queries)
        print(
            f"\n{url}\n  {elapsed * 1000:7.1f} ms in total, {len(queries)} queries, "
            f"{in_db * 1000:7.1f} ms in the database (client-side timing), "
            f"{(elapsed - in_db) * 1000:7.1f} ms in Python"
        )
        slowest = sorted(queries, key=lambda query: float(query["time"]), reverse=True)
        for query in slowest[: args.show]:
            sql = query["sql"]
            print(
                f"  {float(query['time']) * 1000:7.1f} ms  {sql[:300]}{'…' if len(sql) > 300 else ''}"
            )
        if args.explain and connection.vendor == "postgresql" and slowest:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest[0]["sql"])
                print("  plan of the slowest:")
                for (line,) in cursor.fetchall():
                    print(f"    {line}")
    return 0


def _explain(sql: str, jit: str) -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SET jit = {jit}")
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        plan: dict[str, Any] = cursor.fetchone()[0][0]
        cursor.execute("RESET jit")
    return plan


def jit_report(client: Any, n: int, seed: int) -> int:
    """The main search query and the paginator's COUNT of ``n`` typical searches, each
    EXPLAIN ANALYZEd with PostgreSQL's JIT compiler on and off."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.run_search import NEEDS
    from kansrijk.places.models import PostcodeArea

    if connection.vendor != "postgresql":
        raise SystemExit("--jit-sample needs PostgreSQL")
    rng = random.Random(seed)
    areas = list(
        PostcodeArea.objects.filter(latitude__isnull=False).values_list("code", "population_2021")
    )
    codes = rng.choices([c for c, _ in areas], weights=[max(p or 0, 10) for _, p in areas], k=n)
    rows = []
    print(
        "url | cost | ms JIT on | of which JIT | ms JIT off | COUNT ms (off) | python ms\n"
        "---|---|---|---|---|---|---"
    )
    for code in codes:
        need = rng.choice(NEEDS)
        url = f"/sociale-kaart/?{urlencode({'postcode': code, **({'q': need} if need else {})})}"
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            client.get(url)
            elapsed = time.perf_counter() - started
        queries = [q["sql"] for q in captured.captured_queries]
        in_db = sum(float(q["time"]) for q in captured.captured_queries)
        main_sql = next(q for q in queries if q.startswith('SELECT "directory_service"."id"'))
        count_sql = next((q for q in queries if q.startswith("SELECT COUNT(*)")), None)
        on, off = _explain(main_sql, "on"), _explain(main_sql, "off")
        count_off = _explain(count_sql, "off")["Execution Time"] if count_sql else 0.0
        jit_ms = on.get("JIT", {}).get("Timing", {}).get("Total", 0.0)
        row = {
            "url": url,
            "cost": on["Plan"]["Total Cost"],
            "on": on["Execution Time"],
            "jit": jit_ms,
            "off": off["Execution Time"],
            "count": count_off,
            "python": (elapsed - in_db) * 1000,
        }
        rows.append(row)
        print(
            f"{url} | {row['cost']:.0f} | {row['on']:.0f} | {jit_ms:.0f} | {row['off']:.0f} "
            f"| {count_off:.0f} | {row['python']:.0f}"
        )

    def pct(key: str, p: float) -> float:
        values = sorted(row[key] for row in rows)
        return values[min(len(values) - 1, int(p / 100 * len(values)))]

    jitted = sum(1 for row in rows if row["jit"] > 0)
    print(f"\n{jitted} of {len(rows)} main queries were JIT-compiled (cost > jit_above_cost).")
    for key, label in (
        ("on", "main query, JIT on"),
        ("off", "main query, JIT off"),
        ("count", "COUNT(*), JIT off"),
        ("python", "Python (request minus DB)"),
    ):
        print(f"{label:<28} p50 {pct(key, 50):8.1f} ms   p95 {pct(key, 95):8.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
