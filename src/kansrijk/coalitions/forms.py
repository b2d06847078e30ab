"""Forms of the coalition's workspace. They parse and check the shape of the input; the rules
that need the database (members of this coalition, pathways of its area) live in
``kansrijk.coalitions.services``, whose errors the views put back on these forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from kansrijk.accounts.models import Organisation
from kansrijk.assessments.models import Round, Statement
from kansrijk.coalitions import services as workspace
from kansrijk.coalitions.models import ActionStatus, Coalition, Member, MemberDomain
from kansrijk.core.forms import PositionFirstFormSet, checkboxes, radio_buttons, set_choices
from kansrijk.core.widgets import DateInput
from kansrijk.directory.models import Service
from kansrijk.pathways.models import Pathway
from kansrijk.situations.models import FactorKind, Situation


class MemberForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("(choose)"),
        help_text=_("The organisations that work in the coalition's municipalities."),
    )
    new_organisation_name = forms.CharField(
        label=_("Or a new organisation"),
        max_length=200,
        required=False,
        help_text=_("Not in Kansrijk yet, for example a volunteer organisation. Give its name."),
    )
    domain = forms.ChoiceField(
        label=_("Domain"),
        choices=MemberDomain.choices,
        widget=radio_buttons(),
    )
    role = forms.CharField(
        label=_("Role in the coalition"),
        max_length=200,
        required=False,
        help_text=_("E.g. coordinator (kartrekker), partner, steering group."),
    )
    joined_on = forms.DateField(label=_("Member since"), required=False, widget=DateInput())

    def __init__(
        self, *args: Any, coalition: Coalition, member: Member | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if member is not None:
            del self.fields["organisation"]
            del self.fields["new_organisation_name"]
        else:
            taken = coalition.members.values("organisation_id")
            set_choices(
                self,
                "organisation",
                workspace.organisations_in_area(coalition).exclude(pk__in=taken),
            )

    def to_input(self) -> workspace.MemberInput:
        data = self.cleaned_data
        return workspace.MemberInput(
            organisation=data.get("organisation"),
            new_organisation_name=data.get("new_organisation_name", ""),
            domain=data["domain"],
            role=data.get("role", ""),
            joined_on=data.get("joined_on"),
        )


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    function = forms.CharField(label=_("Function"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email address"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)

    def to_input(self) -> workspace.ContactInput:
        data = self.cleaned_data
        return workspace.ContactInput(
            name=data["name"],
            function=data.get("function", ""),
            email=data.get("email", ""),
            phone=data.get("phone", ""),
        )


class AgreementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    parties = forms.ModelMultipleChoiceField(
        label=_("Parties"),
        queryset=Member.objects.none(),
        required=False,
        widget=checkboxes(),
    )
    text = forms.CharField(
        label=_("What was agreed"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    document = forms.FileField(
        label=_("Document"),
        required=False,
        help_text=_(
            "The signed agreement: PDF, Word (.docx) or OpenDocument (.odt), at most 5 MB."
        ),
    )
    remove_document = forms.BooleanField(label=_("Remove the document"), required=False)
    agreed_on = forms.DateField(label=_("Agreed on"), required=False, widget=DateInput())
    review_on = forms.DateField(
        label=_("Review by"),
        widget=DateInput(),
        help_text=_("Flagged on the coalition's pages once it has passed."),
    )

    def __init__(
        self, *args: Any, coalition: Coalition, has_document: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "parties", coalition.members.select_related("organisation"))
        self.fields["parties"].label_from_instance = lambda m: m.organisation.name  # type: ignore[attr-defined]
        if not has_document:
            del self.fields["remove_document"]

    def to_input(self) -> workspace.AgreementInput:
        data = self.cleaned_data
        upload = data.get("document")
        document = None
        if upload is not None:
            if upload.size > workspace.MAX_DOCUMENT_BYTES:
                content = b"x" * (workspace.MAX_DOCUMENT_BYTES + 1)  # refused by the service
            else:
                content = upload.read()
            document = workspace.Upload(name=upload.name, content=content)
        return workspace.AgreementInput(
            title=data["title"],
            parties=list(data.get("parties") or []),
            text=data.get("text", ""),
            agreed_on=data.get("agreed_on"),
            review_on=data.get("review_on"),
            document=document,
            remove_document=bool(data.get("remove_document")),
        )


class ActionForm(forms.Form):
    title = forms.CharField(
        label=_("What"), max_length=200, help_text=_("The improvement, in one line.")
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation responsible"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("(choose)"),
    )
    person = forms.CharField(label=_("Person responsible"), max_length=150, required=False)
    due_on = forms.DateField(label=_("By when"), widget=DateInput())
    status = forms.ChoiceField(
        label=_("Status"),
        choices=ActionStatus.choices,
        widget=radio_buttons(),
    )
    round = forms.ModelChoiceField(
        label=_("From the round"),
        queryset=Round.objects.none(),
        required=False,
        empty_label=_("(none)"),
    )
    statements = forms.ModelMultipleChoiceField(
        label=_("Statements it answers"),
        queryset=Statement.objects.none(),
        required=False,
        widget=checkboxes(),
    )
    pathways = forms.ModelMultipleChoiceField(
        label=_("Pathways it touches"),
        queryset=Pathway.objects.none(),
        required=False,
        widget=checkboxes(),
        help_text=_("The action shows on the editor's page of these pathways."),
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Services it touches"),
        queryset=Service.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    indicator_codes = forms.CharField(
        label=_("Indicators it touches"),
        required=False,
        max_length=1000,
        help_text=_("Codes of indicators of the monitor, separated by commas."),
    )
    note = forms.CharField(
        label=_("Note for the history"),
        required=False,
        max_length=500,
        help_text=_("Why it changed, for those who read the history later."),
    )

    def __init__(self, *args: Any, coalition: Coalition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields
        set_choices(
            self,
            "organisation",
            Organisation.objects.filter(coalition_memberships__coalition=coalition).order_by(
                "name"
            ),
        )
        set_choices(self, "round", coalition.assessment_rounds.order_by("-opened_on"))
        statements = workspace.linkable_statements(coalition).order_by(
            "version__instrument__name", "position"
        )
        set_choices(self, "statements", statements)
        fields["statements"].label_from_instance = lambda s: f"{s.code} — {s.text}"  # type: ignore[attr-defined]
        set_choices(self, "pathways", workspace.linkable_pathways(coalition))
        set_choices(self, "services", workspace.linkable_services(coalition))
        fields["services"].label_from_instance = lambda s: f"{s.name} — {s.organization.name}"  # type: ignore[attr-defined]

    def to_input(self) -> workspace.ActionInput:
        data = self.cleaned_data
        codes = [
            c for c in (data.get("indicator_codes") or "").replace(";", ",").split(",") if c.strip()
        ]
        return workspace.ActionInput(
            title=data["title"],
            description=data.get("description", ""),
            organisation=data.get("organisation"),
            person=data.get("person", ""),
            due_on=data.get("due_on"),
            status=data["status"],
            round=data.get("round"),
            statements=list(data.get("statements") or []),
            pathways=list(data.get("pathways") or []),
            services=list(data.get("services") or []),
            indicator_codes=[c.strip().lower() for c in codes],
            note=data.get("note", ""),
        )


class JourneyForm(forms.Form):
    introduction = forms.CharField(
        label=_("Introduction"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def service_label(service: Service) -> str:
    return f"{service.name} — {service.organization.name}"


def touchpoint_querysets(coalition: Coalition) -> dict[str, Any]:
    """What a touchpoint may name: the members' organisations, the risk situations of the
    catalogue, the pathways and services the coalition can link."""
    return {
        "organisation": Organisation.objects.filter(
            coalition_memberships__coalition=coalition
        ).order_by("name"),
        "situations": Situation.objects.active().filter(kind=FactorKind.RISK).order_by("name"),
        "pathway": workspace.linkable_pathways(coalition),
        "service": workspace.linkable_services(coalition),
    }


class TouchpointForm(forms.Form):
    moment = forms.CharField(
        label=_("When"),
        max_length=100,
        required=False,
        help_text=_("E.g. “week 8-12” or “first week”."),
    )
    title = forms.CharField(label=_("What happens"), max_length=200)
    role = forms.CharField(
        label=_("Who (role)"), max_length=100, help_text=_("E.g. midwife, youth health nurse.")
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("(any)"),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    situations = forms.ModelMultipleChoiceField(
        label=_("Situations asked about"),
        queryset=Situation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    pathway = forms.ModelChoiceField(
        label=_("Pathway that follows"),
        queryset=Pathway.objects.none(),
        required=False,
        empty_label=_("(none)"),
    )
    service = forms.ModelChoiceField(
        label=_("Service that follows"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("(none)"),
    )

    def __init__(
        self,
        *args: Any,
        coalition: Coalition,
        querysets: dict[str, Any] | None = None,
        choices: dict[str, list[Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (querysets or touchpoint_querysets(coalition)).items():
            set_choices(self, name, queryset)
        self.fields["service"].label_from_instance = service_label  # type: ignore[attr-defined]
        # The formset renders the same options in every form: read once, there (no query per
        # touchpoint). Validation still goes through the querysets.
        for name, options in (choices or {}).items():
            self.fields[name].choices = options  # type: ignore[attr-defined]

    def to_input(self) -> workspace.TouchpointInput:
        data = self.cleaned_data
        return workspace.TouchpointInput(
            title=data["title"],
            role=data["role"],
            moment=data.get("moment", ""),
            description=data.get("description", ""),
            organisation=data.get("organisation"),
            situations=list(data.get("situations") or []),
            pathway=data.get("pathway"),
            service=data.get("service"),
        )


class BaseTouchpointFormSet(PositionFirstFormSet):
    def __init__(self, *args: Any, coalition: Coalition, **kwargs: Any) -> None:
        self.coalition = coalition
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        querysets, choices = self.options
        return {
            **super().get_form_kwargs(index),
            "coalition": self.coalition,
            "querysets": querysets,
            "choices": choices,
        }

    @cached_property
    def options(self) -> tuple[dict[str, Any], dict[str, list[Any]]]:
        """The choice fields' querysets and options, made and read once for all the forms."""
        querysets = touchpoint_querysets(self.coalition)
        fields = TouchpointForm(coalition=self.coalition, querysets=querysets).fields
        return querysets, {name: list(fields[name].choices) for name in querysets}  # type: ignore[attr-defined]


TouchpointFormSet: type[BaseTouchpointFormSet] = forms.formset_factory(  # type: ignore[assignment]
    TouchpointForm,
    formset=BaseTouchpointFormSet,
    extra=1,
    can_delete=True,
    can_order=True,
    max_num=workspace.MAX_TOUCHPOINTS,
    validate_max=True,
)
