"""The search form of the access log (GET: the filters are in the address)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kansrijk.audit.models import AccessEvent, Action
from kansrijk.audit.selectors import Cursor, EventFilter
from kansrijk.core.forms import SELECT_CLASS, TEXTBOX_CLASS
from kansrijk.core.widgets import DateInput

_TEXT = {"class": TEXTBOX_CLASS, "autocomplete": "off"}
_DATE_INVALID = _("Enter a valid date, for example 31-12-2025.")
_DATE_RANGE = _("Enter a date between 1900 and 2999.")
_FIRST_DAY = datetime.date(1900, 1, 1)
_LAST_DAY = datetime.date(2999, 12, 31)


def _text(field_name: str, label: Any, **kwargs: Any) -> forms.CharField:
    model_field = AccessEvent._meta.get_field(field_name)
    assert isinstance(model_field, models.CharField)
    max_length = model_field.max_length
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        strip=True,
        widget=forms.TextInput(attrs=dict(_TEXT)),
        **kwargs,
    )


def _date(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        error_messages={"invalid": _DATE_INVALID},
        validators=[
            MinValueValidator(_FIRST_DAY, message=_DATE_RANGE),
            MaxValueValidator(_LAST_DAY, message=_DATE_RANGE),
        ],
        widget=DateInput(attrs={"class": TEXTBOX_CLASS}),
    )


class AccessLogSearchForm(forms.Form):
    """Filters for the access log. Every filter is optional; together they narrow."""

    user = _text("user_display", _("User name"))
    object_type = _text(
        "object_type", _("Object type"), help_text=_("For example referral or client.")
    )
    object_id = _text("object_id", _("Object id"))
    client_ref = _text("client_ref", _("Client reference"))
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("Any action")), *Action.choices],
        widget=forms.Select(attrs={"class": SELECT_CLASS}),
    )
    date_from = _date(_("From (date)"))
    date_to = _date(_("To (date, inclusive)"))
    # The position after which the next page starts (keyset pagination); not shown.
    after = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_after(self) -> Cursor | None:
        value: str = self.cleaned_data.get("after", "")
        if not value:
            return None
        cursor = Cursor.parse(value)
        if cursor is None:
            raise forms.ValidationError(
                _("This page of results does not exist. Start the search again.")
            )
        return cursor

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date_from: datetime.date | None = cleaned.get("date_from")
        date_to: datetime.date | None = cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", _("The end date is before the start date."))
        if cleaned.get("object_id") and not cleaned.get("object_type"):
            self.add_error("object_type", _("Give the object type that goes with the object id."))
        return cleaned

    def to_filter(self) -> EventFilter:
        """The cleaned filters (call only when the form is valid)."""
        data = self.cleaned_data
        return EventFilter(
            username=data["user"],
            object_type=data["object_type"],
            object_id=data["object_id"],
            client_ref=data["client_ref"],
            action=data["action"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
