"""Benchmark the monitor against a bare Django view, in the same run, on the same gunicorn server
(``bench.pathways.settings``: DEBUG off, whitenoise, persistent connections) and PostgreSQL
database (``bench/monitoring/generate.py``: 342 municipalities x 40 indicators x 10 years plus
the regional totals).

    uv run python bench/monitoring/run.py
    uv run python bench/monitoring/run.py --requests 1200 --concurrency 4 --workers 2

Views:

- ``bare``: ``/bench/bare``, a view returning ``ok`` through the same middleware (the yardstick);
- ``dashboard``: a municipality's page ``/monitor/<code>/`` (municipalities weighted by their
  number of young children), anonymous;
- ``map_data``: the map data of one indicator, all municipalities:
  ``/api/v1/indicators/<code>/values?period=<year>``;
- ``values_api``: a municipality's trend with its GGD region and the country:
  ``/api/v1/indicators/<code>/values?area=GM…&area=GG…&area=NL01``.

Reported per view: requests/second, p50/p95/p99, errors, CPU per request of the workers and the
database (``/proc``), the targets (p95 <= 100 ms, >= 40 % of the bare view's throughput), the
machine's load average before and after, and the size of the map's boundary file as served
(raw, gzip; its Cache-Control). Written as a table and as JSON to ``bench/monitoring/results/``.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import http.client
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

import bench.pathways.run as pathways_run  # noqa: E402  (the same load driver)
from bench.pathways.run import (  # noqa: E402
    HOST,
    Call,
    Cpu,
    Result,
    collectstatic,
    free_port,
    git_commit,
    measure_cpu,
    run_batch,
    setup_django,
    start_server,
)

RESULTS = HERE / "results"
_pathways_environment = pathways_run.environment


def environment(database_url: str) -> dict[str, str]:
    """The pathway benchmark's environment with this benchmark's settings."""
    return {
        **_pathways_environment(database_url),
        "DJANGO_SETTINGS_MODULE": "bench.monitoring.settings",
    }


pathways_run.environment = environment
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/kansrijk_bench_monitoring"
TARGET_P95_MS = 100.0
TARGET_RATIO = 0.40


def targets(rng: random.Random, count: int) -> dict[str, list[Call]]:
    from kansrijk.monitoring.models import Indicator, IndicatorValue
    from kansrijk.places.models import Municipality

    municipalities = list(
        Municipality.objects.values_list("code", "ggd_region_id", "population_0_4_2021")
    )
    weights = [max(1, m[2] or 1) for m in municipalities]
    codes = list(Indicator.objects.public().values_list("code", flat=True))
    years = sorted({p for (p,) in IndicatorValue.objects.values_list("period_end").distinct()})
    calls: dict[str, list[Call]] = {"dashboard": [], "map_data": [], "values_api": []}
    for _ in range(count):
        code, ggd, _children = rng.choices(municipalities, weights)[0]
        calls["dashboard"].append(Call("GET", f"/monitor/{code}/"))
        indicator = rng.choice(codes)
        calls["map_data"].append(
            Call("GET", f"/api/v1/indicators/{indicator}/values?period={rng.choice(years)}")
        )
        calls["values_api"].append(
            Call("GET", f"/api/v1/indicators/{indicator}/values?area={code}&area={ggd}&area=NL01")
        )
    return calls


def boundary_file(port: int) -> dict[str, Any]:
    from django.templatetags.static import static

    from kansrijk.monitoring.views import BOUNDARIES

    url = static(BOUNDARIES)
    sizes: dict[str, Any] = {"url": url}
    for encoding in ("identity", "gzip"):
        connection = http.client.HTTPConnection(HOST, port, timeout=10)
        connection.request("GET", url, headers={"Accept-Encoding": encoding})
        response = connection.getresponse()
        body = response.read()
        sizes[encoding] = {
            "status": response.status,
            "bytes": len(body),
            "content_encoding": response.getheader("Content-Encoding") or "",
            "cache_control": response.getheader("Cache-Control") or "",
        }
        if encoding == "gzip" and sizes[encoding]["content_encoding"] == "gzip":
            sizes[encoding]["unpacked_bytes"] = len(gzip.decompress(body))
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_MONITORING_DATABASE_URL", DEFAULT_DATABASE_URL),
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=1200, help="per view, over all rounds")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--single", type=int, default=200, help="requests per view, one client")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args(argv)

    setup_django(args.database_url)
    from kansrijk.monitoring.models import IndicatorValue

    values = IndicatorValue.objects.count()
    if values < 100_000:
        raise SystemExit("Generate the data first: uv run python bench/monitoring/generate.py")
    collectstatic()
    rng = random.Random(args.seed)
    total = args.warmup + args.requests + args.single
    calls = targets(rng, total)
    port = free_port()
    load_before = os.getloadavg()
    server = start_server(args.database_url, port, args.workers)
    views: dict[str, list[Call]] = {"bare": [Call("GET", "/bench/bare")] * total, **calls}
    try:
        boundaries = boundary_file(port)
        for warmup_calls in views.values():
            run_batch(port, warmup_calls[: args.warmup], args.concurrency)
        loaded = {name: Result() for name in views}
        cpu = {name: Cpu() for name in views}
        per_round = max(1, args.requests // args.rounds)
        for round_number in range(args.rounds):
            for name, view_calls in views.items():
                start = args.warmup + round_number * per_round
                batch = view_calls[start : start + per_round]
                result, app_cpu, db_cpu = measure_cpu(
                    server.pid, lambda batch=batch: run_batch(port, batch, args.concurrency)
                )
                loaded[name].merge(result)
                cpu[name].app += app_cpu
                cpu[name].database += db_cpu
        single = {name: Result() for name in views}
        for name, view_calls in views.items():
            start = args.warmup + args.requests
            single[name].merge(run_batch(port, view_calls[start : start + args.single], 1))
    finally:
        server.terminate()
        server.wait(timeout=30)
    load_after = os.getloadavg()
    bare_rps = loaded["bare"].summary()["rps"] or 1.0
    rows = {}
    for name in views:
        summary = loaded[name].summary()
        requests = max(1, summary["requests"])
        rows[name] = {
            **summary,
            "ratio_to_bare": round(summary["rps"] / bare_rps, 3),
            "single_p50_ms": single[name].summary()["p50_ms"],
            "single_p95_ms": single[name].summary()["p95_ms"],
            "app_cpu_ms_per_request": round(cpu[name].app / requests * 1000, 2),
            "db_cpu_ms_per_request": round(cpu[name].database / requests * 1000, 2),
            "meets_targets": name == "bare"
            or (summary["p95_ms"] <= TARGET_P95_MS and summary["rps"] / bare_rps >= TARGET_RATIO),
        }
    report = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "values": values,
        "server": {"workers": args.workers, "concurrency": args.concurrency},
        "boundaries": boundaries,
        "views": rows,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    for path in (RESULTS / f"monitoring-{stamp}.json", RESULTS / "latest.json"):
        path.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(
        f"load average before {report['load_average_before']}, after {report['load_average_after']}"
    )
    print(f"{values:,} values; boundaries: {json.dumps(boundaries)}")
    print(
        f"{'view':12} {'req/s':>8} {'p50':>8} {'p95':>8} {'p99':>8} {'vs bare':>8} {'app CPU':>8} {'db CPU':>8} {'errors':>6}"
    )
    for name, row in rows.items():
        print(
            f"{name:12} {row['rps']:8.1f} {row['p50_ms']:7.1f}ms {row['p95_ms']:7.1f}ms "
            f"{row['p99_ms']:7.1f}ms {row['ratio_to_bare']:8.0%} {row['app_cpu_ms_per_request']:6.2f}ms "
            f"{row['db_cpu_ms_per_request']:6.2f}ms {row['errors']:6d}"
        )
    return 0


if __name__ == "__main__":
    time.sleep(0)
    raise SystemExit(main())
