"""The loop's own indicators: what came of the referrals, per municipality and year, from
``referrals.stats`` (live and purged referrals together), and the anonymous demand signal.

Visible to the coalition coordinators and analysts of the municipality (``may_see``); every view
is logged as a read of aggregated data. Every figure goes through the suppression module. The
referral results page shows each count over all years, so the years are protected against that
total, and the rejections per year and reason against both the year's total and the reason's
over all years (``protect_table``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from kansrijk.accounts.roles import Role
from kansrijk.audit.models import Action, Outcome
from kansrijk.audit.services import record_event
from kansrijk.core.users import signed_in
from kansrijk.monitoring.models import (
    AreaLevel,
    DemandSignal,
    Indicator,
    IndicatorPhase,
    IndicatorValue,
)
from kansrijk.monitoring.selectors import Figure
from kansrijk.monitoring.suppression import (
    SUPPRESSED_TEXT,
    THRESHOLD,
    Reason,
    protect_table,
    publish,
)
from kansrijk.places.models import Municipality
from kansrijk.referrals import stats
from kansrijk.referrals.models import ReasonCode

BIRTHS = "levend-geborenen"
#: The counts of ``stats.Tally`` the loop shows per year (as counts or as shares).
_COUNTED = ("sent", "accepted", "completed", "rejected", "prenatal_home_visits")
#: The counts shown as a share of the referrals sent.
_SHARES_OF_SENT = frozenset({"accepted", "completed", "rejected"})
#: Months of demand signal the monitor shows.
DEMAND_MONTHS = 12


def may_see(user: Any, code: str) -> bool:
    codes = stats.municipalities_for(user)
    return codes is not None and code in codes


def analyst_municipalities(user: Any) -> set[str] | None:
    """The municipalities of the user's analyst roles; ``None`` without one."""
    if not signed_in(user) or not user.has_role(Role.ANALYST):
        return None
    from kansrijk.accounts.models import RoleAssignment

    return set(
        RoleAssignment.municipalities.through.objects.filter(
            roleassignment__user_id=user.pk, roleassignment__role=Role.ANALYST
        ).values_list("municipality_id", flat=True)
    )


def _role(user: Any, code: str) -> str:
    """The role under which ``user`` sees the loop of municipality ``code`` (for the access
    log): the coordinator's when that role covers it, else the analyst's."""
    from kansrijk.accounts.models import RoleAssignment

    roles = set(
        RoleAssignment.objects.filter(
            user_id=user.pk, role__in=stats.STATS_ROLES, municipalities=code
        ).values_list("role", flat=True)
    )
    if Role.COALITION_COORDINATOR in roles:
        return Role.COALITION_COORDINATOR.value
    return Role.ANALYST.value


def log_upload(request: HttpRequest, *, ok: bool) -> None:
    record_event(
        request=request,
        event_type="monitoring.import",
        action=Action.CREATE,
        outcome=Outcome.SUCCESS if ok else Outcome.FAILURE,
        object_type="indicator_value",
        purpose="coalition.monitoring",
        role=Role.ANALYST.value,
    )


@dataclass(frozen=True)
class LoopRow:
    indicator: Indicator
    figures: dict[int, Figure]  # by year


@dataclass(frozen=True)
class ReasonRow:
    label: str
    shown: dict[int, str]  # by year


@dataclass(frozen=True)
class PathwayYearRow:
    """One count of one pathway per year (the counts of the loop per pathway and period)."""

    pathway: str
    label: str
    shown: dict[int, str]  # by year


@dataclass(frozen=True)
class DemandRow:
    factor_code: str
    factor_name: str
    phase: str
    phase_label: str
    count: str
    local_pathway: bool
    is_todo: bool


@dataclass(frozen=True)
class LoopOverview:
    years: list[int]
    rows: list[LoopRow]
    reasons: list[ReasonRow]
    by_pathway: list[PathwayYearRow]
    demand: list[DemandRow]
    demand_enabled: bool
    demand_since: datetime.date
    #: Some of the demand counts shown were made up by the demo (``DemandSignal.is_demo``).
    demand_is_demo: bool
    is_demo: bool


def _figure(
    indicator: Indicator,
    place: Municipality,
    year: int,
    *,
    numerator: float | None,
    denominator: float | None,
    value: float | None,
    is_demo: bool,
    withheld: bool = False,
) -> Figure:
    return Figure(
        indicator=indicator.code,
        unit=indicator.unit,
        area_code=place.code,
        area_name=place.name,
        period_start=year,
        period_end=year,
        published=publish(
            unit=indicator.unit,
            numerator=numerator,
            denominator=denominator,
            value=value,
            withheld=withheld,
        ),
        is_demo=is_demo,
        source_note="Kansrijk",
    )


def _share(n: int, d: int) -> float | None:
    return n / d * 100 if d else None


def overview(place: Municipality, *, user: Any, request: HttpRequest | None = None) -> LoopOverview:
    """The loop's figures of one municipality per year, the rejections by reason, the table per
    pathway and the demand signal; logged as a read of aggregated data."""
    cells = stats.tally_by_year({place.code})
    years_tally: dict[int, stats.Tally] = defaultdict(stats.Tally)
    for (_pathway, _code, year), cell in cells.items():
        years_tally[year].add(cell)
    years = sorted(years_tally)
    births = {
        row.period_end: row
        for row in IndicatorValue.objects.filter(
            indicator__code=BIRTHS,
            area_code=place.code,
            area_level=AreaLevel.MUNICIPALITY,
            period_start__in=years,
        ).filter(period_start=F("period_end"))
    }
    is_demo = _demo_referrals(place.code) or any(b.is_demo for b in births.values())
    indicators = {i.code: i for i in Indicator.objects.loop()}
    rows: list[LoopRow] = []
    # The referral results page shows each count over all years: a year's count must not follow
    # from that total minus the years shown here.
    by_year = protect_table(
        {(m, year): getattr(years_tally[year], m) for m in _COUNTED for year in years},
        row_totals=_COUNTED,
    )

    def add(code: str, build: Any, measure: str | None = None) -> None:
        indicator = indicators.get(code)
        if indicator is None:
            return
        figures = {}
        for year in years:
            numbers = build(years_tally[year], year)
            if numbers is not None:
                figures[year] = _figure(
                    indicator,
                    place,
                    year,
                    is_demo=is_demo,
                    withheld=(measure, year) in by_year
                    # A share of a number of referrals not shown could be worked back to it.
                    or (measure in _SHARES_OF_SENT and ("sent", year) in by_year),
                    **numbers,
                )
        rows.append(LoopRow(indicator, figures))

    add(
        "verwijzingen-verstuurd",
        lambda t, y: {"numerator": t.sent, "denominator": None, "value": t.sent},
        "sent",
    )
    for code, attribute in (
        ("verwijzingen-geaccepteerd", "accepted"),
        ("verwijzingen-afgerond", "completed"),
        ("verwijzingen-afgewezen", "rejected"),
    ):
        add(
            code,
            lambda t, y, a=attribute: {
                "numerator": getattr(t, a),
                "denominator": t.sent,
                "value": _share(getattr(t, a), t.sent),
            },
            attribute,
        )
    add(
        "dagen-tot-contact",
        lambda t, y: {
            "numerator": None,
            "denominator": sum(t.contact_days.values()),
            "value": t.median_days(),
        },
    )
    add(
        "contact-binnen-termijn",
        lambda t, y: (
            {"numerator": t.in_time, "denominator": t.due, "value": _share(t.in_time, t.due)}
            if t.due
            else None
        ),
    )

    def per_birth(t: stats.Tally, year: int) -> dict[str, Any] | None:
        birth = births.get(year)
        if birth is None or not birth.value:
            return None
        return {
            "numerator": t.prenatal_home_visits,
            "denominator": birth.value,
            "value": t.prenatal_home_visits / birth.value * 100,
        }

    add("phb-per-100-geboorten", per_birth, "prenatal_home_visits")

    # Rejections per year and reason: each year's total is shown (unless hidden above), and each
    # reason's total over all years on the referral results page.
    reason_codes = sorted({r for t in years_tally.values() for r in t.reasons})
    rejecting = [year for year in years if years_tally[year].rejected]
    hidden = protect_table(
        {
            (year, r): years_tally[year].reasons.get(r, 0)
            for year in rejecting
            for r in reason_codes
        },
        row_totals=[year for year in rejecting if ("rejected", year) not in by_year],
        column_totals=reason_codes,
        hidden={
            (year, r): Reason.SECONDARY
            for year in rejecting
            if ("rejected", year) in by_year
            for r in reason_codes
        },
    )
    reasons = [
        ReasonRow(
            str(ReasonCode(code).label) if code in ReasonCode.values else code,
            {
                year: stats.shown(years_tally[year].reasons.get(code, 0), hidden.get((year, code)))
                for year in years
                if years_tally[year].rejected
            },
        )
        for code in reason_codes
    ]
    demand, since, demand_is_demo = demand_rows(place)
    record_event(
        request=request,
        user=user,
        event_type="monitoring.loop",
        action=Action.READ,
        object_type="referral_statistic",
        object_id=place.code,
        purpose="coalition.monitoring",
        role=_role(user, place.code),
    )
    from kansrijk.monitoring.services import demand_signal_enabled

    return LoopOverview(
        years=years,
        rows=rows,
        reasons=reasons,
        by_pathway=_by_pathway(cells, years, by_year, indicators),
        demand=demand,
        demand_enabled=demand_signal_enabled(),
        demand_since=since,
        demand_is_demo=demand_is_demo,
        is_demo=is_demo,
    )


#: The counts shown per pathway and year, each with the loop indicator that names it.
_PER_PATHWAY = (
    ("sent", "verwijzingen-verstuurd"),
    ("accepted", "verwijzingen-geaccepteerd"),
    ("completed", "verwijzingen-afgerond"),
    ("rejected", "verwijzingen-afgewezen"),
)


def _by_pathway(
    cells: dict[tuple[str, str, int], stats.Tally],
    years: list[int],
    by_year: dict[tuple[str, int], Reason],
    indicators: dict[str, Indicator],
) -> list[PathwayYearRow]:
    """The counts per pathway and year. Each pathway's total over all years is on the referral
    results page and each year's total above (unless withheld): the table is protected against
    both (``protect_table``); a year whose total is withheld is not shown per pathway either."""
    tallies: dict[tuple[str, int], stats.Tally] = defaultdict(stats.Tally)
    for (pathway, _code, year), cell in cells.items():
        tallies[(pathway, year)].add(cell)
    refs = sorted({pathway for pathway, _year in tallies})
    labels = stats.pathway_labels(set(refs))
    refs.sort(key=lambda ref: labels[ref])
    rows = []
    for measure, code in _PER_PATHWAY:
        counts = {
            (ref, year): getattr(tallies.get((ref, year), stats.Tally()), measure)
            for ref in refs
            for year in years
        }
        hidden = protect_table(
            counts,
            row_totals=refs,
            column_totals=[year for year in years if (measure, year) not in by_year],
            hidden={
                (ref, year): by_year[(measure, year)]
                for ref in refs
                for year in years
                if (measure, year) in by_year
            },
        )
        name = indicators[code].name if code in indicators else measure
        for ref in refs:
            rows.append(
                PathwayYearRow(
                    pathway=labels[ref],
                    label=name,
                    shown={
                        year: stats.shown(counts[(ref, year)], hidden.get((ref, year)))
                        for year in years
                    },
                )
            )
    rows.sort(key=lambda row: row.pathway)  # stable: per pathway, its counts in order
    return rows


def _demo_referrals(code: str) -> bool:
    """Whether the municipality's referral figures include demo referrals (sent by or to a demo
    organisation)."""
    from kansrijk.referrals.models import Referral

    return (
        Referral.objects.filter(client_municipality_id=code)
        .filter(Q(sender_organisation__is_demo=True) | Q(receiver_organisation__is_demo=True))
        .exists()
    )


def demand_rows(place: Municipality) -> tuple[list[DemandRow], datetime.date, bool]:
    """Per factor and phase the number of gradings that ticked it in the last months (under 10
    shown as "< 10"), and whether the municipality has its own pathway for it: "signalled often,
    no local pathway" is a coalition's to-do. Also the first month counted, and whether any of
    the counts was made up by the demo."""
    today = timezone.localdate()
    since = (today.replace(day=1) - datetime.timedelta(days=31 * (DEMAND_MONTHS - 1))).replace(
        day=1
    )
    counts: dict[tuple[str, str], int] = defaultdict(int)
    is_demo = False
    for factor, phase, count, demo in DemandSignal.objects.filter(
        municipality_code=place.code, month__gte=since
    ).values_list("factor_code", "phase", "count", "is_demo"):
        counts[(factor, phase)] += count
        is_demo = is_demo or demo
    if not counts:
        return [], since, False
    from kansrijk.pathways.resolution import municipality_pathways
    from kansrijk.situations.models import Situation

    names = dict(
        Situation.objects.filter(code__in={f for f, _p in counts}).values_list("code", "name")
    )
    table = municipality_pathways(place)
    rows = []
    for (factor, phase), count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        choice = table.get(factor, phase)
        local = choice is not None and choice.fallback is None
        rows.append(
            DemandRow(
                factor_code=factor,
                factor_name=names.get(factor, factor),
                phase=phase,
                phase_label=str(dict(IndicatorPhase.choices).get(phase, phase)),
                count=SUPPRESSED_TEXT if count < THRESHOLD else str(count),
                local_pathway=local,
                is_todo=count >= THRESHOLD and not local,
            )
        )
    return rows, since, is_demo


def no_local_pathway_label() -> str:
    return _("signalled often, no local pathway")
