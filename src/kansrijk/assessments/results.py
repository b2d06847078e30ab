"""The arithmetic of a round's results, on plain values (no database), so it can be tested on
its own (tests/assessments/test_results_properties.py).

Per statement: the number of scores (``n``), "don't know" answers (``unknown``, never part of
a mean), mean, median, the spread (population standard deviation: where partners disagree is
where the coalition should talk) and the distribution over every score of the scale. Per part:
the number of scores and their mean, over every statement of the part.

What is shown depends on the threshold (``ASSESSMENT_MIN_RESPONDENTS``, default 3):

- fewer respondents than the threshold: no figure at all but the number of respondents;
- a statement with fewer scores than the threshold (the others said "don't know"): its counts,
  but no mean, median, spread or distribution, which would show one person's answer;
- a part in which fewer respondents than the threshold gave a score: no mean.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

#: A spread of at least this share of the scale's width counts as disagreement (on a 1-5
#: scale: a standard deviation of 1.0 or more).
DISAGREEMENT_SHARE = 0.25


@dataclass(frozen=True)
class Scale:
    minimum: int
    maximum: int

    @property
    def values(self) -> list[int]:
        return list(range(self.minimum, self.maximum + 1))

    @property
    def width(self) -> int:
        return self.maximum - self.minimum

    def contains(self, value: int) -> bool:
        return self.minimum <= value <= self.maximum


@dataclass(frozen=True)
class PartSpec:
    code: str
    statements: tuple[str, ...]


@dataclass(frozen=True)
class StatementResult:
    code: str
    n: int | None
    unknown: int | None
    suppressed: bool
    mean: float | None = None
    median: float | None = None
    spread: float | None = None
    distribution: dict[int, int] | None = None
    disagreement: bool = False


@dataclass(frozen=True)
class PartResult:
    code: str
    n: int | None
    respondents: int | None
    suppressed: bool
    mean: float | None
    statements: tuple[StatementResult, ...]


@dataclass(frozen=True)
class Results:
    respondents: int
    threshold: int
    suppressed: bool
    parts: tuple[PartResult, ...]

    def statement(self, code: str) -> StatementResult | None:
        for part in self.parts:
            for statement in part.statements:
                if statement.code == code:
                    return statement
        return None

    def part(self, code: str) -> PartResult | None:
        return next((p for p in self.parts if p.code == code), None)


def _statement(
    code: str, scores: list[int], unknown: int, scale: Scale, threshold: int
) -> StatementResult:
    n = len(scores)
    if n < threshold:
        return StatementResult(code=code, n=n, unknown=unknown, suppressed=True)
    spread = statistics.pstdev(scores)
    distribution = dict.fromkeys(scale.values, 0)
    for score in scores:
        distribution[score] += 1
    return StatementResult(
        code=code,
        n=n,
        unknown=unknown,
        suppressed=False,
        mean=statistics.fmean(scores),
        median=float(statistics.median(scores)),
        spread=spread,
        distribution=distribution,
        disagreement=scale.width > 0 and spread >= DISAGREEMENT_SHARE * scale.width,
    )


def compute(
    parts: Sequence[PartSpec],
    scale: Scale,
    responses: Iterable[Mapping[str, int | None]],
    threshold: int,
) -> Results:
    """The results of ``responses`` (one mapping per respondent: statement code → score, or
    ``None`` for "don't know"; a statement left out was not answered)."""
    if threshold < 1:
        raise ValueError("the threshold is at least 1")
    answers = list(responses)
    respondents = len(answers)
    if respondents < threshold:
        return Results(
            respondents=respondents,
            threshold=threshold,
            suppressed=True,
            parts=tuple(
                PartResult(
                    code=part.code,
                    n=None,
                    respondents=None,
                    suppressed=True,
                    mean=None,
                    statements=tuple(
                        StatementResult(code=code, n=None, unknown=None, suppressed=True)
                        for code in part.statements
                    ),
                )
                for part in parts
            ),
        )
    part_results = []
    for part in parts:
        statement_results = []
        part_scores: list[int] = []
        scoring_respondents = 0
        for response in answers:
            if any(response.get(code) is not None for code in part.statements):
                scoring_respondents += 1
        for code in part.statements:
            scores: list[int] = []
            unknown = 0
            for response in answers:
                if code not in response:
                    continue
                value = response[code]
                if value is None:
                    unknown += 1
                    continue
                if not scale.contains(value):
                    raise ValueError(f"score {value} of {code} is outside the scale")
                scores.append(value)
            part_scores.extend(scores)
            statement_results.append(_statement(code, scores, unknown, scale, threshold))
        part_suppressed = scoring_respondents < threshold
        part_results.append(
            PartResult(
                code=part.code,
                n=len(part_scores),
                respondents=scoring_respondents,
                suppressed=part_suppressed,
                mean=None if part_suppressed or not part_scores else statistics.fmean(part_scores),
                statements=tuple(statement_results),
            )
        )
    return Results(
        respondents=respondents, threshold=threshold, suppressed=False, parts=tuple(part_results)
    )


@dataclass(frozen=True)
class Change:
    """A mean now and in the previous round (both shown), and the difference."""

    previous: float
    current: float

    @property
    def difference(self) -> float:
        return self.current - self.previous


def compare(current: Results, previous: Results) -> dict[str, Change]:
    """Changes of the means, by part code and by statement code (matched by code, so a new
    version of the instrument compares where its codes are the same). Only where both rounds
    show a mean."""
    changes: dict[str, Change] = {}
    if current.suppressed or previous.suppressed:
        return changes
    for part in current.parts:
        before = previous.part(part.code)
        if before is not None and before.mean is not None and part.mean is not None:
            changes[f"part:{part.code}"] = Change(before.mean, part.mean)
        for statement in part.statements:
            old = previous.statement(statement.code)
            if old is not None and old.mean is not None and statement.mean is not None:
                changes[statement.code] = Change(old.mean, statement.mean)
    return changes
