"""Forms of the referral pages. They parse what was typed; the rules are checked by the
services (``InvalidReferral``), whose errors the views put back on these forms."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kansrijk.core.forms import checkboxes, radio_buttons
from kansrijk.core.languages import LANGUAGES
from kansrijk.core.phases import Phase
from kansrijk.core.widgets import DateInput
from kansrijk.referrals.models import (
    PROFESSIONAL_KINDS,
    PROFESSIONAL_SOURCES,
    RECORDED_CONSENT_METHODS,
    ConsentGivenBy,
    ContactChannel,
    ContactPreference,
    ContactResult,
    DataCategory,
    Kind,
    Outcome,
    ReasonCode,
    Source,
    Urgency,
)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _moment() -> forms.DateTimeField:
    """When something happened (a consent, a withdrawal, a contact attempt); empty means now."""
    return forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("Leave empty for now."),
        error_messages={"invalid": _("Fill in a date and time.")},
    )


def _date(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d-%m-%Y"],
        error_messages={
            "invalid": _("Fill in a date as day-month-year, e.g. 14-03-1996."),
            "required": _("Fill in the date."),
        },
    )


def _home_municipality() -> forms.ChoiceField:
    """The municipality where she lives; its choices are set by ``_offer_municipalities``."""
    return forms.ChoiceField(
        label=_("Municipality where she lives"),
        error_messages={"required": _("Choose her municipality.")},
    )


def _offer_municipalities(field: forms.Field, municipalities: list[tuple[str, str]]) -> None:
    """Let ``field`` (a ``_home_municipality``) offer ``municipalities`` (code, name), after an
    empty choice."""
    assert isinstance(field, forms.ChoiceField)
    field.choices = [("", _("Choose…")), *municipalities]


def _require(field: forms.Field, message: Any) -> None:
    """Make ``field`` required, with ``message`` when it is left empty."""
    field.required = True
    field.error_messages["required"] = message


class ReferralForm(forms.Form):
    """A new referral: the client (least data), phase, situations, urgency, handover."""

    use_required_attribute = False

    # Carried from the page it was started on (ids and codes only, never personal data).
    service = forms.UUIDField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        choices=PROFESSIONAL_KINDS, widget=forms.HiddenInput, initial=Kind.GENERAL
    )
    source = forms.ChoiceField(
        choices=PROFESSIONAL_SOURCES, widget=forms.HiddenInput, initial=Source.SERVICE
    )
    pathway_ref = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    pathway_step_ref = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    signalling_ref = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    client_given_name = forms.CharField(
        label=_("Given name"),
        max_length=100,
        error_messages={"required": _("Fill in her given name.")},
    )
    client_family_name = forms.CharField(
        label=_("Family name"),
        max_length=150,
        error_messages={"required": _("Fill in her family name.")},
    )
    client_birth_date = _date(_("Date of birth"), required=True)
    client_municipality = _home_municipality()
    client_postal_code = forms.CharField(
        label=_("Postcode"), max_length=7, required=False, help_text=_("E.g. 9203 AB.")
    )
    client_phone = forms.CharField(label=_("Phone number"), max_length=30, required=False)
    client_email = forms.CharField(label=_("E-mail address"), max_length=254, required=False)
    client_address = forms.CharField(label=_("Address"), max_length=200, required=False)
    client_language = forms.ChoiceField(
        label=_("Preferred language"), choices=LANGUAGES, initial="nl"
    )
    interpreter_needed = forms.BooleanField(label=_("An interpreter is needed"), required=False)

    phase = forms.ChoiceField(
        label=_("Phase"),
        choices=Phase.choices,
        widget=radio_buttons(),
        error_messages={"required": _("Choose the phase.")},
    )
    due_date = _date(_("Due date"), help_text=_("During pregnancy."))
    child_birth_date = _date(_("Child's date of birth"), help_text=_("After the birth."))

    situations = forms.MultipleChoiceField(
        label=_("Signalled situations"),
        required=False,
        widget=checkboxes(),
        help_text=_("Only what the receiver needs to know, and only with her consent."),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        initial=Urgency.ROUTINE,
        widget=radio_buttons(),
    )
    handover_note = forms.CharField(
        label=_("Handover note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the receiver should know for a warm handover. No BSN."),
    )
    contact_preference = forms.ChoiceField(
        label=_("How may the receiver contact her?"),
        choices=ContactPreference.choices,
        initial=ContactPreference.CONTACT_CLIENT,
        widget=radio_buttons(),
    )
    contact_note = forms.CharField(
        label=_("Contact note"),
        required=False,
        max_length=300,
        help_text=_("E.g. the best time to call."),
    )

    # The prenatal home visit (JGZ).
    gestational_age_weeks = forms.IntegerField(
        label=_("Gestational age (weeks)"),
        required=False,
        error_messages={"invalid": _("Fill in a whole number of weeks.")},
    )
    parity = forms.IntegerField(
        label=_("Parity"),
        required=False,
        help_text=_("Number of earlier births; 0 for a first child."),
        error_messages={"invalid": _("Fill in a whole number.")},
    )
    risk_signals = forms.CharField(
        label=_("Risk signals"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    preferred_visit_from = _date(_("Preferred visit from"))
    preferred_visit_until = _date(_("Preferred visit until"))

    CLIENT_FIELDS = (
        "client_given_name",
        "client_family_name",
        "client_birth_date",
        "client_municipality",
        "client_postal_code",
        "client_language",
    )
    CONTACT_FIELDS = ("client_phone", "client_email", "client_address", "contact_note")
    PHB_FIELDS = (
        "gestational_age_weeks",
        "parity",
        "risk_signals",
        "preferred_visit_from",
        "preferred_visit_until",
    )

    def __init__(
        self,
        *args: Any,
        municipalities: list[tuple[str, str]],
        situations: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _offer_municipalities(self.fields["client_municipality"], municipalities)
        situation_field = self.fields["situations"]
        assert isinstance(situation_field, forms.MultipleChoiceField)
        situation_field.choices = situations
        if self.is_prenatal_home_visit:
            _require(self.fields["due_date"], _("Fill in the due date."))
        for name in ("client_given_name", "client_family_name", "client_address"):
            self.fields[name].widget.attrs["autocomplete"] = "off"

    @property
    def is_prenatal_home_visit(self) -> bool:
        value = self.data.get("kind") if self.is_bound else self.initial.get("kind")
        return value == Kind.PRENATAL_HOME_VISIT

    def fields_named(self, names: tuple[str, ...]) -> list[forms.BoundField]:
        return [self[name] for name in names]

    def client_fields(self) -> list[forms.BoundField]:
        return self.fields_named(self.CLIENT_FIELDS)

    def contact_fields(self) -> list[forms.BoundField]:
        return self.fields_named(self.CONTACT_FIELDS)

    def phb_fields(self) -> list[forms.BoundField]:
        return self.fields_named(self.PHB_FIELDS)

    def to_input_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["service_id"] = data.pop("service")
        data["situations"] = tuple(data.get("situations") or ())
        return data


class ReferralEditForm(ReferralForm):
    """A draft referral changed by its sender: the same fields, plus the version it was read
    at (a stale form is refused instead of overwriting someone else's change)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def to_input_values(self) -> dict[str, Any]:
        data = super().to_input_values()
        data.pop("version", None)
        return data


class ConsentWithdrawForm(forms.Form):
    """The client withdrew her consent: how, when and why (who: the user recording it)."""

    use_required_attribute = False

    method = forms.ChoiceField(
        label=_("How did she withdraw her consent?"),
        choices=RECORDED_CONSENT_METHODS,
        widget=radio_buttons(),
        error_messages={"required": _("Choose how she withdrew her consent.")},
    )
    withdrawn_at = _moment()
    reason = forms.CharField(
        label=_("Why"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only what is needed, e.g. “wants no help for now”. No medical details."),
    )


class ConsentForm(forms.Form):
    """The client's consent, recorded before sending."""

    use_required_attribute = False

    given_by = forms.ChoiceField(
        label=_("Who gave consent?"),
        choices=ConsentGivenBy.choices,
        initial=ConsentGivenBy.CLIENT,
        widget=radio_buttons(),
    )
    representative_name = forms.CharField(
        label=_("Name of her legal representative"),
        required=False,
        max_length=150,
        help_text=_("Only when her legal representative gave consent."),
    )
    method = forms.ChoiceField(
        label=_("How was consent given?"),
        choices=RECORDED_CONSENT_METHODS,
        widget=radio_buttons(),
        error_messages={"required": _("Choose how she gave consent.")},
    )
    given_at = _moment()
    data_categories = forms.MultipleChoiceField(
        label=_("Which data may be shared?"),
        choices=DataCategory.choices,
        widget=checkboxes(),
        error_messages={"required": _("Choose the data she agrees to share.")},
    )


class VersionForm(forms.Form):
    use_required_attribute = False
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class TransitionForm(VersionForm):
    """A status change. ``rule`` (the transition, when the user may make it) makes the reason
    or the outcome required where the workflow requires it, so the label and the check agree
    (the service checks the same)."""

    to = forms.CharField(widget=forms.HiddenInput, max_length=20)
    reason_code = forms.ChoiceField(
        label=_("Reason"),
        required=False,
        choices=[("", _("Choose…")), *ReasonCode.choices],
    )
    reason = forms.CharField(
        label=_("Explanation"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", _("Choose…")), *Outcome.choices]
    )
    outcome_note = forms.CharField(
        label=_("Note on the outcome"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, rule: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if rule is not None and rule.reason_required:
            _require(self.fields["reason"], _("Give a reason for this change."))
        if rule is not None and rule.outcome_required:
            _require(self.fields["outcome"], _("Record the outcome."))


class ContactAttemptForm(VersionForm):
    channel = forms.ChoiceField(
        label=_("How"),
        choices=ContactChannel.choices,
        initial=ContactChannel.PHONE,
        widget=radio_buttons(),
    )
    result = forms.ChoiceField(
        label=_("Result"),
        choices=ContactResult.choices,
        widget=radio_buttons(),
        error_messages={"required": _("Choose the result.")},
    )
    at = _moment()
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class PrenatalStartForm(forms.Form):
    """The dedicated start of a prenatal home visit request: her municipality."""

    municipality = _home_municipality()

    def __init__(self, *args: Any, municipalities: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer_municipalities(self.fields["municipality"], municipalities)


def aware(value: datetime.datetime | None) -> datetime.datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value
