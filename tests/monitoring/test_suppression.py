"""The small-number rules (docs/monitoring.md), and that a suppressed municipal value can never be
worked out from the regional totals that are shown beside it."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kansrijk.monitoring.suppression import (
    SUPPRESSED_TEXT,
    Cell,
    Reason,
    Region,
    primary_reason,
    protect_parts,
    protect_regions,
    publish,
    suppress_count,
)


def test_counts_below_ten_are_suppressed_zero_included():
    assert [suppress_count(n) for n in (0, 1, 9, 10, 250)] == ["< 10"] * 3 + ["10", "250"]
    assert SUPPRESSED_TEXT == "< 10"


@pytest.mark.parametrize(
    ("unit", "numerator", "denominator", "value", "reason"),
    [
        ("percentage", 9, 500, 1.8, Reason.SMALL_NUMERATOR),
        ("percentage", 10, 500, 2.0, None),
        ("percentage", 95, 100, 95.0, Reason.SMALL_COMPLEMENT),
        ("percentage", 90, 100, 90.0, None),
        ("rate_per_1000", 12, 15, 800.0, Reason.SMALL_COMPLEMENT),
        ("percentage", None, None, 12.5, None),  # only a value: the source's protection
        ("count", 4, None, 4, Reason.SMALL_COUNT),
        ("count", None, None, 0, Reason.SMALL_COUNT),
        ("count", None, None, 12, None),
        ("days", None, 8, 3.5, Reason.SMALL_GROUP),
        ("days", None, 40, 3.5, None),
    ],
)
def test_primary_rule(unit, numerator, denominator, value, reason):
    assert (
        primary_reason(unit=unit, numerator=numerator, denominator=denominator, value=value)
        == reason
    )


def test_a_suppressed_value_withholds_all_its_numbers():
    shown = publish(unit="percentage", numerator=9, denominator=500, value=1.8)
    assert shown.suppressed
    assert (shown.value, shown.numerator, shown.denominator) == (None, None, None)
    assert shown.text == "< 10"
    safe = publish(unit="percentage", numerator=50, denominator=500, value=10.0)
    assert (safe.value, safe.numerator, safe.denominator, safe.suppressed) == (
        10.0,
        50,
        500,
        False,
    )
    withheld = publish(unit="percentage", numerator=50, denominator=500, value=10.0, withheld=True)
    assert withheld.suppressed
    assert withheld.reason == Reason.SECONDARY
    assert withheld.value is None


def test_a_breakdown_never_gives_away_its_one_small_part():
    # 15 rejected: 12 "no capacity" and 3 "other". Showing 12 beside 15 tells the 3.
    hidden = protect_parts(15, {"no_capacity": 12, "other": 3})
    assert hidden == {"other": Reason.SMALL_COUNT, "no_capacity": Reason.SECONDARY}
    # Two small parts that add up to 11 protect each other.
    assert protect_parts(30, {"a": 19, "b": 5, "c": 6}) == {
        "b": Reason.SMALL_COUNT,
        "c": Reason.SMALL_COUNT,
    }
    assert protect_parts(40, {"a": 20, "b": 20}) == {}
    assert protect_parts(8, {"a": 8}) == {"a": Reason.SMALL_COUNT}
    with pytest.raises(ValueError, match="add up"):
        protect_parts(10, {"a": 3})


def test_a_table_with_totals_on_both_sides_never_gives_a_cell_away():
    """Rejections per year (rows, totals on the monitor) and reason (columns, totals over all
    years on the referral results page)."""
    from kansrijk.monitoring.suppression import protect_table

    cells = {
        (2023, "no_capacity"): 30,
        (2023, "other"): 4,
        (2024, "no_capacity"): 25,
        (2024, "other"): 20,
    }
    hidden = protect_table(cells, row_totals=[2023, 2024], column_totals=["no_capacity", "other"])
    # 2023: the 4 hides the 30 too (34 - 30); then "other" over both years (24) minus 20 would
    # tell the 4, and "no capacity" (55) minus 25 the 30: everything goes.
    assert hidden == {
        (2023, "other"): Reason.SMALL_COUNT,
        (2023, "no_capacity"): Reason.SECONDARY,
        (2024, "other"): Reason.SECONDARY,
        (2024, "no_capacity"): Reason.SECONDARY,
    }
    # One line with its total shown, as protect_parts.
    assert protect_table(
        {("sent", 2023): 16, ("sent", 2024): 46, ("sent", 2025): 4}, row_totals=["sent"]
    ) == {
        ("sent", 2025): Reason.SMALL_COUNT,
        ("sent", 2023): Reason.SECONDARY,
    }
    # Without totals shown only the small cells go.
    assert protect_table(cells) == {(2023, "other"): Reason.SMALL_COUNT}


def _cells(numbers: dict[str, tuple[int, int]]) -> dict[str, Cell]:
    return {
        code: Cell(
            n,
            d,
            primary_reason(unit="percentage", numerator=n, denominator=d, value=None) is not None,
        )
        for code, (n, d) in numbers.items()
    }


def _region(key: str, numbers: dict[str, tuple[int, int]], members: tuple[str, ...]):
    return Region(
        key,
        members,
        sum(numbers[m][0] for m in members),
        sum(numbers[m][1] for m in members),
    )


def test_a_region_with_one_suppressed_municipality_is_withheld():
    numbers = {"GM1": (4, 300), "GM2": (60, 900), "GM3": (80, 1000)}
    region = _region("GG1", numbers, ("GM1", "GM2", "GM3"))
    withheld = protect_regions(unit="percentage", cells=_cells(numbers), regions=[region])
    # 144 - 60 - 80 = 4: the total would give GM1 away.
    assert withheld == {"GG1": Reason.SECONDARY}


def test_two_suppressed_municipalities_that_add_up_to_ten_keep_the_region():
    numbers = {"GM1": (4, 300), "GM2": (7, 200), "GM3": (80, 1000)}
    region = _region("GG1", numbers, ("GM1", "GM2", "GM3"))
    assert protect_regions(unit="percentage", cells=_cells(numbers), regions=[region]) == {}


def test_overlapping_regions_cannot_be_combined_to_solve_one_municipality():
    # GM1 and GM2 suppressed. GGD region {1,2,3}: residual GM1+GM2 = 11 (safe on its own).
    # Youth care region {2,3,4}: residual GM2 alone -> withheld. Province {1,2,4,5}: residual
    # GM1+GM2 again. Nothing solves GM1 or GM2 once the youth care region is withheld.
    numbers = {
        "GM1": (5, 300),
        "GM2": (6, 400),
        "GM3": (70, 800),
        "GM4": (90, 900),
        "GM5": (40, 600),
    }
    regions = [
        _region("GG", numbers, ("GM1", "GM2", "GM3")),
        _region("JZ", numbers, ("GM2", "GM3", "GM4")),
        _region("PV", numbers, ("GM1", "GM2", "GM4", "GM5")),
    ]
    withheld = protect_regions(unit="percentage", cells=_cells(numbers), regions=regions)
    assert withheld == {"JZ": Reason.SECONDARY}


def test_three_regions_that_each_hide_two_are_not_enough_to_solve_one():
    # Residuals A+B, B+C, A+C: each ≥ 10, but together they solve A, B and C.
    numbers = {
        "A": (6, 300),
        "B": (7, 300),
        "C": (8, 300),
        "X": (50, 500),
    }
    regions = [
        _region("R1", numbers, ("A", "B", "X")),
        _region("R2", numbers, ("B", "C", "X")),
        _region("R3", numbers, ("A", "C", "X")),
    ]
    withheld = protect_regions(unit="percentage", cells=_cells(numbers), regions=regions)
    assert len(withheld) == 1
    assert set(withheld.values()) == {Reason.SECONDARY}


def _in_row_space(rows: list[set[str]], target: str) -> bool:
    """Exact Gaussian elimination over the rationals (independent of the SVD in the module)."""
    columns = sorted({c for row in rows for c in row} | {target})
    matrix = [[Fraction(int(c in row)) for c in columns] for row in rows]

    def rank(m: list[list[Fraction]]) -> int:
        m = [r[:] for r in m]
        r = 0
        for col in range(len(columns)):
            pivot = next((i for i in range(r, len(m)) if m[i][col] != 0), None)
            if pivot is None:
                continue
            m[r], m[pivot] = m[pivot], m[r]
            for i in range(len(m)):
                if i != r and m[i][col] != 0:
                    factor = m[i][col] / m[r][col]
                    m[i] = [a - factor * b for a, b in zip(m[i], m[r], strict=True)]
            r += 1
        return r

    unit = [Fraction(int(c == target)) for c in columns]
    return rank(matrix) == rank([*matrix, unit])


@settings(max_examples=150, deadline=None)
@given(
    numerators=st.lists(st.integers(0, 40), min_size=6, max_size=14),
    partitions=st.lists(
        st.lists(st.integers(0, 3), min_size=14, max_size=14), min_size=1, max_size=3
    ),
)
def test_no_published_total_ever_reveals_a_suppressed_municipality(numerators, partitions):
    codes = [f"GM{i:04d}" for i in range(len(numerators))]
    numbers = {code: (n, n + 200) for code, n in zip(codes, numerators, strict=True)}
    cells = _cells(numbers)
    regions = [_region("NL", numbers, tuple(codes))]
    for level, assignment in enumerate(partitions):
        groups: dict[int, list[str]] = {}
        for code, group in zip(codes, assignment, strict=False):
            groups.setdefault(group, []).append(code)
        regions += [
            _region(f"L{level}-{g}", numbers, tuple(members)) for g, members in groups.items()
        ]
    withheld = protect_regions(unit="percentage", cells=cells, regions=regions)
    hidden = {code for code, cell in cells.items() if cell.suppressed}
    published = [r for r in regions if r.key not in withheld]
    residuals = [{m for m in r.members if m in hidden} for r in published]
    for residual in residuals:
        if residual:  # what a shown total hides adds up to 10 or more
            assert sum(numbers[m][0] for m in residual) >= 10
    for code in hidden:  # and no combination of shown totals isolates one municipality
        assert not _in_row_space([r for r in residuals if r], code)
