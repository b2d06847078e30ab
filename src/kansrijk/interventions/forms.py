"""Forms of the menukaart: the search and filter form (GET) and the admin form."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from kansrijk.core.phases import PHASE_FIELD_NAMES, Phase
from kansrijk.interventions.models import (
    BuildingBlock,
    FinancingLaw,
    Intervention,
    RecognitionLevel,
)
from kansrijk.places.exceptions import PlacesError
from kansrijk.places.models import Municipality
from kansrijk.places.selectors import lookup_postcode
from kansrijk.situations.forms import WordListField
from kansrijk.situations.models import FactorKind, Situation


class PlaceForm(forms.Form):
    """A municipality (list) or a postcode; ``cleaned_data["place"]`` is the Municipality or None.
    A postcode wins over the list."""

    municipality = forms.ChoiceField(
        label=_("Municipality"),
        required=False,
        error_messages={"invalid_choice": _("Choose a municipality from the list.")},
    )
    postcode = forms.CharField(
        label=_("Or a postcode"),
        required=False,
        max_length=20,
        help_text=_("Four digits are enough, such as 9203."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        municipalities = list(Municipality.objects.only("code", "name").order_by("name", "code"))
        self.municipalities = {m.code: m for m in municipalities}
        municipality_field = cast(forms.ChoiceField, self.fields["municipality"])
        municipality_field.choices = [("", _("All municipalities"))] + [
            (m.code, m.name) for m in municipalities
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        place: Municipality | None = None
        postcode = (cleaned.get("postcode") or "").strip()
        if postcode:
            try:
                place = lookup_postcode(postcode).municipality
            except PlacesError as exc:
                self.add_error("postcode", forms.ValidationError(str(exc), code=exc.code))
        elif cleaned.get("municipality"):
            place = self.municipalities.get(cleaned["municipality"])
        cleaned["place"] = place
        return cleaned


class InterventionFilterForm(PlaceForm):
    """Search and filters of the menukaart page (a GET form: results can be bookmarked)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("A name or a word, such as roken or Centering."),
    )
    situation = forms.ChoiceField(
        label=_("Situation"),
        required=False,
        error_messages={"invalid_choice": _("Choose a situation from the list.")},
    )
    phase = forms.ChoiceField(
        label=_("Phase"),
        required=False,
        choices=[("", _("All phases")), *Phase.choices],
        error_messages={"invalid_choice": _("Choose a phase from the list.")},
    )
    building_block = forms.TypedChoiceField(
        label=_("Building block"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All building blocks")), *BuildingBlock.choices],
        error_messages={"invalid_choice": _("Choose a building block from the list.")},
    )
    recognition = forms.ChoiceField(
        label=_("Recognition level"),
        required=False,
        choices=[("", _("All levels")), *RecognitionLevel.choices],
        error_messages={"invalid_choice": _("Choose a recognition level from the list.")},
    )

    field_order = [
        "q",
        "situation",
        "phase",
        "municipality",
        "postcode",
        "building_block",
        "recognition",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        risks: list[tuple[str, str]] = []
        protective: list[tuple[str, str]] = []
        for code, name, kind in (
            Situation.objects.active()
            .order_by("domain__position", "position", "name")
            .values_list("code", "name", "kind")
        ):
            (risks if kind == FactorKind.RISK else protective).append((code, name))
        choices: list[Any] = [("", _("All situations"))]
        if risks:
            choices.append((_("Risk factors"), risks))
        if protective:
            choices.append((_("Protective factors"), protective))
        cast(forms.ChoiceField, self.fields["situation"]).choices = choices

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for ``search_interventions`` (call after ``is_valid()``)."""
        data = self.cleaned_data
        return {
            "text": data.get("q") or None,
            "situation": data.get("situation") or None,
            "phase": data.get("phase") or None,
            "building_block": data.get("building_block"),
            "recognition": data.get("recognition") or None,
            "municipality": data.get("place"),
        }

    @property
    def has_filters(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)


def _formfield(field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """Model form fields, with web addresses assumed to be https (Django 6 behaviour)."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


#: Groups of ``InterventionAdminForm``'s fields that the admin shows together.
DESCRIPTION_FIELDS = (
    "slug",
    "name",
    "alternate_names",
    "building_block",
    "description",
    "target_group",
    "provider_kind",
    "url",
)
RECOGNITION_FIELDS = ("recognition", "recognition_source", "financing_laws")


class InterventionAdminForm(forms.ModelForm):
    alternate_names = WordListField(
        label=_("other names"),
        help_text=_("Abbreviations and other names, for search. One per line."),
        max_length=2000,
    )
    financing_laws = forms.MultipleChoiceField(
        label=_("financing"),
        required=False,
        choices=FinancingLaw.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The laws it can be paid from."),
    )

    class Meta:
        model = Intervention
        fields = [
            *DESCRIPTION_FIELDS,
            *PHASE_FIELD_NAMES,
            "situations",
            *RECOGNITION_FIELDS,
            "services",
            "source",
            "is_active",
        ]
        formfield_callback = _formfield
