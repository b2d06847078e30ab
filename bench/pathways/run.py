"""Benchmark the pathway page and the assessment endpoint against a bare Django view, in the same
run, on the same gunicorn server and workers (PostgreSQL bench database).

    uv run python bench/pathways/run.py                      # kansrijk_bench_pathways, 2 workers
    uv run python bench/pathways/run.py --requests 1200 --concurrency 4 --workers 2

One gunicorn (``kansrijk.wsgi`` with ``bench.pathways.settings``: DEBUG off, whitenoise,
persistent connections, a 5,000-entry memory cache per worker) on 127.0.0.1 serves

- ``bare``: ``/bench/bare``, a view returning ``ok`` through the same middleware;
- ``pathway``: the pathway page ``/zorgpaden/<municipality>/<situation>/<phase>/`` in a realistic
  mix (municipalities weighted by their number of children aged 0-4, common situations such as
  money worries more often, pregnancy most): own pathways, regional and national defaults alike;
- ``pathway_hot``: the 50 most asked-for pathway pages (the 10 biggest municipalities x the 5
  most common situations, pregnancy), cached after the warm-up: popular pages in steady state;
- ``pathway_cold``: the pathway page uniformly at random over all 342 municipalities x every
  situation x phase: nearly every page a cache miss (its steps queried and rendered);
- ``assessment``: ``POST /api/v1/signalling/assessments`` (the signalling module) with 1-4 risk
  factors and 0-2 protective factors for a municipality and phase in the realistic mix; it
  looks up the pathways of the ticked situations (``municipality_pathways``). When the endpoint is
  not there the runner polls it for ``--wait-assessment`` seconds, then leaves it out.

The load driver (client processes with an ``http.client`` connection each; gunicorn's sync workers
close it after every response, for the bare view too) sends ``--requests`` per view at
``--concurrency``, in alternating rounds (bare, pathway, ..., bare, ...) after a warm-up of
``--warmup`` calls per view drawn from the same mix (default 1,000: a server that has been up a
while), so that drift hits all alike; a second pass with one client gives the latency without
queueing. Reported per view: requests/second, p50/p95/p99, errors, the CPU the gunicorn workers
and the database backends spent per request (from ``/proc``, so it holds up when other work
shares the machine), and the targets: p95 ≤ 50 ms and throughput ≥ 50 % of the bare view's.
Written as a table and as JSON to ``bench/pathways/results/``.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import multiprocessing
import os
import platform
import random
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent.parent
HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/kansrijk_bench_pathways"
HOST = "127.0.0.1"
TARGET_P95_MS = 50.0
TARGET_RATIO = 0.50
ASSESSMENT_PATH = "/api/v1/signalling/assessments"


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: bytes | None = None
    #: Extra request headers, e.g. a session cookie (``(("Cookie", "sessionid=…"),)``).
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class Result:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    def merge(self, other: Result) -> None:
        self.requests += other.requests
        self.errors += other.errors
        self.seconds += other.seconds
        self.latencies_ms += other.latencies_ms
        for status, count in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + count

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]

    def summary(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "errors": self.errors,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "seconds": round(self.seconds, 3),
            "rps": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(self.percentile(50), 2),
            "p95_ms": round(self.percentile(95), 2),
            "p99_ms": round(self.percentile(99), 2),
            "max_ms": round(max(self.latencies_ms, default=0.0), 2),
        }


def _client(port: int, calls: list[Call], queue: Any) -> None:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    result = Result()
    headers = {"Accept-Language": "nl", "Connection": "keep-alive"}
    for call in calls:
        started = time.perf_counter()
        try:
            request_headers = {**headers, **dict(call.headers)}
            if call.body is not None:
                request_headers["Content-Type"] = "application/json"
            connection.request(call.method, call.path, body=call.body, headers=request_headers)
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection(HOST, port, timeout=30)
            status = 0
        elapsed = (time.perf_counter() - started) * 1000
        result.requests += 1
        result.latencies_ms.append(elapsed)
        result.statuses[status] = result.statuses.get(status, 0) + 1
        if status != 200:
            result.errors += 1
    connection.close()
    queue.put(result)


def run_batch(port: int, calls: list[Call], concurrency: int) -> Result:
    """Send ``calls`` split over ``concurrency`` client processes; wall-clock seconds in ``seconds``."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    shares = [calls[i::concurrency] for i in range(concurrency)]
    processes = [
        context.Process(target=_client, args=(port, share, queue)) for share in shares if share
    ]
    started = time.perf_counter()
    for process in processes:
        process.start()
    total = Result()
    for _ in processes:
        total.merge(queue.get())
    for process in processes:
        process.join()
    total.seconds = time.perf_counter() - started
    return total


# --- CPU accounting --------------------------------------------------------------------------------

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_of(pid: int) -> float:
    """User + system CPU seconds of a process (Linux ``/proc``); 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def worker_pids(server_pid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == server_pid:
            pids.append(int(entry))
    return pids


def database_pids() -> list[int]:
    """The PostgreSQL backends of the benchmark database other than the runner's own."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


@dataclass
class Cpu:
    """CPU seconds the gunicorn workers and the database backends spent on a view."""

    app: float = 0.0
    database: float = 0.0


def measure_cpu(server_pid: int, batch: Any) -> tuple[Result, float, float]:
    """Run ``batch()`` and return its result with the workers' and backends' CPU seconds."""
    workers = [server_pid, *worker_pids(server_pid)]
    backends = database_pids()
    app_before = sum(_cpu_of(pid) for pid in workers)
    db_before = {pid: _cpu_of(pid) for pid in backends}
    result = batch()
    app = sum(_cpu_of(pid) for pid in workers) - app_before
    after = database_pids()
    database = sum(_cpu_of(pid) - db_before.get(pid, 0.0) for pid in after)
    return result, app, database


# --- Server and data -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def environment(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "bench.pathways.settings",
            "PYTHONPATH": os.pathsep.join(
                [str(ROOT), str(ROOT / "src"), env.get("PYTHONPATH", "")]
            ),
        }
    )
    return env


def setup_django(database_url: str) -> None:
    os.environ.update(environment(database_url))
    for path in (str(ROOT), str(ROOT / "src")):
        if path not in sys.path:
            sys.path.insert(0, path)
    import django

    django.setup()


def collectstatic() -> None:
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def start_server(database_url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    log = (RESULTS / "gunicorn-error.log").open("ab")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "kansrijk.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=environment(database_url),
        stdout=log,
        stderr=log,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit {process.returncode}); see {log.name}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/bench/bare")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not answer /bench/bare in time")


#: How often professionals meet each situation, roughly (prevalence in the seeds: money worries,
#: psychological problems and stress are common; most others are rarer). Unlisted: 2.
SITUATION_WEIGHTS = {
    "geldzorgen": 10,
    "psychische-problemen": 9,
    "stress": 8,
    "roken": 7,
    "huisvesting": 5,
    "relatieproblemen": 5,
    "taalbarriere": 5,
    "weinig-netwerk": 4,
    "huiselijk-geweld": 4,
    "alleenstaand-ouderschap": 4,
    "laaggeletterdheid": 4,
    "opvoedvragen": 4,
}
PHASE_WEIGHTS = {"preconception": 1, "pregnancy": 6, "postnatal": 3}


def targets(rng: random.Random, count: int) -> dict[str, list[Call]]:
    """``count`` calls for each of: the pathway page in a realistic mix (municipalities weighted by
    their number of young children, common situations more often, pregnancy most); the 50 most
    asked-for pathway pages (cached after the warm-up: the steady state of popular pages); the
    pathway page uniformly at random over every municipality x situation x phase (nearly every
    request a cache miss: the worst case); and the assessment endpoint in the realistic mix."""
    from kansrijk.places.models import Municipality
    from kansrijk.situations.models import FactorKind, Situation

    municipalities = list(Municipality.objects.values_list("code", "population_0_4_2021"))
    codes = [code for code, _ in municipalities]
    weights = [max(1, children or 1) for _, children in municipalities]
    risks = list(Situation.objects.filter(kind=FactorKind.RISK, is_active=True))
    risk_weights = [SITUATION_WEIGHTS.get(s.code, 2) for s in risks]
    protective = list(
        Situation.objects.filter(kind=FactorKind.PROTECTIVE, is_active=True).values_list(
            "code", flat=True
        )
    )

    def phase_for(situation: Any) -> str:
        phases = situation.phases
        return rng.choices(phases, [PHASE_WEIGHTS[p] for p in phases])[0]

    calls: dict[str, list[Call]] = {
        "pathway": [],
        "pathway_hot": [],
        "pathway_cold": [],
        "assessment": [],
    }
    # The most asked-for pages: the 10 biggest municipalities x the 5 most common situations,
    # in pregnancy. After the warm-up every worker has them cached.
    biggest = [code for code, _ in sorted(municipalities, key=lambda m: -(m[1] or 0))[:10]]
    common = sorted(risks, key=lambda s: -SITUATION_WEIGHTS.get(s.code, 2))[:5]
    popular = [
        f"/zorgpaden/{code}/{s.code}/pregnancy/"
        for code in biggest
        for s in common
        if "pregnancy" in s.phases
    ]
    for _ in range(count):
        calls["pathway_hot"].append(Call("GET", rng.choice(popular)))
        situation = rng.choices(risks, risk_weights)[0]
        municipality = rng.choices(codes, weights)[0]
        calls["pathway"].append(
            Call("GET", f"/zorgpaden/{municipality}/{situation.code}/{phase_for(situation)}/")
        )
        situation = rng.choice(risks)
        calls["pathway_cold"].append(
            Call(
                "GET",
                f"/zorgpaden/{rng.choice(codes)}/{situation.code}/{rng.choice(situation.phases)}/",
            )
        )
        phase = rng.choices(list(PHASE_WEIGHTS), list(PHASE_WEIGHTS.values()))[0]
        ticked = {
            s.code
            for s in rng.choices(risks, risk_weights, k=rng.randint(1, 4))
            if phase in s.phases
        }
        factors = sorted(ticked) + (rng.sample(protective, rng.randint(0, 2)) if protective else [])
        body = json.dumps(
            {"factors": factors, "phase": phase, "municipality": rng.choices(codes, weights)[0]}
        ).encode()
        calls["assessment"].append(Call("POST", ASSESSMENT_PATH, body))
    return calls


def assessment_available(port: int, sample: Call, wait: float) -> bool:
    deadline = time.time() + wait
    while True:
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=10)
            connection.request(
                "POST", sample.path, body=sample.body, headers={"Content-Type": "application/json"}
            )
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                return True
            print(f"  assessment endpoint answers {response.status}")
        except OSError as error:
            print(f"  assessment endpoint: {error}")
        if time.time() >= deadline:
            return False
        time.sleep(min(30.0, max(1.0, deadline - time.time())))


def counts() -> dict[str, int]:
    from kansrijk.directory.models import Service
    from kansrijk.pathways.models import Pathway, PathwayStep, PathwayVersion

    return {
        "services": Service.objects.count(),
        "pathways": Pathway.objects.count(),
        "versions": PathwayVersion.objects.count(),
        "steps": PathwayStep.objects.count(),
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_PATHWAYS_DATABASE_URL", DEFAULT_DATABASE_URL),
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=1200, help="per view, over all rounds")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--warmup",
        type=int,
        default=1000,
        help="requests per view before measuring, drawn from the same mix as the measured ones "
        "(a server that has been up a while: its workers have seen the common municipalities)",
    )
    parser.add_argument("--single", type=int, default=300, help="requests per view with one client")
    parser.add_argument(
        "--wait-assessment", type=float, default=0.0, help="seconds to poll for the endpoint"
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    setup_django(args.database_url)
    data = counts()
    if data["pathways"] < 1000:
        raise SystemExit("Generate the data first: uv run python bench/pathways/generate.py")
    collectstatic()
    rng = random.Random(args.seed)
    total = args.warmup + args.requests + args.single
    calls = targets(rng, total)
    port = free_port()
    load_before = os.getloadavg()
    server = start_server(args.database_url, port, args.workers)
    views: dict[str, list[Call]] = {
        "bare": [Call("GET", "/bench/bare")] * total,
        "pathway": calls["pathway"],
        "pathway_hot": calls["pathway_hot"],
        "pathway_cold": calls["pathway_cold"],
    }
    try:
        if assessment_available(port, calls["assessment"][0], args.wait_assessment):
            views["assessment"] = calls["assessment"]
        else:
            print("  the assessment endpoint is not available: left out")
        # Warm-up, from the same mix as what is measured: every worker imports, compiles
        # templates, opens its connection and sees the common municipalities and pages, as a
        # server that has been up for a while has. The measured calls come after these.
        for warmup_calls in views.values():
            run_batch(port, warmup_calls[: args.warmup], args.concurrency)
        loaded = {name: Result() for name in views}
        cpu = {name: Cpu() for name in views}
        per_round = max(1, args.requests // args.rounds)
        for round_number in range(args.rounds):
            for name, view_calls in views.items():
                start = args.warmup + round_number * per_round
                batch_calls = view_calls[start : start + per_round]
                result, app_cpu, db_cpu = measure_cpu(
                    server.pid,
                    lambda batch_calls=batch_calls: run_batch(port, batch_calls, args.concurrency),
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
    report: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "kernel": platform.release(),
        },
        "database": {"url": urlsplit(args.database_url)._replace(netloc="").geturl(), **data},
        "server": {
            "workers": args.workers,
            "worker_class": "sync",
            "settings": "bench.pathways.settings",
        },
        "load": {
            "requests_per_view": args.requests,
            "concurrency": args.concurrency,
            "rounds": args.rounds,
            "warmup": args.warmup,
            "single_client_requests": args.single,
        },
        "load_average_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
        "results": {},
        "targets": {"p95_ms": TARGET_P95_MS, "throughput_vs_bare": TARGET_RATIO},
    }
    print(
        f"\n{'view':<11} {'rps':>8} {'p50':>8} {'p95':>8} {'p99':>8} {'1-client p50':>13} {'p95':>8} {'errors':>7} {'vs bare':>8} {'app CPU':>8} {'db CPU':>7}"
    )
    for name in views:
        summary = loaded[name].summary()
        alone = single[name].summary()
        ratio = summary["rps"] / bare_rps
        requests_done = max(1, loaded[name].requests)
        app_ms = cpu[name].app * 1000 / requests_done
        db_ms = cpu[name].database * 1000 / requests_done
        report["results"][name] = {
            "concurrent": summary,
            "single_client": alone,
            "throughput_vs_bare": round(ratio, 3),
            "cpu_ms_per_request": {"app": round(app_ms, 2), "database": round(db_ms, 2)},
        }
        print(
            f"{name:<13} {summary['rps']:>8.1f} {summary['p50_ms']:>7.1f}ms {summary['p95_ms']:>7.1f}ms "
            f"{summary['p99_ms']:>7.1f}ms {alone['p50_ms']:>12.1f}ms {alone['p95_ms']:>7.1f}ms "
            f"{summary['errors'] + alone['errors']:>7} {ratio:>7.0%} {app_ms:>6.2f}ms {db_ms:>5.2f}ms"
        )
    verdicts = {}
    for name in views:
        if name == "bare":
            continue
        entry = report["results"][name]
        verdicts[name] = {
            "p95_single_client_ok": entry["single_client"]["p95_ms"] <= TARGET_P95_MS,
            "p95_concurrent_ok": entry["concurrent"]["p95_ms"] <= TARGET_P95_MS,
            "throughput_ok": entry["throughput_vs_bare"] >= TARGET_RATIO,
        }
    report["verdicts"] = verdicts
    print("\nTargets: p95 <= 50 ms, throughput >= 50 % of bare:", json.dumps(verdicts))
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    text = json.dumps(report, indent=2)
    (RESULTS / f"pathways-{stamp}.json").write_text(text)
    (RESULTS / "latest.json").write_text(text)
    print(f"Written to {RESULTS.relative_to(ROOT)}/pathways-{stamp}.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
