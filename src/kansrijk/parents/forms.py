"""The public form of the parent pages: asking the JGZ for a prenatal home visit."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core import signing
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from kansrijk.core.widgets import DateInput
from kansrijk.parents import languages
from kansrijk.places.exceptions import InvalidPostcode, UnknownPostcode
from kansrijk.places.selectors import lookup_postcode
from kansrijk.referrals.selectors import self_referral_services
from kansrijk.referrals.services import (
    EMAIL_PATTERN,
    PHONE_PATTERN,
    SELF_REFERRAL_NOTE_MAX,
    SelfReferralInput,
)

#: What she may want to talk about. The JGZ reads the Dutch label.
TOPICS = (
    ("money", _("Money")),
    ("housing", _("A place to live")),
    ("feeling", _("Feeling down or stressed")),
    ("safety", _("Safety at home")),
    ("baby", _("Caring for the baby")),
    ("support", _("Help from people around me")),
    ("language", _("Learning Dutch")),
)
#: Signed start time of the form: a form sent back faster than this was not filled in by a
#: person; older than ``FORM_MAX_AGE`` it is asked again (nothing is lost: she sees her input).
FORM_MIN_SECONDS = 3
FORM_MAX_AGE = datetime.timedelta(hours=6)
_SALT = "kansrijk.parents.self_referral.started"


def form_stamp() -> str:
    return signing.TimestampSigner(salt=_SALT).sign(str(int(timezone.now().timestamp())))


class LanguageSelect(forms.Select):
    """The languages, each option named in its own script and marked with its ``lang`` and
    ``dir`` (a screen reader reads العربية in Arabic on every page)."""

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        language = languages.get(str(value))
        if language is not None:
            option["attrs"] = {**option["attrs"], "lang": language.code, "dir": language.direction}
        return option


class SelfReferralForm(forms.Form):
    given_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        error_messages={"required": _("Fill in your first name.")},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    family_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        error_messages={"required": _("Fill in your last name.")},
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.CharField(
        label=_("E-mail address"),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"type": "email", "autocomplete": "email"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=7,
        error_messages={"required": _("Fill in your postcode, for example 9203 AB.")},
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    due_date = forms.DateField(
        label=_("Due date"),
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"],
        error_messages={
            "invalid": _("Fill in a date, for example 15-08-2026."),
            "required": _("Fill in your due date."),
        },
    )
    language = forms.ChoiceField(
        label=_("Which language do you speak best?"),
        choices=[(lang.code, lang.native_name) for lang in languages.LANGUAGES]
        + [("other", _("Another language"))],
        widget=LanguageSelect,
        error_messages={"invalid_choice": _("Choose a language from the list.")},
    )
    interpreter_needed = forms.BooleanField(label=_("I would like an interpreter"), required=False)
    topics = forms.MultipleChoiceField(
        label=_("What would you like to talk about?"),
        choices=TOPICS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose from the list.")},
    )
    note = forms.CharField(
        label=_("Anything else you want to tell the JGZ? (not required)"),
        max_length=SELF_REFERRAL_NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "max_length": _("Your message is too long (at most %(limit_value)d characters).")
        },
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the JGZ of my municipality receives these details, to contact me "
            "about a home visit."
        ),
        error_messages={
            "required": _("Tick the box if you agree that the JGZ receives your details.")
        },
    )
    #: The honeypot: hidden from people (CSS), filled in by robots that fill in everything.
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)
    started = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args: Any, page_language: str = "nl", **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("language", page_language)
        kwargs["initial"].setdefault("started", form_stamp())
        super().__init__(*args, **kwargs)
        self.fields["consent"].widget.attrs["class"] = "po-consent"

    #: Short hints below a label (also read out with the field).
    HINTS = {
        "phone": _("Fill in a phone number, an e-mail address or both."),
        "postcode": _("We use it to find the JGZ of your municipality."),
        "due_date": _("For example 15-08-2026."),
    }

    def mark_for_screen_readers(self) -> None:
        """``aria-describedby`` (hint, error) and ``aria-invalid`` on each field, after
        validation."""
        for name, field in self.fields.items():
            ids = []
            if name in self.HINTS:
                ids.append(f"id_{name}-hint")
            if self.is_bound and self.errors.get(name):
                ids.append(f"id_{name}-error")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "").strip()
        if phone and not PHONE_PATTERN.match(phone):
            raise forms.ValidationError(
                _("Fill in a phone number of digits, for example 06 12345678.")
            )
        return phone

    def clean_email(self) -> str:
        email = self.cleaned_data.get("email", "").strip()
        if email and not EMAIL_PATTERN.match(email):
            raise forms.ValidationError(
                _("Fill in an e-mail address, for example naam@voorbeeld.nl.")
            )
        return email

    def clean_due_date(self) -> datetime.date:
        due: datetime.date = self.cleaned_data["due_date"]
        today = timezone.localdate()
        if not today - datetime.timedelta(days=14) <= due <= today + datetime.timedelta(days=300):
            raise forms.ValidationError(_("Your due date must lie within the coming ten months."))
        return due

    def clean_postcode(self) -> str:
        raw = self.cleaned_data.get("postcode", "").strip()
        try:
            area = lookup_postcode(raw)
        except InvalidPostcode:
            raise forms.ValidationError(_("Fill in your postcode, for example 9203 AB.")) from None
        except UnknownPostcode:
            raise forms.ValidationError(
                _("We do not know this postcode. Check the four digits.")
            ) from None
        if not self_referral_services(area.municipality_id).exists():
            raise forms.ValidationError(
                _(
                    "The JGZ of your municipality does not take requests through this website "
                    "yet. Ask your midwife or GP, or call the JGZ."
                )
            )
        return raw

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            not cleaned.get("phone")
            and not cleaned.get("email")
            and not (self.has_error("phone") or self.has_error("email"))
        ):
            self.add_error(
                "phone", _("Fill in a phone number or an e-mail address, so the JGZ can reach you.")
            )
        return cleaned

    def looks_automated(self) -> bool:
        """A robot: the honeypot is filled in, or the form came back too fast (or with a
        start time that was not ours)."""
        if self.data.get("website"):
            return True
        try:
            started = signing.TimestampSigner(salt=_SALT).unsign(
                self.data.get("started", ""), max_age=FORM_MAX_AGE
            )
        except signing.SignatureExpired:
            return False  # an old form: validation asks again, nothing automated about it
        except signing.BadSignature:
            return True
        return timezone.now().timestamp() - int(started) < FORM_MIN_SECONDS

    def expired(self) -> bool:
        try:
            signing.TimestampSigner(salt=_SALT).unsign(
                self.data.get("started", ""), max_age=FORM_MAX_AGE
            )
        except signing.SignatureExpired:
            return True
        except signing.BadSignature:
            return False
        return False

    def to_input(self) -> SelfReferralInput:
        data = self.cleaned_data
        with translation.override("nl"):
            labels = dict(TOPICS)
            topics = tuple(str(labels[code]) for code in data.get("topics") or ())
        language = data["language"]
        return SelfReferralInput(
            given_name=data["given_name"],
            family_name=data["family_name"],
            postcode=data["postcode"],
            due_date=data["due_date"],
            phone=data.get("phone", ""),
            email=data.get("email", ""),
            language="und" if language == "other" else language,
            interpreter_needed=bool(data.get("interpreter_needed")),
            topics=topics,
            note=data.get("note", ""),
            consent=bool(data.get("consent")),
        )
