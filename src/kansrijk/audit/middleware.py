"""The access log's part of every request: refused attempts are written even when the
transaction they were refused in rolls back, and events recorded without a request (role
grants, from a signal) still name the user, address and request id of the request that
caused them. See ``audit.services.refusals_kept``."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from kansrijk.audit.services import refusals_kept


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with refusals_kept(request):
            return self.get_response(request)
