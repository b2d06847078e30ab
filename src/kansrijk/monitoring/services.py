"""Writes of the monitor: the seeded catalogue, the real figures the project has, and the
anonymous demand signal. Imports of values live in ``importing``."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kansrijk.accounts.roles import Role
from kansrijk.core.users import signed_in
from kansrijk.monitoring import totals
from kansrijk.monitoring.cache import forget_token
from kansrijk.monitoring.models import (
    AreaLevel,
    DemandSignal,
    Indicator,
    IndicatorValue,
    Origin,
    area_level,
)
from kansrijk.places.models import Municipality

DATA_DIR = Path(__file__).resolve().parent / "data"
CATALOGUE_FILE = DATA_DIR / "catalogue.csv"
FACTS_FILE = DATA_DIR / "facts.csv"

#: The real CBS figures of the reference data: indicator code -> Municipality field.
REFERENCE_FIGURES = {"inwoners": "population_2021", "kinderen-0-4": "population_0_4_2021"}
REFERENCE_YEAR = 2021
REFERENCE_SOURCE = "CBS 83503NED/83502NED (1-1-2021), CC BY 4.0; opgeteld per PC4 (benadering)"


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


@transaction.atomic
def load_catalogue(path: Path | None = None) -> dict[str, int]:
    """Add or update the indicators of ``data/catalogue.csv`` by code. Safe to run again."""
    created = updated = 0
    for position, row in enumerate(_read(path or CATALOGUE_FILE), 1):
        fields: dict[str, Any] = {
            "name_nl": row["name_nl"],
            "name_en": row["name_en"],
            "unit": row["unit"],
            "direction": row["direction"],
            "phase": row["phase"],
            "source": row["source"],
            "indicator_set": row["set"],
            "area_levels": row["area_levels"].split(),
            "about_people": row["about_people"] == "1",
            "definition_public": row["definition_public"] == "1",
            "definition": row["definition"],
            "numerator": row["numerator"],
            "denominator": row["denominator"],
            "source_reference": row["source_reference"],
            "position": position * 10,
        }
        indicator = Indicator.objects.filter(code=row["code"]).first()
        if indicator is None:
            Indicator.objects.create(code=row["code"], **fields)
            created += 1
        elif any(getattr(indicator, k) != v for k, v in fields.items()):
            for key, value in fields.items():
                setattr(indicator, key, value)
            indicator.save()
            updated += 1
    return {"created": created, "updated": updated}


@transaction.atomic
def load_reference_figures() -> int:
    """Inhabitants and children aged 0-4 per municipality (CBS, 1-1-2021) from the places
    reference data, as values of the year 2021 (not demo: real figures). Safe to run again."""
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=REFERENCE_FIGURES)}
    rows = []
    for municipality in Municipality.objects.order_by("code"):
        for code, attribute in REFERENCE_FIGURES.items():
            number = getattr(municipality, attribute)
            if code not in indicators or number is None:
                continue
            rows.append(
                IndicatorValue(
                    indicator=indicators[code],
                    area_code=municipality.code,
                    area_level=AreaLevel.MUNICIPALITY,
                    period_start=REFERENCE_YEAR,
                    period_end=REFERENCE_YEAR,
                    numerator=float(number),
                    value=float(number),
                    origin=Origin.IMPORTED,
                    is_demo=False,
                    source_note=REFERENCE_SOURCE,
                )
            )
    IndicatorValue.objects.upsert(rows)
    totals.recompute({(i.pk, REFERENCE_YEAR, REFERENCE_YEAR) for i in indicators.values()})
    return len(rows)


@transaction.atomic
def load_facts(path: Path | None = None) -> int:
    """The national figures of ``data/facts.csv`` (each with its source and year)."""
    rows = []
    for row in _read(path or FACTS_FILE):
        indicator = Indicator.objects.get(code=row["indicator"])
        year = int(row["period"])
        level = area_level(row["area"])
        if level is None:
            raise ValueError(f"facts.csv: unknown area {row['area']!r}")
        value = float(row["value"])
        rows.append(
            IndicatorValue(
                indicator=indicator,
                area_code=row["area"],
                area_level=level,
                period_start=year,
                period_end=year,
                numerator=value,
                value=value,
                origin=Origin.IMPORTED,
                source_note=row["source"],
            )
        )
    IndicatorValue.objects.upsert(rows)
    return len(rows)


def load_all() -> dict[str, Any]:
    """The catalogue, the national facts and the CBS population figures (``kansrijk
    load-indicators``; also the first demo step of this app)."""
    result = {
        "catalogue": load_catalogue(),
        "facts": load_facts(),
        "reference_figures": load_reference_figures(),
    }
    forget_token()
    return result


# --- The demand signal ---------------------------------------------------------------------------


def demand_signal_enabled() -> bool:
    return bool(getattr(settings, "KANSRIJK_DEMAND_SIGNAL", False))


def record_demand_signal(
    *, municipality_code: str, phase: str, factor_codes: Iterable[str], when: datetime.date
) -> int:
    """Count one graded broad conversation: +1 per ticked risk factor for (municipality, phase,
    factor, month). Nothing about the person, the user or the organisation is kept. Does nothing
    (returns 0) unless ``KANSRIJK_DEMAND_SIGNAL`` is on (docs/privacy.md)."""
    factors = sorted(set(factor_codes))
    if not demand_signal_enabled() or not municipality_code or not factors:
        return 0
    month = when.replace(day=1)
    with transaction.atomic():
        for factor in factors:
            signal, _created = DemandSignal.objects.get_or_create(
                municipality_code=municipality_code,
                phase=phase,
                factor_code=factor,
                month=month,
            )
            DemandSignal.objects.filter(pk=signal.pk).update(count=F("count") + 1)
    return len(factors)


def count_graded_conversation(
    *, user: Any, municipality_code: str, phase: str, risk_codes: Iterable[str]
) -> int:
    """Called where a broad conversation is graded: counts its ticked risk factors when the
    demand signal is on and the one grading is a signed-in professional (an anonymous visitor or
    API client could inflate the counts). Nothing else about the conversation is kept."""
    if not demand_signal_enabled():
        return 0
    if not signed_in(user) or not user.has_role(Role.PROFESSIONAL):
        return 0
    return record_demand_signal(
        municipality_code=municipality_code,
        phase=phase,
        factor_codes=risk_codes,
        when=timezone.localdate(),
    )
