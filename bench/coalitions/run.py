"""Benchmark the coalition's workspace against a bare Django view, in the same run, on the same
gunicorn server (``bench.monitoring.settings``: the pathway benchmark's production-like settings)
and PostgreSQL database (``bench/coalitions/generate.py``: the demo, plus an open Analysetool round
answered by 60 partners and 150 improvement actions in Smallingerland).

    uv run python bench/coalitions/run.py
    uv run python bench/coalitions/run.py --requests 150 --warmup 30 --rounds 3

The coalition's coordinator, with a session made without logging in, asks (in alternating
rounds, view after view, so that the others' load on this shared machine falls on all alike):

- ``bare``: ``/bench/bare`` (the yardstick, through the same middleware);
- ``overview``: the workspace's overview ``/coalities/<id>/``;
- ``results``: the open round's results page (radar, a bar chart and table per part, comments);
- ``results_api``: ``/api/v1/assessment-rounds/<id>/results``;
- ``round``: the round's page with who was invited and who answered;
- ``actions``: the list of improvement actions;
- ``journeys``: the client journeys with their gaps;
- ``journey_edit``: the client journey editor of one phase;
- ``network``: the referral network of the last 12 months.

Each of them writes the access log where it shows people, as in production. Reported per view:
requests/second, p50/p95/p99, errors, the ratio to the bare view's throughput, and CPU per request
of the workers and the database. The issue sets no speed target: the numbers are a baseline.
Written as JSON to ``bench/coalitions/results/``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

import bench.pathways.run as pathways_run  # noqa: E402  (the same load driver)
from bench.pathways.run import (  # noqa: E402
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
    return {
        **_pathways_environment(database_url),
        "DJANGO_SETTINGS_MODULE": "bench.monitoring.settings",
    }


pathways_run.environment = environment


def session_cookie(user_id: int) -> str:
    """A session of the coordinator (no second factor: the role sees no client data)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from kansrijk.accounts.models import User

    user = User.objects.get(pk=user_id)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = next(
        b for b in settings.AUTHENTICATION_BACKENDS if "axes" not in b.lower()
    )
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=300, help="per view, over all rounds")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args(argv)
    data_file = RESULTS / "data.json"
    if not data_file.exists():
        raise SystemExit("Generate the data first: uv run python bench/coalitions/generate.py")
    data = json.loads(data_file.read_text())
    setup_django(data["database_url"])
    collectstatic()
    headers = (("Cookie", session_cookie(data["coordinator_id"])),)
    coalition, round_ = data["coalition_id"], data["round_id"]
    paths = {
        "bare": "/bench/bare",
        "overview": f"/coalities/{coalition}/",
        "results": f"/zelfevaluatie/ronde/{round_}/resultaten/",
        "results_api": f"/api/v1/assessment-rounds/{round_}/results",
        "round": f"/zelfevaluatie/ronde/{round_}/",
        "actions": f"/coalities/{coalition}/acties/",
        "journeys": f"/coalities/{coalition}/klantroutes/",
        "journey_edit": f"/coalities/{coalition}/klantroutes/pregnancy/",
        "network": f"/coalities/{coalition}/netwerk/",
    }
    total = args.warmup + args.requests
    views = {
        name: [Call("GET", path, headers=headers if name != "bare" else ())] * total
        for name, path in paths.items()
    }
    port = free_port()
    load_before = os.getloadavg()
    server = start_server(data["database_url"], port, args.workers)
    try:
        for calls in views.values():
            run_batch(port, calls[: args.warmup], args.concurrency)
        loaded = {name: Result() for name in views}
        cpu = {name: Cpu() for name in views}
        per_round = max(1, args.requests // args.rounds)
        for round_number in range(args.rounds):
            for name, calls in views.items():
                start = args.warmup + round_number * per_round
                batch = calls[start : start + per_round]
                result, app_cpu, db_cpu = measure_cpu(
                    server.pid, lambda batch=batch: run_batch(port, batch, args.concurrency)
                )
                loaded[name].merge(result)
                cpu[name].app += app_cpu
                cpu[name].database += db_cpu
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
            "app_cpu_ms_per_request": round(cpu[name].app / requests * 1000, 2),
            "db_cpu_ms_per_request": round(cpu[name].database / requests * 1000, 2),
        }
    report = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "data": {k: v for k, v in data.items() if k != "database_url"},
        "server": {"workers": args.workers, "concurrency": args.concurrency},
        "views": rows,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    for path in (RESULTS / f"coalitions-{stamp}.json", RESULTS / "latest.json"):
        path.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(
        f"load average before {report['load_average_before']}, after {report['load_average_after']}"
    )
    print(
        f"{'view':13} {'req/s':>8} {'p50':>9} {'p95':>9} {'p99':>9} {'vs bare':>8} "
        f"{'app CPU':>8} {'db CPU':>8} {'errors':>6}"
    )
    for name, row in rows.items():
        print(
            f"{name:13} {row['rps']:8.1f} {row['p50_ms']:7.1f}ms {row['p95_ms']:7.1f}ms "
            f"{row['p99_ms']:7.1f}ms {row['ratio_to_bare']:8.0%} "
            f"{row['app_cpu_ms_per_request']:6.2f}ms {row['db_cpu_ms_per_request']:6.2f}ms "
            f"{row['errors']:6d} {row['statuses'] if row['errors'] else ''}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
