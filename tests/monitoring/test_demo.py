"""The monitor's demo values (``monitoring.demo.load_values``): run again, they are what a first
load makes, and what was already so is not written again."""

from __future__ import annotations

from typing import Any

from kansrijk.monitoring import demo
from kansrijk.monitoring.models import AreaLevel, IndicatorValue, Origin

#: Every stored field of a value but its id and time of change: what a second load must leave
#: as a first load made it.
FIELDS = tuple(
    field.attname
    for field in IndicatorValue._meta.concrete_fields
    if field.attname not in {"id", "updated_at"}
)


def _table() -> list[tuple[Any, ...]]:
    return sorted(IndicatorValue.objects.values_list(*FIELDS))


def _own() -> dict[tuple[Any, ...], int]:
    """The demo's own values (not the totals): their ids by key."""
    rows = IndicatorValue.objects.filter(is_demo=True, origin=Origin.IMPORTED)
    return {
        (code, area, year): pk
        for pk, code, area, year in rows.values_list(
            "pk", "indicator__code", "area_code", "period_start"
        )
    }


def _totals() -> dict[tuple[Any, ...], int]:
    """The regional totals computed from them: their ids by key."""
    rows = IndicatorValue.objects.filter(origin=Origin.COMPUTED)
    return {
        (code, area, start, end): pk
        for pk, code, area, start, end in rows.values_list(
            "pk", "indicator__code", "area_code", "period_start", "period_end"
        )
    }


def test_run_again_it_writes_only_what_was_changed(catalogue: None) -> None:
    """A value changed, one removed, one made up (a year the demo has no value for) and a
    regional total changed: a second load puts them right and keeps every other row as it
    was (the same rows, not deleted and written anew). One first load: it costs seconds."""
    first = demo.load_values()
    table, own, computed = _table(), _own(), _totals()
    values = IndicatorValue.objects.filter(
        indicator__code="big2", area_level=AreaLevel.MUNICIPALITY, is_demo=True
    )
    values.filter(area_code="GM0090", period_start=2020).update(numerator=1.0, value=0.1)
    values.filter(area_code="GM0088", period_start=2021).delete()
    stray = values.get(area_code="GM0090", period_start=2022)
    stray.pk, stray.period_start, stray.period_end = None, 2030, 2030
    stray.save()
    changed_totals = IndicatorValue.objects.filter(
        indicator__code="big2", origin=Origin.COMPUTED, period_start=2020
    )
    rewritten = set(changed_totals.values_list("pk", flat=True))
    assert rewritten
    changed_totals.update(numerator=2.0)
    assert _table() != table

    assert demo.load_values() == first
    assert _table() == table
    again = _own()
    written = {("big2", "GM0090", 2020), ("big2", "GM0088", 2021)}
    assert again.keys() == own.keys()
    assert {key for key in own if again[key] != own[key]} == written
    # The totals are computed again, but only those that came out different are written.
    totals = _totals()
    assert totals.keys() == computed.keys()
    assert {pk for key, pk in computed.items() if totals[key] != pk} == rewritten
