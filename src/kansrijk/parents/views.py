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
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from kansrijk.core.forms import add_errors
from kansrijk.core.params import whole_number
from kansrijk.directory.exceptions import UnknownCategory
from kansrijk.parents import languages, nearby, protection, selectors
from kansrijk.parents.forms import SelfReferralForm, form_stamp
from kansrijk.parents.languages import ParentLanguage
from kansrijk.places.exceptions import InvalidPostcode, UnknownPostcode
from kansrijk.places.selectors import lookup_postcode_kept
from kansrijk.referrals.exceptions import InvalidReferral
from kansrijk.referrals.services import create_self_referral

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


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """``/ouders/``: to the start page in the visitor's language (from the browser's
    ``Accept-Language``; Dutch when none of ours is asked)."""
    code = languages.negotiate(request.headers.get("Accept-Language", ""))
    response = HttpResponseRedirect(reverse("parents:start", kwargs={"lang": code}))
    patch_vary_headers(response, ("Accept-Language",))
    patch_cache_control(response, private=True, max_age=0)
    return response


@require_safe
@parent_page
def start(request: HttpRequest, language: ParentLanguage) -> HttpResponse:
    sections = selectors.start_sections(language.code)
    return render_parent(
        request,
        language,
        "parents/start.html",
        {
            "sections": sections,
            "content_draft": any(page.draft for section in sections for page in section.pages),
        },
    )


def _municipality_of(raw: str) -> tuple[Any, str]:
    """The municipality of a posted postcode (PC4 or full postcode), with an error message
    key."""
    raw = raw.strip()
    if not raw:
        return None, ""
    try:
        return lookup_postcode_kept(raw[:10]).municipality, ""
    except InvalidPostcode:
        return None, "invalid"
    except UnknownPostcode:
        return None, "unknown"


@csrf_exempt  # the postcode form changes nothing, and a CSRF token would set a cookie
@require_http_methods(["GET", "HEAD", "POST"])
@parent_page
def page(request: HttpRequest, language: ParentLanguage, slug: str) -> HttpResponse:
    """A page, with what her municipality adds to it once she posts her postcode (posted, so
    that it never stands in an address: an old address with ``?postcode=`` is sent on to the
    clean one without being read)."""
    if request.method != "POST" and "postcode" in request.GET:
        return HttpResponseRedirect(
            reverse("parents:page", kwargs={"lang": language.code, "slug": slug})
        )
    found = selectors.get_page(slug, language.code)
    if found is None:
        raise Http404
    page_obj, text = found
    postcode = request.POST.get("postcode", "")[:10] if request.method == "POST" else ""
    municipality, postcode_error = _municipality_of(postcode)
    local = (
        selectors.local_additions(page_obj, municipality.code, language.code)
        if municipality is not None
        else []
    )
    response = render_parent(
        request,
        language,
        "parents/page.html",
        {
            "page": page_obj,
            "text": text,
            "municipality": municipality,
            "local": local,
            "postcode": postcode,
            "postcode_error": postcode_error,
            "is_home_visit": page_obj.slug == "prenataal-huisbezoek",
        },
        status=400 if postcode_error else 200,
    )
    if request.method == "POST":
        add_never_cache_headers(response)  # holds her postcode: kept by nobody
    return response


@require_safe
@parent_page
def costs(request: HttpRequest, language: ParentLanguage) -> HttpResponse:
    this_year = timezone.localdate().year
    years = selectors.cost_years()
    raw = request.GET.get("jaar", "")
    year = this_year
    status = 200
    if raw:
        chosen = whole_number(raw, digits=4)
        if chosen is not None and 2000 <= chosen <= 2100:
            year = chosen
        else:
            status = 400
    shown_years = sorted({*years, this_year, this_year + 1}, reverse=True)
    stages = selectors.cost_overview(language.code, year)
    return render_parent(
        request,
        language,
        "parents/costs.html",
        {
            "year": year,
            "years": shown_years,
            "stages": stages,
            "content_draft": any(row.draft for stage in stages for row in stage.rows),
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


@require_safe
@parent_page
def network_map(request: HttpRequest, language: ParentLanguage) -> HttpResponse:
    """The Netwerkkaart: made in the browser (``static/parents/netwerkkaart.js``); without
    JavaScript the blank form to fill in by hand."""
    return render_parent(request, language, "parents/network_map.html", _NETWORK_MAP_CONTEXT)


@require_safe
@parent_page
def network_map_blank(request: HttpRequest, language: ParentLanguage) -> HttpResponse:
    return render_parent(request, language, "parents/network_map_blank.html", _NETWORK_MAP_CONTEXT)


_SERVICE_WORKER = Path(__file__).resolve().parent / "static" / "parents" / "sw.js"


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """``/ouders/sw.js``: served from here (not ``/static/``) so that its scope is ``/ouders/``."""
    response = HttpResponse(_SERVICE_WORKER.read_bytes(), content_type="text/javascript")
    patch_cache_control(response, no_cache=True)
    return response


# --- Asking for a prenatal home visit ----------------------------------------------------------


def _stored_by_nobody(response: HttpResponse) -> HttpResponse:
    """A page of her request: kept by no browser or proxy, not even in the history."""
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True)
    return response


def _self_referral_page(
    request: HttpRequest,
    language: ParentLanguage,
    form: SelfReferralForm | None = None,
    *,
    status: int = 200,
    problem: str = "",
) -> HttpResponse:
    """The form of the request (``None``: a new, empty one)."""
    if form is None:
        form = SelfReferralForm(page_language=language.code)
    form.mark_for_screen_readers()
    response = render_parent(
        request,
        language,
        "parents/self_referral.html",
        {"form": form, "problem": problem, "topics_field": form["topics"]},
        status=status,
    )
    return _stored_by_nobody(response)


def _sent_page(request: HttpRequest, language: ParentLanguage, referral: Any) -> HttpResponse:
    """What happens next. Nothing she sent is shown: only the JGZ that has her request, its
    phone number, and the request's reference to mention when she calls."""
    response = render_parent(
        request,
        language,
        "parents/self_referral_sent.html",
        {
            "referral": referral,
            "service": referral.service if referral is not None else None,
            "phone": _service_phone(referral.service) if referral is not None else "",
        },
    )
    return _stored_by_nobody(response)


def _service_phone(service: Any) -> str:
    phone = (
        service.phones.order_by("number").first()
        or service.organization.phones.order_by("number").first()
    )
    return phone.number if phone is not None else ""


@csrf_protect
@require_http_methods(["GET", "POST"])
@parent_page
def self_referral(request: HttpRequest, language: ParentLanguage) -> HttpResponse:
    """The form with which a pregnant woman asks the JGZ of her municipality for a prenatal
    home visit (``referrals.services.create_self_referral``). Protected by rate limits per
    address and network, a size limit, a honeypot and a minimum fill-in time
    (``parents.protection``); a refusal changes nothing and is logged without what was sent."""
    if request.method != "POST":
        return _self_referral_page(request, language)
    if protection.body_too_large(request):
        protection.log_refusal(request, "size")
        return _self_referral_page(request, language, status=413, problem="size")
    limited = protection.check_post(request) or protection.check_sent(request, increment=False)
    if limited is not None:
        if limited.first:
            protection.log_refusal(request, f"rate.{limited.scope}")
        return _self_referral_page(request, language, status=429, problem="rate")
    form = SelfReferralForm(request.POST, page_language=language.code)
    if form.looks_automated():
        # Answer as if it were sent: a robot learns nothing. Nothing is created.
        protection.log_refusal(request, "automated")
        protection.check_sent(request, increment=True)
        return _sent_page(request, language, None)
    if form.expired():
        refreshed = SelfReferralForm(
            {**request.POST.dict(), "started": form_stamp()}, page_language=language.code
        )
        refreshed.is_valid()
        refreshed.add_error(
            None, _("This form was open too long. Check your answers and send again.")
        )
        return _self_referral_page(request, language, refreshed, status=400)
    if not form.is_valid():
        return _self_referral_page(request, language, form, status=400)
    try:
        referral = create_self_referral(data=form.to_input(), request=request)
    except InvalidReferral as exc:
        add_errors(form, exc.message_dict)
        return _self_referral_page(request, language, form, status=400)
    protection.check_sent(request, increment=True)
    return _sent_page(request, language, referral)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused POST without a valid CSRF token: on the parent pages a plain explanation in
    the page's language (cookies off, or the form open too long); elsewhere Django's page."""
    match = request.path.split("/")
    code = match[2] if len(match) > 2 and request.path.startswith("/ouders/") else ""
    language = languages.get(code)
    if language is None:
        return django_csrf_failure(request, reason)
    with translation.override(language.code):
        response = render(
            request,
            "parents/csrf_failure.html",
            {
                "plang": language,
                "switch": [],
                "interface_draft": language.code not in languages.CHECKED_INTERFACE,
                "again": reverse("parents:self_referral", kwargs={"lang": language.code}),
            },
            status=403,
        )
    response["Content-Language"] = language.code
    return response


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 404 page (``handler404``). Under ``/ouders/<lang>/`` a light parent page in that
    language (for a language we do not have, the browser's, else Dutch), with the way back to
    the start page in every language; elsewhere, and in the editor, the professional page."""
    from kansrijk.core.views import page_not_found as professional_page_not_found

    parts = request.path.split("/")
    if len(parts) < 4 or parts[1] != "ouders" or parts[2] in ("", "redactie"):
        return professional_page_not_found(request, exception)
    language = languages.get(parts[2])
    negotiated = language is None
    if language is None:
        language = languages.BY_CODE[
            languages.negotiate(request.headers.get("Accept-Language", ""))
        ]
    switch = [
        {
            "language": other,
            "url": reverse("parents:start", kwargs={"lang": other.code}),
            "current": other.code == language.code,
        }
        for other in languages.LANGUAGES
    ]
    with translation.override(language.code):
        response = render(
            request,
            "parents/not_found.html",
            {
                "plang": language,
                "switch": switch,
                "interface_draft": language.code not in languages.CHECKED_INTERFACE,
            },
            status=404,
        )
    response["Content-Language"] = language.code
    if negotiated:
        patch_vary_headers(response, ("Accept-Language",))
    return response


@csrf_exempt  # a search: it changes nothing, and a CSRF token would set a cookie
@require_http_methods(["GET", "HEAD", "POST"])
@parent_page
def help_nearby(request: HttpRequest, language: ParentLanguage) -> HttpResponse:
    """Services she can go to herself for a need in her words, near her postcode: the same
    directory search as the professionals' social map (``parents.nearby``).

    The form is posted, so her postcode and her need (safety at home, feeling down) never
    stand in an address: not in her browser's history, nor in server or proxy logs. A link may
    preselect the need (``?hulp=``, from a professional's hand-over); an address that carries
    a postcode (an old bookmark) is sent on to the clean one, without reading it."""
    if request.method == "POST":
        data = request.POST
    elif "postcode" in request.GET or "gratis" in request.GET:
        need = request.GET.get("hulp", "")
        clean = reverse("parents:help_nearby", kwargs={"lang": language.code})
        query = urlencode({"hulp": need}) if need in nearby.NEED_CODES else ""
        return HttpResponseRedirect(f"{clean}?{query}" if query else clean)
    else:
        data = request.GET
    postcode = data.get("postcode", "").strip()[:10]
    need = data.get("hulp", "")
    free_only = data.get("gratis") == "1"
    errors: dict[str, str] = {}
    results: list[Any] | None = None
    if request.method == "POST":
        if need not in nearby.NEED_CODES:
            errors["hulp"] = "need"
        if not postcode:
            errors["postcode"] = "missing"
        if not errors:
            try:
                results = nearby.help_nearby(postcode=postcode, need=need, free_only=free_only)
            except InvalidPostcode:
                errors["postcode"] = "invalid"
            except UnknownPostcode:
                errors["postcode"] = "unknown"
            except UnknownCategory:
                errors["hulp"] = "need"
    response = render_parent(
        request,
        language,
        "parents/help_nearby.html",
        {
            "needs": nearby.NEEDS,
            "need": need,
            "postcode": postcode,
            "free_only": free_only,
            "results": results,
            "errors": errors,
            "need_label": dict(nearby.NEEDS).get(need, ""),
        },
        status=400 if errors else 200,
    )
    if request.method == "POST":
        add_never_cache_headers(response)  # holds her postcode and need: kept by nobody
    return response
