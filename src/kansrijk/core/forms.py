"""What the apps' forms share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms


def add_errors(form: forms.Form, errors: Mapping[str, Iterable[Any]]) -> None:
    """Show the errors of a refused write (a service's ``{field: [messages]}``) on ``form``:
    each on the field of its name, the others on the form as a whole."""
    for name, messages in errors.items():
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)
