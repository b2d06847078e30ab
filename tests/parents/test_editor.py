"""The editor of the parent pages: who may write what, every write logged, bad input changes
nothing, the B1 check shown on save, and an edit seen at once (issue 16, point 1)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from kansrijk.accounts.models import Organisation, OrganisationKind, RoleAssignment, User
from kansrijk.accounts.roles import Role
from kansrijk.audit.models import AccessEvent, Outcome
from kansrijk.coalitions.models import Coalition, CoalitionScope
from kansrijk.core import freshness
from kansrijk.parents import editing
from kansrijk.parents.choices import TranslationStatus
from kansrijk.parents.models import (
    CostFigure,
    CostItem,
    LocalAddition,
    Page,
    PageTranslation,
    local_municipality_codes,
    national_editor,
)
from kansrijk.pathways import cache as pathway_cache
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DRACHTEN = "GM0090"
ROTTERDAM = "GM0599"
SIMPLE_BODY = (
    "Ben je zwanger? Dan kan de JGZ bij je thuis komen. Het bezoek is gratis.\n\n"
    "Je kiest zelf of je dat wilt. Bel de JGZ of vraag het hier."
)


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


def _national_editor() -> User:
    lead, _ = Organisation.objects.get_or_create(
        name="Landelijk team", defaults={"kind": OrganisationKind.NATIONAL}
    )
    Coalition.objects.get_or_create(
        name="Landelijk", defaults={"scope": CoalitionScope.NATIONAL, "lead_organisation": lead}
    )
    user = UserFactory(organisation=lead)
    RoleAssignment.objects.create(user=user, role=Role.COALITION_EDITOR, organisation=lead)
    return user


def _local_editor(code: str = DRACHTEN) -> User:
    user = UserFactory()
    assignment = RoleAssignment.objects.create(
        user=user, role=Role.COALITION_EDITOR, organisation=user.organisation
    )
    assignment.municipalities.set([code])
    return user


def _administrator(code: str) -> User:
    user = UserFactory()
    user.organisation.municipalities.set([code])
    RoleAssignment.objects.create(
        user=user, role=Role.ADMINISTRATOR, organisation=user.organisation
    )
    return user


def _page(slug: str = "prenataal-huisbezoek") -> Page:
    return Page.objects.get(slug=slug)


def _events(event_type: str, outcome: str = Outcome.SUCCESS) -> int:
    return AccessEvent.objects.filter(event_type=event_type, outcome=outcome).count()


def _dutch_form(page: Page) -> dict[str, str]:
    text = page.translations.get(language="nl")
    return {"title": text.title, "summary": text.summary, "body": text.body}


# --- Who may write ---------------------------------------------------------------------------


def test_who_edits_the_national_pages(content: None, places: None) -> None:
    assert national_editor(_national_editor())
    assert national_editor(UserFactory(is_superuser=True))
    assert not national_editor(_local_editor())
    # Administrators stay inside their organisation (issue 12, point 3): not the national pages.
    assert not national_editor(_administrator(DRACHTEN))
    assert not national_editor(UserFactory(roles=[Role.PROFESSIONAL]))
    assert not national_editor(None)


def test_the_pages_and_the_costs_are_the_national_editors(content: None, places: None) -> None:
    editor, local = _national_editor(), _local_editor()
    for model in (Page, CostItem):
        assert model.objects.editable_by(editor).count() == model.objects.count() > 0
        assert not model.objects.editable_by(local).exists()
    assert Page.objects.editable_by(editor).published().exists()


def test_who_writes_local_additions_where(content: None, places: None) -> None:
    assert local_municipality_codes(_local_editor(DRACHTEN)) == {DRACHTEN}
    assert local_municipality_codes(_administrator(ROTTERDAM)) == {ROTTERDAM}
    assert local_municipality_codes(UserFactory(is_superuser=True)) is None
    assert local_municipality_codes(_national_editor()) == frozenset()
    assert local_municipality_codes(UserFactory(roles=[Role.PROFESSIONAL])) == frozenset()
    drachten = LocalAddition.objects.create(
        page=_page(), municipality_id=DRACHTEN, title="Mamacafé", body="Koffie."
    )
    assert list(LocalAddition.objects.editable_by(_local_editor(DRACHTEN))) == [drachten]
    assert not LocalAddition.objects.editable_by(_local_editor(ROTTERDAM)).exists()
    assert not LocalAddition.objects.editable_by(_administrator(ROTTERDAM)).exists()


# --- Page texts ------------------------------------------------------------------------------


def test_a_national_editor_changes_the_dutch_text(content: None) -> None:
    editor = _national_editor()
    page = _page()
    before = freshness.token(["parents"])
    saved = editing.save_translation(
        user=editor, page=page, language="nl", data={**_dutch_form(page), "body": SIMPLE_BODY}
    )
    text = page.translations.get(language="nl")
    assert saved.changed
    assert text.body == SIMPLE_BODY
    assert text.updated_by == editor
    assert saved.readability is not None
    assert saved.readability.is_b1
    assert _events("parents.translation.update") == 1
    # Every cache of parent-page text (the pathway page's hand-over links) is stale at once.
    assert freshness.token(["parents"]) != before
    assert "parents" in pathway_cache.PAGE_KINDS
    # Saving the same text again changes nothing and logs nothing.
    again = editing.save_translation(user=editor, page=page, language="nl", data=_dutch_form(page))
    assert not again.changed
    assert _events("parents.translation.update") == 1


def test_a_hard_dutch_text_is_saved_and_its_problems_shown(content: None) -> None:
    page = _page()
    hard = (
        "Teneinde de continuïteit van de zorgverlening gedurende de perinatale periode te "
        "waarborgen, dient de aanstaande moeder zich tijdig te vergewissen van de "
        "beschikbaarheid van kraamzorgvoorzieningen in haar woonplaats."
    )
    saved = editing.save_translation(
        user=_national_editor(), page=page, language="nl", data={**_dutch_form(page), "body": hard}
    )
    assert saved.readability is not None
    assert not saved.readability.is_b1


def test_a_translation_is_checked_by_a_named_native_speaker(content: None) -> None:
    editor = _national_editor()
    page = _page()
    today = timezone.localdate()
    current = page.translations.get(language="ar")
    assert current.status == TranslationStatus.DRAFT
    data = {
        "title": current.title,
        "summary": current.summary,
        "body": current.body,
        "status": TranslationStatus.CHECKED,
        "checked_by": "Samira El Amrani",
        "checked_on": today,
    }
    saved = editing.save_translation(user=editor, page=page, language="ar", data=data)
    current.refresh_from_db()
    assert saved.changed
    assert current.status == TranslationStatus.CHECKED
    assert current.checked_by == "Samira El Amrani"
    assert saved.readability is None
    # A later change of the text (checked on an earlier day) makes it a draft again.
    current.checked_on = today - datetime.timedelta(days=3)
    current.save()
    changed = editing.save_translation(
        user=editor,
        page=page,
        language="ar",
        data={**data, "checked_on": current.checked_on, "body": current.body + "\n\nنص جديد."},
    )
    current.refresh_from_db()
    assert changed.back_to_draft
    assert current.status == TranslationStatus.DRAFT
    assert current.checked_by == ""
    assert current.checked_on is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"summary": "x" * 251}, "summary"),
        ({"body": "x" * 8001}, "body"),
        ({"status": "checked", "checked_by": "", "checked_on": None}, "checked_by"),
        ({"status": "checked", "checked_by": "A", "checked_on": None}, "checked_on"),
        (
            {"status": "checked", "checked_by": "A", "checked_on": datetime.date(2999, 1, 1)},
            "checked_on",
        ),
        ({"status": "approved"}, "status"),
        ({"page": 3}, "page"),
    ],
)
def test_bad_page_text_changes_nothing(content: None, change: dict[str, Any], field: str) -> None:
    page = _page()
    current = page.translations.get(language="tr")
    before = (current.title, current.summary, current.body, current.status, current.updated_at)
    data = {
        "title": current.title,
        "summary": current.summary,
        "body": current.body,
        "status": current.status,
        "checked_by": "",
        "checked_on": None,
        **change,
    }
    with pytest.raises(editing.InvalidContent) as raised:
        editing.save_translation(user=_national_editor(), page=page, language="tr", data=data)
    assert field in raised.value.errors
    current.refresh_from_db()
    assert (
        current.title,
        current.summary,
        current.body,
        current.status,
        current.updated_at,
    ) == before
    assert not AccessEvent.objects.filter(event_type__startswith="parents.translation").exists()


def test_an_unknown_language_changes_nothing(content: None) -> None:
    with pytest.raises(editing.InvalidContent):
        editing.save_translation(
            user=_national_editor(), page=_page(), language="xx", data={"title": "x"}
        )
    assert not PageTranslation.objects.filter(language="xx").exists()


def test_a_local_editor_may_not_change_a_page_text(content: None, places: None) -> None:
    page = _page()
    before = page.translations.get(language="nl").body
    for user in (_local_editor(), _administrator(DRACHTEN)):
        with pytest.raises(editing.EditNotAllowed):
            editing.save_translation(
                user=user, page=page, language="nl", data={**_dutch_form(page), "body": "x"}
            )
    assert page.translations.get(language="nl").body == before
    assert _events("parents.translation.update", Outcome.DENIED) == 2


# --- Local additions -------------------------------------------------------------------------


def _local_data(**change: Any) -> dict[str, Any]:
    return {
        "municipality": DRACHTEN,
        "language": "nl",
        "title": "Mamacafé De Wieken",
        "body": "Elke dinsdag drinken moeders samen koffie. Je bent welkom.",
        "url": "",
        "phone": "0512 123 456",
        "status": TranslationStatus.CHECKED,
        **change,
    }


def test_a_coalition_editor_adds_changes_and_removes_a_local_addition(
    content: None, places: None
) -> None:
    editor = _local_editor(DRACHTEN)
    saved = editing.create_local_addition(user=editor, page=_page(), data=_local_data())
    addition = saved.instance
    assert addition.municipality_id == DRACHTEN
    assert addition.updated_by == editor
    assert not addition.is_demo
    assert saved.readability is not None
    assert saved.readability.words == 12
    assert _events("parents.local_addition.create") == 1
    changed = editing.update_local_addition(
        user=editor, addition=addition, data=_local_data(title="Mamacafé Drachten")
    )
    assert changed.changed
    assert LocalAddition.objects.get().title == "Mamacafé Drachten"
    assert _events("parents.local_addition.update") == 1
    editing.delete_local_addition(user=editor, addition=addition)
    assert not LocalAddition.objects.exists()
    assert _events("parents.local_addition.delete") == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"municipality": ROTTERDAM}, "municipality"),
        ({"municipality": "GM9999"}, "municipality"),
        ({"municipality": ""}, "municipality"),
        ({"title": ""}, "title"),
        ({"body": "x" * 2001}, "body"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"language": "xx"}, "language"),
        ({"status": "approved"}, "status"),
        ({"is_demo": True}, "is_demo"),
    ],
)
def test_a_bad_local_addition_changes_nothing(
    content: None, places: None, change: dict[str, Any], field: str
) -> None:
    editor = _local_editor(DRACHTEN)
    with pytest.raises(editing.InvalidContent) as raised:
        editing.create_local_addition(user=editor, page=_page(), data=_local_data(**change))
    assert field in raised.value.errors
    assert not LocalAddition.objects.exists()
    existing = editing.create_local_addition(user=editor, page=_page(), data=_local_data())
    with pytest.raises(editing.InvalidContent):
        editing.update_local_addition(
            user=editor, addition=existing.instance, data=_local_data(**change)
        )
    existing.instance.refresh_from_db()
    assert (existing.instance.title, existing.instance.municipality_id) == (
        "Mamacafé De Wieken",
        DRACHTEN,
    )
    assert _events("parents.local_addition.update") == 0


def test_another_municipality_s_editor_may_not_touch_it(content: None, places: None) -> None:
    addition = editing.create_local_addition(
        user=_local_editor(DRACHTEN), page=_page(), data=_local_data()
    ).instance
    rotterdam = _local_editor(ROTTERDAM)
    with pytest.raises(editing.EditNotAllowed):
        editing.update_local_addition(
            user=rotterdam, addition=addition, data=_local_data(title="Overgenomen")
        )
    with pytest.raises(editing.EditNotAllowed):
        editing.delete_local_addition(user=rotterdam, addition=addition)
    with pytest.raises(editing.EditNotAllowed):
        editing.create_local_addition(
            user=UserFactory(roles=[Role.PROFESSIONAL]), page=_page(), data=_local_data()
        )
    addition.refresh_from_db()
    assert addition.title == "Mamacafé De Wieken"
    assert AccessEvent.objects.filter(outcome=Outcome.DENIED).count() == 3


# --- The pages -------------------------------------------------------------------------------


def test_anonymous_and_other_roles_get_no_editor(client: Client, content: None) -> None:
    response = client.get("/ouders/redactie/")
    assert response.status_code == 302
    assert "/account/inloggen/" in response["Location"]
    client.force_login(UserFactory(roles=[Role.ANALYST]))
    assert client.get("/ouders/redactie/").status_code == 403
    response = client.post(
        "/ouders/redactie/paginas/prenataal-huisbezoek/nl/", {"title": "x", "summary": "y"}
    )
    assert response.status_code == 403
    assert _events("parents.translation.update", Outcome.DENIED) == 1


def test_the_editor_saves_and_parents_see_it_at_once(client: Client, content: None) -> None:
    editor = _national_editor()
    client.force_login(editor)
    index = client.get("/ouders/redactie/")
    assert index.status_code == 200
    html = index.content.decode()
    assert "/ouders/redactie/paginas/prenataal-huisbezoek/ar/" in html
    url = "/ouders/redactie/paginas/prenataal-huisbezoek/nl/"
    page = _page()
    form = _dutch_form(page)
    # Bad input: 400, the error with its field, nothing saved.
    bad = client.post(url, {**form, "title": ""})
    assert bad.status_code == 400
    assert 'aria-invalid="true"' in bad.content.decode()
    assert page.translations.get(language="nl").title == form["title"]
    # Good input: saved, and the readability of the saved text shown.
    response = client.post(url, {**form, "title": "Een huisbezoek van de JGZ"}, follow=True)
    assert response.status_code == 200
    shown = response.content.decode()
    assert "Flesch-Douma" in shown
    public = client.get("/ouders/nl/prenataal-huisbezoek/")
    assert "Een huisbezoek van de JGZ" in public.content.decode()


def test_a_translation_form_marks_its_language(client: Client, content: None) -> None:
    client.force_login(_national_editor())
    html = client.get("/ouders/redactie/paginas/prenataal-huisbezoek/ar/").content.decode()
    assert 'lang="ar" dir="rtl"' in html
    assert 'name="checked_by"' in html
    assert client.get("/ouders/redactie/paginas/prenataal-huisbezoek/xx/").status_code == 404
    assert client.get("/ouders/redactie/paginas/bestaat-niet/nl/").status_code == 404


def test_a_local_editor_adds_local_information_in_the_page(
    client: Client, content: None, places: None
) -> None:
    client.force_login(_local_editor(DRACHTEN))
    index = client.get("/ouders/redactie/").content.decode()
    assert "/ouders/redactie/paginas/prenataal-huisbezoek/lokaal/nieuw/" in index
    assert "/ouders/redactie/paginas/prenataal-huisbezoek/nl/" not in index
    url = "/ouders/redactie/paginas/prenataal-huisbezoek/lokaal/nieuw/"
    bad = client.post(url, _local_data(municipality=ROTTERDAM))
    assert bad.status_code == 400
    assert not LocalAddition.objects.exists()
    response = client.post(url, _local_data(), follow=True)
    assert response.status_code == 200
    assert LocalAddition.objects.count() == 1
    assert "Flesch-Douma" in response.content.decode()
    # The preview posts a postcode of the municipality to the public page (never one in an
    # address), and the page then shows the addition.
    preview = re.search(
        r'<form method="post" action="([^"]+)"><input type="hidden" name="postcode" '
        r'value="(\d{4})">',
        response.content.decode(),
    )
    assert preview is not None
    assert preview.group(1) == "/ouders/nl/prenataal-huisbezoek/"
    public = client.post(preview.group(1), {"postcode": preview.group(2)})
    assert "Mamacafé De Wieken" in public.content.decode()
    # Another municipality's editor sees no form and changes nothing.
    addition = LocalAddition.objects.get()
    client.force_login(_local_editor(ROTTERDAM))
    assert client.get(f"/ouders/redactie/lokaal/{addition.pk}/").status_code == 403
    post = client.post(f"/ouders/redactie/lokaal/{addition.pk}/", _local_data(title="Weg"))
    assert post.status_code == 403
    assert client.post(f"/ouders/redactie/lokaal/{addition.pk}/verwijderen/").status_code == 403
    assert LocalAddition.objects.get().title == "Mamacafé De Wieken"


def test_a_browser_s_line_ends_are_no_change(content: None) -> None:
    page = _page()
    form = _dutch_form(page)
    saved = editing.save_translation(
        user=_national_editor(),
        page=page,
        language="nl",
        data={**form, "body": form["body"].replace("\n", "\r\n") + "  "},
    )
    assert not saved.changed


# --- Cost figures ----------------------------------------------------------------------------


def _figure_data(**change: Any) -> dict[str, Any]:
    return {
        "amount": Decimal("385.00"),
        "source_name": "Rijksoverheid, Eigen risico zorgverzekering",
        "source_url": "https://www.rijksoverheid.nl/onderwerpen/zorgverzekering/eigen-risico",
        "source_date": datetime.date(2025, 11, 1),
        "note": "",
        **change,
    }


def test_a_national_editor_enters_an_amount_with_its_source(content: None) -> None:
    editor = _national_editor()
    item = CostItem.objects.filter(unit__gt="").first()
    assert item is not None
    saved = editing.save_cost_figure(user=editor, item=item, year=2026, data=_figure_data())
    figure = CostFigure.objects.get(item=item, year=2026)
    assert saved.changed
    assert figure.amount == Decimal("385.00")
    assert not figure.is_demo
    assert figure.updated_by == editor
    assert _events("parents.cost_figure.create") == 1
    # The costs page shows it for 2026 only.
    assert selectors_amount(item.code, 2026) == Decimal("385.00")
    assert selectors_amount(item.code, 2025) is None


def selectors_amount(code: str, year: int) -> Decimal | None:
    from kansrijk.parents.selectors import cost_overview

    rows = [row for stage in cost_overview("nl", year) for row in stage.rows]
    return next(row.amount for row in rows if row.code == code)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": Decimal("-1")}, "amount"),
        ({"amount": Decimal("1234567890")}, "amount"),
        ({"source_name": ""}, "source_name"),
        ({"source_url": "niet-een-adres"}, "source_url"),
        ({"source_date": datetime.date(2999, 1, 1)}, "source_date"),
        ({"is_demo": True}, "is_demo"),
    ],
)
def test_a_bad_amount_changes_nothing(content: None, change: dict[str, Any], field: str) -> None:
    item = CostItem.objects.filter(unit__gt="").first()
    assert item is not None
    with pytest.raises(editing.InvalidContent) as raised:
        editing.save_cost_figure(
            user=_national_editor(), item=item, year=2026, data=_figure_data(**change)
        )
    assert field in raised.value.errors
    assert not CostFigure.objects.exists()
    with pytest.raises(editing.InvalidContent):
        editing.save_cost_figure(user=_national_editor(), item=item, year=1999, data={})
    assert not AccessEvent.objects.filter(event_type__startswith="parents.cost_figure").exists()


def test_only_national_editors_enter_amounts(client: Client, content: None, places: None) -> None:
    item = CostItem.objects.filter(unit__gt="").first()
    assert item is not None
    with pytest.raises(editing.EditNotAllowed):
        editing.save_cost_figure(
            user=_administrator(DRACHTEN), item=item, year=2026, data=_figure_data()
        )
    client.force_login(_local_editor())
    assert client.get("/ouders/redactie/kosten/").status_code == 403
    url = f"/ouders/redactie/kosten/{item.code}/2026/"
    assert client.post(url, {"amount": "1"}).status_code == 403
    assert not CostFigure.objects.exists()
    assert _events("parents.cost_figure.update", Outcome.DENIED) == 2
    client.force_login(_national_editor())
    assert client.get("/ouders/redactie/kosten/?jaar=2026").status_code == 200
    # A year that is not one shows this year's figures ("²" is a digit int() refuses).
    for odd in ("²", "202²", "abc"):
        assert client.get(f"/ouders/redactie/kosten/?jaar={odd}").status_code == 200
    assert client.get(f"/ouders/redactie/kosten/{item.code}/202²/").status_code == 404
    bad = client.post(url, {**_figure_data(), "amount": "veel"})
    assert bad.status_code == 400
    assert not CostFigure.objects.exists()
    good = client.post(url, {**_figure_data(), "source_date": "2025-11-01"})
    assert good.status_code == 302
    assert "385" in client.get("/ouders/nl/kosten/?jaar=2026").content.decode()


# --- Cost texts ------------------------------------------------------------------------------


def test_a_cost_text_is_edited_and_checked_like_a_page_text(content: None) -> None:
    editor = _national_editor()
    item = CostItem.objects.order_by("position").first()
    assert item is not None
    dutch = item.texts.get(language="nl")
    saved = editing.save_cost_text(
        user=editor,
        item=item,
        language="nl",
        data={
            "title": dutch.title,
            "explanation": "Je betaalt dit zelf. Vraag het je verzekeraar.",
        },
    )
    assert saved.changed
    assert saved.readability is not None
    assert _events("parents.cost_text.update") == 1
    polish = item.texts.get(language="pl")
    checked = editing.save_cost_text(
        user=editor,
        item=item,
        language="pl",
        data={
            "title": polish.title,
            "explanation": polish.explanation,
            "status": TranslationStatus.CHECKED,
            "checked_by": "Anna Nowak",
            "checked_on": timezone.localdate(),
        },
    )
    polish.refresh_from_db()
    assert checked.changed
    assert polish.status == TranslationStatus.CHECKED


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"explanation": "x" * 1501}, "explanation"),
        ({"status": "checked", "checked_by": ""}, "checked_by"),
        ({"body": "x"}, "body"),
    ],
)
def test_a_bad_cost_text_changes_nothing(
    content: None, places: None, change: dict[str, Any], field: str
) -> None:
    item = CostItem.objects.order_by("position").first()
    assert item is not None
    text = item.texts.get(language="tr")
    before = (text.title, text.explanation, text.status)
    data = {"title": text.title, "explanation": text.explanation, "status": "draft", **change}
    with pytest.raises(editing.InvalidContent) as raised:
        editing.save_cost_text(user=_national_editor(), item=item, language="tr", data=data)
    assert field in raised.value.errors
    with pytest.raises(editing.EditNotAllowed):
        editing.save_cost_text(user=_local_editor(), item=item, language="tr", data=data)
    text.refresh_from_db()
    assert (text.title, text.explanation, text.status) == before
    assert not AccessEvent.objects.filter(
        event_type__startswith="parents.cost_text", outcome=Outcome.SUCCESS
    ).exists()


def test_the_cost_text_page(client: Client, content: None) -> None:
    item = CostItem.objects.order_by("position").first()
    assert item is not None
    client.force_login(_national_editor())
    assert (
        f"/ouders/redactie/kosten/teksten/{item.code}/ar/"
        in client.get("/ouders/redactie/kosten/").content.decode()
    )
    url = f"/ouders/redactie/kosten/teksten/{item.code}/ar/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'lang="ar" dir="rtl"' in page.content.decode()
    text = item.texts.get(language="ar")
    bad = client.post(url, {"title": "", "explanation": text.explanation, "status": "draft"})
    assert bad.status_code == 400
    good = client.post(url, {"title": "عنوان", "explanation": text.explanation, "status": "draft"})
    assert good.status_code == 302
    assert "عنوان" in client.get("/ouders/ar/kosten/").content.decode()
