"""Small-number suppression: the one rule for every figure about people that leaves the app.

Every page, chart, map, API response and export that shows counts or shares of people takes them
through this module; docs/monitoring.md explains the rules to coalitions. Other apps use it too
(``referrals.stats`` for the loop's figures, the coalition workspace). It imports nothing of the
project, so any app can import it.

The rules (``THRESHOLD`` = 10):

1. **A count** of people below 10 is suppressed (0 too: showing 0 but "< 10" for 1-9 would tell
   that at least one person is there).
2. **A share** (percentage, rate per 1,000) is suppressed when its numerator is below 10, or when
   the complement (denominator - numerator) is below 10: "98 % of 100" tells about the 2.
3. **A figure about a group** (median days, an average) is suppressed when the group (its
   denominator) is below 10 or unknown.
4. A suppressed value shows as "< 10" and its numerator, denominator and value are all withheld.
5. **Totals of parts** (a region and its municipalities; a total and its breakdown by reason):
   a total may only be shown if what it hides cannot be worked out from it. The total minus the
   parts that are shown equals the sum of the suppressed parts; when that sum is below 10 (or its
   complement is), the total is withheld as well (``protect_regions``) or one more part is
   withheld (``protect_parts``). Across overlapping regions (GGD region, youth care region,
   province, the Netherlands) the published totals are equations over the suppressed
   municipalities; ``protect_regions`` withholds regions until no single suppressed
   municipality can be solved from them (a rank test on those equations).

Values that come without a numerator (a source that publishes only percentages) cannot be
checked; they are shown as the source published them, which has its own protection
(``Published.checked`` is ``False``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

#: Numbers about people below this are never shown.
THRESHOLD = 10
#: How a suppressed value is shown (the number is never shown).
SUPPRESSED_TEXT = "< 10"

#: Units whose value is a share of a denominator (the complement rule applies).
SHARE_UNITS = frozenset({"percentage", "rate_per_1000"})
#: Units whose value is a count of people.
COUNT_UNITS = frozenset({"count"})


class Reason(enum.StrEnum):
    """Why a value is not shown. ``SECONDARY``: the value itself is safe, but showing it would
    reveal a suppressed value elsewhere."""

    SMALL_COUNT = "small_count"
    SMALL_NUMERATOR = "small_numerator"
    SMALL_COMPLEMENT = "small_complement"
    SMALL_GROUP = "small_group"
    SECONDARY = "secondary"


def is_small(n: float | None) -> bool:
    """``True`` for a number of people that must not be shown (below ``THRESHOLD``)."""
    return n is not None and n < THRESHOLD


def suppress_count(n: int) -> str:
    """A count as shown: ``"< 10"`` below the threshold (0 included), else the number."""
    return SUPPRESSED_TEXT if n < THRESHOLD else str(n)


def primary_reason(
    *, unit: str, numerator: float | None, denominator: float | None, value: float | None
) -> Reason | None:
    """Why a value must not be shown on its own (rules 1-3), or ``None`` when it may."""
    if unit in COUNT_UNITS:
        n = numerator if numerator is not None else value
        return Reason.SMALL_COUNT if n is not None and n < THRESHOLD else None
    if unit in SHARE_UNITS:
        if numerator is None:
            return None  # nothing to check: the source's own protection applies
        if numerator < THRESHOLD:
            return Reason.SMALL_NUMERATOR
        if denominator is not None and denominator - numerator < THRESHOLD:
            return Reason.SMALL_COMPLEMENT
        return None
    # A figure about a group (days): its group is the denominator.
    if denominator is None or denominator < THRESHOLD:
        return Reason.SMALL_GROUP if (denominator is not None or numerator is not None) else None
    return None


@dataclass(frozen=True)
class Published:
    """A value as it may leave the app: when ``suppressed``, all three numbers are ``None``."""

    value: float | None
    numerator: float | None
    denominator: float | None
    suppressed: bool
    reason: Reason | None
    #: ``False`` when there was no numerator to check (the source's own protection applies).
    checked: bool

    @property
    def text(self) -> str:
        """``"< 10"`` for a suppressed value; empty otherwise (the caller formats the number)."""
        return SUPPRESSED_TEXT if self.suppressed else ""


def publish(
    *,
    unit: str,
    numerator: float | None,
    denominator: float | None,
    value: float | None,
    withheld: bool = False,
) -> Published:
    """The value as it may be shown. ``withheld``: suppressed to protect another value (rule 5,
    decided when the totals were computed)."""
    reason = primary_reason(unit=unit, numerator=numerator, denominator=denominator, value=value)
    if reason is None and withheld:
        reason = Reason.SECONDARY
    checked = numerator is not None or (unit not in SHARE_UNITS and denominator is not None)
    if unit in COUNT_UNITS:
        checked = numerator is not None or value is not None
    if reason is not None:
        return Published(None, None, None, True, reason, checked)
    return Published(value, numerator, denominator, False, None, checked)


# --- Totals and their parts ---------------------------------------------------------------------

K = TypeVar("K")


def protect_parts(total: int, parts: Mapping[K, int]) -> dict[K, Reason]:
    """Which parts of a breakdown must not be shown when ``total`` is shown beside them.

    Parts below the threshold are suppressed; then, while the suppressed parts add up to 1-9
    (so that ``total`` minus the shown parts would tell a small number, or the one suppressed
    part), the smallest shown part is withheld too. Parts must add up to ``total``.
    A ``total`` below the threshold is itself suppressed by the caller; every part then is too.
    """
    if sum(parts.values()) != total:
        raise ValueError("the parts must add up to the total")
    hidden: dict[K, Reason] = {}
    if total < THRESHOLD:
        return dict.fromkeys(parts, Reason.SMALL_COUNT)
    for key, n in parts.items():
        if n < THRESHOLD:
            hidden[key] = Reason.SMALL_COUNT
    while True:
        residual = sum(parts[key] for key in hidden)
        if not hidden or residual >= THRESHOLD:
            return hidden
        shown = sorted((n, str(key), key) for key, n in parts.items() if key not in hidden)
        if not shown:
            return hidden
        hidden[shown[0][2]] = Reason.SECONDARY


R = TypeVar("R")
C = TypeVar("C")


def protect_table(
    cells: Mapping[tuple[R, C], int],
    *,
    row_totals: Iterable[R] = (),
    column_totals: Iterable[C] = (),
    hidden: Mapping[tuple[R, C], Reason] | None = None,
) -> dict[tuple[R, C], Reason]:
    """Which cells of a table of counts must not be shown when the totals of the rows in
    ``row_totals`` and of the columns in ``column_totals`` are shown (on the same page or on
    another one, such as the referral results' totals over all years beside the monitor's
    figures per year).

    Cells below the threshold are suppressed, and so are those in ``hidden``; then, while a line
    whose total is shown hides exactly one cell (its total minus the others would tell it) or
    hidden cells that add up to less than 10, the smallest cell shown on that line is withheld
    too. A cautious rule per line, as ``protect_parts`` for one line.
    """
    out: dict[tuple[R, C], Reason] = dict(hidden or {})
    for key, n in cells.items():
        if n < THRESHOLD and key not in out:
            out[key] = Reason.SMALL_COUNT
    rows = sorted(set(row_totals), key=str)
    columns = sorted(set(column_totals), key=str)
    lines = [[k for k in cells if k[0] == r] for r in rows]
    lines += [[k for k in cells if k[1] == c] for c in columns]
    changed = True
    while changed:
        changed = False
        for line in lines:
            hid = [k for k in line if k in out]
            if not hid or (len(hid) > 1 and sum(cells[k] for k in hid) >= THRESHOLD):
                continue
            shown = sorted((cells[k], str(k), k) for k in line if k not in out)
            if shown:
                out[shown[0][2]] = Reason.SECONDARY
                changed = True
    return out


@dataclass(frozen=True)
class Cell:
    """A municipality's numbers for one indicator and period (never shown by this module)."""

    numerator: float
    denominator: float | None
    suppressed: bool


@dataclass(frozen=True)
class Region(Generic[K]):
    """A published candidate total over ``members`` (municipality codes)."""

    key: K
    members: tuple[str, ...]
    numerator: float | None
    denominator: float | None


def protect_regions(
    *, unit: str, cells: Mapping[str, Cell], regions: Sequence[Region[K]]
) -> dict[K, Reason]:
    """Which regional totals must not be shown, and why.

    ``cells`` are the municipal values (members without a value are treated as known, which is
    the cautious assumption); ``regions`` every candidate total (computed from the municipalities
    or imported). A region is withheld when its own numbers are small (rules 1-3), when the
    suppressed municipalities in it add up to a small number (rule 5), or when, together with the
    other published totals, it would let someone solve one suppressed municipality exactly.
    """
    withheld: dict[K, Reason] = {}
    for region in regions:
        reason = primary_reason(
            unit=unit, numerator=region.numerator, denominator=region.denominator, value=None
        )
        if reason is not None:
            withheld[region.key] = reason
    hidden = {code for code, cell in cells.items() if cell.suppressed}
    if not hidden:
        return withheld
    share = unit in SHARE_UNITS
    hidden_in = {
        region.key: tuple(sorted(code for code in region.members if code in hidden))
        for region in regions
    }
    while True:
        # Rule 5 per region: what the region hides, taken together, must not be small.
        changed = False
        for region in regions:
            members = hidden_in[region.key]
            if region.key in withheld or not members:
                continue
            numerator = sum(cells[code].numerator for code in members)
            small = numerator < THRESHOLD
            if share and not small:
                denominators = [cells[code].denominator for code in members]
                if all(d is not None for d in denominators):
                    small = sum(d for d in denominators if d is not None) - numerator < THRESHOLD
            if small:
                withheld[region.key] = Reason.SECONDARY
                changed = True
        if changed:
            continue
        # Across regions: no suppressed municipality may be solvable from the published totals.
        published = [r for r in regions if r.key not in withheld and hidden_in[r.key]]
        solved = _solvable(published, hidden_in)
        if solved is None:
            return withheld
        culprit = min(
            (r for r in published if solved in hidden_in[r.key]),
            key=lambda r: (len(hidden_in[r.key]), str(r.key)),
        )
        withheld[culprit.key] = Reason.SECONDARY


def _solvable(regions: Iterable[Region[K]], hidden_in: Mapping[K, tuple[str, ...]]) -> str | None:
    """A suppressed municipality whose value follows exactly from the totals of ``regions``
    (each total minus its shown members is the sum of its suppressed members), or ``None``.

    Municipality *j* is solvable when the unit vector *e_j* lies in the row space of the
    0/1 matrix of regions by suppressed members: its projection onto that space has length 1.
    Municipalities that lie in exactly the same regions can never be told apart (every equation
    holds their sum), so each such group is one column, and only a group of one can be solved:
    this keeps the matrix small (about 80 regions by a few dozen groups).
    """
    rows = [hidden_in[r.key] for r in regions]
    if not rows:
        return None
    if any(len(row) == 1 for row in rows):
        return next(row[0] for row in rows if len(row) == 1)
    signature: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        for code in row:
            signature.setdefault(code, []).append(i)
    groups: dict[tuple[int, ...], list[str]] = {}
    for code, in_rows in signature.items():
        groups.setdefault(tuple(in_rows), []).append(code)
    singles = {key: codes[0] for key, codes in groups.items() if len(codes) == 1}
    if not singles:
        return None
    keys = sorted(groups)
    matrix = [[0.0] * len(keys) for _ in rows]
    for column, key in enumerate(keys):
        for i in key:
            matrix[i][column] = 1.0
    for column, reduced in _reduced_rows(matrix):
        key = keys[column]
        if key in singles and all(abs(x) < _EPSILON for c, x in enumerate(reduced) if c != column):
            return singles[key]
    return None


_EPSILON = 1e-9


def _reduced_rows(matrix: list[list[float]]) -> list[tuple[int, list[float]]]:
    """The reduced row echelon form of ``matrix`` as (pivot column, row) pairs.

    A unit vector *e_j* lies in the row space exactly when *j* is a pivot column whose row has no
    other non-zero entry. Plain Python on purpose: the matrices are small (tens of columns), and
    numpy's threaded LAPACK was 35 times slower than this on a busy machine.
    """
    rows = [row[:] for row in matrix]
    pivots: list[tuple[int, list[float]]] = []
    width = len(rows[0]) if rows else 0
    for column in range(width):
        best = max(rows, key=lambda r: abs(r[column]), default=None)
        if best is None or abs(best[column]) < _EPSILON:
            continue
        rows.remove(best)
        scale = best[column]
        best = [x / scale for x in best]
        for other in (*rows, *(row for _c, row in pivots)):
            factor = other[column]
            if abs(factor) >= _EPSILON:
                for c in range(column, width):
                    other[c] -= factor * best[c]
        pivots.append((column, best))
    return pivots
