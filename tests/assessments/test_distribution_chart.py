"""The distribution chart per part of a round's results: a diverging bar per statement with one
segment per score of the scale, the same counts as the results and its table, "don't know" in
the statement's label, and nothing at all below the threshold."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kansrijk.assessments import charts, services
from kansrijk.assessments.models import Round
from kansrijk.assessments.services import AnswerInput
from tests.coalitions.conftest import closes
from tests.conftest import _login_verified as login

pytestmark = pytest.mark.django_db

#: Five respondents: P01 split between the ends of the scale, P02 all in the middle, S01 with
#: only two scores (below the threshold of 3).
ANSWERS = [
    {"P01": 1, "P02": 3, "S01": 2},
    {"P01": 1, "P02": 3, "S01": 4},
    {"P01": 5, "P02": 3, "S01": None},
    {"P01": 5, "P02": None, "S01": None},
    {"P01": None, "P02": None, "S01": None},
]


def answered_round(ws: Any, count: int) -> Round:
    people = [ws.midwife, ws.jgz, ws.welfare, ws.analyst, ws.editor][:count]
    round_, _links = services.open_round(
        user=ws.coordinator,
        coalition=ws.coalition,
        instrument_version=ws.instrument,
        closes_on=closes(),
        respondents=people,
    )
    for person, answers in zip(people, ANSWERS, strict=False):
        services.answer_as_user(
            user=person,
            round_=round_,
            answers={code: AnswerInput(score) for code, score in answers.items()},
            submit=True,
        )
    return round_


def results_page(client: Client, ws: Any, round_: Round) -> Any:
    login(client, ws.coordinator)
    response = client.get(reverse("assessments:results", args=[round_.pk]))
    assert response.status_code == 200
    return response


def segments(spec: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [row for row in spec["data"]["values"] if row["code"] == code]


def test_one_segment_per_score_with_the_counts_of_the_results(
    client: Client, workspace: Any
) -> None:
    round_ = answered_round(workspace, 5)
    response = results_page(client, workspace, round_)
    per_part = {part.part.code: spread for part, _chart, spread in response.context["per_part"]}
    spec = per_part["problematiek"].spec
    bars = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "bar")
    names = ["1: helemaal niet", "2: niet", "3: neutraal", "4: wel", "5: helemaal wel"]
    assert bars["encoding"]["color"]["scale"]["domain"] == names
    assert len(set(bars["encoding"]["color"]["scale"]["range"])) == 5

    p01 = segments(spec, "P01")
    assert [(r["value"], r["answer"], r["count"]) for r in p01] == [
        (1, names[0], 2),
        (2, names[1], 0),
        (3, names[2], 0),
        (4, names[3], 0),
        (5, names[4], 2),
    ]
    # Diverging: the low scores left of the centre, the high ones right of it.
    assert (p01[0]["start"], p01[0]["end"]) == (-2, 0)
    assert (p01[4]["start"], p01[4]["end"]) == (0, 2)
    assert {r["statement"] for r in p01} == {"P01 (don't know: 1)"}
    # The middle score straddles the centre.
    p02 = segments(spec, "P02")
    assert [r["count"] for r in p02] == [0, 0, 3, 0, 0]
    assert (p02[2]["start"], p02[2]["end"]) == (-1.5, 1.5)
    assert {r["statement"] for r in p02} == {"P02 (don't know: 2)"}
    assert bars["encoding"]["y"]["sort"] == ["P01 (don't know: 1)", "P02 (don't know: 2)"]
    assert bars["encoding"]["x"]["scale"]["domain"] == [-2, 2]
    assert spec["width"] == "container"

    # The counts are those of the results.
    view = response.context["view"]
    for code in ("P01", "P02"):
        result = view.results.statement(code)
        assert {r["value"]: r["count"] for r in segments(spec, code)} == result.distribution

    # S01 has two scores, below the threshold: not in the chart; its table shows only counts.
    samenwerking = per_part["samenwerking"]
    assert samenwerking.spec["data"]["values"] == []
    assert list(samenwerking.table.rows) == [
        ["S01. Partners weten elkaar te vinden.", "—", "—", "—", "—", "—", 3, 2]
    ]
    assert next(iter(per_part["problematiek"].table.rows)) == [
        "P01. We kennen de cijfers.",
        2,
        0,
        0,
        0,
        2,
        1,
        4,
    ]


def test_the_chart_and_its_table_are_on_the_page_and_in_the_report(
    client: Client, workspace: Any
) -> None:
    round_ = answered_round(workspace, 3)
    html = results_page(client, workspace, round_).content.decode()
    assert html.count('id="chart-distribution-') >= 2
    assert "How the scores are spread: Problematiek" in html
    assert "Scores per statement of Problematiek" in html
    assert (
        '<th class="utrecht-table__header-cell kr-num" scope="col" role="columnheader">1: helemaal niet</th>'
        in html
    )
    spec_start = html.index('id="chart-distribution-')
    script = html[html.index("<script", spec_start) :]
    spec = json.loads(script[script.index(">") + 1 : script.index("</script>")])
    assert {row["code"] for row in spec["data"]["values"]} == {"P01", "P02"}
    report = client.get(reverse("assessments:report", args=[round_.pk])).content.decode()
    assert "How the scores are spread: Problematiek" in report
    assert "Scores per statement of Problematiek" in report
    # The export holds the same distribution, "don't know" apart.
    export = client.get(reverse("assessments:export", args=[round_.pk]))
    sheet = list(
        load_workbook(io.BytesIO(export.content))["Statements"].iter_rows(values_only=True)
    )
    header = sheet[0]
    assert header[4] == "Don't know"
    assert header[8:13] == (
        "1: helemaal niet",
        "2: niet",
        "3: neutraal",
        "4: wel",
        "5: helemaal wel",
    )
    p01 = next(row for row in sheet if row[1] == "P01")
    counts = {row["value"]: row["count"] for row in spec["data"]["values"] if row["code"] == "P01"}
    assert p01[8:13] == tuple(counts[value] for value in range(1, 6)) == (2, 0, 0, 0, 1)
    assert p01[4] == 0


def test_nothing_below_the_threshold(client: Client, workspace: Any) -> None:
    round_ = answered_round(workspace, 2)
    response = results_page(client, workspace, round_)
    html = response.content.decode()
    assert response.context["per_part"] == []
    assert "chart-distribution" not in html
    assert "How the scores are spread" not in html
    assert "helemaal niet" not in html


def test_the_colours_read_on_white_and_follow_the_scale() -> None:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for colour in [*charts.LOW_COLOURS, charts.MIDDLE_COLOUR, *charts.HIGH_COLOURS]:
        assert 1.05 / (luminance(colour) + 0.05) >= 4.5, colour  # white counts on it
    five = charts.distribution_colours([1, 2, 3, 4, 5])
    assert five[2] == charts.MIDDLE_COLOUR
    assert five[:2] == ["#6b0d0d", "#c0392b"]
    assert five[3:] == ["#1f6fb2", "#0a2f57"]
    three = charts.distribution_colours([0, 1, 2])
    assert three == ["#c0392b", charts.MIDDLE_COLOUR, "#1f6fb2"]
    assert len(set(charts.distribution_colours([1, 2, 3, 4]))) == 4
    seven = charts.distribution_colours(list(range(1, 8)))
    assert seven == [*reversed(charts.LOW_COLOURS), charts.MIDDLE_COLOUR, *charts.HIGH_COLOURS]
