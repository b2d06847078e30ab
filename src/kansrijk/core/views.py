from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from kansrijk.assessments.selectors import open_invitations
from kansrijk.core.redirects import safe_next
from kansrijk.core.start import start_sections_for

logger = logging.getLogger(__name__)


@require_safe
def start(request: HttpRequest) -> HttpResponse:
    """The start page: for a signed-in user one section per role, else the public start."""
    return render(
        request,
        "core/start.html",
        {
            "sections": start_sections_for(request),
            "invitations": open_invitations(request.user),
        },
    )


@never_cache
@require_safe
def switch_language(request: HttpRequest, code: str) -> HttpResponse:
    """Show the site in another language: set the language cookie, back to ``next``.

    The header's language switch is a link to here for each other language (the alternate
    language link of the NL Design System and GOV.UK's language navigation), not a form: a
    link is what a visitor expects to follow, and a page needs no CSRF token for it, so public
    pages set no cookie for a visitor who does not switch. A GET that sets a preference is safe
    to follow from anywhere: the worst another site can do is show this one in English.

    An unknown language is a 404 that changes nothing; a ``next`` off this site goes to the
    start page (as Django's ``set_language``).
    """
    if code not in dict(settings.LANGUAGES):
        raise Http404
    response = HttpResponseRedirect(safe_next(request, "/"))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health check: database unavailable")
        return JsonResponse({"status": "error", "checks": {"database": "unavailable"}}, status=503)
    return JsonResponse({"status": "ok", "checks": {"database": "ok"}})


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
