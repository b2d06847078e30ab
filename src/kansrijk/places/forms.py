"""Forms of the places app."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kansrijk.places.exceptions import InvalidPostcode
from kansrijk.places.selectors import normalise_postcode


def clean_postcode_value(value: str, *, required: bool = True) -> str:
    """The four digits of a postcode typed into a form field, or a form error (an empty value:
    ``""`` unless ``required``). The one check of every form that asks a postcode."""
    if not required and not (value or "").strip():
        return ""
    try:
        return normalise_postcode(value)
    except InvalidPostcode as exc:
        raise forms.ValidationError(str(exc), code=exc.code) from None


class PostcodeForm(forms.Form):
    """A postcode (``9203`` or ``9203 AB``); ``cleaned_data["postcode"]`` holds the four digits."""

    postcode = forms.CharField(
        label=_("Postcode"),
        help_text=_("Four digits, optionally with two letters, such as 9203 or 9203 AB."),
        max_length=20,
        error_messages={
            "required": InvalidPostcode.default_message,
            "max_length": InvalidPostcode.default_message,
        },
    )

    def clean_postcode(self) -> str:
        return clean_postcode_value(self.cleaned_data["postcode"])
