"""Errors as RFC 9457 problem details (``application/problem+json``), in the user's language."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework import exceptions, serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler

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
        required=False, child=serializers.ListField(child=serializers.CharField())
    )


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
    415: gettext_noop("Unsupported media type"),
    422: gettext_noop("Unprocessable content"),
    428: gettext_noop("Precondition required"),
    429: gettext_noop("Too many requests"),
}


def problem_response(
    status_code: int,
    detail: str,
    *,
    code: str = "",
    errors: dict[str, Any] | list[Any] | None = None,
    instance: str = "",
    headers: dict[str, str] | None = None,
) -> Response:
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
        body["errors"] = errors
    response = Response(
        body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE
    )
    return response


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
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
