"""Forms of the monitor: picking a municipality (the signalling place form: one parser of
municipality and postcode), and uploading figures."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kansrijk.places.selectors import municipality_choices
from kansrijk.signalling.forms import PlaceForm as _PlaceForm

#: The largest file an analyst may upload (bytes).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class PlaceForm(_PlaceForm):
    """A municipality from the list or a postcode (GET)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, municipalities=municipality_choices(), **kwargs)
        self.fields["municipality"].help_text = ""
        self.fields["postcode"].help_text = _("Four digits are enough, such as 9203.")


class UploadForm(forms.Form):
    values = forms.FileField(
        label=_("Values (values.csv)"),
        required=False,
        help_text=_("Columns: indicator,area,period,numerator,denominator,value."),
    )
    indicators = forms.FileField(
        label=_("Indicator definitions (indicators.csv)"),
        required=False,
        help_text=_("Columns: code,name,unit,direction,phase,source,definition."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("values") and not cleaned.get("indicators"):
            raise forms.ValidationError(_("Choose a file to import."), code="required")
        for name in ("values", "indicators"):
            upload = cleaned.get(name)
            if upload is not None and upload.size > MAX_UPLOAD_BYTES:
                self.add_error(
                    name,
                    _("The file is larger than %(mb)s MB.")
                    % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
                )
        return cleaned
