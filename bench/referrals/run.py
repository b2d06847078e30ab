"""Load test of the referral pages beside a bare Django view, in one gunicorn run.

Views, all on the same server and workers, as the logged-in bench intake handler with a
verified second factor (the session is made programmatically):

- ``bare``: ``/bench/bare``, the yardstick;
- ``inbox``: ``/verwijzingen/inbox/`` (first page, 25 rows, one access-log insert);
- ``referral``: ``/verwijzingen/<id>/`` over the 20 bench referrals (one access-log insert);
- ``referral-nolog``: the same page with ``record_event`` swapped for a no-op
  (``bench/referrals/urls.py``), to measure what the access log adds.

Views are measured in alternating rounds. Needs ``bench/referrals/generate.py`` first.

    uv run python bench/referrals/run.py                  # 5 rounds x 400 requests per view
    uv run python bench/referrals/run.py --requests 1000 --rounds 2 --concurrency 4
"""

from __future__ import annotations

import argparse
import array
import http.client
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from bench.run_search import (  # noqa: E402
    HOST,
    PassResult,
    Probe,
    bench_environment,
    free_port,
    start_server,
    stop_server,
    wait_until_up,
)

RESULTS = ROOT / "bench" / "results"
#: Latencies per view of the passes that request two views alternately (see ``drive``).
SPLITS: dict[str, PassResult] = {}
TARGET_P95_MS = 100.0
TARGET_LOG_OVERHEAD = 0.10


def _client(port, paths, cookie, requests, counter, start, results):  # type: ignore[no-untyped-def]
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    latencies = array.array("d")
    indexes = array.array("q")
    errors = size = 0
    headers = {"Cookie": cookie}
    start.wait()
    while True:
        with counter.get_lock():
            i = counter.value
            counter.value += 1
        if i >= requests:
            break
        path = paths[i % len(paths)]
        for attempt in range(2):
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                body = response.read()
            except (http.client.HTTPException, OSError):
                connection.close()
                if attempt:
                    errors += 1
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            indexes.append(i % len(paths))
            size += len(body)
            if response.status != 200:
                errors += 1
            break
    connection.close()
    results.send((latencies.tobytes(), indexes.tobytes(), errors, size))
    results.close()


def drive(
    name: str,
    port: int,
    paths: list[str],
    cookie: str,
    requests: int,
    concurrency: int,
    probe: Probe | None,
    split: dict[str, Callable[[int], bool]] | None = None,
) -> PassResult:
    """One pass over ``paths``. With ``split`` (name: which path indexes belong to it), the
    latencies are also kept apart by path, in ``SPLITS[name]`` (e.g. two views requested
    alternately in one pass, so that both see the same load)."""
    context = multiprocessing.get_context("fork")
    counter = context.Value("q", 0)
    start = context.Event()
    pipes = [context.Pipe(duplex=False) for _ in range(concurrency)]
    clients = [
        context.Process(
            target=_client,
            args=(port, paths, cookie, requests, counter, start, sender),
            daemon=True,
        )
        for _, sender in pipes
    ]
    for client in clients:
        client.start()
    time.sleep(0.2)
    result = PassResult(name)
    before = probe.snapshot() if probe else (0.0, 0.0)
    started = time.perf_counter()
    start.set()
    for receiver, _ in pipes:
        raw, raw_indexes, errors, size = receiver.recv()
        latencies = array.array("d")
        latencies.frombytes(raw)
        indexes = array.array("q")
        indexes.frombytes(raw_indexes)
        result.latencies_ms += latencies.tolist()
        for part, belongs in (split or {}).items():
            SPLITS.setdefault(part, PassResult(part)).latencies_ms += [
                ms for ms, index in zip(latencies, indexes, strict=True) if belongs(index)
            ]
        result.errors += errors
        result.bytes += size
    result.seconds = time.perf_counter() - started
    for client in clients:
        client.join()
    result.requests = len(result.latencies_ms)
    if probe:
        after = probe.snapshot()
        result.worker_cpu_s, result.database_cpu_s = after[0] - before[0], after[1] - before[1]
    return result


def _even(index: int) -> bool:
    return index % 2 == 0


def _odd(index: int) -> bool:
    return index % 2 == 1


def _uptime() -> str:
    """The load average (1, 5, 15 min): the machine is shared, so say how busy it was."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return ""


def session_cookie(user_id: int) -> str:
    """A verified session for the bench intake handler, made without logging in."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY

    from kansrijk.accounts.models import User

    user = User.objects.get(pk=user_id)
    device = user.totpdevice_set.filter(confirmed=True).first()
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = next(
        b for b in settings.AUTHENTICATION_BACKENDS if "axes" not in b.lower()
    )
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=400, help="per view per round")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="alternating rounds (short rounds: load from others drifts less between views)",
    )
    parser.add_argument("--warmup", type=int, default=50)
    args = parser.parse_args(argv)
    uptime_before = _uptime()
    data = json.loads((RESULTS / "referrals-data.json").read_text())
    env = bench_environment(data["database_url"])
    env["DJANGO_SETTINGS_MODULE"] = "bench.referrals.settings"
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    cookie = session_cookie(data["intake_user_id"])
    ids = data["referral_ids"]
    views = {
        "bare": ["/bench/bare"],
        "inbox": ["/verwijzingen/inbox/"],
        "referral": [f"/verwijzingen/{i}/" for i in ids],
        "referral-nolog": [f"/bench/nolog/verwijzingen/{i}/" for i in ids],
    }
    port = free_port()
    RESULTS.mkdir(parents=True, exist_ok=True)
    server = start_server(port, args.workers, "sync", env, RESULTS / "referrals-gunicorn.log")
    totals = {name: PassResult(name) for name in views}
    try:
        wait_until_up(port, server)
        probe = Probe(server.pid, data["database_url"].rsplit("/", 1)[-1])
        for name, paths in views.items():
            drive(name, port, paths, cookie, args.warmup, args.concurrency, None)
        # The referral page with and without the access log, alternately in one pass.
        mixed = [
            p for pair in zip(views["referral"], views["referral-nolog"], strict=True) for p in pair
        ]
        halves = {"referral (mixed)": _even, "referral-nolog (mixed)": _odd}
        for _ in range(args.rounds):
            for name, paths in views.items():
                totals[name].merge(
                    drive(name, port, paths, cookie, args.requests, args.concurrency, probe)
                )
            drive("mixed", port, mixed, cookie, 2 * args.requests, args.concurrency, None, halves)
    finally:
        stop_server(server)
    summary = {name: result.summary() for name, result in totals.items()}
    mixed_p50 = {name: round(SPLITS[name].percentile(50), 2) for name in halves}
    mixed_p95 = {name: round(SPLITS[name].percentile(95), 2) for name in halves}
    overhead_mixed = mixed_p50["referral (mixed)"] / mixed_p50["referral-nolog (mixed)"] - 1
    overhead = summary["referral"]["p50_ms"] / summary["referral-nolog"]["p50_ms"] - 1

    def cpu(view: str) -> float:
        return float(
            summary[view]["worker_cpu_ms_per_request"]
            + summary[view]["database_cpu_ms_per_request"]
        )

    overhead_cpu = cpu("referral") / cpu("referral-nolog") - 1 if cpu("referral-nolog") else 0.0
    report = {
        "data": {k: data[k] for k in ("scale", "referrals", "access_events")},
        "workers": args.workers,
        "concurrency": args.concurrency,
        "views": summary,
        "access_log_overhead_p50": round(overhead, 3),
        "access_log_overhead_cpu": round(overhead_cpu, 3),
        "mixed_pass": {
            "p50_ms": mixed_p50,
            "p95_ms": mixed_p95,
            "requests": {name: len(SPLITS[name].latencies_ms) for name in halves},
        },
        "access_log_overhead_p50_mixed": round(overhead_mixed, 3),
        "uptime_before": uptime_before,
        "uptime_after": _uptime(),
        "targets": {
            "p95_ms": TARGET_P95_MS,
            "p95_met": all(summary[v]["p95_ms"] <= TARGET_P95_MS for v in ("inbox", "referral")),
            "log_overhead_max": TARGET_LOG_OVERHEAD,
            "log_overhead_met": overhead <= TARGET_LOG_OVERHEAD,
            "log_overhead_mixed_met": overhead_mixed <= TARGET_LOG_OVERHEAD,
        },
    }
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"referrals-{stamp}.json").write_text(json.dumps(report, indent=2))
    print(f"{'view':16} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}")
    for name, s in summary.items():
        print(f"{name:16} {s['rps']:>8} {s['p50_ms']:>8} {s['p95_ms']:>8} {s['errors']:>7}")
    for name in halves:
        print(f"{name:23} {'':>1} p50 {mixed_p50[name]:>8} p95 {mixed_p95[name]:>8}")
    print(
        f"access-log overhead on the median: {overhead:+.1%} (separate passes), "
        f"{overhead_mixed:+.1%} (one pass, requests alternating)"
    )
    print(f"access-log overhead in CPU per request (worker + database): {overhead_cpu:+.1%}")
    print(f"load average before: {uptime_before}; after: {report['uptime_after']}")
    print(json.dumps(report["targets"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
