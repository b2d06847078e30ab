"""Folding text for comparison: the searches (the social map, situations, interventions) and the
client's pseudonymous reference compare names and words this way."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case, accents removed: ``Taalbarrière`` → ``taalbarriere``, ``Ĳssel`` → ``ijssel``,
    ß → ss (Unicode case folding and compatibility decomposition, combining marks dropped)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))
