"""Postcode parsing and lookup, municipality lists and distances."""

from __future__ import annotations

import math

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from pytest_django import DjangoAssertNumQueries

from kansrijk.places.exceptions import UnknownMunicipality
from kansrijk.places.models import Municipality, PostcodeArea
from kansrijk.places.selectors import (
    InvalidPostcode,
    UnknownPostcode,
    annotate_distance,
    bounding_box,
    distance_between_postcodes,
    distance_km,
    get_municipalities,
    get_municipality,
    list_municipalities,
    lookup_postcode,
    lookup_postcode_kept,
    normalise_postcode,
    postcode_areas,
)

# --- normalise_postcode ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["9203", "9203 AB", "9203AB", "9203ab", " 9203AB ", "9203  ab", "\t9203 Ab\n", "9203\u00a0AB"],
)
def test_normalise_accepts_dutch_postcodes(raw: str) -> None:
    assert normalise_postcode(raw) == "9203"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "AB9203",  # letters first
        "AB 9203",
        "920",  # three digits
        "92031",  # five digits
        "0123",  # no Dutch postcode starts with 0
        "0123 AB",
        "9203 SA",  # SA, SD and SS are not used
        "9203sd",
        "9203 SS",
        "9203 A",  # one letter
        "9203 ABC",
        "9203-AB",
        "92 03",
        "\uff19\uff12\uff10\uff13",  # full-width digits
        "9203 ÄB",
        "9203 AB" + " " * 30,  # far too long
        "9203\nAB",
        "9203 \ufb00",  # a ligature that upper-cases to "FF"
    ],
)
def test_normalise_rejects_malformed_input(raw: str) -> None:
    with pytest.raises(InvalidPostcode) as info:
        normalise_postcode(raw)
    assert info.value.code == "ongeldige-postcode"


def test_invalid_postcode_message_is_translated() -> None:
    from django.utils import translation

    with translation.override("nl"):
        message = str(InvalidPostcode())
    assert message == (
        "Vul een postcode in van vier cijfers, eventueel met twee letters, zoals 9203 of 9203 AB."
    )
    with translation.override("en"):
        assert str(InvalidPostcode()).startswith("Enter a postcode of four digits")


@given(
    digits=st.integers(min_value=1000, max_value=9999),
    letters=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2).filter(
        lambda s: s not in {"SA", "SD", "SS"}
    ),
    space=st.sampled_from(["", " ", "  "]),
    lower=st.booleans(),
)
def test_normalise_any_valid_postcode(digits: int, letters: str, space: str, lower: bool) -> None:
    raw = f"{digits}{space}{letters.lower() if lower else letters}"
    assert normalise_postcode(raw) == str(digits)


@given(st.text(max_size=30))
def test_normalise_returns_four_digits_or_raises(raw: str) -> None:
    try:
        result = normalise_postcode(raw)
    except InvalidPostcode:
        return
    assert len(result) == 4
    assert result.isascii()
    assert result.isdigit()
    assert result[0] != "0"


# --- lookup_postcode ---------------------------------------------------------------------------


@pytest.mark.usefixtures("places")
@pytest.mark.parametrize("raw", ["9203", "9203 AB", "9203ab", " 9203AB "])
def test_lookup_9203_is_smallingerland(
    raw: str, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(1):
        area = lookup_postcode(raw)
        # Municipality and regions come with the same query.
        municipality = area.municipality
        assert (municipality.code, municipality.name) == ("GM0090", "Smallingerland")
        assert municipality.province.name == "Fryslân"
        assert municipality.ggd_region.name == "GGD Fryslân"
        assert municipality.youth_care_region.code == "JZ02"
        assert area.second_municipality is None
    assert area.code == "9203"
    assert area.place_name == "Drachten"


@pytest.mark.usefixtures("places")
def test_lookup_unknown_postcode() -> None:
    with pytest.raises(UnknownPostcode) as info:
        lookup_postcode("1004 AB")  # well-formed, but not in the table
    assert info.value.value == "1004"
    assert info.value.code == "onbekende-postcode"
    assert "1004" in str(info.value)


@pytest.mark.usefixtures("places")
def test_lookup_malformed_postcode_does_not_query(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    with django_assert_num_queries(0), pytest.raises(InvalidPostcode):
        lookup_postcode("0123")


@pytest.mark.usefixtures("places")
def test_the_kept_lookup_is_the_lookup_for_every_area(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    """``lookup_postcode_kept`` reads the areas and the municipalities once (three queries, with
    the data's version numbers), then answers every postcode as ``lookup_postcode`` does (its
    query, ``postcode_areas``), each area with its own municipality: one instance per
    municipality, shared by its areas. Unknown and malformed postcodes as there."""
    with django_assert_num_queries(3):
        lookup_postcode_kept("9203 AB")
    expected = {area.code: area for area in postcode_areas()}
    assert len(expected) > 4000
    with django_assert_num_queries(0):
        kept = {code: lookup_postcode_kept(code) for code in expected}
    fields = [field.attname for field in PostcodeArea._meta.concrete_fields]
    shared: dict[str, Municipality] = {}
    for code, area in kept.items():
        assert [getattr(area, f) for f in fields] == [getattr(expected[code], f) for f in fields]
        municipality = area.municipality
        assert (municipality.code, municipality.name) == (
            expected[code].municipality.code,
            expected[code].municipality.name,
        )
        assert shared.setdefault(municipality.code, municipality) is municipality
    with pytest.raises(UnknownPostcode):
        lookup_postcode_kept("1004 AB")
    with pytest.raises(InvalidPostcode):
        lookup_postcode_kept("0123")


# --- get_municipality ----------------------------------------------------------------------------


@pytest.mark.usefixtures("places")
@pytest.mark.parametrize("code", ["GM0090", "gm0090", " GM0090 "])
def test_get_municipality_by_cbs_code(code: str) -> None:
    assert get_municipality(code).name == "Smallingerland"


@pytest.mark.usefixtures("places")
def test_get_municipality_passes_an_instance_through(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    municipality = Municipality.objects.get(code="GM0090")
    with django_assert_num_queries(0):
        assert get_municipality(municipality) is municipality


@pytest.mark.usefixtures("places")
@pytest.mark.parametrize("code", ["GM9999", "", "PV21", "Smallingerland"])
def test_get_municipality_refuses_a_code_that_names_none(code: str) -> None:
    with pytest.raises(UnknownMunicipality) as info:
        get_municipality(code)
    assert info.value.code == "onbekende-gemeente"
    assert info.value.value == code
    with translation.override("nl"):
        assert str(info.value) == f"{code} is geen gemeente. Gebruik een CBS-code zoals GM0090."


@pytest.mark.usefixtures("places")
def test_get_municipalities_in_one_query_in_their_order_without_repeats(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    drachten = Municipality.objects.get(code="GM0090")
    with django_assert_num_queries(1):
        found = get_municipalities(["gm0599", drachten, " GM0080 ", "GM0090", "GM0599"])
    assert [m.code for m in found] == ["GM0599", "GM0090", "GM0080"]
    assert found[1] is drachten
    with django_assert_num_queries(0):
        assert get_municipalities([drachten]) == [drachten]
        assert get_municipalities([]) == []


@pytest.mark.usefixtures("places")
def test_get_municipalities_refuses_the_first_code_that_names_none() -> None:
    with pytest.raises(UnknownMunicipality) as info:
        get_municipalities(["GM0090", "GM9999", "GM9998"])
    assert info.value.value == "GM9999"


# --- list_municipalities -------------------------------------------------------------------------


@pytest.mark.usefixtures("places")
def test_list_municipalities(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    with django_assert_num_queries(1):
        rows = [
            (m.name, m.province.code, m.ggd_region.code, m.youth_care_region.code)
            for m in list_municipalities()
        ]
    assert len(rows) == 342
    assert [name for name, *_ in rows] == sorted(name for name, *_ in rows)
    assert len(list_municipalities(province="PV21")) == 18
    assert {m.province_id for m in list_municipalities(ggd_region="GG7206")} == {"PV21"}
    assert len(list_municipalities(youth_care_region="JZ02")) == 18
    assert list(list_municipalities(province="PV99")) == []


# --- distances ---------------------------------------------------------------------------------

# Drachten (9203) to Heerlen (6411). Independent estimate with the flat-earth (equirectangular)
# approximation, fine at this scale:
#   north-south: (53.102 - 50.88764)deg * 111.195 km/deg = 246.23 km
#   east-west:   (6.0982 - 5.96361)deg * 111.195 * cos(51.995deg) km/deg = 9.21 km
#   sqrt(246.23² + 9.21²) ≈ 246.4 km.
# On the WGS84 ellipsoid the distance differs by well under 1%; the tolerance covers that.
DRACHTEN = (53.102, 6.0982)
HEERLEN = (50.88764, 5.96361)


def test_distance_km_drachten_heerlen() -> None:
    assert distance_km(*DRACHTEN, *HEERLEN) == pytest.approx(246.4, abs=2.0)
    assert distance_km(*HEERLEN, *DRACHTEN) == pytest.approx(distance_km(*DRACHTEN, *HEERLEN))


def test_distance_km_known_values() -> None:
    assert distance_km(*DRACHTEN, *DRACHTEN) == 0.0
    # One degree of latitude is about 111.2 km; a quarter of the meridian about 10,008 km.
    assert distance_km(52.0, 5.0, 53.0, 5.0) == pytest.approx(111.2, abs=0.1)
    assert distance_km(0.0, 0.0, 90.0, 0.0) == pytest.approx(10_007.5, abs=1.0)
    # Antipodal points do not fail on rounding.
    assert distance_km(0.0, 0.0, 0.0, 180.0) == pytest.approx(math.pi * 6371.0088)


@pytest.mark.usefixtures("places")
def test_distance_between_postcodes() -> None:
    distance = distance_between_postcodes("9203 AB", "6411")
    assert distance == pytest.approx(246.4, abs=2.0)
    assert distance_between_postcodes("9203", "9203ab") == 0.0
    area = PostcodeArea.objects.get(code="6411")
    assert distance_between_postcodes("9203", area) == pytest.approx(distance)
    # 1002 has no coordinates.
    assert distance_between_postcodes("9203", "1002") is None
    with pytest.raises(UnknownPostcode):
        distance_between_postcodes("9203", "1004")
    with pytest.raises(InvalidPostcode):
        distance_between_postcodes("0203", "9203")


@given(
    lat=st.floats(min_value=50.5, max_value=53.7),
    lon=st.floats(min_value=3.2, max_value=7.3),
    km=st.floats(min_value=0.1, max_value=200),
    bearing=st.floats(min_value=0, max_value=2 * math.pi),
    fraction=st.floats(min_value=0, max_value=0.999),
)
def test_bounding_box_holds_every_point_within_the_radius(
    lat: float, lon: float, km: float, bearing: float, fraction: float
) -> None:
    # A point at distance fraction * km in direction ``bearing`` (spherical destination formula).
    delta = fraction * km / 6371.0088
    phi1, lambda1 = math.radians(lat), math.radians(lon)
    phi2 = math.asin(
        math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(bearing)
    )
    lambda2 = lambda1 + math.atan2(
        math.sin(bearing) * math.sin(delta) * math.cos(phi1),
        math.cos(delta) - math.sin(phi1) * math.sin(phi2),
    )
    point = (math.degrees(phi2), math.degrees(lambda2))
    assert distance_km(lat, lon, *point) <= km + 1e-6
    assert bounding_box(lat, lon, km).contains(*point)


def test_bounding_box_is_tight_enough() -> None:
    box = bounding_box(*DRACHTEN, 10)
    assert box.max_lat - box.min_lat == pytest.approx(2 * 10 / 111.195, rel=1e-3)
    assert box.min_lon < DRACHTEN[1] < box.max_lon
    assert box.as_filter() == {
        "latitude__gte": box.min_lat,
        "latitude__lte": box.max_lat,
        "longitude__gte": box.min_lon,
        "longitude__lte": box.max_lon,
    }
    assert not box.contains(*HEERLEN)
    with pytest.raises(ValueError, match="km"):
        bounding_box(*DRACHTEN, -1)


@pytest.mark.usefixtures("places")
def test_annotate_distance_orders_by_distance_in_the_database() -> None:
    drachten = PostcodeArea.objects.get(code="9203")
    assert drachten.latitude is not None
    assert drachten.longitude is not None
    lat, lon = drachten.latitude, drachten.longitude

    nearby = list(annotate_distance(PostcodeArea.objects.all(), lat, lon, within_km=8))
    expected = {
        area.code
        for area in PostcodeArea.objects.filter(latitude__isnull=False)
        if distance_km(lat, lon, area.latitude, area.longitude) <= 8  # type: ignore[arg-type]
    }
    assert {area.code for area in nearby} == expected
    assert nearby[0].code == "9203"
    assert nearby[0].distance_km == pytest.approx(0.0, abs=1e-6)  # type: ignore[attr-defined]
    distances = [area.distance_km for area in nearby]  # type: ignore[attr-defined]
    assert distances == sorted(distances)
    for area in nearby:
        assert area.distance_km == pytest.approx(  # type: ignore[attr-defined]
            distance_km(lat, lon, area.latitude, area.longitude),  # type: ignore[arg-type]
            abs=1e-6,
        )

    everything = list(annotate_distance(PostcodeArea.objects.all(), lat, lon))
    assert len(everything) == 4785
    # Rows without coordinates come last, with no distance.
    assert everything[-1].distance_km is None  # type: ignore[attr-defined]
    heerlen = next(area for area in everything if area.code == "6411")
    assert heerlen.distance_km == pytest.approx(246.4, abs=2.0)  # type: ignore[attr-defined]
