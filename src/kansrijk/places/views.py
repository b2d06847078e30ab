"""Pages of the places app: postcode lookup and the list of municipalities. Both are public."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kansrijk.places.forms import PostcodeForm
from kansrijk.places.models import PostcodeArea
from kansrijk.places.selectors import UnknownPostcode, list_municipalities, lookup_postcode


@require_safe
def postcode(request: HttpRequest) -> HttpResponse:
    """Look up a postcode (GET form, so results can be bookmarked and shared).

    A malformed or unknown postcode shows the form again with the error; the status stays 200.
    """
    form = PostcodeForm(request.GET if "postcode" in request.GET else None)
    area: PostcodeArea | None = None
    if form.is_bound and form.is_valid():
        try:
            area = lookup_postcode(form.cleaned_data["postcode"])
        except UnknownPostcode as exc:
            form.add_error("postcode", ValidationError(str(exc), code=exc.code))
    return render(request, "places/postcode.html", {"form": form, "area": area})


@require_safe
def municipalities(request: HttpRequest) -> HttpResponse:
    """All municipalities with their province, GGD region and youth care region."""
    return render(
        request,
        "places/municipality_list.html",
        {"municipalities": list(list_municipalities())},
    )
