"""core.widgets.QuickSelect writes what Django's Select writes."""

from __future__ import annotations

import re

from django import forms

from kansrijk.core.widgets import QuickSelect


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
