"""What the apps' forms share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.forms.formsets import ORDERING_FIELD_NAME

#: The NL Design System classes of the inputs. ``{% nl_widget %}`` (includes/field.html) gives
#: every input its class; the widgets below carry theirs for inputs written out by hand
#: (includes/choices.html) or shown with ``{{ field }}``.
CHECKBOX_CLASS = "utrecht-checkbox utrecht-checkbox--html-input"
RADIO_CLASS = "utrecht-radio-button utrecht-radio-button--html-input"
SELECT_CLASS = "utrecht-select utrecht-select--html-select"
TEXTAREA_CLASS = "utrecht-textarea utrecht-textarea--html-textarea"
TEXTBOX_CLASS = "utrecht-textbox utrecht-textbox--html-input"


def radio_buttons() -> forms.RadioSelect:
    """Radio buttons in NL Design System markup (shown by includes/choices.html)."""
    return forms.RadioSelect(attrs={"class": RADIO_CLASS})


def checkboxes() -> forms.CheckboxSelectMultiple:
    """Checkboxes in NL Design System markup (shown by includes/choices.html)."""
    return forms.CheckboxSelectMultiple(attrs={"class": CHECKBOX_CLASS})


def set_choices(form: forms.Form, name: str, queryset: Any) -> None:
    """Set the queryset of the model choice field ``name`` (its choices follow)."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField | forms.ModelMultipleChoiceField)
    field.queryset = queryset


def add_errors(form: forms.Form, errors: Mapping[str, Iterable[Any]]) -> None:
    """Show the errors of a refused write (a service's ``{field: [messages]}``) on ``form``:
    each on the field of its name, the others on the form as a whole."""
    for name, messages in errors.items():
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)


class PositionFirstFormSet(forms.BaseFormSet):
    """A formset of forms with a position (``can_order``), shown as each form's first field: then
    ``{{ form }}`` renders a form's fields in the order its page shows them (its removal box,
    ``can_delete``, stays last)."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        form.order_fields([ORDERING_FIELD_NAME])
