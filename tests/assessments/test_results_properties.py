"""Properties of the results arithmetic that hold for any answers (hypothesis): means within
the scale, "don't know" never part of a figure, the threshold respected, distributions that
add up."""

from __future__ import annotations

import statistics
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kansrijk.assessments.results import PartSpec, Results, Scale, compare, compute

PARTS = (PartSpec("a", ("A1", "A2", "A3")), PartSpec("b", ("B1", "B2")))
CODES = [code for part in PARTS for code in part.statements]


@st.composite
def scales(draw: Any) -> Scale:
    low = draw(st.integers(min_value=-3, max_value=3))
    return Scale(low, low + draw(st.integers(min_value=1, max_value=6)))


@st.composite
def rounds(
    draw: Any, *, below_threshold: bool = False
) -> tuple[Scale, list[dict[str, int | None]], int]:
    """A scale, responses and a threshold; ``below_threshold``: fewer responses than it (drawn
    so, rather than filtered: most rounds have more)."""
    scale = draw(scales())
    answer = st.one_of(st.none(), st.integers(min_value=scale.minimum, max_value=scale.maximum))
    response = st.dictionaries(st.sampled_from(CODES), answer)
    threshold = draw(st.integers(min_value=1, max_value=5))
    responses = draw(st.lists(response, max_size=threshold - 1 if below_threshold else 12))
    return scale, responses, threshold


def figures(results: Results) -> list[Any]:
    out: list[Any] = []
    for part in results.parts:
        out += [part.n, part.mean, part.respondents]
        for s in part.statements:
            out += [s.n, s.unknown, s.mean, s.median, s.spread, s.distribution]
    return out


@given(rounds())
@settings(max_examples=300)
def test_means_and_medians_lie_within_the_scale(case: Any) -> None:
    scale, responses, threshold = case
    results = compute(PARTS, scale, responses, threshold)
    for part in results.parts:
        if part.mean is not None:
            assert scale.minimum <= part.mean <= scale.maximum
        for s in part.statements:
            for value in (s.mean, s.median):
                if value is not None:
                    assert scale.minimum <= value <= scale.maximum
            if s.spread is not None:
                assert 0 <= s.spread <= scale.width / 2 + 1e-9


@given(rounds(below_threshold=True))
@settings(max_examples=300)
def test_below_the_threshold_nothing_but_the_count(case: Any) -> None:
    scale, responses, threshold = case
    assert len(responses) < threshold
    results = compute(PARTS, scale, responses, threshold)
    assert results.suppressed
    assert results.respondents == len(responses)
    assert all(value is None for value in figures(results))


@given(rounds())
@settings(max_examples=300)
def test_no_figure_rests_on_fewer_scores_than_the_threshold(case: Any) -> None:
    scale, responses, threshold = case
    results = compute(PARTS, scale, responses, threshold)
    for part in results.parts:
        if part.mean is not None:
            assert part.respondents is not None
            assert part.respondents >= threshold
        for s in part.statements:
            if s.mean is not None or s.distribution is not None or s.spread is not None:
                assert s.n is not None
                assert s.n >= threshold


@given(rounds())
@settings(max_examples=300)
def test_dont_know_is_counted_apart_and_in_no_figure(case: Any) -> None:
    scale, responses, threshold = case
    results = compute(PARTS, scale, responses, threshold)
    assume(not results.suppressed)
    for code in CODES:
        scores = [r[code] for r in responses if r.get(code) is not None]
        unknown = sum(1 for r in responses if code in r and r[code] is None)
        statement = results.statement(code)
        assert statement is not None
        assert statement.n == len(scores)
        assert statement.unknown == unknown
        if statement.mean is not None:
            assert statement.mean == statistics.fmean(scores)
            assert statement.median == statistics.median(scores)
            assert statement.distribution is not None
            assert sum(statement.distribution.values()) == len(scores)
            assert set(statement.distribution) == set(scale.values)


@given(rounds(), st.integers(min_value=0, max_value=5))
@settings(max_examples=200)
def test_more_dont_know_answers_change_no_figure(case: Any, extra: int) -> None:
    """Turning unanswered statements into "don't know" leaves every mean as it was."""
    scale, responses, threshold = case
    before = compute(PARTS, scale, responses, threshold)
    padded = [{**dict.fromkeys(CODES[:extra]), **r} for r in responses]
    after = compute(PARTS, scale, padded, threshold)
    assert [p.mean for p in before.parts] == [p.mean for p in after.parts]
    for code in CODES:
        b, a = before.statement(code), after.statement(code)
        assert b is not None
        assert a is not None
        assert (b.mean, b.median, b.distribution) == (a.mean, a.median, a.distribution)


@given(rounds())
@settings(max_examples=100)
def test_a_round_compared_with_itself_has_no_change(case: Any) -> None:
    scale, responses, threshold = case
    results = compute(PARTS, scale, responses, threshold)
    for change in compare(results, results).values():
        assert change.difference == 0


def test_a_known_example() -> None:
    results = compute(
        PARTS,
        Scale(1, 5),
        [{"A1": 1, "A2": None}, {"A1": 5, "A2": 4}, {"A1": 3, "B1": None}],
        3,
    )
    a1 = results.statement("A1")
    assert a1 is not None
    assert (a1.n, a1.mean, a1.median, a1.unknown) == (3, 3.0, 3.0, 0)
    assert a1.distribution == {1: 1, 2: 0, 3: 1, 4: 0, 5: 1}
    assert a1.disagreement  # scores 1, 3 and 5: the partners do not agree
    a2 = results.statement("A2")
    assert a2 is not None
    assert a2.suppressed
    assert a2.mean is None
    assert a2.n == 1
    assert a2.unknown == 1
    part_a = results.part("a")
    assert part_a is not None
    assert part_a.n == 4
    assert part_a.mean == 13 / 4
    part_b = results.part("b")
    assert part_b is not None
    assert part_b.mean is None
    assert part_b.respondents == 0
