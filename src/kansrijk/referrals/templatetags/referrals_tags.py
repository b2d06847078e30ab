"""Template helpers of the referral pages: the "Refer" link for other modules' pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from kansrijk.referrals.models import referral_scope

register = template.Library()


@register.simple_tag(takes_context=True)
def refer_url(
    context: Any,
    service: Any,
    *,
    pathway: Any = "",
    step: Any = "",
    phase: str = "",
    situations: Any = "",
    signalling: Any = "",
    source: str = "",
) -> str:
    """The URL to start a referral to ``service``, or "" when the user cannot refer (not a
    professional) or the service does not take referrals through Kansrijk. Only ids and codes
    go into the URL."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if service is None or user is None or not referral_scope(user).sender_org_ids:
        return ""
    organization = getattr(service, "organization", None)
    if organization is None or getattr(organization, "account_organisation_id", None) is None:
        return ""
    query: dict[str, str] = {"service": str(service.pk)}
    if pathway:
        query["pathway"] = str(getattr(pathway, "pk", pathway))
    if step:
        query["step"] = str(getattr(step, "key", step))
    if phase:
        query["phase"] = str(phase)
    if situations:
        if not isinstance(situations, str):
            situations = ",".join(str(getattr(s, "code", s)) for s in situations)
        query["situation"] = situations
    if signalling:
        query["signalling"] = str(signalling)
    if source:
        query["source"] = source
    return f"{reverse('referrals:new')}?{urlencode(query)}"


@register.filter
def status_modifier(status: str) -> str:
    """A CSS modifier for a status badge (the text says the status too)."""
    return {
        "draft": "draft",
        "requested": "new",
        "received": "new",
        "accepted": "open",
        "in-progress": "open",
        "on-hold": "hold",
        "completed": "done",
        "rejected": "closed",
        "cancelled": "closed",
        "failed": "closed",
    }.get(status, "open")


@register.filter
def language_name(code: str) -> str:
    """The name of a language code from the form's list, else the code itself."""
    from kansrijk.referrals.forms import LANGUAGE_NAMES

    name = LANGUAGE_NAMES.get(code)
    return str(name) if name is not None else code
