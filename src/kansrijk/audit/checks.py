"""System checks of the access log's retention (``kansrijk check``; every management command,
``kansrijk purge-audit`` included, runs them first)."""

from __future__ import annotations

from typing import Any

from django.core import checks

from kansrijk.audit.retention import MINIMUM_DAYS, RetentionBelowMinimum, current_policy


@checks.register(checks.Tags.security)
def retention_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    policy = current_policy()
    try:
        policy.check()
    except RetentionBelowMinimum as exc:
        return [checks.Error(str(exc), id="kansrijk.audit.E001")]
    if policy.overridden:
        return [
            checks.Warning(
                f"The access log is kept {policy.days} days, below the legal minimum of "
                f"{MINIMUM_DAYS} (override: {policy.override_reason!r}). Each purge records "
                "the override in the access log.",
                id="kansrijk.audit.W001",
            )
        ]
    return []
