"""The application's gunicorn settings (``kansrijk.conf.gunicorn``)."""

from __future__ import annotations

import os
import subprocess
import sys

from kansrijk.conf import gunicorn as gunicorn_conf

_AFTER_INIT = """
import gc, json, django
django.setup()
from kansrijk.conf import gunicorn
before = gc.get_threshold()
gunicorn.post_worker_init(None)
from django.urls import get_resolver
print(json.dumps({
    "before": before,
    "after": gc.get_threshold(),
    "frozen": gc.get_freeze_count(),
    "urls": "url_patterns" in get_resolver().__dict__,
}))
"""


def test_a_worker_freezes_what_the_loaded_application_holds_and_collects_less_often():
    """In a process of its own, as a worker: after ``post_worker_init`` the URL table is read,
    what exists is frozen out of the collector's sight and the youngest generation is collected
    every 10,000 allocations instead of Python's 700."""
    import json

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "kansrijk.conf.test")
    result = subprocess.run(
        [sys.executable, "-c", _AFTER_INIT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    state = json.loads(result.stdout.strip().splitlines()[-1])
    assert state["before"][0] == 700
    assert state["after"] == list(gunicorn_conf.GC_THRESHOLDS)
    assert state["frozen"] > 50_000  # Django and the apps' modules, their URLs and views
    assert state["urls"] is True
