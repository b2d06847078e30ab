"""Who did it: whether a user is signed in, and whom a row names as its author or editor."""

from __future__ import annotations

from typing import Any


def actor(user: Any) -> Any:
    """``user`` when signed in, else ``None``: what a row stores as its author or editor (no
    one for an anonymous user, or a command run without a user)."""
    return user if signed_in(user) else None


def signed_in(user: Any) -> bool:
    """Whether ``user`` is a signed-in user: not ``None`` (a command run without a user), not an
    anonymous visitor."""
    return bool(getattr(user, "is_authenticated", False))
