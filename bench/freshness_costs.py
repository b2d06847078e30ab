"""What the freshness mechanism (``kansrijk.core.freshness``) costs a request: the micro-costs
behind docs/adr/0003-one-freshness-mechanism.md.

    uv run python bench/freshness_costs.py

Against a throw-away SQLite file: reading a token within ``TOKEN_SECONDS`` (the normal case on
every request), reading the numbers again from the database (once per ``TOKEN_SECONDS`` per
process), a hit in a ``Kept`` cache, and a template's markup version. Microseconds per call.
"""

from __future__ import annotations

import os
import tempfile
import timeit
from pathlib import Path


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="kansrijk-freshness-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "kansrijk.conf.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'db.sqlite3'}"
    import django

    django.setup()
    from django.core.management import call_command

    from kansrijk.core import freshness

    call_command("migrate", verbosity=0)
    calls = 200_000

    def per_call(function: object, number: int = calls) -> float:
        return timeit.timeit(function, number=number) / number * 1e6  # type: ignore[arg-type]

    freshness.token(["directory"])
    print(
        f"token(), read within TOKEN_SECONDS:   {per_call(lambda: freshness.token(['directory', 'pathways'])):8.2f} µs"
    )

    def read_again() -> None:
        freshness._reading = None  # what TOKEN_SECONDS passing does
        freshness.token(["directory"])

    print(f"token(), numbers read from the database: {per_call(read_again, 2_000):8.1f} µs")
    kept: freshness.Kept[str, int] = freshness.Kept(
        "bench.freshness", kinds=("directory",), seconds=600, size=1_000
    )
    kept.put("key", 1)
    print(f"Kept.get, a hit:                      {per_call(lambda: kept.get('key')):8.2f} µs")
    print(
        "markup_version('directory/_card.html'): "
        f"{per_call(lambda: freshness.markup_version('directory/_card.html')):8.2f} µs"
    )


if __name__ == "__main__":
    main()
