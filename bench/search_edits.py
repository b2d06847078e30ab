"""What an edit of the social map costs the searches after it: the index updated, or read in full.

    uv run python bench/search_edits.py                                   # the bench database
    uv run python bench/search_edits.py --searches 400 --every 10 --rounds 4
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kansrijk_bench_search_200000 \\
        uv run python bench/search_edits.py

In one process (``bench.settings``, Django's test client, each worker's own memory cache: the
shared Redis is not touched), against a database that ``generate_directory.py`` filled: search
pages (``/sociale-kaart/?postcode=…&q=…``, drawn as ``run_search.py`` draws them) with a service
edit through the editor's service (``services.update_service``: a new description) after every
``--every`` searches, as the mixed run's coalition editors make them (about one edit per ten
searches per worker). The URLs are ``--distinct`` ones cycled, so that after the warm-up their
result cards are rendered and kept: what differs is what an edit costs. Two ways, in
alternating rounds, after a warm-up:

- ``updated``: as the code is (``index.current_index`` updates the index in place);
- ``full read``: ``index.UPDATE_SECONDS = 0``, so every change reads the index in full, as
  before the update path (``docs/adr/0005-search-index-updated-in-place.md``).

The bare view (``/bench/bare``) is measured in the same rounds. Reported per search: the CPU of
this process and of its PostgreSQL backend (``/proc``), p50 and p95 of the wall time; the edits'
own time is not counted. JSON to ``bench/results/search-edits-<timestamp>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/kansrijk_bench"


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process, from ``/proc``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--searches", type=int, default=200, help="per way per round")
    parser.add_argument("--every", type=int, default=10, help="searches between two edits")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument(
        "--distinct",
        type=int,
        default=100,
        help="distinct search URLs, cycled (their result cards are rendered in the warm-up, "
        "so that what is measured is the edits' cost, not first renderings)",
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.pop("REDIS_URL", None)  # each process its own cache: the shared one untouched
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.run_search import NEEDS
    from kansrijk.accounts.models import User
    from kansrijk.directory.models import Service, ServiceStatus
    from kansrijk.directory.search import index
    from kansrijk.directory.services import update_service
    from kansrijk.places.models import PostcodeArea

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("collectstatic", interactive=False, verbosity=0)
    rng = random.Random(args.seed)
    areas = list(
        PostcodeArea.objects.filter(latitude__isnull=False).values_list("code", "population_2021")
    )
    total = args.warmup + 2 * args.rounds * args.searches
    distinct = max(1, args.distinct)
    codes = rng.choices(
        [c for c, _ in areas], weights=[max(p or 0, 10) for _, p in areas], k=distinct
    )
    urls = [
        f"/sociale-kaart/?{urlencode({'postcode': code, **({'q': need} if need else {})})}"
        for code, need in zip(codes, rng.choices(NEEDS, k=distinct), strict=True)
    ]
    paths = [urls[n % distinct] for n in range(total)]
    editor, _ = User.objects.get_or_create(
        username="bench.search-editor", defaults={"is_superuser": True}
    )
    candidates = list(
        Service.objects.filter(status=ServiceStatus.ACTIVE).values_list("pk", flat=True)[:5000]
    )
    client = Client()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    services = Service.objects.count()
    edits = [0]

    def edit() -> None:
        service = Service.objects.get(pk=rng.choice(candidates))
        edits[0] += 1
        update_service(
            service=service,
            user=editor,
            fields={"description": f"{service.description[:400]} (bench {os.getpid()}-{edits[0]})"},
        )

    def run(way: str, batch: list[str]) -> dict[str, Any]:
        index.UPDATE_SECONDS = 120.0 if way == "updated" else 0.0
        cpu = db = 0.0
        walls: list[float] = []
        for n, path in enumerate(batch):
            if n % args.every == 0:
                edit()
            before, before_db = time.process_time(), _cpu(backend)
            started = time.perf_counter()
            response = client.get(path)
            walls.append(1000 * (time.perf_counter() - started))
            cpu += time.process_time() - before
            db += _cpu(backend) - before_db
            assert response.status_code == 200, (path, response.status_code)
        bare_cpu = 0.0
        for _ in range(len(batch)):
            before = time.process_time()
            client.get("/bench/bare")
            bare_cpu += time.process_time() - before
        return {
            "cpu_ms": 1000 * cpu / len(batch),
            "db_cpu_ms": 1000 * db / len(batch),
            "bare_cpu_ms": 1000 * bare_cpu / len(batch),
            "walls": walls,
        }

    started = time.monotonic()
    load_before = os.getloadavg()
    print(f"{services:,} services; warm-up of {args.warmup} searches", flush=True)
    run("updated", paths[: args.warmup])
    ways = ["updated", "full read"]
    results: dict[str, list[dict[str, Any]]] = {way: [] for way in ways}
    offset = args.warmup
    for number in range(args.rounds):
        for way in ways if number % 2 == 0 else reversed(ways):
            batch = paths[offset : offset + args.searches]
            offset += args.searches
            result = run(way, batch)
            results[way].append(result)
            print(
                f"round {number + 1} {way:9}: {result['cpu_ms']:7.1f} ms CPU + "
                f"{result['db_cpu_ms']:5.1f} ms database per search "
                f"(bare {result['bare_cpu_ms']:.2f}), p50 {_percentile(result['walls'], 0.5):.1f}"
                f" ms, p95 {_percentile(result['walls'], 0.95):.1f} ms",
                flush=True,
            )
    summary = {}
    for way, rounds in results.items():
        walls = [wall for result in rounds for wall in result["walls"]]
        summary[way] = {
            "cpu_ms_per_search": round(statistics.fmean(r["cpu_ms"] for r in rounds), 2),
            "db_cpu_ms_per_search": round(statistics.fmean(r["db_cpu_ms"] for r in rounds), 2),
            "bare_cpu_ms": round(statistics.fmean(r["bare_cpu_ms"] for r in rounds), 3),
            "p50_ms": round(_percentile(walls, 0.5), 1),
            "p95_ms": round(_percentile(walls, 0.95), 1),
            "p99_ms": round(_percentile(walls, 0.99), 1),
        }
    report = {
        "services": services,
        "searches_per_way": args.rounds * args.searches,
        "searches_per_edit": args.every,
        "load_average_before_after": [load_before[0], os.getloadavg()[0]],
        "seconds": round(time.monotonic() - started, 1),
        "summary": summary,
    }
    print(json.dumps(report, indent=2))
    RESULTS.mkdir(parents=True, exist_ok=True)
    output = RESULTS / f"search-edits-{time.strftime('%Y%m%d-%H%M%S')}.json"
    output.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
