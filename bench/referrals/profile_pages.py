"""Where do the inbox and a referral page spend their time? In-process, no server.

With ``bench.referrals.settings`` against the bench database of ``generate.py`` (read from
``bench/results/referrals-data.json``), as the bench intake handler with a verified session:
every query of one request (count, SQL time), the wall and CPU time per request over
``--repeat`` requests (median), and with ``--explain`` the ``EXPLAIN (ANALYZE, BUFFERS)`` of
the inbox query and of the referral query; ``--cprofile`` prints the top functions.

    uv run python bench/referrals/profile_pages.py
    uv run python bench/referrals/profile_pages.py --explain
    uv run python bench/referrals/profile_pages.py --cprofile inbox
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--cprofile", choices=["inbox", "referral", "referral-nolog", "bare"])
    args = parser.parse_args(argv)
    data = json.loads((RESULTS / "referrals-data.json").read_text())
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.referrals.settings"
    os.environ["DATABASE_URL"] = data["database_url"]
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.referrals.run import session_cookie

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    cookie = session_cookie(data["intake_user_id"])
    client = Client()
    name, _, value = cookie.partition("=")
    client.cookies[name] = value
    ids = data["referral_ids"]
    views = {
        "bare": ["/bench/bare"],
        "inbox": ["/verwijzingen/inbox/"],
        "referral": [f"/verwijzingen/{i}/" for i in ids],
        "referral-nolog": [f"/bench/nolog/verwijzingen/{i}/" for i in ids],
    }
    if args.cprofile:
        import cProfile
        import pstats

        paths = views[args.cprofile]
        for i in range(10):
            client.get(paths[i % len(paths)])
        profile = cProfile.Profile()
        profile.enable()
        for i in range(args.repeat):
            client.get(paths[i % len(paths)])
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        if os.environ.get("CALLERS"):
            pstats.Stats(profile).sort_stats("cumulative").print_callers(os.environ["CALLERS"])
        if os.environ.get("CALLEES"):
            pstats.Stats(profile).sort_stats("cumulative").print_callees(os.environ["CALLEES"])
        return 0
    print(f"{'view':16} {'wall ms':>8} {'cpu ms':>7} {'sql ms':>7} {'queries':>7} {'bytes':>7}")
    for view, paths in views.items():
        for i in range(5):
            response = client.get(paths[i % len(paths)])
            assert response.status_code == 200, (view, response.status_code)
        walls, cpus = [], []
        for i in range(args.repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            client.get(paths[i % len(paths)])
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(paths[0])
        sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
        print(
            f"{view:16} {statistics.median(walls):>8.1f} {statistics.median(cpus):>7.1f} "
            f"{sql_ms:>7.1f} {len(queries.captured_queries):>7} {len(response.content):>7}"
        )
        if view in ("inbox", "referral") and os.environ.get("SHOW_SQL"):
            for q in queries.captured_queries:
                print(f"    {float(q['time']) * 1000:6.1f} ms  {q['sql'][:150]}")
    if args.explain:
        from kansrijk.accounts.models import User
        from kansrijk.referrals import selectors

        user = User.objects.get(pk=data["intake_user_id"])
        inbox = selectors._list_columns(selectors.inbox_queryset(user))[:26]
        referral = selectors.detail_queryset(user).filter(pk=ids[0])[:1]
        for label, qs in (("inbox", inbox), ("referral", referral)):
            sql, params = qs.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                print(f"\n-- {label}\n" + "\n".join(row[0] for row in cursor.fetchall()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
