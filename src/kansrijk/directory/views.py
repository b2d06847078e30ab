"""Pages of the social map (sociale kaart).

- Search and service pages are public: the social map holds no client data, and public services
  are public information. Nothing is written to the access log for reading them.
- Keeping the map current (create, edit, verify, history, the to-verify list) needs a
  coalition editor whose municipalities the service serves (or an administrator); anonymous
  users are sent to the log-in page, others get 403. The writes go through
  ``kansrijk.directory.services``, which keep the history and the access log.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kansrijk.core.forbidden import forbidden_page
from kansrijk.core.navigation import language_next
from kansrijk.core.redirects import safe_next
from kansrijk.directory import page_selectors, selectors, services
from kansrijk.directory.exceptions import (
    DirectoryError,
    EditNotAllowed,
    InvalidSearch,
    InvalidServiceData,
    UnknownCategory,
)
from kansrijk.directory.forms import SearchForm, ServiceForm
from kansrijk.directory.models import Service
from kansrijk.directory.search import cards, ranking
from kansrijk.directory.search import html as search_html
from kansrijk.directory.search.params import SearchParams, parse
from kansrijk.places.exceptions import PlacesError, UnknownMunicipality

PAGE_SIZE = 20
#: What a search can raise for bad filters (shown with the field in the form).
_SEARCH_ERRORS = (UnknownMunicipality, UnknownCategory, InvalidSearch, PlacesError)
HISTORY_PAGE_SIZE = 25
TO_VERIFY_PAGE_SIZE = 50


def _forbidden(request: HttpRequest, message: str | None = None) -> HttpResponse:
    return forbidden_page(
        request,
        message or _("Only coalition editors of a municipality this service serves can change it."),
        reverse("directory:search"),
        _("To the social map"),
    )


def _service_or_404(service_id: uuid.UUID) -> Service:
    service = page_selectors.service_with_organisation(service_id)
    if service is None:
        raise Http404
    return service


def editable_service(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For a page that keeps service ``service_id`` current: 404 for an unknown service, the
    no-access page for a user who may not edit it; else the view gets the service."""

    @wraps(view)
    def wrapped(request: HttpRequest, service_id: uuid.UUID) -> HttpResponse:
        service = _service_or_404(service_id)
        if not page_selectors.can_edit_service(request.user, service):
            return _forbidden(request)
        return view(request, service)

    return wrapped


# --- Search ------------------------------------------------------------------------------------


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """Search services by need, municipality or postcode, phase, language and costs.

    A GET form: results can be bookmarked and shared. With htmx the form asks for the results
    region only (plus the error containers of the fields and the live region, out of band).
    Bad input shows a Dutch error with the field; the status stays 200.
    """
    quick = _quick_search(request)
    if quick is not None:
        return quick
    form = SearchForm(request.GET)
    page = None
    area = None
    if form.is_valid():
        assert form.parsed is not None
        area = form.parsed.area
        try:
            page = ranking.rank_page(
                form.parsed.filters, postcode=area, page=request.GET.get("page"), per_page=PAGE_SIZE
            )
        except _SEARCH_ERRORS as error:
            field = {
                UnknownMunicipality: "municipality",
                UnknownCategory: "category",
                InvalidSearch: "phase",
            }.get(type(error), "postcode")
            form.add_error(field, str(error))
            area = None
        else:
            cards.attach_cards(list(page.object_list), get_language())
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "area": area,
        "by_words": bool(form.parsed and form.parsed.filters.text),
        "query_string": _query_without_page(request),
        "can_maintain": page_selectors.is_editor(request.user),
    }
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        response = render(request, "directory/_search_update.html", context)
    else:
        response = render(request, "directory/search.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


#: Whether anonymous searches take the quick way (``_quick_search``); tests compare both ways.
QUICK_SEARCH = True


def _quick_search(request: HttpRequest) -> HttpResponse | None:
    """The search page for an anonymous visitor without messages whose filters are all valid
    (else ``None``: the form and the templates do it, with their error messages): the page
    around the results from a skeleton kept per worker, the status line and the results written
    out in Python (``search.html``), the same markup as the templates give. The parameters are
    read as the form reads them (``search.params``); no form object, no template rendering per
    search."""
    if not QUICK_SEARCH or request.user.is_authenticated or len(messages.get_messages(request)):
        return None
    params = SearchParams.from_query(request.GET)
    typed = (params.q, params.category, params.postcode, params.phase, params.language, params.free)
    if params.municipality or "\x00" in "".join(typed):
        return None  # a municipality given by name to normalise, or an error message to show
    parsed = parse(params)
    if parsed.errors:
        return None
    try:
        page = ranking.rank_page(
            parsed.filters,
            postcode=parsed.area,
            page=request.GET.get("page"),
            per_page=PAGE_SIZE,
        )
    except _SEARCH_ERRORS:
        return None
    cards.attach_cards(list(page.object_list), get_language())
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx and not htmx.history_restore_request)
    parts = search_html.skeleton(request, params, partial)
    if parts is None:  # pragma: no cover - the skeleton did not render as expected
        return None
    body = search_html.fill(
        parts,
        {
            search_html.Q_PLACEHOLDER: escape(params.q),
            search_html.POSTCODE_PLACEHOLDER: escape(params.postcode),
            search_html.PATH_PLACEHOLDER: language_next(request),
            search_html.STATUS_PLACEHOLDER: search_html.status_html(
                page, parsed.area, by_words=bool(parsed.filters.text)
            ),
            search_html.RESULTS_PLACEHOLDER: search_html.results_html(
                page, parsed.area, _query_without_page(request)
            ),
        },
    )
    response = HttpResponse(body)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _query_without_page(request: HttpRequest) -> str:
    """The search's query string without its page number and empty filters (they only make
    the address longer), encoded as ``QueryDict.urlencode`` does, without copying the query."""
    encoding = request.GET.encoding
    return "&".join(
        urlencode({key.encode(encoding): value.encode(encoding)})
        for key, values in request.GET.lists()
        if key != "page" and values[-1] != ""
        for value in values
    )


# --- One service -------------------------------------------------------------------------------


@require_safe
def service_detail(request: HttpRequest, service_id: uuid.UUID) -> HttpResponse:
    try:
        service = selectors.get_service(service_id)
    except (Service.DoesNotExist, DirectoryError):
        raise Http404 from None
    locations = []
    for link in service.service_at_locations.all():
        location = link.location
        locations.append(
            {
                "location": location,
                "description": link.description,
                "phones": [*location.phones.all(), *link.phones.all()],
                "schedules": [
                    page_selectors.describe_schedule(schedule)
                    for schedule in [*location.schedules.all(), *link.schedules.all()]
                ],
            }
        )
    categories = [link.taxonomy_term for link in service.taxonomy_links.all()]
    # "Free of charge. Free of charge." reads badly: leave out a cost note that only repeats it.
    fees_note = service.fees_description.strip()
    if fees_note.rstrip(".").casefold() in {_("Free of charge").casefold(), _("Paid").casefold()}:
        fees_note = ""
    context = {
        "service": service,
        "locations": locations,
        "categories": categories,
        "languages": page_selectors.language_labels(service),
        "fees_note": fees_note,
        "schedules": [page_selectors.describe_schedule(s) for s in service.schedules.all()],
        "can_edit": page_selectors.can_edit_service(request.user, service),
    }
    return render(request, "directory/service_detail.html", context)


# --- Keeping it current --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def service_create(request: HttpRequest) -> HttpResponse:
    if not page_selectors.is_editor(request.user):
        return _forbidden(request, _("Only coalition editors can add services to the social map."))
    municipalities = list(page_selectors.editor_municipalities(request.user)[:1])
    if request.method == "POST":
        form = ServiceForm(request.POST, user=request.user, creating=True)
        if form.is_valid():
            try:
                service = services.create_service(
                    user=request.user, request=request, **form.service_kwargs()
                )
            except InvalidServiceData as error:
                form.add_service_errors(error)
            except EditNotAllowed as error:
                form.add_error("service_areas", str(error))
            else:
                messages.success(request, _("The service has been added to the social map."))
                return redirect("directory:service", service_id=service.id)
    else:
        form = ServiceForm(user=request.user, creating=True)
    return render(
        request,
        "directory/service_form.html",
        {"form": form, "service": None, "has_municipalities": bool(municipalities)},
    )


@login_required
@require_http_methods(["GET", "POST"])
@editable_service
def service_edit(request: HttpRequest, service: Service) -> HttpResponse:
    title = service.name
    if request.method == "POST":
        form = ServiceForm(request.POST, instance=service, user=request.user)
        if form.is_valid():
            try:
                change = services.update_service(
                    service=service, user=request.user, request=request, **form.service_kwargs()
                )
            except InvalidServiceData as error:
                form.add_service_errors(error)
            except EditNotAllowed as error:
                form.add_error("service_areas", str(error))
            else:
                if change is None:
                    messages.info(request, _("Nothing was changed."))
                else:
                    messages.success(request, _("Your changes have been saved."))
                return redirect("directory:service", service_id=service.id)
    else:
        form = ServiceForm(instance=service, user=request.user)
    return render(
        request,
        "directory/service_form.html",
        {"form": form, "service": service, "title": title, "has_municipalities": True},
    )


@login_required
@require_POST
@editable_service
def service_verify(request: HttpRequest, service: Service) -> HttpResponse:
    services.verify_service(service=service, user=request.user, request=request)
    messages.success(
        request,
        _("%(name)s is marked as checked today. It needs checking again in 12 months.")
        % {"name": service.name},
    )
    default = reverse("directory:service", kwargs={"service_id": service.id})
    return HttpResponseRedirect(safe_next(request, default))


@login_required
@require_safe
@editable_service
def service_history(request: HttpRequest, service: Service) -> HttpResponse:
    page = Paginator(page_selectors.service_history(service), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    changes = list(page.object_list)
    names = page_selectors.municipality_names_in(changes)
    rows = [
        {"change": change, "rows": page_selectors.describe_change(change, names)}
        for change in changes
    ]
    return render(
        request,
        "directory/service_history.html",
        {"service": service, "page": page, "changes": rows},
    )


@login_required
@require_safe
def to_verify(request: HttpRequest) -> HttpResponse:
    """The services of the editor's municipalities not checked in the last 12 months."""
    if not page_selectors.is_editor(request.user):
        return _forbidden(request, _("Only coalition editors keep the social map current."))
    page = Paginator(page_selectors.services_to_verify(request.user), TO_VERIFY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    municipalities = list(
        page_selectors.editor_municipalities(request.user).values_list("name", flat=True)[:11]
    )
    return render(
        request,
        "directory/to_verify.html",
        {"page": page, "municipalities": municipalities},
    )
