"""Forms of the situations app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kansrijk.core.phases import PHASE_FIELD_NAMES
from kansrijk.situations.models import Situation


class WordListField(forms.CharField):
    """A list of words or phrases edited as text, one per line (commas also separate).

    Used for JSON list fields such as ``Situation.synonyms``: the form shows the list one item a
    line and gives back a list without empty items or duplicates.
    """

    widget = forms.Textarea(attrs={"rows": 4})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("One per line."))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list):
            items = [str(item) for item in value]
        else:
            text = super().to_python(value) or ""
            items = text.replace(",", "\n").splitlines()
        result: list[str] = []
        for item in items:
            item = item.strip()
            if item and item not in result:
                result.append(item)
        return result

    def has_changed(self, initial: Any, data: Any) -> bool:
        return self.to_python(initial or []) != self.to_python(data)


class SituationAdminForm(forms.ModelForm):
    synonyms = WordListField(
        label=_("synonyms"),
        help_text=_("Other words people use, for search. One per line."),
        max_length=4000,
    )

    class Meta:
        model = Situation
        fields = [
            "code",
            "kind",
            "domain",
            "name",
            "description",
            "synonyms",
            *PHASE_FIELD_NAMES,
            "need_category",
            "position",
            "is_active",
            "source",
        ]

    def clean_need_category(self) -> str:
        from kansrijk.situations.services import need_category_codes

        code: str = self.cleaned_data.get("need_category", "")
        if code and code not in need_category_codes():
            raise forms.ValidationError(
                _("%(code)s is not a need category of the social map.") % {"code": code},
                code="unknown",
            )
        return code
