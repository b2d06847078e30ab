"""The public pages for parents, under ``/ouders/<lang>/``.

Phone first, no account, no tracking: these views set no cookie (only the self-referral form
sets Django's CSRF cookie, which its POST needs), load nothing from other hosts and keep the
language in the address. Every page renders in its own language with ``translation.override``,
whatever the professional interface's language cookie says.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from kansrijk.parents import languages, selectors
from kansrijk.parents.languages import ParentLanguage
from kansrijk.places.exceptions import InvalidPostcode, UnknownPostcode
from kansrijk.places.selectors import lookup_postcode_kept

ParentView = Callable[..., HttpResponse]


def language_links(request: HttpRequest, current: str) -> list[dict[str, Any]]:
    """The same page in every language (the language switch): same view, same query."""
    match = request.resolver_match
    assert match is not None
    query = request.GET.urlencode()
    links = []
    for language in languages.LANGUAGES:
        url = reverse(match.view_name, kwargs={**match.kwargs, "lang": language.code})
        links.append(
            {
                "language": language,
                "url": f"{url}?{query}" if query else url,
                "current": language.code == current,
            }
        )
    return links


def parent_page(view: ParentView) -> ParentView:
    """Resolve ``lang`` (404 for a language we do not have), render the view in it and mark
    the response with its language."""

    @wraps(view)
    def wrapper(request: HttpRequest, lang: str, **kwargs: Any) -> HttpResponse:
        language = languages.get(lang)
        if language is None:
            raise Http404
        with translation.override(language.code):
            response = view(request, language, **kwargs)
        response["Content-Language"] = language.code
        return response

    return wrapper


def render_parent(
    request: HttpRequest,
    language: ParentLanguage,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    base = {
        "plang": language,
        "switch": language_links(request, language.code),
        "interface_draft": language.code not in languages.CHECKED_INTERFACE,
    }
    return render(request, template, {**base, **context}, status=status)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """``/ouders/``: to the start page in the visitor's language (from the browser's
    ``Accept-Language``; Dutch when none of ours is asked)."""
    code = languages.negotiate(request.headers.get("Accept-Language", ""))
    response = HttpResponseRedirect(reverse("parents:start", kwargs={"lang": code}))
    patch_vary_headers(response, ("Accept-Language",))
    patch_cache_control(response, private=True, max_age=0)
    return response


@require_GET
@parent_page
def start(request: HttpRequest, language: ParentLanguage) -> HttpResponse:
    return render_parent(
        request,
        language,
        "parents/start.html",
        {"sections": selectors.start_sections(language.code)},
    )


def _municipality_from_query(request: HttpRequest) -> tuple[Any, str]:
    """The municipality of ``?postcode=`` (PC4 or full postcode), with an error message key."""
    raw = request.GET.get("postcode", "").strip()
    if not raw:
        return None, ""
    try:
        return lookup_postcode_kept(raw[:10]).municipality, ""
    except InvalidPostcode:
        return None, "invalid"
    except UnknownPostcode:
        return None, "unknown"


@require_GET
@parent_page
def page(request: HttpRequest, language: ParentLanguage, slug: str) -> HttpResponse:
    found = selectors.get_page(slug, language.code)
    if found is None:
        raise Http404
    page_obj, text = found
    municipality, postcode_error = _municipality_from_query(request)
    local = (
        selectors.local_additions(page_obj, municipality.code, language.code)
        if municipality is not None
        else []
    )
    return render_parent(
        request,
        language,
        "parents/page.html",
        {
            "page": page_obj,
            "text": text,
            "municipality": municipality,
            "local": local,
            "postcode": request.GET.get("postcode", "")[:10],
            "postcode_error": postcode_error,
            "is_home_visit": page_obj.slug == "prenataal-huisbezoek",
        },
        status=400 if postcode_error else 200,
    )


@require_GET
@parent_page
def costs(request: HttpRequest, language: ParentLanguage) -> HttpResponse:
    this_year = timezone.localdate().year
    years = selectors.cost_years()
    raw = request.GET.get("jaar", "")
    year = this_year
    status = 200
    if raw:
        if raw.isdigit() and 2000 <= int(raw) <= 2100:
            year = int(raw)
        else:
            status = 400
    shown_years = sorted({*years, this_year, this_year + 1}, reverse=True)
    return render_parent(
        request,
        language,
        "parents/costs.html",
        {
            "year": year,
            "years": shown_years,
            "stages": selectors.cost_overview(language.code, year),
            "bad_year": status == 400,
        },
        status=status,
    )


#: What people around her can help with (the network map's columns).
HELPS = (
    ("listen", _("A listening ear")),
    ("babysit", _("Babysitting")),
    ("money", _("Money")),
    ("transport", _("Transport")),
    ("language", _("Language")),
    ("practical", _("Practical help")),
)
_NETWORK_MAP_CONTEXT = {"helps": HELPS, "blank_rows": range(1, 9)}


@require_GET
@parent_page
def network_map(request: HttpRequest, language: ParentLanguage) -> HttpResponse:
    """The Netwerkkaart: made in the browser (``static/parents/netwerkkaart.js``); without
    JavaScript the blank form to fill in by hand."""
    return render_parent(request, language, "parents/network_map.html", _NETWORK_MAP_CONTEXT)


@require_GET
@parent_page
def network_map_blank(request: HttpRequest, language: ParentLanguage) -> HttpResponse:
    return render_parent(request, language, "parents/network_map_blank.html", _NETWORK_MAP_CONTEXT)


_SERVICE_WORKER = Path(__file__).resolve().parent / "static" / "parents" / "sw.js"


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """``/ouders/sw.js``: served from here (not ``/static/``) so that its scope is ``/ouders/``."""
    response = HttpResponse(_SERVICE_WORKER.read_bytes(), content_type="text/javascript")
    patch_cache_control(response, no_cache=True)
    return response


def page_url(slug: str, code: str, **query: str) -> str:
    """The address of a parent page in a language (for hand-over links)."""
    url = reverse("parents:page", kwargs={"lang": code, "slug": slug})
    return f"{url}?{urlencode(query)}" if query else url
