"""How the referrals API answers errors: domain errors as problem+json, and the ``If-Match``
precondition (missing → 428, malformed → 400)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.response import Response

from kansrijk.api.problems import error_problem, request_problem
from kansrijk.referrals.api.serializers import ERROR_FIELDS
from kansrijk.referrals.exceptions import (
    ConsentRequired,
    IdempotencyKeyInProgress,
    IdempotencyKeyReused,
    InvalidReferral,
    NotAllowed,
    ReferralError,
    ReferralNotFound,
    StaleVersion,
    TransitionNotAllowed,
)

_STATUS_BY_ERROR: list[tuple[type[ReferralError], int]] = [
    (ReferralNotFound, 404),
    (InvalidReferral, 400),
    (NotAllowed, 403),
    (ConsentRequired, 409),
    (TransitionNotAllowed, 409),
    (StaleVersion, 412),
    (IdempotencyKeyReused, 422),
    (IdempotencyKeyInProgress, 409),
]


def error_response(exc: ReferralError, request: Request) -> Response:
    status = next((code for cls, code in _STATUS_BY_ERROR if isinstance(exc, cls)), 400)
    errors = None
    headers: dict[str, str] = {}
    if isinstance(exc, InvalidReferral):
        errors = {ERROR_FIELDS.get(name, name): m for name, m in exc.message_dict.items()}
    if isinstance(exc, StaleVersion):
        headers["ETag"] = f'"{exc.current_version}"'
    if isinstance(exc, IdempotencyKeyInProgress):
        headers["Retry-After"] = "1"
    response = error_problem(request, status, exc, errors=errors, headers=headers)
    if isinstance(exc, ConsentRequired):
        response.data["missing_categories"] = exc.missing
    return response


def precondition_required(request: Request) -> Response:
    return request_problem(
        request,
        428,
        _(
            "Send the referral's version in an If-Match header (the ETag of its latest GET), so "
            "that no one else's change is overwritten."
        ),
        code="if-match-vereist",
    )


_IF_MATCH = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


class MalformedIfMatch(Exception):
    pass


class PreconditionRequired(Exception):
    pass


def if_match(request: Request) -> int | None:
    """The version in ``If-Match``; ``None`` when absent. ``*`` is not accepted here."""
    raw = request.headers.get("If-Match")
    if raw is None:
        return None
    match = _IF_MATCH.match(raw)
    if not match:
        raise MalformedIfMatch(raw)
    return int(match[1])
