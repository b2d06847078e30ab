"""Middleware of the whole site.

- ``RequestIdMiddleware``: a request id for every request, given to the access log and returned
  as X-Request-ID.
- ``CommonMiddleware``: Django's, with the slash redirect for reads only.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.middleware.common import CommonMiddleware as DjangoCommonMiddleware

_VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    header = "HTTP_X_REQUEST_ID"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get(self.header, "")
        request_id = incoming if _VALID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class CommonMiddleware(DjangoCommonMiddleware):
    """Django's ``CommonMiddleware``, except that only a read (GET, HEAD) of an address without
    its slash is redirected to the address with it (APPEND_SLASH). A write cannot be redirected:
    Django answered it with a 301 that drops its body, or with ``DEBUG`` on with a RuntimeError
    (a 500). A write to such an address is a 404, as any unknown address is (under ``/api/`` and
    ``/fhir`` answered by ``kansrijk.api.middleware.ApiResponseMiddleware``)."""

    def should_redirect_with_slash(self, request: HttpRequest) -> bool:
        return request.method in ("GET", "HEAD") and super().should_redirect_with_slash(request)
