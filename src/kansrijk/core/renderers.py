"""The project's form renderer: Django's form rendering with the NL Design System markup.

``{{ form }}`` renders every field of a form through ``includes/form.html``, and
``{{ form.name.as_field_group }}`` one field through ``includes/field_group.html``, which picks
the markup for the field's widget (``includes/field.html``, ``choices.html``, ``checkbox.html``).
The templates are looked up like every other template of the project (``TEMPLATES``), so the
includes of ``kansrijk/templates/`` serve both the pages and the forms.
"""

from __future__ import annotations

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    form_template_name = "includes/form.html"
    field_template_name = "includes/field_group.html"
