"""Reads of the menukaart. The menukaart is public: nothing here filters per user.

"On offer in a municipality" means: the intervention is delivered by at least one service of the
social map that serves that municipality (a service area) and is not defunct.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value
from django.utils.translation import gettext_lazy as _

from kansrijk.core.phases import INVALID_PHASE_MESSAGE, PHASE_FIELDS
from kansrijk.directory.models import Service, ServiceArea
from kansrijk.interventions.exceptions import InvalidFilter, UnknownIntervention
from kansrijk.interventions.models import (
    RECOGNITION_RANK,
    BuildingBlock,
    Intervention,
    RecognitionLevel,
)
from kansrijk.places.exceptions import UnknownMunicipality
from kansrijk.places.models import Municipality
from kansrijk.places.selectors import get_municipality
from kansrijk.situations.exceptions import UnknownSituation
from kansrijk.situations.models import Situation
from kansrijk.situations.text import query_words

__all__ = [
    "MunicipalityOffer",
    "available_interventions",
    "get_intervention",
    "offer_by_municipality",
    "search_interventions",
    "services_for",
]


def _municipality_filter(value: Municipality | str) -> Municipality:
    """``get_municipality``, an unknown code refused as the municipality filter
    (``InvalidFilter``)."""
    try:
        return get_municipality(value)
    except UnknownMunicipality as error:
        raise InvalidFilter("municipality", error.message) from None


def _local_services(municipality: Municipality | str) -> QuerySet[Service]:
    """Services serving the municipality, not defunct, with their organisation and referral
    methods (what a list of 'where to refer' shows)."""
    code = municipality if isinstance(municipality, str) else municipality.code
    return (
        Service.objects.visible()
        .filter(Exists(ServiceArea.objects.filter(service=OuterRef("pk"), municipality_id=code)))
        .select_related("organization")
        .prefetch_related("referral_methods")
        .order_by("name", "id")
    )


def _offered_in(code: str) -> Exists:
    """An ``Exists`` for 'an intervention with a service serving municipality ``code``'."""
    through = Intervention.services.through
    return Exists(
        through.objects.filter(
            intervention_id=OuterRef("pk"),
            service__in=Service.objects.visible().filter(
                Exists(ServiceArea.objects.filter(service=OuterRef("pk"), municipality_id=code))
            ),
        )
    )


def _check_phase(phase: str) -> str:
    if phase not in PHASE_FIELDS:
        raise InvalidFilter("phase", INVALID_PHASE_MESSAGE)
    return phase


def search_interventions(
    *,
    text: str | None = None,
    municipality: Municipality | str | None = None,
    situation: Situation | str | None = None,
    phase: str | None = None,
    recognition: str | None = None,
    min_recognition: str | None = None,
    building_block: int | str | None = None,
) -> QuerySet[Intervention]:
    """Active interventions matching every filter given, by name, with their situations
    prefetched.

    - ``text``: every word must occur in the name, other names, target group or description
      (case and accents ignored);
    - ``municipality`` (instance or CBS code): only interventions on offer there; then
      ``intervention.services.all()`` holds only the services serving that municipality;
    - ``situation`` (instance or code): only interventions that address it;
    - ``phase``: preconception, pregnancy or postnatal;
    - ``recognition``: exactly this level; ``min_recognition``: this level or higher;
    - ``building_block``: 1, 2 or 3.

    Bad values raise ``InvalidFilter`` (with ``field``) or ``UnknownSituation``.
    """
    queryset = Intervention.objects.active()
    if text:
        for word in query_words(text):
            queryset = queryset.filter(search_text__contains=word)
    if phase:
        queryset = queryset.filter(**{PHASE_FIELDS[_check_phase(phase)]: True})
    if recognition:
        if recognition not in RecognitionLevel.values:
            raise InvalidFilter("recognition", _("Choose a recognition level from the list."))
        queryset = queryset.filter(recognition=recognition)
    if min_recognition:
        if min_recognition not in RecognitionLevel.values:
            raise InvalidFilter("min_recognition", _("Choose a recognition level from the list."))
        rank = RECOGNITION_RANK[min_recognition]
        queryset = queryset.filter(
            recognition__in=[level for level, r in RECOGNITION_RANK.items() if r >= rank]
        )
    if building_block not in (None, ""):
        try:
            block = int(building_block)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            block = 0
        if block not in BuildingBlock.values:
            raise InvalidFilter("building_block", _("Choose building block 1, 2 or 3."))
        queryset = queryset.filter(building_block=block)
    if situation:
        if isinstance(situation, Situation):
            queryset = queryset.filter(situations=situation)
        else:
            code = str(situation).strip().lower()
            if not Situation.objects.filter(code=code, is_active=True).exists():
                raise UnknownSituation(str(situation))
            through = Intervention.situations.through
            queryset = queryset.filter(
                Exists(through.objects.filter(intervention_id=OuterRef("pk"), situation__code=code))
            )
    prefetches: list[Any] = [
        Prefetch("situations", queryset=Situation.objects.order_by("kind", "position", "name"))
    ]
    if municipality not in (None, ""):
        place = _municipality_filter(municipality)  # type: ignore[arg-type]
        queryset = queryset.filter(_offered_in(place.code))
        prefetches.append(Prefetch("services", queryset=_local_services(place)))
    return queryset.prefetch_related(*prefetches).order_by("name", "slug")


def available_interventions(
    *,
    municipality: Municipality | str,
    situation_codes: Iterable[str] | None = None,
    phase: str | None = None,
) -> QuerySet[Intervention]:
    """The interventions on offer in ``municipality`` (instance or CBS code) for these
    situations and this phase — what a professional can refer to after signalling.

    - ``situation_codes``: interventions addressing at least one of them (unknown codes simply
      match nothing); empty or ``None``: any situation;
    - ``phase``: interventions for that phase (``InvalidFilter`` for an unknown phase); ``None``:
      any phase.

    Each intervention has ``matched_situations`` (how many of the given situations it addresses;
    the most first, then by name) and ``intervention.services.all()`` holds only the services that
    serve the municipality, with their organisation and referral methods: four queries in all,
    whatever the number of interventions. Raises ``InvalidFilter`` for an unknown municipality.
    """
    place = _municipality_filter(municipality)
    codes = sorted({str(code).strip().lower() for code in situation_codes or [] if code})
    queryset = Intervention.objects.active().filter(_offered_in(place.code))
    if phase:
        queryset = queryset.filter(**{PHASE_FIELDS[_check_phase(phase)]: True})
    if codes:
        through = Intervention.situations.through
        queryset = queryset.filter(
            Exists(
                through.objects.filter(intervention_id=OuterRef("pk"), situation__code__in=codes)
            )
        ).annotate(
            matched_situations=Count(
                "situations", filter=Q(situations__code__in=codes), distinct=True
            )
        )
        ordering: tuple[str, ...] = ("-matched_situations", "name", "slug")
    else:
        queryset = queryset.annotate(matched_situations=Value(0, output_field=IntegerField()))
        ordering = ("name", "slug")
    return queryset.prefetch_related(
        Prefetch("situations", queryset=Situation.objects.order_by("kind", "position", "name")),
        Prefetch("services", queryset=_local_services(place)),
    ).order_by(*ordering)


def get_intervention(slug: str) -> Intervention:
    """The active intervention with this slug, with its situations. Raises
    ``UnknownIntervention``."""
    try:
        return (
            Intervention.objects.active()
            .prefetch_related(
                Prefetch(
                    "situations",
                    queryset=Situation.objects.select_related("domain").order_by(
                        "kind", "position", "name"
                    ),
                )
            )
            .get(slug=str(slug).strip().lower())
        )
    except Intervention.DoesNotExist:
        raise UnknownIntervention(str(slug)) from None


def services_for(
    intervention: Intervention, *, municipality: Municipality | str | None = None
) -> QuerySet[Service]:
    """The (not defunct) services delivering ``intervention``, optionally only those serving
    ``municipality``, with organisation, referral methods and service areas (municipalities)."""
    if municipality not in (None, ""):
        queryset = _local_services(_municipality_filter(municipality))  # type: ignore[arg-type]
    else:
        queryset = (
            Service.objects.visible()
            .select_related("organization")
            .prefetch_related("referral_methods")
            .order_by("name", "id")
        )
    return queryset.filter(interventions=intervention).prefetch_related(
        Prefetch(
            "service_areas",
            queryset=ServiceArea.objects.select_related("municipality").order_by(
                "municipality__name"
            ),
        )
    )


@dataclass
class MunicipalityOffer:
    """The services in one municipality that deliver an intervention."""

    municipality: Municipality
    services: list[Service] = field(default_factory=list)


def offer_by_municipality(services: Iterable[Service]) -> list[MunicipalityOffer]:
    """Group services (from ``services_for``) by the municipalities they serve, by name. A
    service serving several municipalities appears under each. No queries."""
    groups: dict[str, MunicipalityOffer] = {}
    for service in services:
        for area in service.service_areas.all():
            offer = groups.setdefault(area.municipality_id, MunicipalityOffer(area.municipality))
            offer.services.append(service)
    return sorted(
        groups.values(), key=lambda offer: (offer.municipality.name, offer.municipality.code)
    )
