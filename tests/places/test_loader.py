"""The CBS reference data loader: counts, idempotence, updates, bad files and speed."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from pytest_django import DjangoAssertNumQueries

import kansrijk.places
from kansrijk.places.exceptions import ReferenceDataError
from kansrijk.places.models import GGDRegion, Municipality, PostcodeArea, Province, YouthCareRegion
from kansrijk.places.services import DATA_DIR, load_reference_data

pytestmark = pytest.mark.usefixtures("places")

# From the README of the data: municipalities per province (GR, FR, DR, OV, FL, GLD, UT, NH, ZH, ZL, NB, LB).
PER_PROVINCE = {
    "PV20": ("Groningen", 10),
    "PV21": ("Fryslân", 18),
    "PV22": ("Drenthe", 12),
    "PV23": ("Overijssel", 25),
    "PV24": ("Flevoland", 6),
    "PV25": ("Gelderland", 51),
    "PV26": ("Utrecht", 26),
    "PV27": ("Noord-Holland", 44),
    "PV28": ("Zuid-Holland", 50),
    "PV29": ("Zeeland", 13),
    "PV30": ("Noord-Brabant", 56),
    "PV31": ("Limburg", 31),
}


def _table_counts() -> dict[str, int]:
    return {
        "provinces": Province.objects.count(),
        "ggd_regions": GGDRegion.objects.count(),
        "youth_care_regions": YouthCareRegion.objects.count(),
        "municipalities": Municipality.objects.count(),
        "postcode_areas": PostcodeArea.objects.count(),
    }


EXPECTED = {
    "provinces": 12,
    "ggd_regions": 25,
    "youth_care_regions": 42,
    "municipalities": 342,
    "postcode_areas": 4785,
}


def test_everything_is_loaded() -> None:
    assert _table_counts() == EXPECTED


def test_municipalities_per_province() -> None:
    for code, (name, count) in PER_PROVINCE.items():
        province = Province.objects.get(code=code)
        assert province.name == name
        assert province.municipalities.count() == count, name
    assert sum(count for _, count in PER_PROVINCE.values()) == 342


def test_municipality_fields() -> None:
    smallingerland = Municipality.objects.get(code="GM0090")
    assert smallingerland.name == "Smallingerland"
    assert smallingerland.province_id == "PV21"
    assert smallingerland.ggd_region.name == "GGD Fryslân"
    assert smallingerland.youth_care_region_id == "JZ02"
    assert smallingerland.latitude == pytest.approx(53.11349)
    assert smallingerland.longitude == pytest.approx(6.03915)
    assert smallingerland.area_km2 == pytest.approx(127.18)
    assert smallingerland.population_2021 is not None
    assert smallingerland.population_0_4_2021 is not None
    # Spellings as CBS writes them survive the round trip.
    assert Municipality.objects.get(code="GM0518").name == "'s-Gravenhage"
    # Every municipality has a population; the national total is the one in the README.
    assert not Municipality.objects.filter(population_2021__isnull=True).exists()
    total = sum(p or 0 for p in Municipality.objects.values_list("population_2021", flat=True))
    assert total == 17_472_870


def test_postcode_fields() -> None:
    area = PostcodeArea.objects.get(code="9203")
    assert area.municipality_id == "GM0090"
    assert area.place_name == "Drachten"
    assert (area.latitude, area.longitude) == (pytest.approx(53.102), pytest.approx(6.0982))
    assert area.coordinate_source == "adressen_postcodetabel"
    assert area.second_municipality_id is None
    assert area.population_2021 == 9555

    straddling = PostcodeArea.objects.get(code="1037")
    assert straddling.municipality_id == "GM0363"
    assert straddling.second_municipality_id == "GM0431"

    # Empty coordinates become NULL, not 0.
    without = PostcodeArea.objects.get(code="1002")
    assert without.latitude is None
    assert without.longitude is None
    assert not without.has_coordinates
    assert without.coordinate_source == ""
    assert PostcodeArea.objects.filter(latitude__isnull=True).count() == 76
    assert PostcodeArea.objects.filter(second_municipality__isnull=False).count() == 628
    # Codes keep their four characters.
    assert PostcodeArea.objects.order_by("code").first().code == "1000"  # type: ignore[union-attr]


def test_second_run_changes_nothing() -> None:
    before = list(PostcodeArea.objects.order_by("code").values())
    counts = load_reference_data()
    assert _table_counts() == EXPECTED
    for table, expected in EXPECTED.items():
        assert counts[table] == {
            "total": expected,
            "created": 0,
            "updated": 0,
            "unchanged": expected,
            "not_in_source": 0,
        }
    assert list(PostcodeArea.objects.order_by("code").values()) == before


def test_changed_rows_are_updated_and_missing_rows_created() -> None:
    Municipality.objects.filter(code="GM0090").update(name="Verkeerd", population_2021=1)
    PostcodeArea.objects.filter(code="9203").update(
        place_name="Elders", latitude=None, longitude=None
    )
    PostcodeArea.objects.filter(code="9204").delete()
    GGDRegion.objects.filter(code="GG7206").update(name="Oud")

    counts = load_reference_data()

    assert counts["municipalities"]["updated"] == 1
    assert counts["postcode_areas"]["updated"] == 1
    assert counts["postcode_areas"]["created"] == 1
    assert counts["ggd_regions"]["updated"] == 1
    assert _table_counts() == EXPECTED
    assert Municipality.objects.get(code="GM0090").name == "Smallingerland"
    area = PostcodeArea.objects.get(code="9203")
    assert area.place_name == "Drachten"
    assert area.latitude == pytest.approx(53.102)
    assert GGDRegion.objects.get(code="GG7206").name == "GGD Fryslân"


def test_rows_no_longer_in_the_files_are_kept_and_reported() -> None:
    PostcodeArea.objects.create(code="1004", municipality_id="GM0363")
    counts = load_reference_data()
    assert counts["postcode_areas"]["not_in_source"] == 1
    assert PostcodeArea.objects.filter(code="1004").exists()


def test_load_into_empty_tables_is_fast(
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    """In bulk: a bounded number of queries (not one per row), and little CPU. The CPU time of
    this process, not the wall clock: with the suite in parallel and other work on the
    machine, the wall clock measures the machine (~0.3 s of CPU here, 60 queries on SQLite)."""
    PostcodeArea.objects.all().delete()
    Municipality.objects.all().delete()
    Province.objects.all().delete()
    GGDRegion.objects.all().delete()
    YouthCareRegion.objects.all().delete()

    started = time.process_time()
    with django_assert_max_num_queries(100):
        counts = load_reference_data()
    cpu_seconds = time.process_time() - started

    assert _table_counts() == EXPECTED
    assert counts["postcode_areas"]["created"] == 4785
    assert cpu_seconds < 3.0


def test_data_files_ship_inside_the_package() -> None:
    package_dir = Path(kansrijk.places.__file__).resolve().parent
    assert package_dir / "data" == DATA_DIR
    for name in (
        "gemeenten-2025.csv",
        "pc4-gemeente-2025.csv",
        "gemeente-bevolking-2021-uit-pc4.csv",
        "gemeenten-2025.geojson",
        "README.md",
    ):
        assert (DATA_DIR / name).is_file(), name
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in readme
    assert (
        "Bron: CBS (Centraal Bureau voor de Statistiek), CC BY 4.0; gemeentegrenzen via PDOK / cartomap"
        in readme
    )


# --- Bad files: a clear error and no change -------------------------------------------------------


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    for name in (
        "gemeenten-2025.csv",
        "pc4-gemeente-2025.csv",
        "gemeente-bevolking-2021-uit-pc4.csv",
    ):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    return tmp_path


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_loads_from_another_folder(data_copy: Path) -> None:
    _replace(data_copy / "gemeenten-2025.csv", "GM0090,Smallingerland,", "GM0090,Smallingerlân,")
    counts = load_reference_data(data_dir=data_copy)
    assert counts["municipalities"]["updated"] == 1
    assert Municipality.objects.get(code="GM0090").name == "Smallingerlân"


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        # Valid change in the first file and an unknown municipality in the PC4 file.
        (
            "pc4-gemeente-2025.csv",
            "9203,GM0090,",
            "9203,GM9999,",
            "GM9999 is not in gemeenten-2025.csv",
        ),
        (
            "pc4-gemeente-2025.csv",
            "9203,GM0090,Smallingerland,Drachten,53.102,",
            "9203,GM0090,Smallingerland,Drachten,noord,",
            "lat 'noord' is not a number",
        ),
        ("pc4-gemeente-2025.csv", "\n9203,", "\n0203,", "'0203' is not a valid postcode code"),
        (
            "gemeenten-2025.csv",
            "GM0090,Smallingerland,PV21,Fryslân,",
            "GM0090,Smallingerland,PV21,Friesland,",
            "PV21 has two names",
        ),
        (
            "gemeente-bevolking-2021-uit-pc4.csv",
            "gemeentecode,",
            "code,",
            "missing columns gemeentecode",
        ),
        (
            "gemeente-bevolking-2021-uit-pc4.csv",
            "GM0014,Groningen,47,233170,",
            "GM0014,Groningen,47,-5,",
            "not a whole number",
        ),
    ],
)
def test_bad_file_raises_and_changes_nothing(
    data_copy: Path, file: str, old: str, new: str, message: str
) -> None:
    # A valid change elsewhere that must not be written either.
    _replace(data_copy / "gemeenten-2025.csv", "GM0014,Groningen,", "GM0014,Grunn,")
    _replace(data_copy / file, old, new)
    before = list(Municipality.objects.order_by("code").values())

    with pytest.raises(ReferenceDataError, match=message):
        load_reference_data(data_dir=data_copy)

    assert list(Municipality.objects.order_by("code").values()) == before
    assert _table_counts() == EXPECTED


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ReferenceDataError, match="Cannot read"):
        load_reference_data(data_dir=tmp_path / "nowhere")


def test_management_command_prints_counts(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_places")
    out = capsys.readouterr().out
    assert "municipalities: 342 in the files, 0 created, 0 updated, 342 unchanged" in out
    assert "postcode_areas: 4785 in the files" in out
    assert "CC BY 4.0" in out


def test_management_command_reports_a_bad_file(data_copy: Path) -> None:
    from django.core.management.base import CommandError

    (data_copy / "pc4-gemeente-2025.csv").write_text("pc4\n9203\n", encoding="utf-8")
    with pytest.raises(CommandError, match="missing columns"):
        call_command("load_places", data_dir=data_copy)
