"""Whole numbers read from outside (query values, form values, references)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kansrijk.core.params import whole_number


@pytest.mark.parametrize(("raw", "number"), [("7", 7), (" 42 ", 42), ("007", 7), ("2025", 2025)])
def test_a_whole_number_is_read(raw: str, number: int) -> None:
    assert whole_number(raw) == number


@pytest.mark.parametrize(
    "raw", [None, "", " ", "²", "٣", "1_000", "-1", "+1", "1.0", "1e3", "1 2", "0x10", "abc"]
)
def test_anything_else_is_none(raw: str | None) -> None:
    assert whole_number(raw) is None


def test_the_number_of_digits_is_bounded() -> None:
    assert whole_number("9" * 18) == 10**18 - 1
    assert whole_number("9" * 19) is None
    assert whole_number("2025", digits=4) == 2025
    assert whole_number("20251", digits=4) is None


@given(st.text(max_size=30))
def test_any_text_is_a_number_or_none_and_never_an_error(raw: str) -> None:
    number = whole_number(raw)
    assert number is None or (
        (number >= 0 and str(number) == raw.strip().lstrip("0")) or number == 0
    )
