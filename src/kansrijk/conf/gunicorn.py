"""gunicorn's settings for Kansrijk: ``gunicorn kansrijk.wsgi -c python:kansrijk.conf.gunicorn``.

Only what the application itself needs of its server; addresses, workers and the PROXY protocol
stay on the command line (``docs/operations.md``).

**The garbage collector.** A worker keeps large, long-lived caches (the search index, result
cards, pathway steps: ~600,000 objects after warm-up in the mixed national run), and Python's
collector walks all of them in every full collection: 0.2 s each, some 28 times in five minutes
per worker, plus ~1,000 middle-generation collections of ~2.6 ms, together ~4 % of a worker's
time (``bench/README.md``, "Mixed national traffic"). Two standard measures:

- once the application is loaded, everything that exists (Django, the URL table, the apps'
  modules) is moved out of the collector's sight (``gc.freeze``): it lives as long as the worker;
- the youngest generation is collected every 10,000 net allocations instead of 700: a request
  frees almost everything it makes by reference counting, and collecting less often means the
  survivors (the caches) are walked less often.
"""

from __future__ import annotations

import gc
from typing import Any

#: Net allocations between collections of the youngest generation (Python's default is 700),
#: then of the middle and the oldest one (its defaults).
GC_THRESHOLDS = (10_000, 10, 10)


def post_worker_init(worker: Any) -> None:
    """After the worker loaded the application: its URL table read, what exists frozen, the
    collector's thresholds set."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every app's URLs and views
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
