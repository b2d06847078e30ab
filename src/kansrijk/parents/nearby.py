"""Help nearby: the services of the social map a parent can go to herself, near her postcode.

The same directory and ranking as the professionals' social map (``directory.search.ranking.rank_page``:
the in-memory index, or its SQL twin), filtered to the need she picked in her words, then to
the services that take a self-referral, nearest first. What a card says comes from the same
service rows the social map shows, in Dutch where it is directory text (marked ``lang="nl"``),
with our labels in her language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from kansrijk.directory.models import (
    Phone,
    ReferralMethod,
    ReferralMethodKind,
    Schedule,
    Service,
    ServiceAtLocation,
)
from kansrijk.directory.search.ranking import rank_page
from kansrijk.directory.selectors import with_listing_data
from kansrijk.parents import languages

#: What she may need, in her words → the social map's need category.
NEEDS = (
    ("geldzorgen", _("Money")),
    ("huisvesting", _("A place to live")),
    ("psychische-problemen", _("Feeling down or stressed")),
    ("huiselijk-geweld", _("Safety at home")),
    ("taalbarriere", _("Learning Dutch")),
    ("sociaal-netwerk", _("Meeting other parents")),
)
NEED_CODES = frozenset(code for code, _label in NEEDS)
#: Ranked candidates read to find the self-referral ones among them.
CANDIDATES = 200
#: Cards shown.
SHOWN = 12

WEEKDAYS = {
    "MO": _("Mon"),
    "TU": _("Tue"),
    "WE": _("Wed"),
    "TH": _("Thu"),
    "FR": _("Fri"),
    "SA": _("Sat"),
    "SU": _("Sun"),
}


@dataclass(frozen=True)
class SpokenLanguage:
    """A language spoken at a service: its name in its own script where we know it (else the
    directory's Dutch name), with the ``lang`` and ``dir`` the name is written in."""

    name: str
    lang: str
    direction: str = "ltr"


@dataclass(frozen=True)
class NearbyService:
    id: str
    name: str
    organisation: str
    description: str
    is_free: bool | None
    distance_km: float | None
    serves_municipality: bool | None
    how_to_go: str
    phones: tuple[str, ...]
    addresses: tuple[str, ...]
    hours: tuple[str, ...]
    languages: tuple[SpokenLanguage, ...]
    url: str
    is_demo: bool
    extra: dict[str, Any] = field(default_factory=dict)


def _hours(schedule: Schedule) -> str:
    days = [str(WEEKDAYS[d]) for d in schedule.byday.replace(" ", "").split(",") if d in WEEKDAYS]
    hours = (
        f"{schedule.opens_at:%H:%M}\u2013{schedule.closes_at:%H:%M}"
        if schedule.opens_at and schedule.closes_at
        else ""
    )
    return " ".join(part for part in (", ".join(days), hours) if part)


def _language_names(codes: list[tuple[str, str]]) -> tuple[SpokenLanguage, ...]:
    """Languages spoken, each in its own name where we know it (else the directory's name,
    which is Dutch)."""
    names = []
    order = {code: i for i, code in enumerate(languages.CODES)}
    codes = sorted(codes, key=lambda item: (order.get((item[0] or "").lower(), 99), item[1]))
    for code, name in codes:
        known = languages.BY_CODE.get((code or "").lower())
        names.append(
            SpokenLanguage(known.native_name, known.code, known.direction)
            if known
            else SpokenLanguage(name or code, languages.DEFAULT)
        )
    return tuple(dict.fromkeys(names))


def help_nearby(*, postcode: str, need: str, free_only: bool = False) -> list[NearbyService]:
    """The self-referral services for ``need`` near ``postcode``, nearest first. Raises the
    places errors for a bad postcode and ``UnknownCategory`` for an unknown need."""
    page = rank_page(
        postcode=postcode,
        category=need,
        free=True if free_only else None,
        per_page=CANDIDATES,
    )
    rows = list(page.object_list)
    if not rows:
        return []
    self_referral = set(
        ReferralMethod.objects.filter(
            service_id__in=[row.service_id for row in rows],
            method=ReferralMethodKind.SELF_REFERRAL,
        ).values_list("service_id", flat=True)
    )
    chosen = [row for row in rows if row.service_id in self_referral]
    chosen.sort(key=lambda row: (row.distance_km is None, row.distance_km or 0.0, row.name))
    chosen = chosen[:SHOWN]
    if not chosen:
        return []
    services = {
        service.pk: service
        for service in with_listing_data(
            Service.objects.filter(pk__in=[row.service_id for row in chosen])
        ).prefetch_related(
            Prefetch("phones", queryset=Phone.objects.order_by("number")),
            Prefetch("schedules", queryset=Schedule.objects.order_by("id")),
            Prefetch(
                "service_at_locations__location__phones", queryset=Phone.objects.order_by("number")
            ),
            Prefetch(
                "service_at_locations__location__schedules",
                queryset=Schedule.objects.order_by("id"),
            ),
        )
    }
    result = []
    for row in chosen:
        service = services.get(row.service_id)
        if service is None:
            continue
        links: list[ServiceAtLocation] = list(service.service_at_locations.all())
        locations = [link.location for link in links]
        phones = [p.number for p in service.phones.all()] + [
            p.number for location in locations for p in location.phones.all()
        ]
        schedules = list(service.schedules.all()) + [
            s for location in locations for s in location.schedules.all()
        ]
        how = next(
            (
                method.instructions
                for method in service.referral_methods.all()
                if method.method == ReferralMethodKind.SELF_REFERRAL
            ),
            "",
        )
        addresses = [
            ", ".join(
                part
                for part in (location.address_1, f"{location.postal_code} {location.city}".strip())
                if part
            )
            for location in locations
            if location.address_1 or location.city
        ]
        result.append(
            NearbyService(
                id=str(service.pk),
                name=service.name,
                organisation=service.organization.name,
                description=service.description,
                is_free=service.is_free,
                distance_km=row.distance_km,
                serves_municipality=row.serves_municipality,
                how_to_go=how,
                phones=tuple(dict.fromkeys(phones))[:2],
                addresses=tuple(dict.fromkeys(addresses))[:2],
                hours=tuple(dict.fromkeys(h for h in map(_hours, schedules) if h))[:4],
                languages=_language_names(
                    [(lang.code, lang.name) for lang in service.languages.all()]
                ),
                url=service.url,
                is_demo=service.is_demo,
            )
        )
    return result
