"""core.widgets: QuickSelect writes what Django's Select writes; DateInput is the browser's
date picker with an ISO value."""

from __future__ import annotations

import datetime
import re

from django import forms

from kansrijk.core.widgets import DateInput, QuickSelect


def _normalise(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip()).replace("\n", "")


def test_quick_select_matches_djangos_select() -> None:
    choices = [("", "Alle gemeenten"), ("GM0090", "Smallingerland"), ("X&Y", 'Zee <"Noord">')]
    attrs = {"id": "id_municipality", "class": "utrecht-select", "aria-describedby": "help"}
    for value in ("", "GM0090", "X&Y", None, "unknown"):
        ours = QuickSelect(attrs=attrs, choices=choices).render("municipality", value)
        django = forms.Select(attrs=attrs, choices=choices).render("municipality", value)
        assert _normalise(ours) == _normalise(django)
    assert 'value="X&amp;Y"' in QuickSelect(choices=choices).render("m", "")
    assert "Zee &lt;&quot;Noord&quot;&gt;" in QuickSelect(choices=choices).render("m", "")


def test_quick_select_refuses_option_groups() -> None:
    import pytest

    widget = QuickSelect(choices=[("Noord", [("GM0090", "Smallingerland")])])
    with pytest.raises(ValueError, match="option groups"):
        widget.render("m", "")


def test_date_input_is_the_date_picker_with_an_iso_value() -> None:
    field = forms.DateField(widget=DateInput(attrs={"class": "utrecht-textbox"}))
    html = field.widget.render("closes_on", datetime.date(2026, 3, 14), {"id": "id_closes_on"})
    assert html == (
        '<input type="date" name="closes_on" value="2026-03-14" class="utrecht-textbox"'
        ' id="id_closes_on">'
    )
    # What was typed and is not a date is shown again as typed.
    assert 'value="14-3-2026"' in DateInput().render("d", "14-3-2026")
