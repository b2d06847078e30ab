"""Forms of the social map pages: the search form and the editor's service form.

The forms validate and translate input into the arguments of ``search.ranking.rank_page`` and
``services.create_service`` / ``update_service``; they never save anything themselves.
"""

from __future__ import annotations

import uuid
from collections.abc import MutableMapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kansrijk.core import compiled
from kansrijk.core.forms import CHECKBOX_CLASS, SELECT_CLASS, TEXTBOX_CLASS, checkboxes
from kansrijk.core.phases import PHASE_FIELDS, Phase
from kansrijk.core.widgets import QuickSelect
from kansrijk.directory.exceptions import InvalidServiceData
from kansrijk.directory.models import (
    Language,
    Organization,
    ReferralMethod,
    ReferralMethodKind,
    Service,
    ServiceArea,
    ServiceTaxonomy,
    TaxonomyTerm,
)
from kansrijk.directory.page_selectors import (
    category_choices,
    editor_municipality_choices,
    language_choices,
    municipality_choices,
)
from kansrijk.directory.search.params import Parsed, SearchParams, parse
from kansrijk.directory.selectors import need_categories
from kansrijk.directory.vocabularies import NEED_TAXONOMY_ID

# --- Search ------------------------------------------------------------------------------------

FREE_CHOICES = [("", _("Free or paid")), ("yes", _("Free of charge")), ("no", _("Paid"))]


class SearchForm(forms.Form):
    """The filters of the social map. Every field is optional; an empty form lists everything.

    The fields only read text (and refuse NUL characters); what the text means, and what is
    wrong with it, is ``search.params.parse``'s, as on the quick path (``form.parsed``).

    The widgets always point ``aria-describedby`` at the field's error container, which is always
    on the page, so that errors filled in by htmx are announced with the field too.
    """

    q = forms.CharField(
        label=_("Search"),
        required=False,
        help_text=_("A word or two, such as debts, smoking or prenatal home visit."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    category = forms.CharField(label=_("Need"), required=False, widget=QuickSelect)
    municipality = forms.CharField(
        label=_("Municipality"),
        required=False,
        help_text=_("Only services that serve this municipality."),
        widget=QuickSelect,
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        required=False,
        help_text=_("Nearest first. Four digits are enough, such as 9203."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "postal-code",
                "spellcheck": "false",
                "autocapitalize": "characters",
                "inputmode": "text",
                "maxlength": "20",
            }
        ),
    )
    phase = forms.CharField(label=_("Phase"), required=False, widget=QuickSelect)
    language = forms.CharField(label=_("Language"), required=False, widget=QuickSelect)
    free = forms.CharField(label=_("Costs"), required=False, widget=QuickSelect)

    parsed: Parsed | None = None

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        # A copy, so that a municipality given by name or in lower case can be shown as chosen.
        super().__init__(data.copy() if data is not None else None, *args, **kwargs)
        choices = {
            "category": [("", _("All needs")), *category_choices()],
            "municipality": [("", _("All municipalities")), *municipality_choices()],
            "phase": [("", _("All phases")), *Phase.choices],
            "language": [("", _("All languages")), *language_choices()],
            "free": FREE_CHOICES,
        }
        for name, field in self.fields.items():
            widget = field.widget
            if name in choices:
                widget.choices = choices[name]
            widget.attrs["class"] = (
                SELECT_CLASS if isinstance(widget, forms.Select) else TEXTBOX_CLASS
            )
            bound = self[name]
            described = [f"{bound.auto_id}_error"]
            if field.help_text:
                described.insert(0, f"{bound.auto_id}_help")
            widget.attrs["aria-describedby"] = " ".join(described)
            if self.is_bound and self.errors.get(name):
                widget.attrs["aria-invalid"] = "true"

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound:
            for name in self.errors:
                if name in self.fields:
                    self.fields[name].widget.attrs["aria-invalid"] = "true"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.parsed = parse(SearchParams.from_query(cleaned))
        for name, message in self.parsed.errors.items():
            self.add_error(name, message)
        code = self.parsed.filters.municipality
        if code and isinstance(self.data, MutableMapping):
            self.data[self.add_prefix("municipality")] = code  # shown as chosen
        return cleaned


# --- Editing -----------------------------------------------------------------------------------

#: The service fields the editor's form shows, in this order.
MAIN_FIELDS = [
    "name",
    "description",
    "status",
    "domain",
    "eligibility_description",
    "target_group",
    "minimum_age",
    "maximum_age",
    "application_process",
    "response_time_days",
    "wait_time",
    "email",
    "url",
    "is_free",
    "fees_description",
    "interpretation_services",
    "alert",
]

#: What the "contact" of each referral method is.
CONTACT_LABELS: dict[str, Any] = {
    ReferralMethodKind.PHONE: _("Phone number"),
    ReferralMethodKind.SECURE_MAIL: _("Secure mail address"),
    ReferralMethodKind.REFERRAL_FORM: _("Link to the referral form"),
    ReferralMethodKind.ZORGDOMEIN: _("ZorgDomein product"),
    ReferralMethodKind.SELF_REFERRAL: _("Where families sign up (phone number or website)"),
}

#: Referral methods that need an address, number or link to be usable.
CONTACT_REQUIRED = frozenset(
    {ReferralMethodKind.PHONE, ReferralMethodKind.SECURE_MAIL, ReferralMethodKind.REFERRAL_FORM}
)


class ServiceForm(forms.ModelForm):
    """Create or edit a service, with its phases, categories, referral methods, languages and the
    municipalities it serves (only the editor's own municipalities can be ticked; the others the
    service serves are kept)."""

    organization = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organization.objects.order_by("name", "id"),
        empty_label=_("Choose an organisation"),
        error_messages={
            "required": _("Choose the organisation that offers this service."),
            "invalid_choice": _("Choose an organisation from the list."),
        },
    )
    phases = forms.MultipleChoiceField(
        label=_("Phases"),
        required=False,
        choices=Phase.choices,
        widget=checkboxes(),
        help_text=_("When in the first 1000 days the service helps."),
        error_messages={"invalid_choice": _("Choose phases from the list.")},
    )
    categories = forms.MultipleChoiceField(
        label=_("Needs"),
        required=False,
        widget=checkboxes(),
        help_text=_("Which needs the service helps with; used by the search."),
        error_messages={"invalid_choice": _("Choose needs from the list.")},
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        required=False,
        widget=checkboxes(),
        error_messages={"invalid_choice": _("Choose languages from the list.")},
    )
    url = forms.URLField(
        label=_("Website"),
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "off"}),
        error_messages={"invalid": _("Enter a web address such as https://www.example.nl.")},
    )
    service_areas = forms.MultipleChoiceField(
        label=_("Municipalities served"),
        widget=checkboxes(),
        error_messages={
            "required": _("Choose at least one of your municipalities."),
            "invalid_choice": _("You can only choose the municipalities of your coalition."),
        },
    )

    class Meta:
        model = Service
        fields = MAIN_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "eligibility_description": forms.Textarea(attrs={"rows": 3}),
            "application_process": forms.Textarea(attrs={"rows": 3}),
            "fees_description": forms.Textarea(attrs={"rows": 2}),
            "interpretation_services": forms.Textarea(attrs={"rows": 2}),
            "alert": forms.Textarea(attrs={"rows": 2}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
        }
        help_texts = {
            "description": _("What the service does, in plain language (B1)."),
            "eligibility_description": _("Who can use it, and under which conditions."),
            "target_group": _("For example: pregnant women with money worries."),
            "application_process": _("What the family or the professional does first."),
            "email": _("A general address; for referrals use the referral methods below."),
            "is_free": _("Free of charge for the family?"),
        }
        error_messages = {
            "name": {"required": _("Give the name of the service.")},
            "email": {"invalid": _("Enter an email address such as info@example.nl.")},
            "minimum_age": {"invalid": _("Enter an age in whole years.")},
            "maximum_age": {"invalid": _("Enter an age in whole years.")},
            "response_time_days": {"invalid": _("Enter a number of working days.")},
        }

    def __init__(self, *args: Any, user: Any, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.creating = creating
        service: Service = self.instance
        # The form's own queries run as SQL compiled once per process (core.compiled): the
        # editor's form and its save build it on every request.
        service_key = compiled.db_value(Service._meta.pk, service.pk)
        if not creating:
            del self.fields["organization"]
        # Municipalities: the editor's own can be ticked; others the service serves are kept.
        own = editor_municipality_choices(user)
        own_codes = {code for code, _name in own}
        current: list[tuple[str, str]] = []
        if not creating:
            current = compiled.rows(
                "directory.form.areas",
                lambda p: (
                    ServiceArea.objects.filter(service_id=p[0])
                    .order_by("municipality__name")
                    .values_list("municipality_id", "municipality__name")
                ),
                [service_key],
            )
        self.other_areas = [(code, name) for code, name in current if code not in own_codes]
        areas = self.fields["service_areas"]
        assert isinstance(areas, forms.MultipleChoiceField)
        if len(own) > 25:
            areas.widget = forms.SelectMultiple(attrs={"class": SELECT_CLASS, "size": "10"})
        areas.choices = own  # after the widget: setting the choices gives the widget them
        # Need categories; links to terms of other vocabularies (from an import) are kept.
        categories = self.fields["categories"]
        assert isinstance(categories, forms.MultipleChoiceField)
        categories.choices = [
            (str(term_id), name)
            for term_id, name in compiled.rows(
                "directory.form.need-categories",
                lambda p: need_categories().values_list("id", "name"),
                [compiled.db_value(TaxonomyTerm._meta.pk, NEED_TAXONOMY_ID)],
            )
        ]
        self.other_terms: list[uuid.UUID] = []
        current_codes: list[str] = []
        if not creating:
            links = compiled.rows(
                "directory.form.terms",
                lambda p: ServiceTaxonomy.objects.filter(service_id=p[0]).values_list(
                    "taxonomy_term_id", "taxonomy_term__taxonomy_id"
                ),
                [service_key],
            )
            self.other_terms = [term for term, taxonomy in links if taxonomy != NEED_TAXONOMY_ID]
            self.initial.setdefault(
                "categories",
                [str(term) for term, taxonomy in links if taxonomy == NEED_TAXONOMY_ID],
            )
            current_codes = [
                code
                for (code,) in compiled.rows(
                    "directory.form.languages",
                    lambda p: Language.objects.filter(service_id=p[0]).values_list("code"),
                    [service_key],
                )
            ]
            self.initial.setdefault("languages", current_codes)
            self.initial.setdefault(
                "service_areas", [code for code, _name in current if code in own_codes]
            )
            self.initial.setdefault(
                "phases",
                [phase for phase, field in PHASE_FIELDS.items() if getattr(service, field)],
            )
        languages = self.fields["languages"]
        assert isinstance(languages, forms.MultipleChoiceField)
        languages.choices = language_choices(tuple(current_codes))
        # Referral methods: one group of fields per method.
        methods = (
            {}
            if creating
            else {
                m.method: m
                for m in compiled.objects(
                    "directory.form.methods",
                    lambda p: ReferralMethod.objects.filter(service_id=p[0]),
                    [service_key],
                )
            }
        )
        self.referral_groups: list[dict[str, Any]] = []
        for kind, label in ReferralMethodKind.choices:
            existing = methods.get(kind)
            offered = f"referral_{kind}"
            contact = f"referral_{kind}_contact"
            instructions = f"referral_{kind}_instructions"
            self.fields[offered] = forms.BooleanField(
                label=_("Professionals can refer this way"),
                required=False,
                widget=forms.CheckboxInput(attrs={"class": CHECKBOX_CLASS}),
            )
            self.fields[contact] = forms.CharField(
                label=CONTACT_LABELS[kind],
                required=False,
                max_length=500,
                error_messages={"max_length": _("Use at most 500 characters.")},
            )
            self.fields[instructions] = forms.CharField(
                label=_("Instructions"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            if existing is not None:
                self.initial.setdefault(offered, True)
                self.initial.setdefault(contact, existing.contact)
                self.initial.setdefault(instructions, existing.instructions)
            self.referral_groups.append(
                {
                    "kind": kind,
                    "label": label,
                    "offered": offered,
                    "contact": contact,
                    "instructions": instructions,
                }
            )
        self.order_fields(["organization", *MAIN_FIELDS])

    # The groups as bound fields, for the template.
    def referral_fieldsets(self) -> list[dict[str, Any]]:
        return [
            {
                "kind": group["kind"],
                "label": group["label"],
                "offered": self[group["offered"]],
                "contact": self[group["contact"]],
                "instructions": self[group["instructions"]],
            }
            for group in self.referral_groups
        ]

    def main_fields(self) -> list[forms.BoundField]:
        names = ["organization", *MAIN_FIELDS] if self.creating else MAIN_FIELDS
        return [self[name] for name in names]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        low, high = data.get("minimum_age"), data.get("maximum_age")
        if low is not None and high is not None and low > high:
            self.add_error("maximum_age", _("The maximum age is lower than the minimum age."))
        for group in self.referral_groups:
            offered = data.get(group["offered"])
            contact = (data.get(group["contact"]) or "").strip()
            instructions = (data.get(group["instructions"]) or "").strip()
            if not offered and (contact or instructions):
                self.add_error(
                    group["offered"],
                    _("Tick this referral method, or empty its fields."),
                )
            elif offered and group["kind"] in CONTACT_REQUIRED and not contact:
                self.add_error(
                    group["contact"],
                    _("Give the phone number, address or link for this referral method."),
                )
        return data

    def service_kwargs(self) -> dict[str, Any]:
        """The arguments for ``services.create_service`` / ``update_service`` (when valid)."""
        data = self.cleaned_data
        fields = {name: data.get(name) for name in MAIN_FIELDS}
        for name in (
            "description",
            "eligibility_description",
            "target_group",
            "application_process",
            "wait_time",
            "email",
            "url",
            "fees_description",
            "interpretation_services",
            "alert",
        ):
            fields[name] = (fields[name] or "").strip()
        fields["name"] = (fields["name"] or "").strip()
        phases = set(data.get("phases") or [])
        for phase, field in PHASE_FIELDS.items():
            fields[field] = phase in phases
        referral_methods = [
            {
                "method": group["kind"],
                "contact": (data.get(group["contact"]) or "").strip(),
                "instructions": (data.get(group["instructions"]) or "").strip(),
            }
            for group in self.referral_groups
            if data.get(group["offered"])
        ]
        kwargs: dict[str, Any] = {
            "fields": fields,
            "service_areas": [
                *data.get("service_areas", []),
                *(code for code, _name in self.other_areas),
            ],
            "categories": [*data.get("categories", []), *self.other_terms],
            "referral_methods": referral_methods,
            "languages": list(data.get("languages") or []),
        }
        if self.creating:
            kwargs["organization"] = data["organization"]
        return kwargs

    def add_service_errors(self, error: InvalidServiceData) -> None:
        """Show the errors of the service layer with the fields they belong to."""
        for field, messages in error.message_dict.items():
            target = field if field in self.fields else None
            if field in PHASE_FIELDS.values():
                target = "phases"
            if field == "referral_methods":
                target = None
            for message in messages:
                self.add_error(target, message)
