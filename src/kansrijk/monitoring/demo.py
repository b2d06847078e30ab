"""Demo figures for the monitor.

Real where the project has them: the catalogue with its sources, the national figures of the
programme's documents and the CBS population (inhabitants, children aged 0-4 on 1-1-2021) of the
reference data (``services.load_all``). Everything else is generated for ten years
(``YEARS``) and stored with ``is_demo``, so that every page, chart, table, export and API item
marks it as demo. The generator is deterministic (seeded per indicator and municipality): the
same demo every time.

The loop's own indicators come from the demo referrals (``referrals.demo``) plus anonymous counts
of earlier, already purged demo referrals in Smallingerland (``ReferralStatistic``), and a demo
demand signal there. ``load()`` is idempotent.
"""

from __future__ import annotations

import datetime
import hashlib
import random
from typing import Any

from django.db import transaction

from kansrijk.monitoring import services, totals
from kansrijk.monitoring.cache import forget_token
from kansrijk.monitoring.models import (
    AreaLevel,
    DemandSignal,
    Indicator,
    IndicatorPhase,
    IndicatorSet,
    IndicatorValue,
    Origin,
    Unit,
)
from kansrijk.places.models import Municipality

YEARS = range(2015, 2025)
DEMO_NOTE = "Demo: gegenereerd, geen echt cijfer"
#: Demo base levels (made up, labelled demo): share in % or rate per 1,000.
_LEVELS: dict[str, float] = {
    "psychische-problemen-ouders": 16.0,
    "problematische-schulden-ouders": 5.5,
    "preconceptieconsult": 8.0,
    "late-start-zwangerschapszorg": 14.0,
    "meervoudige-kwetsbaarheid": 4.0,
    "geen-kraamzorg": 2.5,
    "big2": 14.5,
    "uithuisplaatsing-0-2": 3.0,
}
BIRTHS = "levend-geborenen"
DEMO_MUNICIPALITY = "GM0090"


def _rng(*parts: object) -> random.Random:
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _births(municipality: Municipality, year: int) -> int:
    """Demo births: about a fifth of the children aged 0-4 (CBS 2021), varying by year."""
    base = (municipality.population_0_4_2021 or 50) / 5
    return max(3, round(base * _rng(BIRTHS, municipality.code, year).uniform(0.9, 1.1)))


def generated_values(
    municipalities: list[Municipality], indicators: list[Indicator]
) -> list[IndicatorValue]:
    rows: list[IndicatorValue] = []
    # The same births for every indicator (made once: a seeded generator each).
    births_in = {
        (municipality.code, year): _births(municipality, year)
        for municipality in municipalities
        for year in YEARS
    }
    for indicator in indicators:
        level = _LEVELS.get(indicator.code)
        for municipality in municipalities:
            rng = _rng(indicator.code, municipality.code)
            local = level * rng.uniform(0.6, 1.5) if level is not None else 0.0
            trend = rng.uniform(-0.03, 0.02)
            for step, year in enumerate(YEARS):
                births = births_in[municipality.code, year]
                denominator: float | None
                value: float | None
                if indicator.code == BIRTHS:
                    numerator, denominator, value = float(births), None, float(births)
                elif level is None:
                    continue
                else:
                    if indicator.code in (
                        "psychische-problemen-ouders",
                        "problematische-schulden-ouders",
                    ):
                        denominator = float(round((municipality.population_2021 or 1000) * 0.33))
                    elif indicator.code == "uithuisplaatsing-0-2":
                        denominator = float(round(births * 2))
                    else:
                        denominator = float(births)
                    scale = 1000.0 if indicator.unit == Unit.RATE_PER_1000 else 100.0
                    rate = max(0.0, local * (1 + trend) ** step * rng.uniform(0.85, 1.15))
                    numerator = float(min(denominator, round(denominator * rate / scale)))
                    value = numerator / denominator * scale if denominator else None
                    if value is None:
                        continue
                rows.append(
                    IndicatorValue(
                        indicator=indicator,
                        area_code=municipality.code,
                        area_level=AreaLevel.MUNICIPALITY,
                        period_start=year,
                        period_end=year,
                        numerator=numerator,
                        denominator=denominator,
                        value=value,
                        origin=Origin.IMPORTED,
                        is_demo=True,
                        source_note=DEMO_NOTE,
                    )
                )
    return rows


def _demo_indicators() -> list[Indicator]:
    return list(
        Indicator.objects.exclude(indicator_set=IndicatorSet.KANSRIJK_PROCESS)
        .exclude(code__in=services.REFERENCE_FIGURES)
        .exclude(phase=IndicatorPhase.COALITION)
        .filter(code__in=[*_LEVELS, BIRTHS])
    )


#: A value's key (one value per indicator, area and period), and what makes a stored demo value
#: the one the generator makes.
_KEY = ("indicator_id", "area_code", "period_start", "period_end")
_COMPARED = ("area_level", "numerator", "denominator", "value", "origin", "source_note")

Key = tuple[Any, ...]


def _key(row: IndicatorValue) -> Key:
    return tuple(getattr(row, field) for field in _KEY)


@transaction.atomic
def load_values() -> int:
    """Store the generated demo values; returns how many the demo holds. A value an analyst
    imported (not demo) stays, and no demo value takes its place. Run again, it writes only
    the values that differ from what the generator makes (none, normally: it is
    deterministic). The regional totals are computed again every time: they also follow the
    regions of the reference data and the rules of ``totals`` and ``suppression``, which an
    update of the code or the data may have changed."""
    indicators = _demo_indicators()
    municipalities = list(Municipality.objects.order_by("code"))
    real: set[Key] = set()
    stored: dict[Key, tuple[int, tuple[Any, ...]]] = {}  # the demo's own: id, compared fields
    for pk, is_demo, *fields in (
        IndicatorValue.objects.filter(indicator__in=indicators)
        .exclude(is_demo=True, origin=Origin.COMPUTED)  # the totals: computed below
        .values_list("pk", "is_demo", *_KEY, *_COMPARED)
    ):
        key, compared = tuple(fields[: len(_KEY)]), tuple(fields[len(_KEY) :])
        if is_demo:
            stored[key] = (pk, compared)
        else:
            real.add(key)
    rows = [row for row in generated_values(municipalities, indicators) if _key(row) not in real]
    wanted = {_key(row): row for row in rows}
    new: list[IndicatorValue] = []
    gone = [pk for key, (pk, _compared) in stored.items() if key not in wanted]
    for key, row in wanted.items():
        if key in stored:
            pk, compared = stored[key]
            if compared == tuple(getattr(row, field) for field in _COMPARED):
                continue
            gone.append(pk)
        new.append(row)
    if gone:
        IndicatorValue.objects.filter(pk__in=gone).delete()
    IndicatorValue.objects.bulk_create(new, batch_size=5000)
    periods = {(indicator.pk, year, year) for indicator in indicators for year in YEARS}
    periods |= {(key[0], key[2], key[3]) for key in stored if key not in wanted}
    totals.recompute(periods)
    return len(rows)


def _statistics() -> int:
    """Anonymous counts of earlier (purged) demo referrals in Smallingerland."""
    from kansrijk.directory.models import Service
    from kansrijk.referrals.models import ReferralStatistic
    from kansrijk.referrals.workflow import Status

    services_by_kind = {}
    for kind, name in (("prenatal_home_visit", "prenataal"), ("general", "schuld")):
        service = Service.objects.filter(organization__is_demo=True, name__icontains=name).first()
        if service is not None:
            services_by_kind[kind] = service
    created = 0
    for year in (2022, 2023, 2024):
        rng = _rng("referral-statistics", year)
        for kind, service in services_by_kind.items():
            for status, reason, count in (
                (Status.COMPLETED, "", rng.randint(18, 40)),
                (Status.REJECTED, "no_capacity", rng.randint(8, 14)),
                (Status.REJECTED, "other", rng.randint(2, 6)),
                (Status.CANCELLED, "", rng.randint(1, 5)),
            ):
                days = (
                    {str(d): rng.randint(0, 6) for d in range(1, 9)}
                    if status == Status.COMPLETED
                    else {}
                )
                _stat, was_created = ReferralStatistic.objects.get_or_create(
                    month=datetime.date(year, 3, 1),
                    municipality_code=DEMO_MUNICIPALITY,
                    service_ref=str(service.pk),
                    pathway_ref="",
                    kind=kind,
                    final_status=status,
                    outcome="",
                    reason_code=reason,
                    defaults={"count": count, "contact_days": days},
                )
                created += int(was_created)
    return created


def _demand() -> int:
    today = datetime.date.today().replace(day=1)
    created = 0
    for months_ago, factor, phase, count in (
        (1, "geldzorgen", "pregnancy", 14),
        (2, "geldzorgen", "pregnancy", 9),
        (1, "psychische-problemen", "pregnancy", 11),
        (3, "roken", "pregnancy", 4),
        (2, "huisvesting", "postnatal", 12),
        (1, "taalbarriere", "pregnancy", 6),
    ):
        month = (today - datetime.timedelta(days=31 * months_ago)).replace(day=1)
        signal, was_created = DemandSignal.objects.get_or_create(
            municipality_code=DEMO_MUNICIPALITY,
            phase=phase,
            factor_code=factor,
            month=month,
            defaults={"count": count, "is_demo": True},
        )
        if not signal.is_demo:  # counted before this demo load: it now holds made-up counts
            DemandSignal.objects.filter(pk=signal.pk).update(is_demo=True)
        created += int(was_created)
    return created


def load() -> dict[str, Any]:
    result: dict[str, Any] = services.load_all()
    result["demo_values"] = load_values()
    result["referral_statistics"] = _statistics()
    result["demand_signals"] = _demand()
    forget_token()
    return result
