"""Who a row names as the one who made or changed it."""

from __future__ import annotations

from typing import Any


def actor(user: Any) -> Any:
    """``user`` when signed in, else ``None``: what a row stores as its author or editor (no
    one for an anonymous user, or a command run without a user)."""
    return user if getattr(user, "is_authenticated", False) else None
