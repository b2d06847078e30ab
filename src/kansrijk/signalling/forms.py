"""Forms of signalling: the broad conversation (posted; its answers are kept in the browser, see
``kansrijk.signalling.answers``) and the place of the preconception guide (GET)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kansrijk.core.phases import Phase
from kansrijk.places.exceptions import InvalidPostcode, UnknownMunicipality, UnknownPostcode
from kansrijk.places.forms import clean_postcode_value
from kansrijk.places.selectors import get_municipality, lookup_postcode
from kansrijk.signalling.grading import GradingRules

MUNICIPALITY_REQUIRED = _("Choose a municipality or enter a postcode.")


class PlaceForm(forms.Form):
    """A municipality (CBS code from the list) or a postcode; ``cleaned_data["place"]`` holds the
    Municipality. When both are given they must agree."""

    municipality = forms.ChoiceField(
        label=_("Municipality"),
        required=False,
        help_text=_("Where the family lives."),
        error_messages={"invalid_choice": _("Choose a municipality from the list.")},
    )
    postcode = forms.CharField(
        label=_("or postcode"),
        required=False,
        max_length=20,
        help_text=_("Four digits are enough, such as 9203."),
        error_messages={"max_length": InvalidPostcode.default_message},
    )

    def __init__(self, *args: Any, municipalities: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Choose a municipality")), *municipalities]

    def clean_postcode(self) -> str:
        return clean_postcode_value(self.cleaned_data.get("postcode", ""), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        code = cleaned.get("municipality") or ""
        postcode = cleaned.get("postcode") or ""
        if self.errors:
            return cleaned
        if not code and not postcode:
            self.add_error(
                "municipality", forms.ValidationError(MUNICIPALITY_REQUIRED, code="required")
            )
            return cleaned
        try:
            chosen = get_municipality(code) if code else None
            from_postcode = lookup_postcode(postcode).municipality if postcode else None
        except UnknownMunicipality:
            self.add_error("municipality", _("Choose a municipality from the list."))
            return cleaned
        except UnknownPostcode as exc:
            self.add_error("postcode", forms.ValidationError(str(exc), code=exc.code))
            return cleaned
        if chosen and from_postcode and chosen.pk != from_postcode.pk:
            self.add_error(
                "postcode",
                forms.ValidationError(
                    _(
                        "Postcode %(postcode)s is in %(found)s, not in %(chosen)s. Choose the "
                        "municipality or enter the postcode, not both."
                    )
                    % {"postcode": postcode, "found": from_postcode.name, "chosen": chosen.name},
                    code="conflict",
                ),
            )
            return cleaned
        cleaned["place"] = chosen or from_postcode
        return cleaned


class ConversationForm(PlaceForm):
    """The broad conversation: place, phase and the ticked factors."""

    phase = forms.ChoiceField(
        label=_("Phase"),
        choices=Phase.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a phase: before pregnancy, pregnancy or after birth."),
            "invalid_choice": _("Choose a phase: before pregnancy, pregnancy or after birth."),
        },
    )
    factor = forms.MultipleChoiceField(
        label=_("Factors"),
        required=False,
        error_messages={
            "invalid_choice": _("%(value)s is not a factor we know. Tick the factors in the list."),
            "invalid_list": _("Tick the factors in the list."),
        },
    )

    def __init__(self, *args: Any, rules: GradingRules | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        codes = list(rules.factors) if rules else []
        field = self.fields["factor"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(code, code) for code in codes]


class GuidePlaceForm(PlaceForm):
    """Where to look for local services at an outcome of the preconception guide."""
