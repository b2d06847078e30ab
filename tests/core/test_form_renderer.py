"""core.renderers.FormRenderer: ``{{ form }}`` and ``field.as_field_group`` give the project's
field includes, the same markup a page gets by including them one field at a time."""

from __future__ import annotations

import re

from django import forms
from django.template import Context, Template

from kansrijk.core.renderers import FormRenderer


class _Form(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(label="Name", help_text="As on the card.")
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea)
    colour = forms.ChoiceField(
        label="Colour", choices=[("r", "Red"), ("g", "Green")], widget=forms.RadioSelect
    )
    days = forms.MultipleChoiceField(
        label="Days", choices=[("mo", "Monday")], widget=forms.CheckboxSelectMultiple
    )
    places = forms.MultipleChoiceField(label="Places", choices=[("a", "A")])
    agreed = forms.BooleanField(label="Agreed")


def _render(source: str, form: forms.Form) -> str:
    return Template(source).render(Context({"form": form}))


def _normalise(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def test_the_project_renderer_is_the_default() -> None:
    assert isinstance(_Form().renderer, FormRenderer)


def test_a_form_renders_as_its_fields_one_by_one() -> None:
    form = _Form(data={"key": "k", "note": "x", "colour": "blue"})
    by_hand = _render(
        "{{ form.key }}"
        '{% include "includes/field.html" with field=form.name %}'
        '{% include "includes/field.html" with field=form.note %}'
        '{% include "includes/choices.html" with field=form.colour %}'
        '{% include "includes/choices.html" with field=form.days %}'
        '{% include "includes/field.html" with field=form.places %}'
        '{% include "includes/checkbox.html" with field=form.agreed %}',
        form,
    )
    assert _normalise(_render("{{ form }}", form)) == _normalise(by_hand)


def test_a_field_group_picks_the_markup_of_its_widget() -> None:
    form = _Form(data={"colour": "blue"})
    name = _render("{{ form.name.as_field_group }}", form)
    assert 'class="utrecht-form-field utrecht-form-field--text utrecht-form-field--invalid"' in name
    assert 'aria-describedby="id_name_help id_name_error"' in name
    colour = _render("{{ form.colour.as_field_group }}", form)
    assert "<fieldset" in colour
    assert "<legend" in colour
    assert 'id="id_colour_error"' in colour
    agreed = _render("{{ form.agreed.as_field_group }}", form)
    assert "utrecht-form-field--checkbox" in agreed
    assert agreed.index("<input") < agreed.index("<label")


def test_a_management_form_is_written_as_django_writes_it() -> None:
    formset = forms.formset_factory(_Form)(data={}, prefix="points")
    rendered = str(formset.management_form)
    assert rendered == formset.management_form.render("django/forms/div.html")
    assert 'name="points-TOTAL_FORMS"' in rendered
    assert "errorlist nonfield" in rendered
