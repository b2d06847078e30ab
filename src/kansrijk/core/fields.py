"""Field declarations that recur across the apps' models, each in one place.

- ``optional_link``: a foreign key that may be empty.
- ``acting_user``: who did something to a row (created, published, recorded it), a link that
  is emptied when the account is deleted.

They return ordinary Django fields with the same arguments as written out by hand, so a model
that uses them has the same migration state.
"""

from __future__ import annotations

from typing import Any, TypeVar, overload

from django.conf import settings
from django.db import models

__all__ = ["acting_user", "optional_link"]

_M = TypeVar("_M", bound=models.Model)


@overload
def optional_link(
    to: type[_M], on_delete: Any, verbose_name: Any, *, related_name: str = ..., **options: Any
) -> models.ForeignKey[_M | None, _M | None]: ...


@overload
def optional_link(
    to: str, on_delete: Any, verbose_name: Any, *, related_name: str = ..., **options: Any
) -> models.ForeignKey[Any, Any]: ...


def optional_link(
    to: str | type[models.Model],
    on_delete: Any,
    verbose_name: Any,
    *,
    related_name: str = "+",
    **options: Any,
) -> models.ForeignKey[Any, Any]:
    """A foreign key that may be empty: NULL in the database, not required in forms.

    ``related_name`` is ``"+"`` (no way back from ``to``) unless one is given; ``options`` go
    to the field as they are (``help_text``, ``editable``). Given a model class, the field is
    typed with it; given a name (``"app.Model"``, ``"self"``), it is not."""
    return models.ForeignKey(
        to,
        on_delete,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=verbose_name,
        **options,
    )


def acting_user(verbose_name: Any) -> models.ForeignKey[Any, Any]:
    """The user who did something to the row (created, changed, published, recorded it): the
    row keeps its history when the account is deleted, the link becomes empty (``SET_NULL``).
    No way back from the user."""
    return optional_link(settings.AUTH_USER_MODEL, models.SET_NULL, verbose_name)
