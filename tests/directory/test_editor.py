"""Keeping the social map current: create, edit, verify, history and the to-verify list.

Who: a coalition editor whose municipalities intersect the service's municipalities (or an
administrator). Anonymous users are sent to the log-in page; others get 403. Every write path is
also tested with bad input: a Dutch error with the field, and nothing changed.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from kansrijk.accounts.models import User
from kansrijk.accounts.roles import Role
from kansrijk.audit.models import AccessEvent
from kansrijk.directory.history import snapshots
from kansrijk.directory.models import (
    ChangeAction,
    Language,
    ReferralMethod,
    ReferralMethodKind,
    Service,
    ServiceArea,
    ServiceChange,
    ServiceTaxonomy,
)
from kansrijk.directory.vocabularies import need_term_id
from tests.directory.factories import (
    DirectoryOrganizationFactory,
    ServiceFactory,
    TaxonomyTermFactory,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("need_categories")


def _html(response: Any) -> str:
    return response.content.decode()


def _editor(*codes: str, username: str | None = None) -> User:
    kwargs = {"username": username} if username else {}
    user = UserFactory(roles=[Role.COALITION_EDITOR], **kwargs)
    user.role_assignments.get().municipalities.add(*codes)
    return user


@pytest.fixture
def drachten_editor() -> User:
    return _editor("GM0090", username="redacteur.drachten")


@pytest.fixture
def rotterdam_editor() -> User:
    return _editor("GM0599", username="redacteur.rotterdam")


@pytest.fixture
def service() -> Service:
    """A Smallingerland service, last verified 400 days ago."""
    service = ServiceFactory(
        name="Schuldhulpverlening Smallingerland",
        description="Hulp bij schulden.",
        phase_pregnancy=True,
        categories=["geldzorgen"],
        municipalities=["GM0090"],
        postcode="9201",
        languages=["nl"],
        assured_date=timezone.localdate() - datetime.timedelta(days=400),
    )
    ReferralMethod.objects.create(
        service=service,
        method=ReferralMethodKind.PHONE,
        contact="0512 000 001",
        instructions="Bel.",
    )
    return service


def _form_data(service: Service | None = None, **overrides: Any) -> dict[str, Any]:
    """A valid POST for the service form (the service's current values, or a new service)."""
    data: dict[str, Any] = {
        "name": service.name if service else "Nieuwe dienst",
        "description": service.description if service else "Wat de dienst doet.",
        "status": "active",
        "domain": "social",
        "eligibility_description": "",
        "target_group": "",
        "minimum_age": "",
        "maximum_age": "",
        "application_process": "",
        "response_time_days": "",
        "wait_time": "",
        "email": "",
        "url": "",
        "is_free": "unknown",
        "fees_description": "",
        "interpretation_services": "",
        "alert": "",
        "phases": ["pregnancy"],
        "categories": [str(need_term_id("geldzorgen"))],
        "languages": ["nl"],
        "service_areas": ["GM0090"],
        "referral_phone": "on",
        "referral_phone_contact": "0512 000 001",
        "referral_phone_instructions": "Bel.",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _edit_url(service: Service) -> str:
    return reverse("directory:service_edit", args=[service.id])


# --- Who may do what -------------------------------------------------------------------------------


def test_urls() -> None:
    assert reverse("directory:service_create") == "/sociale-kaart/diensten/nieuw/"
    assert reverse("directory:to_verify") == "/sociale-kaart/te-verifieren/"


def test_anonymous_users_are_sent_to_log_in(client: Client, service: Service) -> None:
    urls = [
        ("get", _edit_url(service)),
        ("post", _edit_url(service)),
        ("get", reverse("directory:service_create")),
        ("post", reverse("directory:service_verify", args=[service.id])),
        ("get", reverse("directory:service_history", args=[service.id])),
        ("get", reverse("directory:to_verify")),
    ]
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url
    service.refresh_from_db()
    assert service.assured_date < timezone.localdate()


@pytest.mark.parametrize("role", [Role.PROFESSIONAL, Role.COALITION_COORDINATOR, Role.ANALYST])
def test_other_roles_get_403(client: Client, login_verified, service: Service, role: str) -> None:
    login_verified(client, UserFactory(roles=[role]))
    assert client.get(_edit_url(service)).status_code == 403
    assert client.post(_edit_url(service), _form_data(service, name="Anders")).status_code == 403
    assert client.get(reverse("directory:service_create")).status_code == 403
    assert client.post(reverse("directory:service_create"), _form_data()).status_code == 403
    assert client.post(reverse("directory:service_verify", args=[service.id])).status_code == 403
    assert client.get(reverse("directory:service_history", args=[service.id])).status_code == 403
    assert client.get(reverse("directory:to_verify")).status_code == 403
    service.refresh_from_db()
    assert service.name == "Schuldhulpverlening Smallingerland"
    assert not ServiceChange.objects.filter(service_ref=service.id).exists()


def test_rotterdam_editor_cannot_edit_a_smallingerland_service(
    client: Client, service: Service, rotterdam_editor: User
) -> None:
    client.force_login(rotterdam_editor)
    before = snapshots([service.id])[service.id]
    response = client.get(_edit_url(service))
    assert response.status_code == 403
    assert "Geen toegang" in _html(response)
    assert f'href="{reverse("directory:search")}">Naar de sociale kaart</a>' in _html(response)
    response = client.post(
        _edit_url(service), _form_data(service, name="Gekaapt", service_areas=["GM0599"])
    )
    assert response.status_code == 403
    assert client.post(reverse("directory:service_verify", args=[service.id])).status_code == 403
    assert client.get(reverse("directory:service_history", args=[service.id])).status_code == 403
    assert snapshots([service.id])[service.id] == before
    assert not ServiceChange.objects.filter(service_ref=service.id).exists()
    # The service page shows no editing tools to them.
    html = _html(client.get(reverse("directory:service", args=[service.id])))
    assert _edit_url(service) not in html
    # Nor is it on their to-verify list.
    assert service.name not in _html(client.get(reverse("directory:to_verify")))


def test_unknown_service_is_404_for_editors(client: Client, drachten_editor: User) -> None:
    client.force_login(drachten_editor)
    missing = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/sociale-kaart/diensten/{missing}/bewerken/").status_code == 404
    assert client.post(f"/sociale-kaart/diensten/{missing}/verifieren/").status_code == 404
    assert client.get(f"/sociale-kaart/diensten/{missing}/geschiedenis/").status_code == 404


# --- Editing -----------------------------------------------------------------------------------


def test_edit_form_is_prefilled_and_accessible(
    client: Client,
    service: Service,
    drachten_editor: User,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    client.force_login(drachten_editor)
    with django_assert_max_num_queries(16):
        response = client.get(_edit_url(service))
    assert response.status_code == 200
    html = _html(response)
    assert html.count("<h1") == 1
    assert "Schuldhulpverlening Smallingerland bewerken" in html
    assert 'value="Schuldhulpverlening Smallingerland"' in html
    assert '<label class="utrecht-form-label" for="id_name">Naam</label>' in html
    # Only the editor's own municipality can be ticked.
    assert 'name="service_areas" value="GM0090"' in html
    assert 'value="GM0599"' not in html
    assert (
        'name="phases" value="pregnancy" class="utrecht-checkbox utrecht-checkbox--html-input" id="id_phases_1" checked'
        in html
    )
    assert 'id="id_referral_phone" checked' in html
    assert 'value="0512 000 001"' in html
    assert "<legend" in html
    assert "<style" not in html


def test_editor_edits_a_service(client: Client, service: Service, drachten_editor: User) -> None:
    client.force_login(drachten_editor)
    data = _form_data(
        service,
        name="Schuldhulp Smallingerland",
        description="Hulp bij schulden en geldzorgen.",
        target_group="Zwangeren met geldzorgen",
        phases=["pregnancy", "postnatal"],
        categories=[str(need_term_id("geldzorgen")), str(need_term_id("werk-en-inkomen"))],
        languages=["nl", "ar", "fy"],
        is_free="true",
        response_time_days="3",
        referral_phone_contact="0512 000 009",
        referral_secure_mail="on",
        referral_secure_mail_contact="schuldhulp@zorgmail.example",
        referral_secure_mail_instructions="Stuur het verwijsformulier mee.",
    )
    response = client.post(_edit_url(service), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:service", args=[service.id])
    service.refresh_from_db()
    assert service.name == "Schuldhulp Smallingerland"
    assert service.target_group == "Zwangeren met geldzorgen"
    assert service.phases == ["pregnancy", "postnatal"]
    assert service.is_free is True
    assert service.response_time_days == 3
    assert sorted(Language.objects.filter(service=service).values_list("code", flat=True)) == [
        "ar",
        "fy",
        "nl",
    ]
    methods = {m.method: m for m in ReferralMethod.objects.filter(service=service)}
    assert methods["phone"].contact == "0512 000 009"
    assert methods["secure_mail"].instructions == "Stuur het verwijsformulier mee."
    terms = set(
        ServiceTaxonomy.objects.filter(service=service).values_list("taxonomy_term_id", flat=True)
    )
    assert terms == {need_term_id("geldzorgen"), need_term_id("werk-en-inkomen")}
    change = ServiceChange.objects.get(service_ref=service.id)
    assert change.action == ChangeAction.UPDATE
    assert change.user == drachten_editor
    assert {"name", "phase_postnatal", "languages", "referral_methods"} <= set(change.changes)
    assert AccessEvent.objects.filter(
        event_type="directory.service.update", object_id=str(service.id)
    ).exists()
    # The page after the redirect confirms it.
    assert "Uw wijzigingen zijn opgeslagen." in _html(client.get(response["Location"]))


def test_saving_without_changes_records_nothing(
    client: Client, service: Service, drachten_editor: User
) -> None:
    client.force_login(drachten_editor)
    response = client.post(_edit_url(service), _form_data(service))
    assert response.status_code == 302
    assert not ServiceChange.objects.filter(service_ref=service.id).exists()
    assert "Er is niets gewijzigd." in _html(client.get(response["Location"]))


BAD_EDITS = [
    ({"name": ""}, "name", "Vul de naam van de dienst in."),
    ({"email": "geen-adres"}, "email", "Vul een e-mailadres in"),
    ({"url": "niet een adres"}, "url", "Vul een webadres in"),
    (
        {"minimum_age": "30", "maximum_age": "18"},
        "maximum_age",
        "De maximumleeftijd is lager dan de minimumleeftijd.",
    ),
    ({"minimum_age": "-1"}, "minimum_age", ""),
    ({"response_time_days": "drie"}, "response_time_days", "Vul een aantal werkdagen in."),
    ({"status": "kwijt"}, "status", ""),
    ({"phases": ["later"]}, "phases", "Kies fasen uit de lijst."),
    ({"categories": ["geen-id"]}, "categories", "Kies hulpvragen uit de lijst."),
    ({"languages": ["xx1"]}, "languages", "Kies talen uit de lijst."),
    ({"service_areas": []}, "service_areas", "Kies ten minste één van uw gemeenten."),
    (
        {"service_areas": ["GM0599"]},
        "service_areas",
        "U kunt alleen de gemeenten van uw coalitie kiezen.",
    ),
    (
        {"referral_phone_contact": ""},
        "referral_phone_contact",
        "Vul het telefoonnummer, adres of de link in",
    ),
    (
        {"referral_zorgdomein_instructions": "Via ZorgDomein."},
        "referral_zorgdomein",
        "Vink deze manier van verwijzen aan, of maak de velden ervan leeg.",
    ),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_EDITS)
def test_bad_edit_shows_a_dutch_error_and_changes_nothing(
    client: Client,
    service: Service,
    drachten_editor: User,
    overrides: dict[str, Any],
    field: str,
    message: str,
) -> None:
    client.force_login(drachten_editor)
    before = snapshots([service.id])[service.id]
    data = _form_data(service, name="Veranderd")
    data.update(overrides)
    response = client.post(_edit_url(service), data)
    assert response.status_code == 200
    html = _html(response)
    assert f'id="id_{field}_error"' in html
    assert message in html
    assert "Er is nog niets opgeslagen." in html
    assert f'href="#id_{field}' in html  # the error summary links to the field
    assert "<title>Fout:" in html
    assert snapshots([service.id])[service.id] == before
    assert not ServiceChange.objects.filter(service_ref=service.id).exists()


def test_municipalities_of_other_coalitions_are_kept(client: Client, drachten_editor: User) -> None:
    service = ServiceFactory(name="GGD Regio", municipalities=["GM0090", "GM0080"])
    other_term = TaxonomyTermFactory()
    ServiceTaxonomy.objects.create(service=service, taxonomy_term=other_term)
    client.force_login(drachten_editor)
    html = _html(client.get(_edit_url(service)))
    assert "Werkt ook in" in html
    assert "Leeuwarden" in html
    response = client.post(_edit_url(service), _form_data(service, description="Nieuw."))
    assert response.status_code == 302
    codes = set(
        ServiceArea.objects.filter(service=service).values_list("municipality_id", flat=True)
    )
    assert codes == {"GM0090", "GM0080"}
    assert ServiceTaxonomy.objects.filter(service=service, taxonomy_term=other_term).exists()


def _administrator_in(code: str) -> User:
    """An administrator of a municipality organisation that works in ``code``."""
    from kansrijk.accounts.models import OrganisationKind
    from tests.factories import OrganisationFactory

    organisation = OrganisationFactory(name=f"Gemeente {code}", kind=OrganisationKind.MUNICIPALITY)
    organisation.municipalities.add(code)
    return UserFactory(organisation=organisation, roles=[Role.ADMINISTRATOR])


def test_an_administrator_of_another_municipality_cannot_edit_it(
    client: Client, login_verified, service: Service
) -> None:
    login_verified(client, _administrator_in("GM0599"))
    before = snapshots([service.id])[service.id]
    assert client.get(_edit_url(service)).status_code == 403
    response = client.post(_edit_url(service), _form_data(service, name="Gekaapt"))
    assert response.status_code == 403
    assert snapshots([service.id])[service.id] == before


def test_administrator_edits_the_services_of_their_municipality(
    client: Client, login_verified, service: Service
) -> None:
    admin = _administrator_in("GM0090")
    login_verified(client, admin)
    response = client.get(_edit_url(service))
    assert response.status_code == 200
    # The municipalities offered are theirs only.
    html = _html(response)
    assert 'value="GM0090"' in html
    assert 'value="GM0599"' not in html
    response = client.post(_edit_url(service), _form_data(service, alert="Gesloten op 27 april."))
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.alert == "Gesloten op 27 april."


def test_the_operator_picks_from_every_municipality_in_a_list(
    client: Client, login_verified, service: Service
) -> None:
    """More than 25 municipalities are a select list instead of checkboxes, with every one of
    them as an option (a widget set after the choices once had none)."""
    operator = UserFactory(is_superuser=True, is_staff=True)
    login_verified(client, operator)
    html = _html(client.get(_edit_url(service)))
    assert '<select name="service_areas"' in html
    assert html.count('<option value="GM') == 342


def test_who_may_edit_is_what_editable_by_says_also_through_compiled_sql(
    service: Service, drachten_editor: User, rotterdam_editor: User
) -> None:
    """``can_edit_service`` and the form's municipalities run a coalition editor's query as SQL
    compiled once (``core.compiled``); everyone else's through the ORM. Each answer is the
    ORM's, for editors of the service's municipality, of another one and of both, an editor
    without municipalities, administrators, the operator and someone without an editor role."""
    from kansrijk.core import compiled
    from kansrijk.directory.page_selectors import (
        can_edit_service,
        editor_municipalities,
        editor_municipality_choices,
    )

    rotterdam = ServiceFactory(municipalities=["GM0599"])
    users = [
        drachten_editor,
        rotterdam_editor,
        _editor("GM0090", "GM0599", username="redacteur.beide"),
        _editor(username="redacteur.zonder"),
        _administrator_in("GM0090"),
        _administrator_in("GM0599"),
        UserFactory(is_superuser=True, is_staff=True),
        UserFactory(roles=[Role.PROFESSIONAL]),
    ]
    for user in users:
        for item in (service, rotterdam):
            expected = Service.objects.editable_by(user).filter(pk=item.pk).exists()
            assert can_edit_service(user, item) is expected, (user.username, item.name)
        assert editor_municipality_choices(user) == list(
            editor_municipalities(user).values_list("code", "name")
        )
    assert can_edit_service(drachten_editor, service)
    assert not can_edit_service(rotterdam_editor, service)
    names = {key[0] for key in compiled._compiled.as_dict()}
    assert "directory.editable-by-coalition-editor" in names
    assert "directory.editor-municipalities.coalition-editor" in names


# --- Creating ----------------------------------------------------------------------------------


def test_editor_adds_a_service(client: Client, drachten_editor: User) -> None:
    organisation = DirectoryOrganizationFactory(name="Welzijn Smallingerland")
    client.force_login(drachten_editor)
    response = client.get(reverse("directory:service_create"))
    assert response.status_code == 200
    html = _html(response)
    assert "Dienst toevoegen" in html
    assert 'name="organization"' in html
    response = client.post(
        reverse("directory:service_create"),
        _form_data(name="Home-Start Drachten", organization=str(organisation.id)),
    )
    assert response.status_code == 302
    service = Service.objects.get(name="Home-Start Drachten")
    assert response["Location"] == reverse("directory:service", args=[service.id])
    assert service.organization == organisation
    assert list(service.service_areas.values_list("municipality_id", flat=True)) == ["GM0090"]
    change = ServiceChange.objects.get(service_ref=service.id)
    assert change.action == ChangeAction.CREATE
    assert AccessEvent.objects.filter(
        event_type="directory.service.create", object_id=str(service.id)
    ).exists()
    # Straight after adding it, the service can be found.
    assert "Home-Start Drachten" in _html(
        client.get(reverse("directory:search"), {"q": "home start"})
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"organization": ""}, "organization", "Kies de organisatie die deze dienst aanbiedt."),
        (
            {"organization": "00000000-0000-4000-8000-000000000000"},
            "organization",
            "Kies een organisatie uit de lijst.",
        ),
        ({"name": ""}, "name", "Vul de naam van de dienst in."),
        (
            {"service_areas": ["GM0599"]},
            "service_areas",
            "U kunt alleen de gemeenten van uw coalitie kiezen.",
        ),
        ({"service_areas": []}, "service_areas", "Kies ten minste één van uw gemeenten."),
        (
            {"referral_form": "on"},
            "referral_referral_form_contact",
            "Vul het telefoonnummer, adres of de link in",
        ),
    ],
)
def test_bad_new_service_shows_a_dutch_error_and_creates_nothing(
    client: Client, drachten_editor: User, overrides: dict[str, Any], field: str, message: str
) -> None:
    organisation = DirectoryOrganizationFactory()
    client.force_login(drachten_editor)
    data = _form_data(name="Nieuwe dienst", organization=str(organisation.id))
    data.update(overrides)
    if "referral_form" in overrides:
        data["referral_referral_form"] = data.pop("referral_form")
    count = Service.objects.count()
    response = client.post(reverse("directory:service_create"), data)
    assert response.status_code == 200
    html = _html(response)
    assert f'id="id_{field}_error"' in html
    assert message in html
    assert Service.objects.count() == count
    assert not ServiceChange.objects.exists()


def test_editor_without_municipalities_is_told_so(client: Client) -> None:
    client.force_login(UserFactory(roles=[Role.COALITION_EDITOR]))
    html = _html(client.get(reverse("directory:service_create")))
    assert "U heeft nog geen gemeenten." in html
    assert '<form method="post" class="kr-form kr-dir-service-form"' not in html
    assert client.get(reverse("directory:to_verify")).status_code == 200


# --- Verifying ---------------------------------------------------------------------------------


def test_one_click_verify_from_the_service_page(
    client: Client, service: Service, drachten_editor: User
) -> None:
    client.force_login(drachten_editor)
    page = _html(client.get(reverse("directory:service", args=[service.id])))
    verify_url = reverse("directory:service_verify", args=[service.id])
    assert f'action="{verify_url}"' in page
    badge = '<span class="kr-badge kr-badge--warning">Te verifiëren</span>'
    assert badge in page
    response = client.post(verify_url)
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:service", args=[service.id])
    service.refresh_from_db()
    assert service.assured_date == timezone.localdate()
    assert service.assurer_email == drachten_editor.email
    assert ServiceChange.objects.get(service_ref=service.id).action == ChangeAction.VERIFY
    page = _html(client.get(response["Location"]))
    assert "is gemarkeerd als vandaag gecontroleerd" in page
    assert badge not in page


def test_verify_needs_post(client: Client, service: Service, drachten_editor: User) -> None:
    client.force_login(drachten_editor)
    assert client.get(reverse("directory:service_verify", args=[service.id])).status_code == 405
    service.refresh_from_db()
    assert service.assured_date < timezone.localdate()


def test_verify_returns_to_a_safe_next_only(
    client: Client, service: Service, drachten_editor: User
) -> None:
    client.force_login(drachten_editor)
    url = reverse("directory:service_verify", args=[service.id])
    response = client.post(url, {"next": "/sociale-kaart/te-verifieren/"})
    assert response["Location"] == "/sociale-kaart/te-verifieren/"
    response = client.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == reverse("directory:service", args=[service.id])


def test_to_verify_lists_the_editors_stale_services(
    client: Client,
    service: Service,
    drachten_editor: User,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    today = timezone.localdate()
    ServiceFactory(name="Nooit gecontroleerd", municipalities=["GM0090"], assured_date=None)
    ServiceFactory(name="Net gecontroleerd", municipalities=["GM0090"], assured_date=today)
    ServiceFactory(name="Kredietbank Rotterdam", municipalities=["GM0599"], assured_date=None)
    client.force_login(drachten_editor)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("directory:to_verify"))
    html = _html(response)
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "Nooit gecontroleerd" in html
    assert "Schuldhulpverlening Smallingerland" in html
    assert html.index("Nooit gecontroleerd") < html.index("Schuldhulpverlening Smallingerland")
    assert "Net gecontroleerd" not in html
    assert "Kredietbank Rotterdam" not in html
    assert "2 diensten te verifiëren" in html
    assert "Smallingerland" in html  # the editor's municipality
    # The one-click verify button returns to this list.
    assert f'action="{reverse("directory:service_verify", args=[service.id])}"' in html
    assert 'name="next" value="/sociale-kaart/te-verifieren/"' in html
    client.post(
        reverse("directory:service_verify", args=[service.id]),
        {"next": "/sociale-kaart/te-verifieren/"},
    )
    assert _edit_url(service) not in _html(client.get(reverse("directory:to_verify")))


# --- History -----------------------------------------------------------------------------------


def test_history_shows_who_when_and_what(
    client: Client, service: Service, drachten_editor: User
) -> None:
    client.force_login(drachten_editor)
    client.post(
        _edit_url(service),
        _form_data(service, name="Schuldhulp Drachten", service_areas=["GM0090"]),
    )
    client.post(reverse("directory:service_verify", args=[service.id]))
    response = client.get(reverse("directory:service_history", args=[service.id]))
    assert response.status_code == 200
    html = _html(response)
    assert html.count("<h1") == 1
    assert "redacteur.drachten" in html
    assert "Schuldhulpverlening Smallingerland" in html  # before
    assert "Schuldhulp Drachten" in html  # after
    assert "Naam" in html
    # Newest first: the verification comes before the edit.
    assert html.index("Laatst gecontroleerd") < html.index("Naam")


# --- Menu and start page -------------------------------------------------------------------------


def test_menu_and_start_page(client: Client, drachten_editor: User, login_verified) -> None:
    html = _html(client.get("/"))
    assert 'href="/sociale-kaart/"' in html
    assert 'href="/sociale-kaart/te-verifieren/"' not in html
    client.force_login(drachten_editor)
    html = _html(client.get("/"))
    assert 'href="/sociale-kaart/te-verifieren/"' in html
    assert "Te verifiëren diensten" in html
    client.logout()
    login_verified(client, UserFactory(roles=[Role.PROFESSIONAL]))
    html = _html(client.get("/"))
    assert 'href="/sociale-kaart/"' in html
    assert 'href="/sociale-kaart/te-verifieren/"' not in html
