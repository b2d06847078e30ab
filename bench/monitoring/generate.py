"""Fill the monitoring benchmark database: 342 municipalities x 40 indicators x 10 years, and the
regional totals (GGD regions, youth care regions, provinces, the Netherlands) computed from them
as the app does after an import (``kansrijk.monitoring.totals``).

    uv run python bench/monitoring/generate.py             # kansrijk_bench_monitoring
    uv run python bench/monitoring/generate.py --database-url postgres://…/other_bench

The database is created and migrated when missing; its monitoring values are replaced. The 40
indicators are the public catalogue plus generated ones ("bench-01" …), all with numerators and
denominators of realistic size (some small, so that suppression and withheld regions occur).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/kansrijk_bench_monitoring"
INDICATORS = 40
YEARS = range(2015, 2025)


def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    if "bench" not in name:
        raise SystemExit("The benchmark database must have 'bench' in its name.")
    subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-U", "postgres", name], capture_output=True, check=False
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_MONITORING_DATABASE_URL", DEFAULT_DATABASE_URL),
    )
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args(argv)
    ensure_database(args.database_url)
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.pathways.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from kansrijk.monitoring import services, totals
    from kansrijk.monitoring.models import (
        AreaLevel,
        Indicator,
        IndicatorSet,
        IndicatorValue,
        Origin,
        Unit,
    )
    from kansrijk.places.models import Municipality
    from kansrijk.places.services import load_reference_data

    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    load_reference_data()
    services.load_catalogue()
    public = list(Indicator.objects.public().exclude(unit=Unit.DAYS))
    for number in range(1, INDICATORS - len(public) + 1):
        Indicator.objects.update_or_create(
            code=f"bench-{number:02d}",
            defaults={
                "name_nl": f"Benchmarkindicator {number}",
                "definition": "Gegenereerd voor de benchmark.",
                "unit": Unit.PERCENTAGE if number % 3 else Unit.RATE_PER_1000,
                "direction": "lower_is_better",
                "phase": ("preconception", "pregnancy", "postnatal")[number % 3],
                "source": "other",
                "indicator_set": IndicatorSet.OWN,
                "area_levels": list(AreaLevel.values),
                "position": 1000 + number,
            },
        )
    indicators = list(Indicator.objects.public().exclude(unit=Unit.DAYS))[:INDICATORS]
    municipalities = list(Municipality.objects.order_by("code"))
    rng = random.Random(args.seed)
    with transaction.atomic():
        IndicatorValue.objects.all().delete()
        rows = []
        for indicator in indicators:
            rate = rng.uniform(0.02, 0.3)
            for municipality in municipalities:
                base = max(5, (municipality.population_0_4_2021 or 100) // 5)
                for year in YEARS:
                    denominator = max(1, round(base * rng.uniform(0.9, 1.1)))
                    numerator = min(denominator, round(denominator * rate * rng.uniform(0.6, 1.4)))
                    if indicator.unit == Unit.COUNT:
                        rows.append(
                            IndicatorValue(
                                indicator=indicator,
                                area_code=municipality.code,
                                area_level=AreaLevel.MUNICIPALITY,
                                period_start=year,
                                period_end=year,
                                numerator=numerator,
                                value=numerator,
                                origin=Origin.IMPORTED,
                                is_demo=True,
                            )
                        )
                        continue
                    scale = 100.0 if indicator.unit == Unit.PERCENTAGE else 1000.0
                    rows.append(
                        IndicatorValue(
                            indicator=indicator,
                            area_code=municipality.code,
                            area_level=AreaLevel.MUNICIPALITY,
                            period_start=year,
                            period_end=year,
                            numerator=numerator,
                            denominator=denominator,
                            value=numerator / denominator * scale,
                            origin=Origin.IMPORTED,
                            is_demo=True,
                        )
                    )
        IndicatorValue.objects.bulk_create(rows, batch_size=5000)
    print(f"{len(rows):,} municipal values for {len(indicators)} indicators x {len(YEARS)} years")
    written = totals.recompute({(i.pk, y, y) for i in indicators for y in YEARS})
    print(f"{written:,} regional totals computed; {time.monotonic() - started:.0f} s")
    print(
        f"withheld: {IndicatorValue.objects.filter(withheld=True).count():,}; "
        f"values in total: {IndicatorValue.objects.count():,}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
