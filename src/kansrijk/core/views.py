from __future__ import annotations

import logging

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kansrijk.core.start import start_sections_for

logger = logging.getLogger(__name__)


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """The start page: for a signed-in user one section per role, else the public start."""
    return render(request, "core/start.html", {"sections": start_sections_for(request)})


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health check: database unavailable")
        return JsonResponse({"status": "error", "checks": {"database": "unavailable"}}, status=503)
    return JsonResponse({"status": "ok", "checks": {"database": "ok"}})


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
