"""Writes of the places app: loading the CBS reference data shipped in ``places/data/``."""

from __future__ import annotations

import csv
import re
from collections.abc import Container, Iterator
from pathlib import Path
from typing import Any, NoReturn

from django.db import models, transaction

from kansrijk.core.loading import sync_rows
from kansrijk.places.exceptions import ReferenceDataError
from kansrijk.places.models import GGDRegion, Municipality, PostcodeArea, Province, YouthCareRegion

DATA_DIR = Path(__file__).resolve().parent / "data"

MUNICIPALITIES_FILE = "gemeenten-2025.csv"
POPULATION_FILE = "gemeente-bevolking-2021-uit-pc4.csv"
POSTCODES_FILE = "pc4-gemeente-2025.csv"

SOURCE = "CBS, CC BY 4.0"
ATTRIBUTION = (
    "Bron: CBS (Centraal Bureau voor de Statistiek), CC BY 4.0; gemeentegrenzen via PDOK / cartomap"
)

_MUNICIPALITY_COLUMNS = {
    "gemeentecode",
    "gemeentenaam",
    "provinciecode",
    "provincienaam",
    "ggdregiocode",
    "ggdregionaam",
    "jeugdregiocode",
    "jeugdregionaam",
    "lat",
    "lon",
    "oppervlakte_km2",
}
_POPULATION_COLUMNS = {"gemeentecode", "inwoners_2021_pc4", "inwoners_0_4_2021_pc4"}
_POSTCODE_COLUMNS = {
    "pc4",
    "gemeentecode",
    "woonplaats",
    "lat",
    "lon",
    "coord_bron",
    "gemeente_aandeel",
    "tweede_gemeentecode",
    "inwoners_2021",
    "inwoners_0_4_2021",
}
_CODE_PATTERNS = {
    "province": re.compile(r"PV\d{2}"),
    "ggd_region": re.compile(r"GG\d{4}"),
    "youth_care_region": re.compile(r"JZ\d{2}"),
    "municipality": re.compile(r"GM\d{4}"),
    "postcode": re.compile(r"[1-9]\d{3}"),
}


class _Reader:
    """Reads one CSV file and turns cell values into Python values, with file:line in errors."""

    def __init__(self, path: Path, required: set[str]) -> None:
        self.path = path
        self.required = required
        self.line = 0

    def rows(self) -> Iterator[dict[str, str]]:
        try:
            handle = self.path.open(encoding="utf-8", newline="")
        except OSError as exc:
            raise ReferenceDataError(f"Cannot read {self.path}: {exc}") from exc
        with handle:
            reader = csv.DictReader(handle)
            missing = self.required - set(reader.fieldnames or [])
            if missing:
                self.fail(f"missing columns {', '.join(sorted(missing))}")
            for row in reader:
                self.line = reader.line_num
                yield {key: (value or "").strip() for key, value in row.items() if key}

    def fail(self, problem: str) -> NoReturn:
        where = f"{self.path.name}:{self.line}" if self.line else self.path.name
        raise ReferenceDataError(f"{where}: {problem}")

    def code(self, value: str, kind: str) -> str:
        if not _CODE_PATTERNS[kind].fullmatch(value):
            self.fail(f"{value!r} is not a valid {kind.replace('_', ' ')} code")
        return value

    def new_code(self, value: str, kind: str, seen: Container[str]) -> str:
        """``value`` as the code of a ``kind`` not in ``seen`` yet (a second row for it fails)."""
        code = self.code(value, kind)
        if code in seen:
            self.fail(f"{kind} {code} appears twice")
        return code

    def known_municipality(self, value: str, municipalities: Container[str]) -> str:
        """``value`` as the code of one of the ``municipalities`` of ``MUNICIPALITIES_FILE``."""
        code = self.code(value, "municipality")
        if code not in municipalities:
            self.fail(f"municipality {code} is not in {MUNICIPALITIES_FILE}")
        return code

    def text(self, value: str, what: str) -> str:
        if not value:
            self.fail(f"{what} is empty")
        return value

    def number(self, value: str, what: str, *, required: bool = False) -> float | None:
        if not value:
            if required:
                self.fail(f"{what} is empty")
            return None
        try:
            return float(value)
        except ValueError:
            self.fail(f"{what} {value!r} is not a number")

    def count(self, value: str, what: str) -> int | None:
        number = self.number(value, what)
        if number is None:
            return None
        if number < 0 or number != int(number):
            self.fail(f"{what} {value!r} is not a whole number of 0 or more")
        return int(number)


def _read_municipalities(
    data_dir: Path,
) -> tuple[
    dict[str, dict[str, Any]],
    dict[str, dict[str, Any]],
    dict[str, dict[str, Any]],
    dict[str, dict[str, Any]],
]:
    provinces: dict[str, dict[str, Any]] = {}
    ggd_regions: dict[str, dict[str, Any]] = {}
    youth_regions: dict[str, dict[str, Any]] = {}
    municipalities: dict[str, dict[str, Any]] = {}
    reader = _Reader(data_dir / MUNICIPALITIES_FILE, _MUNICIPALITY_COLUMNS)

    def region(target: dict[str, dict[str, Any]], code: str, name: str) -> str:
        known = target.setdefault(code, {"name": name})
        if known["name"] != name:
            reader.fail(f"{code} has two names: {known['name']!r} and {name!r}")
        return code

    for row in reader.rows():
        code = reader.new_code(row["gemeentecode"], "municipality", municipalities)
        latitude = reader.number(row["lat"], "lat", required=True)
        longitude = reader.number(row["lon"], "lon", required=True)
        municipalities[code] = {
            "name": reader.text(row["gemeentenaam"], "gemeentenaam"),
            "province_id": region(
                provinces,
                reader.code(row["provinciecode"], "province"),
                reader.text(row["provincienaam"], "provincienaam"),
            ),
            "ggd_region_id": region(
                ggd_regions,
                reader.code(row["ggdregiocode"], "ggd_region"),
                reader.text(row["ggdregionaam"], "ggdregionaam"),
            ),
            "youth_care_region_id": region(
                youth_regions,
                reader.code(row["jeugdregiocode"], "youth_care_region"),
                reader.text(row["jeugdregionaam"], "jeugdregionaam"),
            ),
            "latitude": latitude,
            "longitude": longitude,
            "area_km2": reader.number(row["oppervlakte_km2"], "oppervlakte_km2"),
            "population_2021": None,
            "population_0_4_2021": None,
        }
    if not municipalities:
        reader.fail("no municipalities")
    return provinces, ggd_regions, youth_regions, municipalities


def _add_population(data_dir: Path, municipalities: dict[str, dict[str, Any]]) -> None:
    reader = _Reader(data_dir / POPULATION_FILE, _POPULATION_COLUMNS)
    for row in reader.rows():
        code = reader.known_municipality(row["gemeentecode"], municipalities)
        municipalities[code]["population_2021"] = reader.count(
            row["inwoners_2021_pc4"], "inwoners_2021_pc4"
        )
        municipalities[code]["population_0_4_2021"] = reader.count(
            row["inwoners_0_4_2021_pc4"], "inwoners_0_4_2021_pc4"
        )


def _read_postcodes(
    data_dir: Path, municipalities: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    postcodes: dict[str, dict[str, Any]] = {}
    reader = _Reader(data_dir / POSTCODES_FILE, _POSTCODE_COLUMNS)
    for row in reader.rows():
        code = reader.new_code(row["pc4"], "postcode", postcodes)
        latitude = reader.number(row["lat"], "lat")
        longitude = reader.number(row["lon"], "lon")
        if (latitude is None) != (longitude is None):
            reader.fail("lat and lon must both be given or both be empty")
        postcodes[code] = {
            "municipality_id": reader.known_municipality(row["gemeentecode"], municipalities),
            "place_name": row["woonplaats"],
            "latitude": latitude,
            "longitude": longitude,
            "coordinate_source": row["coord_bron"] if latitude is not None else "",
            "municipality_share": reader.number(row["gemeente_aandeel"], "gemeente_aandeel"),
            "second_municipality_id": (
                reader.known_municipality(row["tweede_gemeentecode"], municipalities)
                if row["tweede_gemeentecode"]
                else None
            ),
            "population_2021": reader.count(row["inwoners_2021"], "inwoners_2021"),
            "population_0_4_2021": reader.count(row["inwoners_0_4_2021"], "inwoners_0_4_2021"),
        }
    if not postcodes:
        reader.fail("no postcodes")
    return postcodes


@transaction.atomic
def load_reference_data(*, data_dir: Path | None = None) -> dict[str, dict[str, int]]:
    """Load provinces, GGD regions, youth care regions, municipalities (with the 2021 population) and
    the PC4 postcode areas from the CSV files in ``data_dir`` (default: the files shipped with the app).

    Idempotent: a second run with the same files writes nothing. All files are read and checked before
    anything is written, and everything happens in one transaction, so a bad file changes nothing
    (``ReferenceDataError``). Rows that are no longer in the files are kept (other data may refer to
    them) and reported as ``not_in_source``.

    Returns per table (``provinces``, ``ggd_regions``, ``youth_care_regions``, ``municipalities``,
    ``postcode_areas``) the counts ``total``, ``created``, ``updated``, ``unchanged`` and
    ``not_in_source``.
    """
    directory = Path(data_dir) if data_dir is not None else DATA_DIR
    provinces, ggd_regions, youth_regions, municipalities = _read_municipalities(directory)
    _add_population(directory, municipalities)
    postcodes = _read_postcodes(directory, municipalities)

    # Parents before children, so that the foreign keys hold at every step.
    steps: list[tuple[str, type[models.Model], dict[str, dict[str, Any]]]] = [
        ("provinces", Province, provinces),
        ("ggd_regions", GGDRegion, ggd_regions),
        ("youth_care_regions", YouthCareRegion, youth_regions),
        ("municipalities", Municipality, municipalities),
        ("postcode_areas", PostcodeArea, postcodes),
    ]
    return {
        name: sync_rows(model._default_manager.all(), rows, "places").as_dict()
        for name, model, rows in steps
    }
