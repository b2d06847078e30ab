"""The search page's parameters, read and checked once: by the search form and by the quick path.

``SearchParams`` holds what a visitor asked for, as typed (the query string's ``q``, ``category``,
``municipality``, ``postcode``, ``phase``, ``language``, ``free``). ``parse`` turns them into a
``Parsed``: the ``Filters`` of the search, the postcode's area, and a translated message per
field that is not valid. ``forms.SearchForm`` shows those messages with their fields;
``views._quick_search`` answers straight away when there are none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import NamedTuple

from django.utils.translation import gettext as _

from kansrijk.core.phases import PHASE_FIELDS
from kansrijk.directory.page_selectors import (
    category_choices,
    language_choices,
    municipality_choices,
)
from kansrijk.directory.search.filters import Filters
from kansrijk.places.exceptions import PlacesError
from kansrijk.places.models import PostcodeArea
from kansrijk.places.selectors import lookup_postcode_kept

__all__ = ["FREE_VALUES", "MAX_QUERY_LENGTH", "Parsed", "SearchParams", "parse"]

#: Longer search text is cut here.
MAX_QUERY_LENGTH = 200
#: The costs filter's values.
FREE_VALUES = {"": None, "yes": True, "no": False}


@dataclass(frozen=True)
class SearchParams:
    """What a visitor asked for, as typed (each ``""`` when not given)."""

    q: str = ""
    category: str = ""
    municipality: str = ""
    postcode: str = ""
    phase: str = ""
    language: str = ""
    free: str = ""

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(field.name for field in fields(cls))

    @classmethod
    def from_query(cls, data: Mapping[str, str]) -> SearchParams:
        """From a query string (``request.GET``) or a form's cleaned data."""
        return cls(**{name: str(data.get(name) or "") for name in cls.names()})


class Parsed(NamedTuple):
    """``SearchParams`` checked: the search's filters and area, or what is wrong, by field."""

    filters: Filters
    area: PostcodeArea | None
    errors: dict[str, str]


def parse(params: SearchParams) -> Parsed:
    """Check every parameter (see the module doc); nothing is searched yet."""
    errors: dict[str, str] = {}
    category = params.category.strip()
    if category and category not in dict(category_choices()):
        errors["category"] = _("Choose a need from the list.")
    municipality = municipality_code(params.municipality)
    if municipality is None:
        errors["municipality"] = _(
            "%(value)s is not a municipality. Choose a municipality from the list, "
            "or give its CBS code such as GM0090."
        ) % {"value": params.municipality.strip()[:50]}
    area = None
    if params.postcode.strip():
        try:
            area = lookup_postcode_kept(params.postcode.strip())
        except PlacesError as error:
            errors["postcode"] = str(error)
    phase = params.phase.strip()
    if phase and phase not in PHASE_FIELDS:
        errors["phase"] = _(
            "Choose a phase from the list: before pregnancy, pregnancy or after birth."
        )
    language = params.language.strip()
    if language and language not in dict(language_choices()):
        errors["language"] = _("Choose a language from the list.")
    if params.free not in FREE_VALUES:
        errors["free"] = _("Choose free of charge, paid, or both.")
    filters = Filters(
        text=params.q.strip()[:MAX_QUERY_LENGTH] or None,
        category=category or None,
        municipality=municipality or None,
        phase=phase or None,
        language=language or None,
        free=FREE_VALUES.get(params.free),
    )
    return Parsed(filters, area, errors)


def municipality_code(value: str) -> str | None:
    """The CBS code of a municipality given by code or by name (any case); ``""`` for none
    given, ``None`` for one not known."""
    raw = value.strip()
    if not raw:
        return ""
    municipalities = dict(municipality_choices())
    code = raw.upper()
    if code in municipalities:
        return code
    names = {name.casefold(): code for code, name in municipalities.items()}
    return names.get(raw.casefold())
