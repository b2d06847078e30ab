"""Forms of self-assessments: opening a round, inviting people, and answering."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kansrijk.accounts.models import Organisation
from kansrijk.assessments.models import InstrumentVersion, Statement
from kansrijk.assessments.selectors import instrument_versions
from kansrijk.assessments.services import (
    MAX_COMMENT,
    AnswerInput,
    LinkInvitee,
    eligible_respondents,
)
from kansrijk.coalitions.models import Coalition
from kansrijk.core.forms import checkboxes, radio_buttons, set_choices
from kansrijk.core.widgets import DateInput

UNKNOWN = "weet-niet"


class RespondentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name() or obj.username
        return f"{name} ({obj.organisation.name})" if obj.organisation_id else name


class InviteForm(forms.Form):
    respondents = RespondentChoiceField(
        label=_("Users of member organisations"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=checkboxes(),
        help_text=_("They find the questionnaire on their start page and get an e-mail."),
    )

    def __init__(self, *args: Any, coalition: Coalition, exclude: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self, "respondents", eligible_respondents(coalition).exclude(pk__in=list(exclude))
        )


class RoundForm(InviteForm):
    instrument_version = forms.ModelChoiceField(
        label=_("Instrument"),
        queryset=InstrumentVersion.objects.none(),
        empty_label=None,
        widget=radio_buttons(),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_(
            "E.g. “Analysetool spring 2026”. Empty: the instrument's name and today's date."
        ),
    )
    closes_on = forms.DateField(
        label=_("Closes on"),
        widget=DateInput(),
        help_text=_("The last day on which answers are accepted."),
    )
    field_order = ["instrument_version", "title", "closes_on", "respondents"]

    def __init__(self, *args: Any, coalition: Coalition, **kwargs: Any) -> None:
        super().__init__(*args, coalition=coalition, **kwargs)
        field = self.fields["instrument_version"]
        set_choices(self, "instrument_version", instrument_versions().order_by("instrument__name"))
        field.label_from_instance = lambda v: (  # type: ignore[attr-defined]
            f"{v.name} ({_('example text')})" if v.is_example else v.name
        )


class LinkInviteeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        help_text=_("The personal link is sent here. Empty: you pass the link on yourself."),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("(none)"),
    )

    def __init__(self, *args: Any, coalition: Coalition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self,
            "organisation",
            Organisation.objects.filter(coalition_memberships__coalition=coalition).order_by(
                "name"
            ),
        )

    def to_invitee(self) -> LinkInvitee:
        data = self.cleaned_data
        organisation = data.get("organisation")
        return LinkInvitee(
            name=data["name"],
            email=data.get("email", ""),
            organisation_id=organisation.pk if organisation else None,
        )


class BaseLinkInviteeFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, coalition: Coalition, **kwargs: Any) -> None:
        self.coalition = coalition
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "coalition": self.coalition}

    def invitees(self) -> list[LinkInvitee]:
        return [f.to_invitee() for f in self.forms if f.cleaned_data]


LinkInviteeFormSet: type[BaseLinkInviteeFormSet] = forms.formset_factory(  # type: ignore[assignment]
    LinkInviteeForm, formset=BaseLinkInviteeFormSet, extra=3, max_num=50, validate_max=True
)


@dataclass(frozen=True)
class AnswerField:
    """One statement on the answer form, with what the respondent chose and wrote."""

    statement: Statement
    name: str
    comment_name: str
    value: str
    comment: str
    errors: list[str]


class AnswerForm:
    """The answer form: per statement a score (or "don't know") and a comment. Parsed here,
    checked against the instrument by ``services.check_answers``."""

    def __init__(
        self,
        version: InstrumentVersion,
        data: Mapping[str, Any] | None = None,
        saved: Mapping[str, AnswerInput] | None = None,
    ) -> None:
        self.version = version
        self.data = data
        self.statements = list(version.statements.select_related("part").order_by("position"))
        self.saved = dict(saved or {})
        self.errors: dict[str, list[str]] = {}
        self.answers: dict[str, AnswerInput] = {}
        self.choices = [(str(v), label) for v, label in version.scale_choices]
        if version.allow_unknown:
            self.choices.append((UNKNOWN, str(_("Don't know"))))

    @staticmethod
    def field_name(statement: Statement) -> str:
        return f"s-{statement.code}"

    def parse(self) -> dict[str, AnswerInput]:
        """The answers given (statements left open are left out); shape errors in ``errors``."""
        assert self.data is not None
        answers: dict[str, AnswerInput] = {}
        for statement in self.statements:
            raw = str(self.data.get(self.field_name(statement), "")).strip()
            comment = str(self.data.get(f"c-{statement.code}", "")).strip()
            if not raw:
                if comment:
                    self.errors[statement.code] = [
                        str(_("Choose an answer to go with your comment."))
                    ]
                continue
            if raw == UNKNOWN:
                answers[statement.code] = AnswerInput(None, comment[: MAX_COMMENT + 1])
                continue
            try:
                value = int(raw)
            except ValueError:
                self.errors[statement.code] = [str(_("Choose one of the answers."))]
                continue
            answers[statement.code] = AnswerInput(value, comment[: MAX_COMMENT + 1])
        self.answers = answers
        return answers

    def add_errors(self, errors: Mapping[str, list[str]]) -> None:
        for code, messages in errors.items():
            self.errors.setdefault(code, []).extend(messages)

    def fields(self) -> list[AnswerField]:
        rows = []
        for statement in self.statements:
            name = self.field_name(statement)
            if self.data is not None:
                value = str(self.data.get(name, ""))
                comment = str(self.data.get(f"c-{statement.code}", ""))
            else:
                saved = self.saved.get(statement.code)
                value = (
                    "" if saved is None else (UNKNOWN if saved.value is None else str(saved.value))
                )
                comment = saved.comment if saved else ""
            rows.append(
                AnswerField(
                    statement=statement,
                    name=name,
                    comment_name=f"c-{statement.code}",
                    value=value,
                    comment=comment,
                    errors=self.errors.get(statement.code, []),
                )
            )
        return rows

    @property
    def answered(self) -> int:
        return sum(1 for f in self.fields() if f.value)
