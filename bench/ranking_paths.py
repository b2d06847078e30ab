"""The three ways of ranking a search, side by side: the per-worker index, the ranking query, the ORM.

    uv run python bench/ranking_paths.py                      # 40 searches, the bench database
    uv run python bench/ranking_paths.py --searches 100 --seed 3

Runs in-process with ``bench.settings`` against the bench database. For random searches (a
postcode weighted by population and a need word, as ``run_search.py`` draws them) it times the
first page of 20 each way:

- index: ``ranking.rank_page`` with the search index on (built once before timing);
- query: ``ranking.rank_page`` with the index off (``ranking._rank_near``, one SQL statement);
- orm: ``ranking.search_services`` (the QuerySet: ``COUNT`` plus the first 20).

and checks that the three give the same services in the same order. Prints the median and the
95th percentile per way in milliseconds (wall time, database included).
``docs/adr/0002-per-worker-search-index.md`` records the outcome.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/kansrijk_bench"
WORDS = ["schulden", "prenataal huisbezoek", "roken", "zwanger", "kraamzorg", "taal", ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--searches", type=int, default=40)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)

    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["DATABASE_URL"] = args.database_url
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    from kansrijk.directory.search import index, ranking
    from kansrijk.places.models import PostcodeArea

    rng = random.Random(args.seed)
    areas = list(PostcodeArea.objects.filter(latitude__isnull=False).select_related("municipality"))
    weights = [max(1, area.population_2021 or 1) for area in areas]
    searches = [
        (rng.choices(areas, weights)[0], rng.choice(WORDS)) for _ in range(max(1, args.searches))
    ]
    index.current_index()  # built once, as a worker does
    times: dict[str, list[float]] = {"index": [], "query": [], "orm": []}

    def timed(name: str, run: Any, *arguments: Any) -> list[Any]:
        started = time.perf_counter()
        ids = run(*arguments)
        times[name].append(time.perf_counter() - started)
        return ids

    def page(text: str | None, area: Any) -> list[Any]:
        return [row.service_id for row in ranking.rank_page(text=text, postcode=area).object_list]

    def orm(text: str | None, area: Any) -> list[Any]:
        queryset = ranking.search_services(text=text, postcode=area, prefetch=False)
        queryset.count()
        return list(queryset.values_list("id", flat=True)[:20])

    for area, words in searches:
        text = words or None
        settings.KANSRIJK_SEARCH_INDEX = True
        by_index = timed("index", page, text, area)
        settings.KANSRIJK_SEARCH_INDEX = False
        by_query = timed("query", page, text, area)
        by_orm = timed("orm", orm, text, area)
        if not by_index == by_query == by_orm:
            print(f"  DIFFERENT order for {area.code} {words!r}")
    print(f"{len(searches)} searches, first page of 20")
    for name, values in times.items():
        values.sort()
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        print(
            f"  {name:6} median {statistics.median(values) * 1000:8.2f} ms"
            f"   p95 {p95 * 1000:8.2f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
