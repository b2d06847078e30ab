"""What every response under ``/api/`` and ``/fhir/`` promises, whichever code produced it.

- Errors are never HTML: an error that did not come from the API's own exception handlers (an
  unrouted path, a method Django refused, a body Django refused, a crash: Django renders those
  as pages, or as debug pages with ``DEBUG`` on) is answered as problem details
  (``application/problem+json``) under ``/api/`` and as a FHIR ``OperationOutcome`` under
  ``/fhir/``. A crash is still logged by Django (``django.request``) first.
- ``API-Version``: every response of the Kansrijk API and of the HSDA API says which full
  version answered (NLGov API Design Rule /core/version-header).
- Client data is never cached: every FHIR response, every response to a signed-in user and
  every response to a write (whose body may describe a person, like the signalling
  assessment's factors) is marked ``no-store`` (with Django's ``never_cache`` headers, as the
  pages are). Only anonymous reads of the public catalogues stay cacheable.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kansrijk.api.problems import PROBLEM_CONTENT_TYPE, problem_body
from kansrijk.api.schema import API_VERSION_HEADER, api_version_for
from kansrijk.referrals.fhir import FHIR_CONTENT_TYPE, error_outcome

API_PREFIX = "/api/"
FHIR_PREFIX = "/fhir/"

#: What an error that reached Django's own handling means, per status.
_DETAILS = {
    400: ("bad-request", gettext_noop("The request could not be read.")),
    403: ("forbidden", gettext_noop("You have no access to this.")),
    404: (
        "not-found",
        gettext_noop("There is nothing at this address. The API documentation lists the paths."),
    ),
    405: ("method-not-allowed", gettext_noop("This method is not allowed here.")),
    413: ("payload-too-large", gettext_noop("The request body is too large.")),
    500: (
        "server-error",
        gettext_noop(
            "Something went wrong on our side. It has been logged; please try again later."
        ),
    ),
}
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def api_kind(path: str) -> str:
    """``"fhir"``, ``"api"`` or ``""`` for a path outside both."""
    if path.startswith(FHIR_PREFIX) or path == FHIR_PREFIX.rstrip("/"):
        return "fhir"
    if path.startswith(API_PREFIX) or path == API_PREFIX.rstrip("/"):
        return "api"
    return ""


def error_response(
    request: HttpRequest, status: int, detail: str, *, code: str = ""
) -> HttpResponse:
    """An error as the API at this path answers it: an OperationOutcome under ``/fhir/``,
    problem details elsewhere."""
    if api_kind(request.path) == "fhir":
        body = error_outcome(status, detail)
        content_type = FHIR_CONTENT_TYPE
    else:
        body = problem_body(status, detail, code=code, instance=request.get_full_path())
        content_type = PROBLEM_CONTENT_TYPE
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=content_type
    )


def may_hold_client_data(request: HttpRequest, kind: str) -> bool:
    """FHIR, a write, or a request in a signed-in session. The session, not ``request.user``:
    DRF sets the latter to anonymous on views that authenticate no one."""
    session = getattr(request, "session", None)
    return (
        kind == "fhir"
        or request.method not in ("GET", "HEAD", "OPTIONS")
        or bool(session is not None and session.get(SESSION_KEY))
    )


def _is_answered(kind: str, response: HttpResponse) -> bool:
    content_type = response.get("Content-Type", "").split(";")[0].strip()
    return content_type == (FHIR_CONTENT_TYPE if kind == "fhir" else PROBLEM_CONTENT_TYPE)


class ApiResponseMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        kind = api_kind(request.path)
        if not kind:
            return response
        if response.status_code >= 400 and not _is_answered(kind, response):
            response = self.error(request, response)
        version = api_version_for(request.path)
        if version:
            response[API_VERSION_HEADER] = version
        if may_hold_client_data(request, kind):
            add_never_cache_headers(response)
        return response

    def error(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        status = response.status_code
        code, detail = _DETAILS.get(status, _DETAILS[500] if status >= 500 else _DETAILS[400])
        answer = error_response(request, status, _(detail), code=code)
        for header in _KEPT_HEADERS:
            if header in response:
                answer[header] = response[header]
        return answer
