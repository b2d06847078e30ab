"""The no-access page (403) of the professionals' pages: why, and where to go instead."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _


def forbidden_page(
    request: HttpRequest, message: Any, back_url: str = "", back_label: Any = ""
) -> HttpResponse:
    """403 with ``message``, and a link to ``back_url`` (``back_label``): by default, back to
    the start page."""
    return render(
        request,
        "core/forbidden.html",
        {
            "message": message,
            "back_url": back_url or reverse("core:start"),
            "back_label": back_label or _("Back to the start page"),
        },
        status=403,
    )
