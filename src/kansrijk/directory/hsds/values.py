"""Reading typed values out of an HSDS row (text, web address, number, date, choice …) with the
rules of the model fields, reporting every broken rule as an ``Issue`` of the row."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import models
from django.utils.translation import gettext as _

from kansrijk.directory.hsds.reader import Collected, Row

T = TypeVar("T")


class RowValues:
    """Typed values of the rows of one import; every problem goes to the collected issues."""

    def __init__(self, collected: Collected) -> None:
        self.c = collected

    def error(self, row: Row, field_name: str, reason: str) -> None:
        if (row.file, row.where, field_name) in self.c.schema_errors:
            return
        self.c.error(row.file, row.where, field_name, reason)

    def warning(self, row: Row, field_name: str, reason: str) -> None:
        self.c.warning(row.file, row.where, field_name, reason)

    def _parsed(
        self, row: Row, field_name: str, parse: Callable[[str], T], problem: str
    ) -> T | None:
        """The value of ``field_name`` as text, read by ``parse``; ``None`` when it is empty,
        or when ``parse`` raises ``ValueError`` (an error: ``problem``, with the value)."""
        value = row.data.get(field_name)
        if value is None or value == "":
            return None
        try:
            return parse(str(value))
        except ValueError:
            self.error(row, field_name, problem % {"value": value})
            return None

    def get_uuid(self, row: Row, field_name: str, *, required: bool = False) -> uuid.UUID | None:
        if required and row.data.get(field_name) in (None, ""):
            self.error(row, field_name, _("This field is required."))
            return None
        return self._parsed(row, field_name, uuid.UUID, _("%(value)s is not a UUID."))

    def text(
        self,
        row: Row,
        field_name: str,
        model: type[models.Model],
        model_field: str | None = None,
        *,
        required: bool = False,
    ) -> str:
        """The value of ``field_name`` as stripped text, cut to the ``max_length`` of the model's
        field (an error); empty when absent, an error when ``required``."""
        value = row.data.get(field_name)
        text = "" if value is None else str(value).strip()
        if not text:
            if required:
                self.error(row, field_name, _("This field is required."))
            return ""
        max_length = getattr(model._meta.get_field(model_field or field_name), "max_length", None)
        if max_length and len(text) > max_length:
            self.error(
                row,
                field_name,
                _("Longer than %(max)d characters (%(length)d).")
                % {"max": max_length, "length": len(text)},
            )
            return text[:max_length]
        return text

    def url(
        self, row: Row, field_name: str, model: type[models.Model], model_field: str | None = None
    ) -> str:
        text = self.text(row, field_name, model, model_field)
        if not text:
            return ""
        if "://" not in text:
            text = f"https://{text}"
        try:
            URLValidator()(text)
        except ValidationError:
            self.error(
                row,
                field_name,
                _("%(value)s is not a web address.") % {"value": row.data.get(field_name)},
            )
            return ""
        return text

    def email(self, row: Row, field_name: str, model: type[models.Model]) -> str:
        text = self.text(row, field_name, model)
        if not text:
            return ""
        try:
            EmailValidator()(text)
        except ValidationError:
            self.error(row, field_name, _("%(value)s is not an email address.") % {"value": text})
            return ""
        return text

    def number(self, row: Row, field_name: str) -> float | None:
        value = row.data.get(field_name)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.error(row, field_name, _("%(value)s is not a number.") % {"value": value})
            return None
        try:
            return float(str(value).replace(",", "."))
        except ValueError:
            self.error(row, field_name, _("%(value)s is not a number.") % {"value": value})
            return None

    def integer(self, row: Row, field_name: str, minimum: int, maximum: int) -> int | None:
        number = self.number(row, field_name)
        if number is None:
            return None
        if not number.is_integer() or not minimum <= number <= maximum:
            self.error(
                row,
                field_name,
                _("%(value)s is not a whole number from %(min)d to %(max)d.")
                % {"value": row.data.get(field_name), "min": minimum, "max": maximum},
            )
            return None
        return int(number)

    def date(self, row: Row, field_name: str) -> datetime.date | None:
        return self._parsed(
            row,
            field_name,
            lambda text: datetime.date.fromisoformat(text[:10]),
            _("%(value)s is not a date (YYYY-MM-DD)."),
        )

    def time(self, row: Row, field_name: str) -> datetime.time | None:
        return self._parsed(
            row, field_name, datetime.time.fromisoformat, _("%(value)s is not a time (HH:MM).")
        )

    def choice(
        self,
        row: Row,
        field_name: str,
        choices: Iterable[str],
        *,
        default: str = "",
        upper: bool = False,
    ) -> str:
        value = row.data.get(field_name)
        if value is None or value == "":
            return default
        text = str(value).strip()
        text = text.upper() if upper else text.lower()
        allowed = list(choices)
        if text not in allowed:
            self.error(
                row,
                field_name,
                _("%(value)s is not one of: %(allowed)s.")
                % {"value": value, "allowed": ", ".join(allowed)},
            )
            return default
        return text
