"""The base of the apps' domain errors (each app has its own subclass and codes).

A message is a lazy translation: ``str(error)`` gives it in the active language. ``code`` is
stable for programs (and the problem+json ``code``).
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise


class DomainError(Exception):
    code = "fout"
    default_message: str | Promise = ""

    def __init__(self, message: str | Promise | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(self.message)

    def __str__(self) -> str:
        return str(self.message)


class UnknownValue(DomainError):
    """A value given by name (a code, a slug) that names nothing there is. ``value`` keeps it;
    ``value_message`` (with ``%(value)s``) says so. Combine it with an app's base, e.g.
    ``class UnknownSituation(UnknownValue, SituationsError, LookupError)``."""

    value_message: str | Promise = ""

    def __init__(self, value: str) -> None:
        self.value = value
        super().__init__(self.value_message % {"value": value})


class NotPermitted(DomainError, PermissionError):
    """The user may not do this (``default_message`` says what); every app gives this refusal
    the same ``code``. Combine it with an app's base, e.g.
    ``class EditNotAllowed(NotPermitted, DirectoryError)``."""

    code = "niet-toegestaan"


class InputError(DomainError):
    """Input that breaks rules: ``errors`` maps a field to its messages. Combine it with an
    app's base, e.g. ``class InvalidPathway(InputError, PathwayError, ValueError)``."""

    def __init__(self, errors: dict[str, list[Any]], message: str | Promise | None = None) -> None:
        self.errors = errors
        super().__init__(message)

    @property
    def message_dict(self) -> dict[str, list[str]]:
        return {field: [str(m) for m in messages] for field, messages in self.errors.items()}

    @property
    def messages(self) -> list[str]:
        """All messages of ``errors`` in one list, field after field (for a page that shows
        them in one place)."""
        return [message for messages in self.message_dict.values() for message in messages]
