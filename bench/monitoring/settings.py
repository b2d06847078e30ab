"""The pathway benchmark's production-like settings (``bench.pathways.settings``), with one
difference: the static files storage leaves ``sourceMappingURL`` comments alone. The vendored
``redoc.standalone.js`` names a source map that is not shipped, and Django's manifest storage
refuses to collect the static files then (reported to the lead; not the monitor's to change)."""

from __future__ import annotations

from bench.pathways.settings import *  # noqa: F403
from bench.pathways.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "bench.monitoring.storage.StaticFilesStorage"},
}
