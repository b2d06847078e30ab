"""The editors' forms for the parent pages (Dutch and English only: not a parent's page).

The forms check the shape of the input; the rules (who may write where, a checked translation
names its checker) are the writes' own (``parents.editing``), whose errors the views put back
on these forms.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kansrijk.core.forms import radio_buttons
from kansrijk.core.widgets import DateInput
from kansrijk.parents import languages
from kansrijk.parents.choices import TranslationStatus
from kansrijk.parents.models import CostFigure, CostItemText, LocalAddition, PageTranslation


def _field(model: Any, name: str, **kwargs: Any) -> forms.Field:
    """The model's own form field (label, length, help text), with ``kwargs`` changed."""
    field = model._meta.get_field(name).formfield(**kwargs)
    assert field is not None
    return field


class EditorForm(forms.Form):
    """A form of the editor: filled from the row it changes, its fields written as they are."""

    #: The initial values of a form for a row that does not exist yet.
    initial_for_new: dict[str, Any] = {}

    @classmethod
    def initial_from(cls, row: Any | None) -> dict[str, Any]:
        if row is None:
            return dict(cls.initial_for_new)
        return {name: getattr(row, name) for name in cls.base_fields}

    def write_data(self) -> dict[str, Any]:
        """What the write in ``parents.editing`` is given: the value of each field shown."""
        return {name: self.cleaned_data[name] for name in self.fields}


class TranslationForm(EditorForm):
    """A page's text in one language; Dutch (the source) has no status."""

    initial_for_new = {"status": TranslationStatus.DRAFT}

    title = _field(PageTranslation, "title")
    summary = _field(PageTranslation, "summary", widget=forms.Textarea(attrs={"rows": 2}))
    body = _field(PageTranslation, "body", widget=forms.Textarea(attrs={"rows": 18}))
    status = forms.ChoiceField(
        label=capfirst(_("translation")),
        choices=TranslationStatus.choices,
        widget=radio_buttons(),
        help_text=_(
            "A draft shows a short notice in its language on the page. A changed text is a "
            "draft again, unless a native speaker checked it today."
        ),
    )
    checked_by = _field(PageTranslation, "checked_by")
    checked_on = forms.DateField(
        label=capfirst(_("checked on")),
        required=False,
        widget=DateInput(),
    )

    def __init__(self, *args: Any, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language = language
        if language == languages.DEFAULT:
            for name in ("status", "checked_by", "checked_on"):
                del self.fields[name]
        else:
            direction = languages.BY_CODE[language].direction
            for name in ("title", "summary", "body", "explanation"):
                if name in self.fields:
                    self.fields[name].widget.attrs.update({"lang": language, "dir": direction})


class CostTextForm(TranslationForm):
    """A cost item's title and explanation in one language."""

    summary = None  # type: ignore[assignment]
    body = None  # type: ignore[assignment]
    explanation = _field(CostItemText, "explanation", widget=forms.Textarea(attrs={"rows": 6}))
    field_order = ["title", "explanation", "status", "checked_by", "checked_on"]


class LocalAdditionForm(EditorForm):
    """A local addition for one of the editor's municipalities."""

    municipality = forms.ChoiceField(label=capfirst(_("municipality")))
    language = forms.ChoiceField(
        label=capfirst(_("language")),
        choices=[(lang.code, lang.native_name) for lang in languages.LANGUAGES],
    )
    title = _field(LocalAddition, "title")
    body = _field(
        LocalAddition,
        "body",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "What, where and when, in plain Dutch (B1): short sentences, common words. "
            "Paragraphs separated by an empty line; a line starting with “- ” is a list item."
        ),
    )
    url = _field(LocalAddition, "url", assume_scheme="https")
    phone = _field(LocalAddition, "phone")
    status = forms.ChoiceField(
        label=capfirst(_("translation")),
        choices=TranslationStatus.choices,
        widget=radio_buttons(),
        help_text=_(
            "A Dutch text counts as checked. Another language: checked only when a native "
            "speaker read it."
        ),
    )

    def __init__(self, *args: Any, municipalities: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        municipality = self.fields["municipality"]
        assert isinstance(municipality, forms.ChoiceField)
        municipality.choices = municipalities
        if len(municipalities) == 1:
            self.fields["municipality"].initial = municipalities[0][0]

    @classmethod
    def initial_from(cls, addition: LocalAddition | None) -> dict[str, Any]:
        if addition is None:
            return {"language": languages.DEFAULT, "status": TranslationStatus.CHECKED}
        return {
            "municipality": addition.municipality_id,
            "language": addition.language,
            "title": addition.title,
            "body": addition.body,
            "url": addition.url,
            "phone": addition.phone,
            "status": addition.status,
        }


class CostFigureForm(EditorForm):
    """The official amount of a cost item for one year, with its source and date."""

    amount = _field(CostFigure, "amount", min_value=0)
    source_name = _field(CostFigure, "source_name")
    source_url = _field(CostFigure, "source_url", assume_scheme="https")
    source_date = forms.DateField(
        label=capfirst(_("published or consulted on")),
        widget=DateInput(),
    )
    note = _field(CostFigure, "note")
