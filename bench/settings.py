"""Production-like settings for the benchmarks: DEBUG off, whitenoise with the hashed manifest,
persistent database connections, no debug tooling; plain HTTP on loopback (no SSL redirect, no
HSTS) and the bench URLs (the project plus ``/bench/bare``).

The database comes from ``DATABASE_URL`` as in every environment (e.g.
``postgres://postgres@127.0.0.1:5432/kansrijk_bench``); without it a SQLite file in
``bench/results/``.
"""

from __future__ import annotations

import os
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"

os.environ.setdefault("KANSRIJK_SQLITE_PATH", str(RESULTS_DIR / "bench.sqlite3"))
os.environ.setdefault("STATIC_ROOT", str(RESULTS_DIR / "staticfiles"))

from kansrijk.conf.base import *  # noqa: E402, F403
from kansrijk.conf.base import DATABASES, LOGGING  # noqa: E402

DEBUG = False
SECRET_KEY = "kansrijk-bench-only-not-secret-" + "x" * 40
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.bench_urls"
KANSRIJK_DEMO_MODE = False

# Keep connections open between requests, as a production deployment does.
DATABASES["default"]["CONN_MAX_AGE"] = None if "postgresql" in DATABASES["default"]["ENGINE"] else 0

# Only warnings and errors: logging every request would measure the terminal.
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}
