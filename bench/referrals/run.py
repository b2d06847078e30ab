"""Load test of the referral pages beside a bare Django view, in one gunicorn run.

Views, all on the same server and workers, as the logged-in bench intake handler with a
verified second factor (the session is made programmatically):

- ``bare``: ``/bench/bare``, the yardstick;
- ``inbox``: ``/verwijzingen/inbox/`` (first page, 50 rows, one access-log insert);
- ``referral``: ``/verwijzingen/<id>/`` over the 20 bench referrals (one access-log insert);
- ``referral-nolog``: the same page with ``record_event`` swapped for a no-op
  (``bench/referrals/urls.py``), to measure what the access log adds.

Views are measured in alternating rounds. Needs ``bench/referrals/generate.py`` first.

    uv run python bench/referrals/run.py
    uv run python bench/referrals/run.py --requests 2000 --concurrency 4
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
TARGET_P95_MS = 100.0
TARGET_LOG_OVERHEAD = 0.10


def _client(port, paths, cookie, requests, counter, start, results):  # type: ignore[no-untyped-def]
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    latencies = array.array("d")
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
            size += len(body)
            if response.status != 200:
                errors += 1
            break
    connection.close()
    results.send((latencies.tobytes(), errors, size))
    results.close()


def drive(
    name: str,
    port: int,
    paths: list[str],
    cookie: str,
    requests: int,
    concurrency: int,
    probe: Probe | None,
) -> PassResult:
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
        raw, errors, size = receiver.recv()
        latencies = array.array("d")
        latencies.frombytes(raw)
        result.latencies_ms += latencies.tolist()
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
    parser.add_argument("--requests", type=int, default=1000, help="per view per round")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=50)
    args = parser.parse_args(argv)
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
        for _ in range(args.rounds):
            for name, paths in views.items():
                totals[name].merge(
                    drive(name, port, paths, cookie, args.requests, args.concurrency, probe)
                )
    finally:
        stop_server(server)
    summary = {name: result.summary() for name, result in totals.items()}
    overhead = summary["referral"]["p50_ms"] / summary["referral-nolog"]["p50_ms"] - 1
    report = {
        "data": {k: data[k] for k in ("scale", "referrals", "access_events")},
        "workers": args.workers,
        "concurrency": args.concurrency,
        "views": summary,
        "access_log_overhead_p50": round(overhead, 3),
        "targets": {
            "p95_ms": TARGET_P95_MS,
            "p95_met": all(summary[v]["p95_ms"] <= TARGET_P95_MS for v in ("inbox", "referral")),
            "log_overhead_max": TARGET_LOG_OVERHEAD,
            "log_overhead_met": overhead <= TARGET_LOG_OVERHEAD,
        },
    }
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"referrals-{stamp}.json").write_text(json.dumps(report, indent=2))
    print(f"{'view':16} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}")
    for name, s in summary.items():
        print(f"{name:16} {s['rps']:>8} {s['p50_ms']:>8} {s['p95_ms']:>8} {s['errors']:>7}")
    print(f"access-log overhead on the median: {overhead:+.1%}")
    print(json.dumps(report["targets"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
