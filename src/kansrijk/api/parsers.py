"""The API's JSON parser: DRF's, with limits on what a request body may cost.

- Size: a body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (Django's limit for request bodies,
  2.5 MB by default) is refused with 413 before it is read to the end. DRF reads the request
  stream itself, so Django's own check on ``request.body`` never runs for the API.
- Depth: JSON nested deeper than ``MAX_DEPTH`` levels is refused with 400. Python's decoder
  recurses per level and fails with a ``RecursionError`` (a 500) somewhere near 1,000 levels,
  and code after it (serializers, hashing the body for idempotency) recurses too; none of our
  request bodies nests more than three levels.
- Syntax: a body that is not JSON (or not UTF-8) is a 400 with a translated message that says
  where it goes wrong.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, status
from rest_framework.settings import api_settings
from rest_framework.utils.json import strict_constant

from kansrijk.core.json_depth import too_deep

MAX_DEPTH = 32


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(
            _("The request body is larger than %(limit)s bytes.") % {"limit": f"{limit:,}"}
        )


def body_limit() -> int | None:
    return getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", None)


class JSONParser(parsers.JSONParser):
    def parse(
        self,
        stream: IO[bytes] | None,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        parser_context = parser_context or {}
        limit = body_limit()
        request = parser_context.get("request")
        if limit is not None and request is not None:
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared > limit:
                raise PayloadTooLarge(limit)
        # Read one byte past the limit (not the whole body) to tell that it is too large.
        raw = stream.read(-1 if limit is None else limit + 1) if stream is not None else b""
        if limit is not None and len(raw) > limit:
            raise PayloadTooLarge(limit)
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.decode(raw, encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise exceptions.ParseError(
                _("The request body is not valid %(encoding)s text.") % {"encoding": encoding}
            ) from exc
        brackets = text.count("[") + text.count("{")
        try:
            data = json.loads(
                text, parse_constant=strict_constant if api_settings.STRICT_JSON else None
            )
        except RecursionError:
            raise exceptions.ParseError(
                _("The JSON in the request body is nested more than %(max)s levels deep.")
                % {"max": MAX_DEPTH}
            ) from None
        except json.JSONDecodeError as exc:
            raise exceptions.ParseError(
                _("The request body is not valid JSON (line %(line)s, column %(column)s).")
                % {"line": exc.lineno, "column": exc.colno}
            ) from None
        except ValueError as exc:  # e.g. NaN, or an integer of more than 4,300 digits
            raise exceptions.ParseError(
                _("The request body is not valid JSON: %(error)s") % {"error": exc}
            ) from None
        if brackets > MAX_DEPTH and too_deep(data, MAX_DEPTH):
            raise exceptions.ParseError(
                _("The JSON in the request body is nested more than %(max)s levels deep.")
                % {"max": MAX_DEPTH}
            )
        return data
