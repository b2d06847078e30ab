"""Render Django form widgets with NL Design System classes and accessible descriptions."""

from __future__ import annotations

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString

from kansrijk.core.forms import (
    CHECKBOX_CLASS,
    RADIO_CLASS,
    SELECT_CLASS,
    TEXTAREA_CLASS,
    TEXTBOX_CLASS,
)

register = template.Library()

_CLASSES: list[tuple[type[forms.Widget], str]] = [
    (forms.CheckboxInput, CHECKBOX_CLASS),
    (forms.RadioSelect, RADIO_CLASS),
    (forms.CheckboxSelectMultiple, CHECKBOX_CLASS),
    (forms.Select, SELECT_CLASS),
    (forms.Textarea, TEXTAREA_CLASS),
    (forms.widgets.Input, TEXTBOX_CLASS),
]


@register.simple_tag
def nl_widget(field: BoundField) -> SafeString:
    widget = field.field.widget
    attrs: dict[str, str | bool] = {}
    for widget_class, css in _CLASSES:
        if isinstance(widget, widget_class):
            attrs["class"] = css + (
                " utrecht-textbox--invalid" if field.errors and "textbox" in css else ""
            )
            break
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_help")
    if field.errors:
        described.append(f"{field.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.field.required and not isinstance(
        widget, forms.CheckboxInput | forms.CheckboxSelectMultiple
    ):
        attrs["aria-required"] = "true"
    return field.as_widget(attrs=attrs)
