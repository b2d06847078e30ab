"""Forms of the pathways app: finding a pathway (professionals) and editing one (coalitions)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from kansrijk.coalitions.models import Coalition
from kansrijk.coalitions.selectors import coalition_members, municipalities_of
from kansrijk.core.forms import PositionFirstFormSet, checkboxes, radio_buttons, set_choices
from kansrijk.core.phases import Phase
from kansrijk.directory.models import Service, ServiceArea
from kansrijk.pathways.models import (
    STEP_CONTENT_FIELDS,
    Pathway,
    PathwayScope,
    PathwayStep,
    StepKind,
)
from kansrijk.pathways.references import ServiceNotFound, find_service
from kansrijk.pathways.selectors import risk_situations
from kansrijk.places.exceptions import UnknownPostcode
from kansrijk.places.forms import clean_postcode_value
from kansrijk.places.models import Municipality
from kansrijk.places.selectors import lookup_postcode

#: Above this many choices a list of checkboxes becomes a multiple select.
CHECKBOX_LIMIT = 40


class FindForm(forms.Form):
    """Postcode (or municipality) and, optionally, the phase. ``cleaned_data["municipality"]``
    holds the Municipality."""

    postcode = forms.CharField(
        label=_("Postcode of the family"),
        help_text=_("Four digits are enough, such as 9203."),
        max_length=20,
        required=False,
    )
    municipality = forms.ModelChoiceField(
        label=_("Or choose the municipality"),
        queryset=Municipality.objects.order_by("name"),
        required=False,
        to_field_name="code",
        empty_label=_("(choose)"),
    )
    phase = forms.ChoiceField(
        label=_("Phase"),
        choices=[("", _("All phases")), *Phase.choices],
        required=False,
        widget=radio_buttons(),
    )

    def clean_postcode(self) -> str:
        return clean_postcode_value(self.cleaned_data.get("postcode", ""), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        postcode = data.get("postcode")
        if postcode:
            try:
                area = lookup_postcode(postcode)
            except UnknownPostcode as exc:
                self.add_error("postcode", forms.ValidationError(str(exc), code=exc.code))
                return data
            data["municipality"] = area.municipality
            data["area"] = area
        elif not data.get("municipality") and not self.errors:
            raise forms.ValidationError(
                _("Enter the family's postcode or choose a municipality."), code="required"
            )
        return data


def _area_widget(count: int) -> forms.Widget:
    if count <= CHECKBOX_LIMIT:
        return checkboxes()
    return forms.SelectMultiple(attrs={"size": 12})


class CoverageForm(forms.Form):
    """Phases, scope and municipalities of a pathway, in the order its pages show them (the rules
    are checked by the services)."""

    phases = forms.MultipleChoiceField(
        label=_("Phases"),
        choices=Phase.choices,
        widget=checkboxes(),
        error_messages={"required": _("Choose at least one phase.")},
    )
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=PathwayScope.choices,
        initial=PathwayScope.MUNICIPAL,
        help_text=_(
            "Municipal: the coalition's own pathway. A regional or national default is shown, "
            "clearly marked, where a municipality has no pathway of its own."
        ),
    )
    municipalities = forms.ModelMultipleChoiceField(
        label=_("Municipalities"),
        queryset=Municipality.objects.none(),
        to_field_name="code",
        required=False,
        help_text=_("Where the pathway applies. Leave empty for a national default."),
    )

    def set_area(self, municipalities: QuerySet[Municipality]) -> None:
        field = self.fields["municipalities"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        # The widget first: setting the queryset gives the field's widget its choices.
        field.widget = _area_widget(municipalities.count())
        field.queryset = municipalities


class PathwayCreateForm(CoverageForm):
    coalition = forms.ModelChoiceField(
        label=_("Coalition"), queryset=Coalition.objects.none(), empty_label=None
    )
    situation = forms.ModelChoiceField(
        label=_("Situation"), queryset=risk_situations(), empty_label=_("(choose)")
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("What professionals see, such as 'Money worries during pregnancy'."),
    )
    introduction = forms.CharField(
        label=_("Introduction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("When to use this pathway, in a few sentences."),
    )

    field_order = [
        "coalition",
        "situation",
        "title",
        "introduction",
        "phases",
        "scope",
        "municipalities",
    ]

    def __init__(self, *args: Any, coalitions: QuerySet[Coalition], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "coalition", coalitions)
        self.set_area(municipalities_of(coalitions))


class PathwaySettingsForm(CoverageForm):
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=Coalition.objects.none(),
        required=False,
        help_text=_("Who keeps this pathway current and reviews it every year."),
        empty_label=_("(nobody)"),
    )

    def __init__(self, *args: Any, pathway: Pathway, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "scope": pathway.scope,
                "municipalities": list(pathway.municipalities.all()),
                "phases": pathway.phases,
                "owner": pathway.owner_id,
            },
        )
        super().__init__(*args, **kwargs)
        coalition = pathway.coalition
        area = (
            Municipality.objects.order_by("name")
            if coalition.is_national
            else coalition.municipalities.order_by("name")
        )
        self.set_area(area)
        members = coalition_members(coalition).values("pk")
        owners = get_user_model().objects.filter(Q(pk__in=members) | Q(pk=pathway.owner_id or 0))
        set_choices(self, "owner", owners.order_by("first_name", "last_name", "username"))


class DraftForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    introduction = forms.CharField(
        label=_("Introduction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("When to use this pathway, in a few sentences."),
    )
    change_note = forms.CharField(
        label=_("What changed"),
        max_length=500,
        required=False,
        help_text=_("For the version history: what is different from the previous version."),
    )


class StepForm(forms.Form):
    key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label=_("Kind of step"),
        choices=[("", _("(choose)")), *StepKind.choices],
        help_text=_("Urgent safety steps (such as Veilig Thuis) are always shown first."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("What to do"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    tips = forms.CharField(
        label=_("Conversation tips"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("How to bring it up with the family."),
    )
    service = forms.CharField(
        label=_("Service"),
        required=False,
        max_length=250,
        help_text=_(
            "For refer, warm handover, urgent safety and follow-up steps: the service's id or its "
            "exact name on the social map."
        ),
        widget=forms.TextInput(attrs={"list": "kr-pathway-services", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, area: list[str] | None = None, **kwargs: Any) -> None:
        self.area = area or []
        super().__init__(*args, **kwargs)

    def clean_service(self) -> Service | None:
        value = (self.cleaned_data.get("service") or "").strip()
        if not value:
            return None
        try:
            return find_service(value, municipalities=self.area)
        except ServiceNotFound as exc:
            raise forms.ValidationError(str(exc), code=exc.code) from None


class BaseStepFormSet(PositionFirstFormSet):
    ordering_widget = forms.NumberInput

    def get_ordering_widget(self) -> forms.Widget:  # type: ignore[override]
        return forms.NumberInput(attrs={"min": 1, "inputmode": "numeric", "class": "kr-order"})

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "ORDER" in form.fields:
            form.fields["ORDER"].label = _("Position")
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this step")


StepFormSet = forms.formset_factory(
    StepForm, formset=BaseStepFormSet, extra=2, can_order=True, can_delete=True, max_num=40
)


def step_initial(steps: list[PathwayStep]) -> list[dict[str, Any]]:
    return [
        {
            "key": step.key,
            **{name: getattr(step, name) for name in STEP_CONTENT_FIELDS},
            "service": str(step.service_id) if step.service_id else "",
            "ORDER": step.position,
        }
        for step in steps
    ]


def service_choices(area: list[str], limit: int = 400) -> list[Service]:
    """Services to suggest in the step form (a datalist): those serving the pathway's area."""
    queryset = Service.objects.visible().select_related("organization").order_by("name")
    if area:
        queryset = queryset.filter(
            pk__in=ServiceArea.objects.filter(municipality_id__in=area).values("service_id")
        )
    return list(queryset[:limit])


def parse_key(value: Any) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None
