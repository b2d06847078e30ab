"""What a search asks for, once: the filters of a social-map search as named fields.

``Filters`` is the one specification of a search's filters (all but the postcode, which orders
rather than filters). It feeds both ways of answering a search:

- the database (``Filters.queryset``: the services matching every filter, unordered), used by
  ``ranking.search_services`` and by the ranking query of ``ranking.rank_page``;
- this worker's search index (``index.SearchIndex.mask``), which covers the filters of
  ``INDEXED`` (what the search page and the parents' pages offer).

``Filters.check`` raises the same errors for both (``UnknownCategory`` from the index or the
database, ``UnknownMunicipality``, ``InvalidSearch``).
"""

from __future__ import annotations

import dataclasses
import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kansrijk.core.phases import PHASE_FIELDS
from kansrijk.directory.exceptions import InvalidSearch, UnknownCategory
from kansrijk.directory.models import (
    Language,
    Service,
    ServiceArea,
    ServiceTaxonomy,
    TaxonomyTerm,
)
from kansrijk.directory.search.text import filter_text, query_terms
from kansrijk.directory.selectors import as_uuid
from kansrijk.directory.vocabularies import NEED_TAXONOMY_ID, category_and_descendants
from kansrijk.places.models import Municipality
from kansrijk.places.selectors import get_municipality

__all__ = ["INDEXED", "Filters", "category_terms"]

#: The filters this worker's search index covers; a search using any other takes the database.
INDEXED = frozenset(
    {"text", "category", "municipality", "phase", "language", "free", "include_defunct"}
)


@dataclass(frozen=True)
class Filters:
    """The filters of a search; ``None`` (or ``""``) is "not filtered by this".

    - ``text``: Dutch full-text search (word forms, prefixes, accents ignored; ``search.text``).
    - ``category``: a need-category code such as ``geldzorgen``, including its sub-categories.
    - ``municipality``: only services whose service areas include it (instance or CBS code).
    - ``phase`` (preconception, pregnancy, postnatal), ``language`` (ISO 639 code), ``free``,
      ``organization_id``, ``modified_after``, ``taxonomy_term_id``, ``domain``.
    - Defunct services are left out unless ``include_defunct``.
    """

    text: str | None = None
    category: str | None = None
    municipality: Municipality | str | None = None
    phase: str | None = None
    language: str | None = None
    free: bool | None = None
    organization_id: uuid.UUID | str | None = None
    modified_after: datetime.datetime | None = None
    taxonomy_term_id: uuid.UUID | str | None = None
    domain: str | None = None
    include_defunct: bool = False

    @property
    def used(self) -> frozenset[str]:
        """The names of the filters given."""
        used = set()
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if field.name == "include_defunct":
                if value:
                    used.add(field.name)
            elif value is not None and value != "":
                used.add(field.name)
        return frozenset(used)

    @property
    def indexed(self) -> bool:
        """Whether the search index covers every filter given."""
        return self.used <= INDEXED

    @property
    def strict(self) -> bool:
        """With a municipality, only services serving it (the postcode then only orders)."""
        return self.municipality not in (None, "")

    @property
    def terms(self) -> list[str]:
        """The words of ``text`` that take part in the search (``text.query_terms``)."""
        return query_terms(self.text) if self.text else []

    def replace(self, **changes: Any) -> Filters:
        return dataclasses.replace(self, **changes)

    def check_phase(self) -> None:
        if self.phase and self.phase not in PHASE_FIELDS:
            raise InvalidSearch(_("Choose a phase: preconception, pregnancy or postnatal."))

    def queryset(self) -> QuerySet[Service]:
        """The services matching every filter, unordered (one query when evaluated)."""
        queryset: QuerySet[Service] = (
            Service.objects.all() if self.include_defunct else Service.objects.visible()
        )
        if self.text:
            queryset = filter_text(queryset, self.text)
        if self.category:
            queryset = queryset.filter(
                id__in=ServiceTaxonomy.objects.filter(
                    taxonomy_term_id__in=category_terms(self.category)
                ).values("service_id")
            )
        if self.taxonomy_term_id:
            term_id = as_uuid(self.taxonomy_term_id, "taxonomy_term_id")
            queryset = queryset.filter(
                id__in=ServiceTaxonomy.objects.filter(taxonomy_term_id=term_id).values("service_id")
            )
        if self.phase:
            self.check_phase()
            queryset = queryset.filter(**{PHASE_FIELDS[self.phase]: True})
        if self.language:
            code = self.language.strip().lower()
            queryset = queryset.filter(
                id__in=Language.objects.filter(code=code, service__isnull=False).values(
                    "service_id"
                )
            )
        if self.free is not None:
            queryset = queryset.filter(is_free=self.free)
        if self.organization_id:
            queryset = queryset.filter(
                organization_id=as_uuid(self.organization_id, "organization_id")
            )
        if self.modified_after is not None:
            queryset = queryset.filter(last_modified__gte=self.modified_after)
        if self.domain:
            queryset = queryset.filter(domain=self.domain)
        if self.strict:
            assert self.municipality is not None
            code = get_municipality(self.municipality).code
            queryset = queryset.filter(
                id__in=ServiceArea.objects.filter(municipality_id=code).values("service_id")
            )
        return queryset


def category_terms(code: str) -> list[uuid.UUID]:
    """The ids of a need category and all its descendants. Raises ``UnknownCategory``."""
    wanted = category_and_descendants(
        TaxonomyTerm.objects.filter(taxonomy_id=NEED_TAXONOMY_ID).values_list(
            "id", "code", "parent_id"
        ),
        code,
    )
    if wanted is None:
        raise UnknownCategory(code)
    return sorted(wanted)
