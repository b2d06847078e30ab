"""The demo content loaders, in order. Each app with demo content adds its loader here;
a loader is idempotent and marks what it makes as demo."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.module_loading import import_string

DEMO_LOADERS: list[str] = [
    "kansrijk.accounts.demo.load",
    "kansrijk.situations.services.load_catalogue",
    "kansrijk.directory.demo.load",
    "kansrijk.interventions.services.load_menukaart",
    "kansrijk.pathways.demo.load",
    "kansrijk.signalling.services.load_default_rules",
    "kansrijk.signalling.services.load_default_guide",
    "kansrijk.referrals.demo.load",
    "kansrijk.parents.demo.load",
    "kansrijk.coalitions.demo.load",
    "kansrijk.monitoring.demo.load",
]


def run_demo_loaders(*, through: str | None = None) -> dict[str, Any]:
    """Run the loaders in order, all of them or up to and including the one named ``through``
    (what a later loader builds on is then there, what it adds is not)."""
    loaders = DEMO_LOADERS if through is None else DEMO_LOADERS[: DEMO_LOADERS.index(through) + 1]
    results: dict[str, Any] = {}
    for path in loaders:
        loader: Callable[[], Any] = import_string(path)
        results[path] = loader()
    return results
