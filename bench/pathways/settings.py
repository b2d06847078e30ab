"""Production-like settings for the pathway benchmark: DEBUG off, whitenoise with the hashed
manifest, persistent database connections, plain HTTP on loopback, and ``/bench/bare`` (the
cheapest Django view, through the same middleware) next to the project's URLs.

The database comes from ``DATABASE_URL`` (the runner sets it, by default
``postgres://postgres@127.0.0.1:5432/kansrijk_bench_pathways``).
"""

from __future__ import annotations

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS_DIR = HERE / "results"

os.environ.setdefault("STATIC_ROOT", str(RESULTS_DIR / "staticfiles"))

from kansrijk.conf.base import *  # noqa: E402, F403
from kansrijk.conf.base import DATABASES, LOGGING  # noqa: E402

DEBUG = False
SECRET_KEY = "kansrijk-pathways-bench-only-not-secret-" + "x" * 30
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.pathways.urls"
KANSRIJK_DEMO_MODE = False

# Keep connections open between requests, as a production deployment does.
if "postgresql" in DATABASES["default"]["ENGINE"]:
    DATABASES["default"]["CONN_MAX_AGE"] = None

# Only warnings and errors: logging every request would measure the terminal.
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}

# A cache of realistic size. The default (no REDIS_URL) is Django's per-process memory cache,
# which keeps only 300 entries: far too few for 20,000 pathway pages, so popular pages would be
# pushed out by rare ones. Production should set REDIS_URL (one cache for all workers).
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):  # noqa: F405
    CACHES["default"]["OPTIONS"] = {"MAX_ENTRIES": 5000, "CULL_FREQUENCY": 4}  # noqa: F405
