"""Reads of the situations catalogue. The catalogue is public: nothing here filters per user.

Every list comes with its life domain joined (``select_related``) and in catalogue order: by
domain, then position within the file, then name.
"""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from kansrijk.core.phases import PHASE_FIELDS
from kansrijk.situations.exceptions import (
    InvalidKind,
    InvalidPhase,
    UnknownDomain,
    UnknownSituation,
)
from kansrijk.situations.models import FactorKind, LifeDomain, Situation
from kansrijk.situations.text import query_words

__all__ = [
    "get_situation",
    "life_domains",
    "list_situations",
    "search_situations",
    "situations_for_phase",
]

_ORDER = ("domain__position", "domain__name", "position", "name")


def life_domains() -> QuerySet[LifeDomain]:
    """The life domains in display order."""
    return LifeDomain.objects.order_by("position", "name")


def _check_phase(phase: str) -> str:
    if phase not in PHASE_FIELDS:
        raise InvalidPhase()
    return phase


def list_situations(
    *,
    phase: str | None = None,
    kind: str | None = None,
    domain: str | LifeDomain | None = None,
    include_inactive: bool = False,
) -> QuerySet[Situation]:
    """Situations (active only, unless ``include_inactive``) matching every filter given.

    - ``phase``: preconception, pregnancy or postnatal (``InvalidPhase`` otherwise);
    - ``kind``: risk or protective (``InvalidKind`` otherwise);
    - ``domain``: a life domain or its code (``UnknownDomain`` for a code that does not exist).
    """
    queryset = Situation.objects.select_related("domain")
    if not include_inactive:
        queryset = queryset.filter(is_active=True)
    if phase:
        queryset = queryset.filter(**{PHASE_FIELDS[_check_phase(phase)]: True})
    if kind:
        if kind not in FactorKind.values:
            raise InvalidKind()
        queryset = queryset.filter(kind=kind)
    if domain:
        if isinstance(domain, LifeDomain):
            queryset = queryset.filter(domain=domain)
        else:
            if not LifeDomain.objects.filter(code=domain).exists():
                raise UnknownDomain(domain)
            queryset = queryset.filter(domain__code=domain)
    return queryset.order_by(*_ORDER)


def situations_for_phase(phase: str, *, kind: str | None = None) -> QuerySet[Situation]:
    """The active situations that apply in ``phase`` (optionally only risk or protective ones).
    Raises ``InvalidPhase`` for an unknown phase."""
    return list_situations(phase=_check_phase(phase), kind=kind)


def search_situations(
    text: str,
    *,
    phase: str | None = None,
    kind: str | None = None,
    domain: str | LifeDomain | None = None,
) -> QuerySet[Situation]:
    """Active situations whose name, code or synonyms contain every word of ``text``, ignoring
    case and accents ("taalbarriere" finds "Taalbarrière", "schuld" finds "Geldzorgen en schulden"
    through its synonyms). Situations whose name matches come first. Empty text gives all."""
    queryset = list_situations(phase=phase, kind=kind, domain=domain)
    words = [word for word in query_words(text or "") if len(word) >= 2]
    if not words:
        return queryset
    condition = Q()
    name_condition = Q()
    for word in words:
        condition &= Q(search_text__contains=word)
        name_condition &= Q(name__icontains=word)
    return (
        queryset.filter(condition)
        .annotate(
            _name_match=Case(
                When(name_condition, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("_name_match", *_ORDER)
    )


def get_situation(code: str, *, include_inactive: bool = False) -> Situation:
    """The situation with this code, with its life domain. Raises ``UnknownSituation``."""
    queryset = Situation.objects.select_related("domain")
    if not include_inactive:
        queryset = queryset.filter(is_active=True)
    try:
        return queryset.get(code=str(code).strip().lower())
    except Situation.DoesNotExist:
        raise UnknownSituation(str(code)) from None
