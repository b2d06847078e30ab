"""The project's URLs plus ``/bench/bare``: the cheapest Django view, the yardstick for the
search page (same server, same middleware, same workers)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from kansrijk.urls import handler404, handler500
from kansrijk.urls import urlpatterns as project_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok\n", content_type="text/plain")


urlpatterns = [path("bench/bare", bare, name="bench-bare"), *project_urlpatterns]
