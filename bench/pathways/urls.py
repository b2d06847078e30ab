"""The project's URLs plus ``/bench/bare``: a view that returns ``ok`` through the same
middleware, the yardstick for the pathway page and the assessment endpoint."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from kansrijk.urls import handler404, handler500
from kansrijk.urls import urlpatterns as project_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok\n", content_type="text/plain")


urlpatterns = [path("bench/bare", bare, name="bench-bare"), *project_urlpatterns]
