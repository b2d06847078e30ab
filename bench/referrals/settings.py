"""Bench settings for the referral benchmark: ``bench.settings`` plus URLs that serve the
referral page a second time with the access log switched off (``/bench/nolog/...``), so that
both variants run on the same server, workers and database connections."""

from __future__ import annotations

from bench.settings import *  # noqa: F403

ROOT_URLCONF = "bench.referrals.urls"
