"""Whole numbers from a query string, a form or a reference, read without trusting them."""

from __future__ import annotations


def whole_number(raw: str | None, *, digits: int = 18) -> int | None:
    """``raw`` (spaces around it apart) as a whole number when it is written as one: ASCII
    digits only, at most ``digits`` of them; ``None`` for anything else. No sign, no spaces
    inside, and no other digits: ``"²"`` passes ``str.isdigit`` and ``int`` refuses it, and
    ``int`` reads ``"٣"`` (Arabic-Indic) and ``"1_000"`` as numbers that no address or
    reference of ours writes."""
    value = (raw or "").strip()
    if value.isascii() and value.isdigit() and len(value) <= digits:
        return int(value)
    return None
