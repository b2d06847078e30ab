"""Pages of the menukaart: the searchable list and one intervention with where it is on offer.
Both are public (the menukaart holds no personal data) and work without JavaScript."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kansrijk.interventions.exceptions import InvalidFilter, UnknownIntervention
from kansrijk.interventions.forms import InterventionFilterForm, PlaceForm
from kansrijk.interventions.selectors import (
    get_intervention,
    offer_by_municipality,
    search_interventions,
    services_for,
)
from kansrijk.situations.exceptions import SituationsError

PER_PAGE = 25


@require_safe
def intervention_list(request: HttpRequest) -> HttpResponse:
    """Search and filter the menukaart (GET form, so results can be bookmarked and shared).

    Bad input shows the form again with the errors and no results; the status stays 200.
    """
    form = InterventionFilterForm(request.GET or None)
    page = None
    if not form.is_bound or form.is_valid():
        filters = form.filters() if form.is_bound else {}
        try:
            interventions = search_interventions(**filters)
        except InvalidFilter as exc:  # the form checks first; kept for safety
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        except SituationsError as exc:
            form.add_error("situation", str(exc))
        else:
            page = Paginator(interventions, PER_PAGE).get_page(request.GET.get("page"))
    place = form.cleaned_data.get("place") if form.is_bound and not form.errors else None
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "interventions/intervention_list.html",
        {"form": form, "page": page, "place": place, "query": query.urlencode()},
    )


@require_safe
def intervention_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One intervention: its facts and where it is on offer, grouped by municipality, or only in
    the municipality (or postcode) the visitor chose."""
    try:
        intervention = get_intervention(slug)
    except UnknownIntervention:
        raise Http404 from None
    form = PlaceForm(
        request.GET if ("municipality" in request.GET or "postcode" in request.GET) else None
    )
    place = None
    services = None
    offers = None
    if form.is_bound and form.is_valid() and form.cleaned_data["place"] is not None:
        place = form.cleaned_data["place"]
        services = list(services_for(intervention, municipality=place))
    elif not form.is_bound or form.is_valid():
        offers = offer_by_municipality(services_for(intervention))
    return render(
        request,
        "interventions/intervention_detail.html",
        {
            "intervention": intervention,
            "form": form,
            "place": place,
            "services": services,
            "offers": offers,
        },
    )
