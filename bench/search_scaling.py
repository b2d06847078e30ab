"""How the cost of a social-map search grows with the map: CPU per search at two sizes.

    uv run python bench/search_scaling.py --generate       # 50,000 and 200,000 services
    uv run python bench/search_scaling.py                  # measure again (data kept)
    uv run python bench/search_scaling.py --sizes 2000 8000 --generate --requests 400

For each size a database of its own (``kansrijk_bench_search_<size>``; with ``--generate`` filled
by ``bench/generate_directory.py --services <size>`` when its count differs), then
``bench/run_search.py`` against it, as it is (gunicorn with 2 sync workers, result cards warmed,
the bare view in alternating rounds), ``--repeat`` times with the sizes alternating, so that the
drift of a shared machine hits both. The figure compared is the CPU one search costs the server:
the gunicorn workers plus the PostgreSQL backends, per request, from ``/proc`` (it holds up when
other processes share the machine, where requests/s do not); beside it the same less the bare
view's CPU (what the search itself adds to a request). Target: the largest size at most 1.5x the
smallest for 4x the data. JSON to ``bench/results/search-scaling-<timestamp>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TARGET_GROWTH = 1.5
BASE_URL = "postgres://postgres@127.0.0.1:5432/kansrijk_bench_search_{size}"


def services_in(database_url: str) -> int | None:
    import psycopg

    try:
        with psycopg.connect(database_url, connect_timeout=5) as connection:
            row = connection.execute("SELECT count(*) FROM directory_service").fetchone()
            return int(row[0]) if row else 0
    except psycopg.Error:
        return None


def run(command: list[str]) -> None:
    print("$", " ".join(command), flush=True)
    subprocess.run(command, cwd=ROOT, check=True)


def migrate(database_url: str) -> None:
    """The schema of the code being measured (the data may be older than the code)."""
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "src")])
    command = [sys.executable, "-m", "kansrijk.cli", "migrate", "--verbosity", "0"]
    subprocess.run(command, cwd=ROOT, env=env, check=True)


def measure(database_url: str, args: argparse.Namespace, output: Path) -> dict[str, Any]:
    migrate(database_url)
    run(
        [
            sys.executable,
            "bench/run_search.py",
            "--database-url",
            database_url,
            "--requests",
            str(args.requests),
            "--warmup",
            str(args.warmup),
            "--single-client-requests",
            "0",
            "--output",
            str(output),
        ]
    )
    report = json.loads(output.read_text())
    search, bare = report["results"]["search"], report["results"]["bare"]
    if search["errors"] or bare["errors"]:
        raise SystemExit(
            f"{output.name}: {search['errors']} search and {bare['errors']} bare errors; "
            "see bench/results/gunicorn-error.log (nothing compared)"
        )

    def cpu(view: dict[str, Any]) -> float:
        return float(view["worker_cpu_ms_per_request"] + view["database_cpu_ms_per_request"])

    return {
        "json": output.name,
        "services": report["database"]["services"],
        "search_cpu_ms": round(cpu(search), 3),
        "search_worker_cpu_ms": search["worker_cpu_ms_per_request"],
        "search_database_cpu_ms": search["database_cpu_ms_per_request"],
        "bare_cpu_ms": round(cpu(bare), 3),
        "search_above_bare_cpu_ms": round(cpu(search) - cpu(bare), 3),
        "search_p95_ms": search["p95_ms"],
        "search_rps": search["rps"],
        "bare_rps": bare["rps"],
        "load_average_before_after": report["load_average_before_after"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 200_000])
    parser.add_argument("--generate", action="store_true", help="fill the databases first")
    parser.add_argument("--repeat", type=int, default=2, help="runs per size, alternating")
    parser.add_argument("--requests", type=int, default=2000, help="per view per run")
    parser.add_argument("--warmup", type=int, default=500, help="unmeasured requests per view")
    parser.add_argument("--seed", type=int, default=20260101, help="seed of the social map")
    args = parser.parse_args(argv)
    sizes = sorted(set(args.sizes))
    if len(sizes) < 2:
        parser.error("give at least two --sizes")
    urls = {
        size: os.environ.get(f"BENCH_SEARCH_{size}_URL", BASE_URL.format(size=size))
        for size in sizes
    }
    for size, url in urls.items():
        count = services_in(url)
        if count is not None and abs(count - size) <= size * 0.01:
            continue
        if not args.generate:
            raise SystemExit(f"{url} has {count} services, not {size:,}: run with --generate")
        run(
            [
                sys.executable,
                "bench/generate_directory.py",
                "--services",
                str(size),
                "--seed",
                str(args.seed),
                "--database-url",
                url,
            ]
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    runs: dict[int, list[dict[str, Any]]] = {size: [] for size in sizes}
    for repeat in range(args.repeat):
        for size in sizes if repeat % 2 == 0 else reversed(sizes):
            output = RESULTS / f"search-scaling-{stamp}-{size}-{repeat + 1}.json"
            runs[size].append(measure(urls[size], args, output))
    summary = {
        size: {
            "search_cpu_ms": round(statistics.median(r["search_cpu_ms"] for r in results), 3),
            "search_above_bare_cpu_ms": round(
                statistics.median(r["search_above_bare_cpu_ms"] for r in results), 3
            ),
        }
        for size, results in runs.items()
    }
    small, large = sizes[0], sizes[-1]
    growth = summary[large]["search_cpu_ms"] / summary[small]["search_cpu_ms"]
    growth_above_bare = (
        summary[large]["search_above_bare_cpu_ms"] / summary[small]["search_above_bare_cpu_ms"]
    )
    report = {
        "sizes": sizes,
        "runs": {str(size): results for size, results in runs.items()},
        "median": {str(size): values for size, values in summary.items()},
        "data_ratio": round(large / small, 2),
        "cpu_growth": round(growth, 3),
        "cpu_growth_above_bare": round(growth_above_bare, 3),
        "target": {"max_growth": TARGET_GROWTH, "met": growth <= TARGET_GROWTH},
    }
    output = RESULTS / f"search-scaling-{stamp}.json"
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\n{'services':>9} {'runs':>5} {'CPU ms/search':>14} {'above bare':>11}")
    for size in sizes:
        values = summary[size]
        print(
            f"{size:>9,} {len(runs[size]):>5} {values['search_cpu_ms']:>14} "
            f"{values['search_above_bare_cpu_ms']:>11}"
        )
    print(
        f"{large / small:.0f}x the services: {growth:.2f}x the CPU per search "
        f"({growth_above_bare:.2f}x above the bare view); target <= {TARGET_GROWTH}x: "
        f"{'met' if growth <= TARGET_GROWTH else 'MISSED'}; JSON: {output}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
