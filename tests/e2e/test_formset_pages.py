"""The two pages that edit a list of forms: a coalition's client journey (its touchpoints) and a
pathway's draft (its steps). Each form shows its position first and its removal box last, as
every single checkbox of the project (the box, then its label); axe-core finds nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from kansrijk.accounts.demo import DEMO_PASSWORD
from kansrijk.coalitions.models import Coalition
from kansrijk.pathways import services
from kansrijk.pathways.models import Pathway
from tests.e2e.conftest import assert_accessible, log_in, screenshot
from tests.e2e.test_coalition_workspace import COORDINATOR, EDITOR, _new_page

pytestmark = pytest.mark.e2e


def _first_form(page: Any, selector: str) -> Any:
    form = page.locator(selector).first
    labels = form.locator("label")
    expect(labels.first).to_contain_text("Volgorde")
    expect(labels.last).to_have_class("utrecht-form-label utrecht-form-label--checkbox")
    return form


def test_the_journey_and_draft_forms(
    chromium_browser: Any, live_server: Any, axe: Any, demo: None
) -> None:
    coalition = Coalition.objects.get(name="Kansrijke Start Smallingerland")
    coordinator = _new_page(chromium_browser, live_server)
    log_in(coordinator, COORDINATOR, DEMO_PASSWORD, second_factor=False)
    coordinator.goto(reverse("coalitions:journey", args=[coalition.pk, "pregnancy"]))
    _first_form(coordinator, "fieldset.kr-fieldset").get_by_label("Verwijderen").check()
    assert_accessible(axe, coordinator)
    screenshot(coordinator, "journey-form")

    editor_user = get_user_model().objects.get(username=EDITOR)
    pathway = Pathway.objects.filter(coalition=coalition).order_by("pk").first()
    assert pathway is not None
    services.start_draft(user=editor_user, pathway=pathway)
    editor = _new_page(chromium_browser, live_server)
    log_in(editor, EDITOR, DEMO_PASSWORD, second_factor=False)
    editor.goto(reverse("pathways:draft", args=[pathway.pk]))
    _first_form(editor, "fieldset.kr-step-form").get_by_label("Deze stap verwijderen").check()
    assert_accessible(axe, editor)
    screenshot(editor, "pathway-draft")
