"""Accent- and case-insensitive matching for the small catalogues (situations, interventions).

The catalogues hold tens to a few hundred rows, so a denormalised ``search_text`` column (lower
case, accents removed, punctuation turned into spaces) with one ``LIKE`` per query word is fast
enough and gives the same results on PostgreSQL and SQLite.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from kansrijk.core.text import fold

_NON_WORD = re.compile(r"[^a-z0-9]+")
MAX_QUERY_WORDS = 8
MAX_WORD_LENGTH = 40


def normalise(text: str) -> str:
    """Lower case, accents removed, anything but letters and digits a single space.

    ``Taalbarrière`` → ``taalbarriere``; ``Home-Start`` → ``home start``.
    """
    return _NON_WORD.sub(" ", fold(text)).strip()


def compact(text: str) -> str:
    """``normalise`` without spaces: ``Centering Zwangerschap`` and ``CenteringZwangerschap``
    both give ``centeringzwangerschap``."""
    return normalise(text).replace(" ", "")


def query_words(text: str) -> list[str]:
    """The words of a search query: normalised, deduplicated, at most 8, each at most 40 chars."""
    words: list[str] = []
    for word in normalise(text).split():
        word = word[:MAX_WORD_LENGTH]
        if word not in words:
            words.append(word)
    return words[:MAX_QUERY_WORDS]


def build_search_text(parts: Iterable[str | None]) -> str:
    """The ``search_text`` value: every part normalised, with spaces around so that
    ``search_text__contains=" word"`` finds word starts."""
    text = " ".join(normalise(part) for part in parts if part)
    return f" {text} " if text else ""
