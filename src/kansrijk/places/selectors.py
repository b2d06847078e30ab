"""Reads of the places app: postcodes, municipalities and distances.

The reference data is public, so nothing here is filtered per user.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Case, F, FloatField, QuerySet, Value, When
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import ASin, Cos, Power, Radians, Sin, Sqrt
from django.db.models.lookups import GreaterThan

from kansrijk.core.freshness import Kept
from kansrijk.places.exceptions import InvalidPostcode, UnknownMunicipality, UnknownPostcode
from kansrijk.places.models import GGDRegion, Municipality, PostcodeArea, Province, YouthCareRegion

__all__ = [
    "EARTH_RADIUS_KM",
    "BoundingBox",
    "InvalidPostcode",
    "UnknownPostcode",
    "annotate_distance",
    "bounding_box",
    "distance_between_postcodes",
    "distance_expression",
    "distance_km",
    "get_municipalities",
    "get_municipality",
    "list_municipalities",
    "lookup_postcode",
    "normalise_postcode",
    "postcode_areas",
]

# Mean radius of the earth (IUGG), in km.
EARTH_RADIUS_KM = 6371.0088

# Four digits, the first not 0; then optionally two letters, with or without spaces (not line
# breaks) in between. SA, SD and SS are not used in Dutch postcodes.
_POSTCODE_RE = re.compile(r"([1-9][0-9]{3})[^\S\r\n]*([A-Za-z]{2})?")
_UNUSED_LETTERS = frozenset({"SA", "SD", "SS"})
_MAX_INPUT_LENGTH = 20


def normalise_postcode(raw: str) -> str:
    """Return the four digits (PC4) of a Dutch postcode.

    Accepts ``9203``, ``9203AB``, ``9203 ab`` and surrounding spaces. Raises ``InvalidPostcode`` for
    anything else, such as ``AB9203``, ``920``, ``0123`` or ``9203 SS``.
    """
    if not isinstance(raw, str) or len(raw) > _MAX_INPUT_LENGTH:
        raise InvalidPostcode()
    match = _POSTCODE_RE.fullmatch(raw.strip())
    if match is None or (match.group(2) or "").upper() in _UNUSED_LETTERS:
        raise InvalidPostcode()
    return match.group(1)


def postcode_areas() -> QuerySet[PostcodeArea]:
    """Postcode areas with their municipality and its regions in the same query."""
    return PostcodeArea.objects.select_related(
        "municipality__province",
        "municipality__ggd_region",
        "municipality__youth_care_region",
        "second_municipality",
    )


def lookup_postcode(raw: str) -> PostcodeArea:
    """The PC4 area of a postcode, with municipality, province, GGD region and youth care region.

    Raises ``InvalidPostcode`` for malformed input and ``UnknownPostcode`` for a well-formed
    postcode that is not in the table.
    """
    code = normalise_postcode(raw)
    try:
        return postcode_areas().get(code=code)
    except PostcodeArea.DoesNotExist:
        raise UnknownPostcode(code) from None


#: All PC4 areas by code, kept per worker (reference data, loaded a few times a year; a load
#: raises the places token).
_areas: Kept[str, dict[str, PostcodeArea]] = Kept(
    "places.postcode-areas", seconds=3600.0, size=1, kinds=("places",)
)


def _all_areas() -> dict[str, PostcodeArea]:
    """Every PC4 area by code, each with its municipality: the 342 municipalities read once and
    shared by their areas (a join gave each of the ~4,800 areas its own copy: twice the time
    and the memory)."""
    municipalities = {m.pk: m for m in Municipality.objects.all()}
    areas: dict[str, PostcodeArea] = {}
    for area in PostcodeArea.objects.all():
        area.municipality = municipalities[area.municipality_id]
        areas[area.code] = area
    return areas


def lookup_postcode_kept(raw: str) -> PostcodeArea:
    """``lookup_postcode`` from all PC4 areas, read in two queries and kept per worker (about
    4,800 areas; no query per lookup): for pages every professional opens with a postcode. Each
    area comes with its municipality (not its regions); callers must not change either."""
    code = normalise_postcode(raw)
    areas = _areas.get_or_make("all", _all_areas)
    area = areas.get(code)
    if area is None:
        raise UnknownPostcode(code)
    return area


def get_municipality(value: Municipality | str) -> Municipality:
    """A municipality from an instance or its CBS code (``GM0090``, case and spaces ignored).
    Raises ``UnknownMunicipality`` for a code that names none."""
    return get_municipalities([value])[0]


def get_municipalities(values: Iterable[Municipality | str]) -> list[Municipality]:
    """``get_municipality`` for each of ``values``, in their order without repeats: the codes
    looked up in one query. Raises ``UnknownMunicipality`` for the first code that names none."""
    wanted = list(values)
    codes = {str(value).strip().upper() for value in wanted if not isinstance(value, Municipality)}
    found = {m.code: m for m in Municipality.objects.filter(code__in=codes)} if codes else {}
    result: dict[str, Municipality] = {}
    for value in wanted:
        if isinstance(value, Municipality):
            municipality: Municipality | None = value
        else:
            municipality = found.get(str(value).strip().upper())
        if municipality is None:
            raise UnknownMunicipality(str(value))
        result.setdefault(municipality.code, municipality)
    return list(result.values())


def municipality_choices() -> list[tuple[str, str]]:
    """All municipalities as ``(CBS code, name)``, by name: the choices of a municipality field."""
    return list(Municipality.objects.order_by("name", "code").values_list("code", "name"))


def list_municipalities(
    *,
    province: Province | str | None = None,
    ggd_region: GGDRegion | str | None = None,
    youth_care_region: YouthCareRegion | str | None = None,
) -> QuerySet[Municipality]:
    """All municipalities by name, with their province and regions, optionally filtered by region."""
    queryset = Municipality.objects.select_related("province", "ggd_region", "youth_care_region")
    if province is not None:
        queryset = queryset.filter(province=province)
    if ggd_region is not None:
        queryset = queryset.filter(ggd_region=ggd_region)
    if youth_care_region is not None:
        queryset = queryset.filter(youth_care_region=youth_care_region)
    return queryset.order_by("name", "code")


# --- Distances -----------------------------------------------------------------------------------


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in km between two WGS84 points (haversine, spherical earth).

    Accurate to about 0.5% — plenty for "how far is this service".
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def distance_between_postcodes(a: str | PostcodeArea, b: str | PostcodeArea) -> float | None:
    """The distance in km between the points of two postcodes (strings are looked up first).

    Returns ``None`` when either postcode area has no coordinates (76 PO-box and business codes).
    Raises ``InvalidPostcode`` / ``UnknownPostcode`` like ``lookup_postcode``.
    """
    codes = [x if isinstance(x, PostcodeArea) else normalise_postcode(x) for x in (a, b)]
    wanted = {code for code in codes if isinstance(code, str)}
    found = (
        {area.code: area for area in PostcodeArea.objects.filter(code__in=wanted)} if wanted else {}
    )
    areas: list[PostcodeArea] = []
    for code in codes:
        if isinstance(code, PostcodeArea):
            areas.append(code)
        elif code in found:
            areas.append(found[code])
        else:
            raise UnknownPostcode(code)
    first, second = areas
    if first.latitude is None or first.longitude is None:
        return None
    if second.latitude is None or second.longitude is None:
        return None
    return distance_km(first.latitude, first.longitude, second.latitude, second.longitude)


@dataclass(frozen=True)
class BoundingBox:
    """A latitude/longitude rectangle that contains every point within ``km`` of a centre."""

    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon

    def as_filter(
        self, lat_field: str = "latitude", lon_field: str = "longitude"
    ) -> dict[str, float]:
        """Keyword arguments for ``QuerySet.filter()``, e.g. ``Service.objects.filter(**box.as_filter())``."""
        return {
            f"{lat_field}__gte": self.min_lat,
            f"{lat_field}__lte": self.max_lat,
            f"{lon_field}__gte": self.min_lon,
            f"{lon_field}__lte": self.max_lon,
        }


def bounding_box(lat: float, lon: float, km: float) -> BoundingBox:
    """The smallest lat/lon rectangle around (lat, lon) that holds every point within ``km``.

    Use it as a cheap index-friendly prefilter before ordering by the exact distance. Meant for the
    Netherlands (no handling of the poles or the antimeridian beyond clamping).
    """
    if km < 0:
        raise ValueError("km must be 0 or more")
    d_lat = math.degrees(km / EARTH_RADIUS_KM)
    cos_lat = math.cos(math.radians(lat))
    d_lon = 180.0 if cos_lat < 1e-9 else min(180.0, d_lat / cos_lat)
    return BoundingBox(
        min_lat=max(-90.0, lat - d_lat),
        max_lat=min(90.0, lat + d_lat),
        min_lon=lon - d_lon,
        max_lon=lon + d_lon,
    )


def distance_expression(
    lat: float, lon: float, *, lat_field: str = "latitude", lon_field: str = "longitude"
) -> CombinedExpression:
    """A database expression for the haversine distance in km from (lat, lon) to the row's point.

    Works on PostgreSQL and SQLite (Django registers the maths functions there). Rows without
    coordinates give NULL. Example::

        Service.objects.annotate(distance=distance_expression(53.10, 6.10)).order_by("distance")
    """
    phi1 = math.radians(lat)
    phi2 = Radians(F(lat_field))
    half_d_phi = (phi2 - Value(phi1)) / Value(2.0)
    half_d_lambda = (Radians(F(lon_field)) - Value(math.radians(lon))) / Value(2.0)
    a = Power(Sin(half_d_phi), 2) + Value(math.cos(phi1)) * Cos(phi2) * Power(Sin(half_d_lambda), 2)
    root = Sqrt(a)
    # Rounding can push the root just above 1 for (nearly) antipodal points; asin would fail there.
    clamped = Case(
        When(GreaterThan(root, Value(1.0)), then=Value(1.0)),
        default=root,
        output_field=FloatField(),
    )
    return Value(2 * EARTH_RADIUS_KM) * ASin(clamped)


_Q = TypeVar("_Q", bound=QuerySet[Any])


def annotate_distance(
    queryset: _Q,
    lat: float,
    lon: float,
    *,
    within_km: float | None = None,
    lat_field: str = "latitude",
    lon_field: str = "longitude",
    name: str = "distance_km",
) -> _Q:
    """``queryset`` with a ``distance_km`` annotation (km from lat/lon), nearest first.

    With ``within_km`` only rows within that distance remain, prefiltered with ``bounding_box``.
    Rows without coordinates come last (or are left out when ``within_km`` is given).
    """
    expression = distance_expression(lat, lon, lat_field=lat_field, lon_field=lon_field)
    queryset = queryset.annotate(**{name: expression})
    if within_km is not None:
        box = bounding_box(lat, lon, within_km)
        queryset = queryset.filter(
            **box.as_filter(lat_field, lon_field), **{f"{name}__lte": within_km}
        )
    return queryset.order_by(F(name).asc(nulls_last=True), "pk")
