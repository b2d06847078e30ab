"""The project URLs, ``/bench/bare`` and ``/bench/nolog/verwijzingen/<id>/``: the referral page
with ``record_event`` swapped for a no-op for that one request (sync workers: one request at a
time per process, so the swap does not leak into other requests)."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import path

from bench.bench_urls import bare
from kansrijk.referrals import selectors, views
from kansrijk.urls import handler404, handler500
from kansrijk.urls import urlpatterns as project_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]


def _no_event(**kwargs: Any) -> None:
    return None


def detail_without_access_log(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    original = selectors.record_event
    selectors.record_event = _no_event  # type: ignore[assignment]
    try:
        return views.detail(request, pk)
    finally:
        selectors.record_event = original


urlpatterns = [
    path("bench/bare", bare, name="bench-bare"),
    path("bench/nolog/verwijzingen/<uuid:pk>/", detail_without_access_log),
    *project_urlpatterns,
]
