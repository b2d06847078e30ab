"""Benchmark the social-map search page against a bare Django view on the same server.

    uv run python bench/run_search.py                 # PostgreSQL kansrijk_bench, 2 workers
    uv run python bench/run_search.py --requests 4000 --concurrency 4 --workers 2
    uv run python bench/run_search.py --no-warm-cards # result cards not cached at the start

One gunicorn (``kansrijk.wsgi`` with ``bench.settings``: DEBUG off, whitenoise, persistent
connections) on 127.0.0.1 and a free port serves both

- the search page ``/sociale-kaart/?postcode=<pc4>&q=<need>`` with varied postcodes (weighted by
  population) and needs (a few without ``q``), and
- ``/bench/bare``: a view returning ``ok`` through the same middleware (``bench/bench_urls.py``).

A small load driver (client processes, one keep-alive ``http.client`` connection each) sends a fixed
number of requests with a fixed concurrency, in alternating rounds (bare, search, bare, search)
so that drift hits both alike, after a warm-up. A second pass with one client gives the
latency without queueing. ``--no-jit`` switches PostgreSQL's JIT compiler off for the server's
connections (see README.md for why). The CPU time the gunicorn workers and the PostgreSQL backends spent
per request is read from /proc.

Reported: requests/second, p50/p95/p99 per view, the throughput ratio search/bare, the targets
(search p95 ≤ 100 ms, search ≥ 40 % of bare), as a table and as JSON in ``bench/results/``.
Loopback only; bounded by ``--requests`` and ``--time-limit``.
"""

from __future__ import annotations

import argparse
import array
import datetime
import http.client
import json
import multiprocessing
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/kansrijk_bench"
HOST = "127.0.0.1"

#: What professionals type (DOMAIN.md): needs, situations and intervention names.
NEEDS = [
    "schulden",
    "geldzorgen",
    "schuldhulpverlening",
    "prenataal huisbezoek",
    "huisbezoek",
    "roken",
    "stoppen met roken",
    "zwanger",
    "kraamzorg",
    "verloskundige",
    "nu niet zwanger",
    "huiselijk geweld",
    "depressie",
    "psychische klachten",
    "taal",
    "laaggeletterdheid",
    "tolk",
    "wonen",
    "huurachterstand",
    "opvoeden",
    "huilbaby",
    "tienermoeder",
    "voedselbank",
    "home-start",
    "moeders informeren moeders",
    "wijkteam",
    "verslaving",
    "statushouders",
    "centering",
    "",  # only a postcode: everything near, nearest first
]

TARGET_P95_MS = 100.0
TARGET_RATIO = 0.40


# --- Load driver -----------------------------------------------------------------------------------


@dataclass
class PassResult:
    name: str
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    bytes: int = 0
    worker_cpu_s: float = 0.0
    database_cpu_s: float = 0.0
    with_results: int = 0

    def merge(self, other: PassResult) -> None:
        self.requests += other.requests
        self.errors += other.errors
        self.seconds += other.seconds
        self.latencies_ms += other.latencies_ms
        self.bytes += other.bytes
        self.worker_cpu_s += other.worker_cpu_s
        self.database_cpu_s += other.database_cpu_s
        self.with_results += other.with_results

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[index]

    def summary(self) -> dict[str, Any]:
        n = max(self.requests, 1)
        return {
            "requests": self.requests,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "rps": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(self.percentile(50), 2),
            "p95_ms": round(self.percentile(95), 2),
            "p99_ms": round(self.percentile(99), 2),
            "max_ms": round(max(self.latencies_ms, default=0.0), 2),
            "mean_bytes": round(self.bytes / n),
            "worker_cpu_ms_per_request": round(1000 * self.worker_cpu_s / n, 2),
            "database_cpu_ms_per_request": round(1000 * self.database_cpu_s / n, 2),
            "share_with_results": round(self.with_results / n, 3),
        }


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of these processes (from /proc; 0 for those that are gone)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _children(parent: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            pids.append(int(entry.name))
    return pids


def _postgres_backends(database: str) -> list[int]:
    """The PostgreSQL backend processes connected to ``database`` (from their process titles)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres: ") and f" {database} " in title:
            pids.append(int(entry.name))
    return pids


class Probe:
    """CPU time of the gunicorn workers and the database backends between two moments."""

    def __init__(self, master_pid: int, database: str | None) -> None:
        self.master_pid = master_pid
        self.database = database

    def snapshot(self) -> tuple[float, float]:
        workers = _cpu_seconds(_children(self.master_pid))
        backends = _cpu_seconds(_postgres_backends(self.database)) if self.database else 0.0
        return workers, backends


def _client(
    port: int,
    paths: list[str],
    requests: int,
    offset: int,
    deadline: float | None,
    counter: Any,
    start: Any,
    results: Any,
) -> None:
    """One client process: take the next request number, send it, time it, until done."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    latencies = array.array("d")
    errors = size = found = 0
    start.wait()
    while True:
        with counter.get_lock():
            i = counter.value
            counter.value += 1
        if i >= requests or (deadline is not None and time.monotonic() > deadline):
            break
        path = paths[(offset + i) % len(paths)]
        for attempt in range(2):
            started = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
            except (http.client.HTTPException, OSError):
                connection.close()  # the server closed a kept-alive connection: reconnect
                if attempt:
                    errors += 1
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            size += len(body)
            if response.status != 200:
                errors += 1
            elif b"kr-dir-card" in body:
                found += 1
            break
    connection.close()
    results.send((latencies.tobytes(), errors, size, found))
    results.close()


def drive(
    name: str,
    port: int,
    paths: list[str],
    requests: int,
    concurrency: int,
    probe: Probe | None = None,
    deadline: float | None = None,
    offset: int = 0,
) -> PassResult:
    """Send ``requests`` GETs from ``concurrency`` client processes (one keep-alive connection
    each, so the driver is not limited by one interpreter lock), cycling ``paths``."""
    context = multiprocessing.get_context("fork")
    counter = context.Value("q", 0)
    start = context.Event()
    pipes = [context.Pipe(duplex=False) for _ in range(concurrency)]
    clients = [
        context.Process(
            target=_client,
            args=(port, paths, requests, offset, deadline, counter, start, sender),
            daemon=True,
        )
        for _, sender in pipes
    ]
    for client in clients:
        client.start()
    time.sleep(0.2)  # let every client get to the start line
    result = PassResult(name)
    before = probe.snapshot() if probe else (0.0, 0.0)
    started = time.perf_counter()
    start.set()
    for receiver, _ in pipes:
        raw, errors, size, found = receiver.recv()
        latencies = array.array("d")
        latencies.frombytes(raw)
        result.latencies_ms += latencies.tolist()
        result.errors += errors
        result.bytes += size
        result.with_results += found
    result.seconds = time.perf_counter() - started
    for client in clients:
        client.join()
    result.requests = len(result.latencies_ms)
    if probe:
        after = probe.snapshot()
        result.worker_cpu_s = after[0] - before[0]
        result.database_cpu_s = after[1] - before[1]
    return result


# --- Server ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


#: The shared cache of the run (production uses REDIS_URL too); emptied at the start of a run.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/2"


def bench_environment(
    database_url: str, no_jit: bool = False, cache: str = "redis"
) -> dict[str, str]:
    env = dict(os.environ)
    if cache == "redis":
        env.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    else:
        env.pop("REDIS_URL", None)  # each worker its own memory cache
    if no_jit:
        # libpq passes this to every connection: PostgreSQL's JIT compiler off for the run.
        env["PGOPTIONS"] = (env.get("PGOPTIONS", "") + " -c jit=off").strip()
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": database_url,
            "PYTHONPATH": os.pathsep.join(
                [str(ROOT), str(ROOT / "src"), env.get("PYTHONPATH", "")]
            ).rstrip(os.pathsep),
        }
    )
    return env


def start_server(
    port: int, workers: int, worker_class: str, env: dict[str, str], log: Path, threads: int = 1
) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "kansrijk.wsgi:application",
        # As in production (docs/operations.md); BENCH_GUNICORN_CONFIG names another, e.g. one
        # that wraps it to count the garbage collector's time.
        "--config",
        os.environ.get("BENCH_GUNICORN_CONFIG", "python:kansrijk.conf.gunicorn"),
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--threads",
        str(threads),
        "--keep-alive",
        "5",
        "--backlog",
        "256",
        "--log-level",
        "warning",
        "--error-logfile",
        str(log),
        "--chdir",
        str(ROOT),
    ]
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)


def wait_until_up(port: int, process: subprocess.Popen[bytes], timeout: float = 180) -> None:
    """Until gunicorn answers the bare view. A worker's first request sets Django's URLs and
    middleware up: on a machine loaded by other work (load average 13 on 2 CPUs) that took
    longer than the 60 s and 2 s per attempt allowed before."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit {process.returncode}); see the error log")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=15)
            connection.request("GET", "/bench/bare")
            if connection.getresponse().status == 200:
                connection.close()
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /bench/bare in time")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- Inputs and context ------------------------------------------------------------------------


def prepare(
    database_url: str,
    seed: int,
    count: int,
    no_jit: bool,
    cache: str = "redis",
    warm_cards: bool = False,
) -> dict[str, Any]:
    """Set Django up in this process, collect static files, empty the cache, and build the
    search URLs."""
    os.environ.update(bench_environment(database_url, no_jit, cache))
    if cache != "redis":
        os.environ.pop("REDIS_URL", None)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from kansrijk.directory.models import Location, Service, ServiceArea
    from kansrijk.places.models import PostcodeArea

    call_command("collectstatic", interactive=False, verbosity=0)
    from django.core.cache import cache as django_cache

    django_cache.clear()  # every run starts cold: no result card cached
    if warm_cards:
        # What a deployment does after an import (kansrijk warm-search-cache); needs the shared
        # cache: a worker's memory cache is not this process's.
        from kansrijk.directory.search.cards import warm_cards as warm

        started = time.perf_counter()
        rendered = warm(["nl"])
        print(f"warm-search-cache: {rendered} cards in {time.perf_counter() - started:.0f} s")
    services = Service.objects.count()
    if services == 0:
        raise SystemExit("No services: run bench/generate_directory.py first.")
    areas = list(
        PostcodeArea.objects.filter(latitude__isnull=False).values_list("code", "population_2021")
    )
    rng = random.Random(seed)
    codes = rng.choices(
        [code for code, _ in areas], weights=[max(pop or 0, 10) for _, pop in areas], k=count
    )
    needs = rng.choices(NEEDS, k=count)
    paths = []
    for code, need in zip(codes, needs, strict=True):
        query = {"postcode": code, **({"q": need} if need else {})}
        paths.append(f"/sociale-kaart/?{urlencode(query)}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server = f"PostgreSQL {cursor.fetchone()[0]}"
    else:
        import sqlite3

        server = f"SQLite {sqlite3.sqlite_version}"
    connection.close()  # the client processes are forked from here
    return {
        "paths": paths,
        "database": {
            "vendor": connection.vendor,
            "name": str(connection.settings_dict["NAME"]),
            "server": server,
            "services": services,
            "locations": Location.objects.count(),
            "service_areas": ServiceArea.objects.count(),
        },
    }


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        memory_kb = 0
    return {
        "cpu": model,
        "cpus": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


# --- Main ------------------------------------------------------------------------------------------


def table(rows: list[tuple[str, dict[str, Any]]]) -> str:
    header = (
        "| view | concurrency | requests | errors | req/s | p50 ms | p95 ms | p99 ms "
        "| worker CPU ms/req | DB CPU ms/req |"
    )
    lines = [header, "|" + "---|" * 10]
    for label, s in rows:
        lines.append(
            f"| {label} | {s['concurrency']} | {s['requests']} | {s['errors']} | {s['rps']:.0f} "
            f"| {s['p50_ms']:.1f} | {s['p95_ms']:.1f} | {s['p99_ms']:.1f} "
            f"| {s['worker_cpu_ms_per_request']:.1f} | {s['database_cpu_ms_per_request']:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help=f"(default $BENCH_DATABASE_URL or {DEFAULT_DATABASE_URL})",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--requests", type=int, default=2000, help="per view (default 2000)")
    parser.add_argument("--concurrency", type=int, default=4, help="client connections")
    parser.add_argument(
        "--rounds",
        type=int,
        default=10,
        help="alternating rounds per view (short rounds: the speed of a shared machine drifts "
        "from second to second, and both views should see the same drift)",
    )
    parser.add_argument("--warmup", type=int, default=100, help="unmeasured requests per view")
    parser.add_argument(
        "--single-client-requests",
        type=int,
        default=200,
        help="requests per view with one client (latency without queueing; 0 skips)",
    )
    parser.add_argument(
        "--no-jit",
        action="store_true",
        help="switch PostgreSQL's JIT compiler off for the server's connections (PGOPTIONS)",
    )
    parser.add_argument(
        "--cache",
        default="redis",
        choices=["redis", "memory"],
        help="the shared cache: Redis (REDIS_URL, default "
        f"{DEFAULT_REDIS_URL}, emptied first) or each worker's own memory",
    )
    parser.add_argument(
        "--warm-cards",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="render every service's result card into the shared cache first, as "
        "kansrijk warm-search-cache does after a deployment and every few hours (the state of "
        "a running server; default); --no-warm-cards: the cache empty at the start",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--time-limit", type=float, default=900, help="seconds for all passes")
    parser.add_argument("--output", type=Path, default=None, help="JSON file to write")
    args = parser.parse_args(argv)
    if not 1 <= args.requests <= 1_000_000 or not 1 <= args.concurrency <= 64:
        parser.error("--requests 1..1000000 and --concurrency 1..64")

    context = prepare(
        args.database_url,
        args.seed,
        max(500, args.requests),
        args.no_jit,
        args.cache,
        args.warm_cards and args.cache == "redis",
    )
    paths: list[str] = context["paths"]
    database = context["database"]
    RESULTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = RESULTS / "gunicorn-error.log"
    environment = bench_environment(args.database_url, args.no_jit, args.cache)
    server = start_server(port, args.workers, args.worker_class, environment, log)
    load_before = os.getloadavg()
    deadline = time.monotonic() + args.time_limit
    print(
        f"gunicorn pid {server.pid} on {HOST}:{port}, {args.workers} {args.worker_class} workers; "
        f"{database['server']} {database['name']}: {database['services']:,} services"
    )
    try:
        wait_until_up(port, server)
        probe = Probe(server.pid, database["name"] if database["vendor"] == "postgresql" else None)
        bare_paths = ["/bench/bare"]
        drive("warm-up bare", port, bare_paths, args.warmup, args.concurrency)
        drive("warm-up search", port, paths, args.warmup, args.concurrency, offset=len(paths) // 2)

        loaded = {"bare": PassResult("bare"), "search": PassResult("search")}
        per_round = max(1, args.requests // args.rounds)
        for round_number in range(args.rounds):
            for name, view_paths in (("bare", bare_paths), ("search", paths)):
                part = drive(
                    name,
                    port,
                    view_paths,
                    per_round,
                    args.concurrency,
                    probe=probe,
                    deadline=deadline,
                    offset=round_number * per_round,
                )
                loaded[name].merge(part)
                print(f"  round {round_number + 1} {name:<6} {part.summary()['rps']:>7.1f} req/s")
        single: dict[str, PassResult] = {}
        if args.single_client_requests:
            for name, view_paths in (("bare", bare_paths), ("search", paths)):
                single[name] = drive(
                    name,
                    port,
                    view_paths,
                    args.single_client_requests,
                    1,
                    probe=probe,
                    deadline=deadline,
                    offset=len(paths) // 3,
                )
    finally:
        stop_server(server)
    load_after = os.getloadavg()

    summaries: dict[str, Any] = {}
    rows: list[tuple[str, dict[str, Any]]] = []
    for name, result in loaded.items():
        summaries[name] = {**result.summary(), "concurrency": args.concurrency}
        rows.append((name, summaries[name]))
    for name, result in single.items():
        summaries[f"{name}_single_client"] = {**result.summary(), "concurrency": 1}
        rows.append((f"{name} (1 client)", summaries[f"{name}_single_client"]))
    ratio = summaries["search"]["rps"] / summaries["bare"]["rps"] if summaries["bare"]["rps"] else 0
    # What the CPUs could serve if nothing else ran: cores / (server CPU per request). Steadier
    # than req/s when other processes share the machine (it leaves out the kernel and the driver).
    cpus = os.cpu_count() or 1
    capacity = {}
    for name in ("bare", "search"):
        per_request = (
            summaries[name]["worker_cpu_ms_per_request"]
            + summaries[name]["database_cpu_ms_per_request"]
        )
        capacity[name] = round(cpus * 1000 / per_request, 1) if per_request else None
    targets = {
        "search_p95_ms": {"target": TARGET_P95_MS, "measured": summaries["search"]["p95_ms"]},
        "throughput_ratio": {"target": TARGET_RATIO, "measured": round(ratio, 3)},
    }
    targets["search_p95_ms"]["met"] = summaries["search"]["p95_ms"] <= TARGET_P95_MS
    targets["throughput_ratio"]["met"] = ratio >= TARGET_RATIO
    report = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "machine": machine(),
        "database": database,
        "server": {
            "command": "gunicorn kansrijk.wsgi:application (DJANGO_SETTINGS_MODULE=bench.settings)",
            "workers": args.workers,
            "worker_class": args.worker_class,
            "postgresql_jit": "off" if args.no_jit else "server default",
            "cache": args.cache,
            "result_cards": "warmed first" if args.warm_cards else "cold at the start",
        },
        "load_average_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
        "load": {
            "requests_per_view": args.requests,
            "concurrency": args.concurrency,
            "rounds": args.rounds,
            "warmup": args.warmup,
            "distinct_search_urls": len(set(paths)),
            "driver": "python client processes, http.client keep-alive, same host",
        },
        "results": summaries,
        "ratio_search_to_bare": round(ratio, 3),
        "cpu_bound_capacity_rps": capacity,
        "targets": targets,
        "search_url_examples": paths[:5],
    }
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    output = args.output or RESULTS / f"search-{stamp}.json"
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")

    print()
    print(table(rows))
    print()
    print(f"throughput search / bare: {ratio:.1%} (target ≥ {TARGET_RATIO:.0%})")
    if capacity["bare"] and capacity["search"]:
        print(
            f"CPU-bound capacity on {cpus} CPUs: bare {capacity['bare']:.0f} req/s, "
            f"search {capacity['search']:.0f} req/s "
            f"({capacity['search'] / capacity['bare']:.1%})"
        )
    print(f"search p95: {summaries['search']['p95_ms']:.1f} ms (target ≤ {TARGET_P95_MS:.0f} ms)")
    if max(load_before[0], load_after[0]) > 1.5:
        print(
            f"note: load average {load_before[0]:.1f} → {load_after[0]:.1f}: other processes "
            "shared the CPUs; the CPU ms per request are the steadier figures"
        )
    met = all(item["met"] for item in targets.values())
    print(("targets met" if met else "targets MISSED") + f"; JSON: {output}")
    if loaded["search"].errors or loaded["bare"].errors:
        print(f"errors: search {loaded['search'].errors}, bare {loaded['bare'].errors}; see {log}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
