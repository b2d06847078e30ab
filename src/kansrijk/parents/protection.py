"""Abuse protection of the public self-referral form, without third-party services.

- **Rate limits** per address and per network (``django-ratelimit`` on the shared cache; its
  keys are hashes, no address is stored in clear): every POST counts towards
  ``SELF_REFERRAL_POST_RATES`` (bounds the work a flood can cause), every request actually
  sent towards ``SELF_REFERRAL_SENT_RATES`` (bounds what reaches a JGZ inbox). A network is
  the /24 of an IPv4 address or the /48 of an IPv6 address; an IPv6 "address" is its /64
  (``RATELIMIT_IPV6_MASK``), as one household gets one.
- **Size**: a body over ``MAX_BODY_BYTES`` is refused before it is parsed.
- **Honeypot and timing**: ``forms.SelfReferralForm.looks_automated``.

A refusal is written to the access log once per address and window (the first time the limit
is passed), without any of what was sent.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

from kansrijk.audit.models import Action, Outcome
from kansrijk.audit.services import record_event

#: A filled-in form is about 2 KB; ten times that is not a person's request.
MAX_BODY_BYTES = 20_000


def network_key(group: str, request: HttpRequest) -> str:
    """The network of the client address: IPv4 /24, IPv6 /48."""
    address = request.META.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104 (a key, not a bind)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "invalid"
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


@dataclass(frozen=True)
class Limited:
    #: Which limit: ``address`` or ``network``.
    scope: str
    #: The first request over the limit in this window (the one that is logged).
    first: bool


def _check(
    request: HttpRequest, group: str, rates: dict[str, str], *, increment: bool
) -> Limited | None:
    """Count (``increment``) or only look. Counting, the request over the limit is refused;
    looking, a full window refuses the next one."""
    for scope, rate in rates.items():
        key: Any = "ip" if scope == "address" else network_key
        usage = get_usage(
            request, group=f"{group}.{scope}", key=key, rate=rate, increment=increment
        )
        if usage is None:
            continue
        if increment and usage["should_limit"]:
            return Limited(scope=scope, first=usage["count"] == usage["limit"] + 1)
        if not increment and usage["count"] >= usage["limit"]:
            # Count the refusals apart, to log only the first of the window.
            refused = get_usage(
                request, group=f"{group}.{scope}.refused", key=key, rate=rate, increment=True
            )
            return Limited(scope=scope, first=refused is not None and refused["count"] == 1)
    return None


def check_post(request: HttpRequest) -> Limited | None:
    """Count this POST; whether the address or its network sent too many."""
    return _check(
        request, "parents.self_referral.post", settings.SELF_REFERRAL_POST_RATES, increment=True
    )


def check_sent(request: HttpRequest, *, increment: bool) -> Limited | None:
    """Whether the address or its network sent too many requests already (``increment``:
    count one more, after a request was sent)."""
    return _check(
        request,
        "parents.self_referral.sent",
        settings.SELF_REFERRAL_SENT_RATES,
        increment=increment,
    )


def body_too_large(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > MAX_BODY_BYTES


def log_refusal(request: HttpRequest, reason: str) -> None:
    """An access-log record of a refused self-referral: why, from where; nothing sent."""
    record_event(
        request=request,
        user=None,
        event_type=f"referral.self_referral.refused.{reason}",
        action=Action.CREATE,
        outcome=Outcome.DENIED,
        object_type="referral",
        purpose="referral.self_referral",
        role="client",
    )
