"""Errors as RFC 9457 problem details (``application/problem+json``), in the user's language.

A problem has ``type``, ``title``, ``status`` and ``detail``; beside them, where they apply,
``code`` (a stable, machine-readable name of the problem, also the last part of ``type``),
``instance`` (the path that was asked for) and ``errors``: what is wrong per field, as one flat
object of field paths (``client.birth_date``, ``situations.2``; ``non_field_errors`` for the
body as a whole) to lists of messages. ``docs/api.md`` describes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from kansrijk.api.parsers import PayloadTooLarge, body_limit
from kansrijk.core.errors import DomainError

PROBLEM_CONTENT_TYPE = "application/problem+json"


class ProblemSerializer(serializers.Serializer[Any]):
    """RFC 9457 problem details, as produced by ``kansrijk.api.problems``."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField(required=False)
    instance = serializers.CharField(required=False)
    errors = serializers.DictField(  # type: ignore[assignment]
        required=False,
        child=serializers.ListField(child=serializers.CharField()),
        help_text="What is wrong per field: field path (e.g. client.birth_date) → messages.",
    )
    missing_categories = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Referrals, code toestemming-vereist: the data categories the consent lacks.",
    )


#: The OpenAPI description of an error response.
PROBLEM_RESPONSE = OpenApiResponse(ProblemSerializer, description="Problem details (problem+json).")


def with_problems(
    responses: dict[Any, Any], *statuses: int, descriptions: Mapping[int, str] | None = None
) -> dict[Any, Any]:
    """An operation's OpenAPI ``responses`` (``extend_schema``): ``responses`` (its successes)
    and, for each of ``statuses``, problem details as ``application/problem+json``, described
    as ``descriptions`` says for that status (else as ``PROBLEM_RESPONSE``)."""
    described = descriptions or {}
    return {
        **responses,
        **{
            (status, PROBLEM_CONTENT_TYPE): (
                OpenApiResponse(ProblemSerializer, description=described[status])
                if status in described
                else PROBLEM_RESPONSE
            )
            for status in statuses
        },
    }


class ProblemJSONRenderer(JSONRenderer):
    media_type = PROBLEM_CONTENT_TYPE
    format = "problem+json"


# Titles are marked for translation here and translated when a problem is built.
_TITLES = {
    400: gettext_noop("Bad request"),
    401: gettext_noop("Not logged in"),
    403: gettext_noop("Forbidden"),
    404: gettext_noop("Not found"),
    405: gettext_noop("Method not allowed"),
    406: gettext_noop("Not acceptable"),
    409: gettext_noop("Conflict"),
    412: gettext_noop("Precondition failed"),
    413: gettext_noop("Content too large"),
    415: gettext_noop("Unsupported media type"),
    422: gettext_noop("Unprocessable content"),
    428: gettext_noop("Precondition required"),
    429: gettext_noop("Too many requests"),
    500: gettext_noop("Internal server error"),
    503: gettext_noop("Service unavailable"),
}


def problem_body(
    status_code: int,
    detail: str,
    *,
    code: str = "",
    errors: dict[str, Any] | list[Any] | None = None,
    instance: str = "",
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"https://kansrijk.nl/problemen/{code}" if code else "about:blank",
        "title": _(_TITLES.get(status_code, gettext_noop("Error"))),
        "status": status_code,
        "detail": detail,
    }
    if code:
        body["code"] = code
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = flat_errors(errors)
    return body


def flat_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested validation errors as one object of field paths to messages."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            flat.update(flat_errors(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        flat = {}
        for index, item in enumerate(detail):  # per-item errors of a list of objects
            if item:
                flat.update(flat_errors(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    messages = detail if isinstance(detail, list) else [detail]
    return {prefix or api_settings.NON_FIELD_ERRORS_KEY: [str(m) for m in messages]}


def problem_response(
    status_code: int,
    detail: str,
    *,
    code: str = "",
    errors: dict[str, Any] | list[Any] | None = None,
    instance: str = "",
    headers: dict[str, str] | None = None,
) -> Response:
    body = problem_body(status_code, detail, code=code, errors=errors, instance=instance)
    response = Response(
        body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE
    )
    return response


def request_problem(
    request: Request,
    status_code: int,
    detail: str,
    *,
    code: str = "",
    errors: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The problem ``status_code`` of ``request``: its path is the problem's ``instance``."""
    return problem_response(
        status_code,
        detail,
        code=code,
        errors=errors,
        instance=request.get_full_path(),
        headers=headers,
    )


def error_problem(
    request: Request,
    status_code: int,
    error: DomainError,
    *,
    errors: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A domain error (its message and ``code``) as the problem of ``request``."""
    return request_problem(
        request, status_code, str(error), code=error.code, errors=errors, headers=headers
    )


def field_problem(
    request: Request, field: str, detail: str, *, code: str = "ongeldige-invoer"
) -> Response:
    """A 400 problem of ``request`` for one bad value: ``detail`` is also the message of
    ``field``."""
    return request_problem(request, 400, detail, code=code, errors={field: [detail]})


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(body_limit() or 0)
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError(_("The request could not be read."))
    response = exception_handler(exc, context)
    if response is None:
        return None
    request = context.get("request")
    instance = request.get_full_path() if request is not None else ""
    errors = None
    if isinstance(exc, exceptions.ValidationError):
        detail = _("The input is not valid. See 'errors' for what is wrong per field.")
        errors = response.data if isinstance(response.data, dict | list) else None
        code = "ongeldige-invoer"
    else:
        data = response.data
        detail = str(data.get("detail", "")) if isinstance(data, dict) else str(data)
        code = getattr(exc, "default_code", "") or ""
    headers = {
        k: v
        for k, v in response.items()
        if k.lower() in {"www-authenticate", "allow", "retry-after"}
    }
    problem = problem_response(
        response.status_code or status.HTTP_400_BAD_REQUEST,
        detail,
        code=str(code).replace("_", "-"),
        errors=errors,
        instance=instance,
        headers=headers,
    )
    # The negotiated renderer would otherwise overwrite the problem+json content type.
    problem.accepted_renderer = ProblemJSONRenderer()
    problem.accepted_media_type = PROBLEM_CONTENT_TYPE
    problem.renderer_context = context  # type: ignore[attr-defined]
    return problem
