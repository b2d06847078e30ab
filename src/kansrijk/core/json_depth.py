"""How deep parsed JSON nests, counted without recursion: one rule for the API's parser
(``kansrijk.api.parsers``) and the file imports (``kansrijk.core.import_limits``).

Python's JSON decoder recurses once per level and fails with a ``RecursionError`` somewhere near
1,000 levels; code that walks the result recurses too. Both callers catch the decoder's error and
then refuse anything deeper than their own limit with this check.
"""

from __future__ import annotations

from typing import Any


def too_deep(data: Any, limit: int) -> bool:
    """Whether ``data`` (parsed JSON) nests lists and objects more than ``limit`` levels deep
    (``[]`` is one level). Walks with its own stack, so it cannot itself run out of recursion."""
    if not isinstance(data, dict | list):
        return False
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False
