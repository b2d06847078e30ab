"""Administrators stay inside their organisations and municipalities, on every admin page.

Every model admin of the site is in exactly one of three lists below (a new one fails
``test_every_admin_page_is_covered`` until it is): pages only the operator sees, shared
reference data administrators read, and pages scoped to the administrator's organisations —
for those, ``BUILDERS`` makes one object inside and one outside the scope, and the tests show
the outside one is invisible in the list and unreachable by id (404, a logged refusal).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms as django_forms
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from kansrijk.accounts.models import Organisation, OrganisationKind, RoleAssignment, User
from kansrijk.accounts.roles import Role
from kansrijk.audit.models import AccessEvent
from kansrijk.core.admin_scope import OPERATOR, ORGANISATION, PARENT, REFERENCE, ScopedAdminMixin
from kansrijk.core.admin_site import KansrijkAdminSite
from kansrijk.directory.models import Contact, Schedule, ServiceChange
from kansrijk.places.models import Municipality
from tests.audit.helpers import make_event
from tests.directory.factories import DirectoryOrganizationFactory, LocationFactory, ServiceFactory
from tests.factories import TOTPDeviceFactory, UserFactory

pytestmark = pytest.mark.django_db

HOME_CODE, OTHER_CODE = "GM0090", "GM0917"  # Smallingerland, Heerlen

#: Models only the operator of the installation sees.
OPERATOR_ONLY = {
    "auth.group",
    "coalitions.coalition",
    "interventions.intervention",
    "monitoring.indicator",
    "monitoring.indicatorvalue",
    "monitoring.demandsignal",
    "pathways.pathway",
    "pathways.pathwayversion",
    "signalling.gradingruleset",
    "signalling.decisiontree",
    "signalling.decisionnode",
    "situations.lifedomain",
    "situations.situation",
}
#: Shared reference data: administrators read, only the operator changes.
REFERENCE_DATA = {
    "places.province",
    "places.ggdregion",
    "places.youthcareregion",
    "places.municipality",
    "places.postcodearea",
    "directory.taxonomy",
    "directory.taxonomyterm",
}


class World:
    def __init__(self) -> None:
        self.home = Organisation.objects.create(
            name="Gemeente Smallingerland (test)", kind=OrganisationKind.MUNICIPALITY
        )
        self.home.municipalities.add(Municipality.objects.get(code=HOME_CODE))
        self.other = Organisation.objects.create(
            name="Gemeente Heerlen (test)", kind=OrganisationKind.MUNICIPALITY
        )
        self.other.municipalities.add(Municipality.objects.get(code=OTHER_CODE))
        self.admin = UserFactory(username="beheer.thuis", organisation=self.home)
        RoleAssignment.objects.create(user=self.admin, role=Role.ADMINISTRATOR)
        self.colleague = UserFactory(username="collega.thuis", organisation=self.home)
        self.stranger = UserFactory(username="vreemde.elders", organisation=self.other)
        self.operator = UserFactory(
            username="operator", organisation=None, is_superuser=True, is_staff=True
        )


@pytest.fixture
def world(places: None) -> World:
    return World()


@pytest.fixture
def as_admin(world: World, login_verified: Callable[..., Client]) -> Client:
    return login_verified(Client(), world.admin)


@pytest.fixture
def as_operator(world: World, login_verified: Callable[..., Client]) -> Client:
    return login_verified(Client(), world.operator)


def _service(world: World, organisation: Organisation, code: str) -> Any:
    directory_org = DirectoryOrganizationFactory(
        name=f"Aanbieder {code}", account_organisation=organisation
    )
    return ServiceFactory(organization=directory_org, name=f"Dienst {code}", municipalities=[code])


def _attempt(model: Any, username: str) -> Any:
    fields: dict[str, Any] = {
        "username": username,
        "ip_address": "192.0.2.1",
        "user_agent": "test",
        "http_accept": "*/*",
        "path_info": "/account/inloggen/",
    }
    if model is AccessAttempt:
        fields.update(get_data="", post_data="", failures_since_start=3)
    return model.objects.create(**fields)


#: Per organisation-scoped model: (inside the administrator's scope, outside it).
BUILDERS: dict[str, Callable[[World], tuple[Any, Any]]] = {
    "accounts.organisation": lambda w: (w.home, w.other),
    "accounts.user": lambda w: (w.colleague, w.stranger),
    "otp_totp.totpdevice": lambda w: (
        TOTPDeviceFactory(user=w.colleague),
        TOTPDeviceFactory(user=w.stranger),
    ),
    "otp_static.staticdevice": lambda w: (
        StaticDevice.objects.create(user=w.colleague, name="recovery"),
        StaticDevice.objects.create(user=w.stranger, name="recovery"),
    ),
    "axes.accessattempt": lambda w: (
        _attempt(AccessAttempt, w.colleague.username),
        _attempt(AccessAttempt, w.stranger.username),
    ),
    "axes.accesslog": lambda w: (
        _attempt(AccessLog, w.colleague.username),
        _attempt(AccessLog, w.stranger.username),
    ),
    "axes.accessfailurelog": lambda w: (
        _attempt(AccessFailureLog, w.colleague.username),
        _attempt(AccessFailureLog, w.stranger.username),
    ),
    "audit.accessevent": lambda w: (
        make_event(organisation=w.home, user_display="collega.thuis"),
        make_event(organisation=w.other, user_display="vreemde.elders"),
    ),
    "directory.organization": lambda w: (
        _service(w, w.home, HOME_CODE).organization,
        _service(w, w.other, OTHER_CODE).organization,
    ),
    # A service of no Kansrijk organisation is in scope by the municipality it serves.
    "directory.service": lambda w: (
        ServiceFactory(name="Buurtdienst", municipalities=[HOME_CODE]),
        ServiceFactory(name="Dienst elders", municipalities=[OTHER_CODE]),
    ),
    "directory.location": lambda w: (
        LocationFactory(postcode="9203"),
        LocationFactory(postcode="6411"),
    ),
    "directory.contact": lambda w: (
        Contact.objects.create(service=_service(w, w.home, HOME_CODE), name="Balie"),
        Contact.objects.create(service=_service(w, w.other, OTHER_CODE), name="Balie"),
    ),
    "directory.schedule": lambda w: (
        Schedule.objects.create(service=_service(w, w.home, HOME_CODE), description="ma"),
        Schedule.objects.create(service=_service(w, w.other, OTHER_CODE), description="ma"),
    ),
    "directory.servicechange": lambda w: tuple(
        ServiceChange.objects.create(
            service=service, service_ref=service.pk, action="update", source="editor"
        )
        for service in (_service(w, w.home, HOME_CODE), _service(w, w.other, OTHER_CODE))
    ),
}


def _labels(scope: str) -> list[str]:
    return sorted(
        model._meta.label_lower
        for model, model_admin in admin.site._registry.items()
        if model_admin.admin_scope == scope
    )


def _url(label: str, view: str, *args: Any) -> str:
    app, model = label.split(".")
    return reverse(f"admin:{app}_{model}_{view}", args=args)


# --- Every page has a declared scope and a test ---------------------------------------------


def test_every_admin_page_is_covered():
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, ScopedAdminMixin), model
        for inline in model_admin.inlines:
            assert issubclass(inline, ScopedAdminMixin), (model, inline)
            assert inline.admin_scope in (PARENT, ORGANISATION), (model, inline)
    assert set(_labels(OPERATOR)) == OPERATOR_ONLY
    assert set(_labels(REFERENCE)) == REFERENCE_DATA
    assert set(_labels(ORGANISATION)) == set(BUILDERS)


def test_an_admin_without_a_declared_scope_is_for_the_operator_only():
    class Plain(admin.ModelAdmin):
        pass

    site = KansrijkAdminSite(name="probe")
    site.register(AccessEvent, Plain)
    assert site._registry[AccessEvent].admin_scope == OPERATOR


# --- Operator-only pages --------------------------------------------------------------------


@pytest.mark.parametrize("label", sorted(OPERATOR_ONLY))
def test_operator_pages_are_refused_to_administrators_and_logged(
    as_admin: Client, as_operator: Client, world: World, label: str
):
    for view in ("changelist", "add"):
        response = as_admin.get(_url(label, view))
        assert response.status_code == 403, (label, view)
    assert as_operator.get(_url(label, "changelist")).status_code == 200
    refused = AccessEvent.objects.filter(user=world.admin, outcome="denied")
    assert refused.count() == 2
    assert {e.role for e in refused} == {"administrator"}


def test_admin_pages_name_the_site_icon(as_admin: Client, world: World):
    """Without it the browser asks for /favicon.ico: a 404 in the console of every admin page."""
    mine, _theirs = BUILDERS["directory.organization"](world)
    for url in (
        reverse("admin:index"),
        _url("directory.organization", "changelist"),
        _url("directory.organization", "change", mine.pk),
    ):
        html = as_admin.get(url).content.decode()
        assert html.count('rel="icon" href="/static/kansrijk/favicon.svg"') == 1, url


def test_the_index_shows_an_administrator_only_their_apps(as_admin: Client):
    response = as_admin.get(reverse("admin:index"))
    assert response.status_code == 200
    apps = {app["app_label"] for app in response.context["app_list"]}
    assert apps == {"accounts", "audit", "axes", "directory", "otp_static", "otp_totp", "places"}


# --- Reference data -------------------------------------------------------------------------


@pytest.mark.parametrize("label", sorted(REFERENCE_DATA))
def test_reference_data_is_read_only_for_administrators(
    as_admin: Client, as_operator: Client, label: str
):
    assert as_admin.get(_url(label, "changelist")).status_code == 200
    assert as_admin.get(_url(label, "add")).status_code == 403
    expected = 403 if label.startswith("places.") else 200  # places: read-only for all
    assert as_operator.get(_url(label, "add")).status_code == expected


# --- Organisation-scoped pages --------------------------------------------------------------


@pytest.mark.parametrize("label", sorted(BUILDERS))
def test_another_organisations_objects_are_invisible_and_unreachable(
    as_admin: Client, as_operator: Client, world: World, label: str
):
    mine, theirs = BUILDERS[label](world)

    listing = as_admin.get(_url(label, "changelist"))
    assert listing.status_code == 200
    shown = {obj.pk for obj in listing.context["cl"].result_list}
    assert mine.pk in shown
    assert theirs.pk not in shown

    assert as_admin.get(_url(label, "change", mine.pk)).status_code == 200
    for view in ("change", "history", "delete"):
        response = as_admin.get(_url(label, view, theirs.pk))
        assert response.status_code == 404, (label, view)
    refused = AccessEvent.objects.filter(
        user=world.admin, outcome="denied", object_id=str(theirs.pk)
    )
    assert refused.count() == 3
    assert {(e.role, e.purpose) for e in refused} == {("administrator", "accounts.administration")}
    # Deleting it by a forged POST changes nothing either.
    assert as_admin.post(_url(label, "delete", theirs.pk), {"post": "yes"}).status_code == 404
    assert type(theirs).objects.filter(pk=theirs.pk).exists()

    # The operator reaches both.
    listing = as_operator.get(_url(label, "changelist"))
    assert {mine.pk, theirs.pk} <= {obj.pk for obj in listing.context["cl"].result_list}
    assert as_operator.get(_url(label, "change", theirs.pk)).status_code == 200


def test_an_unknown_id_is_a_404_and_logged_as_a_failure(as_admin: Client, world: World):
    assert as_admin.get(_url("accounts.user", "change", 987_654)).status_code == 404
    assert as_admin.get(_url("directory.service", "change", uuid.uuid4())).status_code == 404
    failures = AccessEvent.objects.filter(user=world.admin, outcome="failure")
    assert failures.count() == 2


def test_the_operators_account_is_invisible_to_administrators(as_admin: Client, world: World):
    world.operator.organisation = world.home
    world.operator.save()
    listing = as_admin.get(_url("accounts.user", "changelist"))
    assert world.operator.pk not in {u.pk for u in listing.context["cl"].result_list}
    assert as_admin.get(_url("accounts.user", "change", world.operator.pk)).status_code == 404
    password = reverse("admin:auth_user_password_change", args=[world.operator.pk])
    assert as_admin.get(password).status_code == 404


def test_searching_the_access_log_in_the_admin_is_scoped(as_admin: Client, world: World):
    mine, theirs = BUILDERS["audit.accessevent"](world)
    response = as_admin.get(_url("audit.accessevent", "changelist"), {"q": "vreemde.elders"})
    assert theirs.pk not in {e.pk for e in response.context["cl"].result_list}
    response = as_admin.get(_url("audit.accessevent", "changelist"), {"q": "collega.thuis"})
    assert mine.pk in {e.pk for e in response.context["cl"].result_list}


# --- Granting roles -------------------------------------------------------------------------


def _user_form(user: User, roles: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "organisation": str(user.organisation_id or ""),
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "10:00:00",
        "role_assignments-TOTAL_FORMS": str(len(roles)),
        "role_assignments-INITIAL_FORMS": "0",
        "role_assignments-MIN_NUM_FORMS": "0",
        "role_assignments-MAX_NUM_FORMS": "1000",
    }
    for i, role in enumerate(roles):
        for key, value in role.items():
            data[f"role_assignments-{i}-{key}"] = value
        data[f"role_assignments-{i}-user"] = str(user.pk)
    data.update(fields)
    return data


def test_an_administrator_grants_roles_only_at_their_own_organisation(
    as_admin: Client, world: World
):
    url = _url("accounts.user", "change", world.colleague.pk)
    form = as_admin.get(url).context["adminform"].form
    inline = as_admin.get(url).context["inline_admin_formsets"][0].formset.empty_form
    assert {o.pk for o in inline.fields["organisation"].queryset} == {world.home.pk}
    assert {m.pk for m in inline.fields["municipalities"].queryset} == {HOME_CODE}
    assert set(form.fields["organisation"].queryset) == {world.home}
    assert not {"is_superuser", "is_staff", "groups", "user_permissions"} & set(form.fields)

    # A role at another organisation: refused by the form, nothing granted.
    elsewhere = _user_form(
        world.colleague,
        [{"role": Role.INTAKE_HANDLER, "organisation": str(world.other.pk)}],
    )
    assert as_admin.post(url, elsewhere).status_code == 200
    # Coalition work for a municipality outside theirs: refused too.
    far = _user_form(
        world.colleague,
        [
            {
                "role": Role.COALITION_EDITOR,
                "organisation": str(world.home.pk),
                "municipalities": [OTHER_CODE],
            }
        ],
    )
    assert as_admin.post(url, far).status_code == 200
    # Making someone operator is not a field they have: ignored.
    promote = _user_form(world.colleague, [], is_superuser="on", is_staff="on")
    assert as_admin.post(url, promote).status_code == 302
    world.colleague.refresh_from_db()
    assert not world.colleague.is_superuser
    assert not world.colleague.is_staff
    assert not world.colleague.role_assignments.exists()

    # At their own organisation: granted, and the grant is logged.
    at_home = _user_form(
        world.colleague,
        [{"role": Role.INTAKE_HANDLER, "organisation": str(world.home.pk)}],
    )
    assert as_admin.post(url, at_home).status_code == 302
    grant = world.colleague.role_assignments.get()
    assert (grant.role, grant.organisation) == (Role.INTAKE_HANDLER, world.home)
    event = AccessEvent.objects.get(
        event_type="accounts.role.grant", object_id=str(world.colleague.pk)
    )
    assert (event.user, event.role, event.organisation_id) == (
        world.admin,
        "administrator",
        world.home.pk,
    )


def test_an_administrator_cannot_change_their_own_roles(as_admin: Client, world: World):
    url = _url("accounts.user", "change", world.admin.pk)
    inline = as_admin.get(url).context["inline_admin_formsets"][0]
    assert not inline.has_add_permission
    assert not inline.has_change_permission
    assert not inline.has_delete_permission
    own = _user_form(
        world.admin, [{"role": Role.INTAKE_HANDLER, "organisation": str(world.home.pk)}]
    )
    as_admin.post(url, own)
    assert set(world.admin.role_assignments.values_list("role", flat=True)) == {Role.ADMINISTRATOR}


def test_a_new_user_is_created_in_the_administrators_organisation_only(
    as_admin: Client, world: World
):
    url = _url("accounts.user", "add")
    base = {
        "username": "nieuw.thuis",
        "password1": "een-lang-wachtwoord-1",
        "password2": "een-lang-wachtwoord-1",
        "usable_password": "true",
        "role_assignments-TOTAL_FORMS": "0",
        "role_assignments-INITIAL_FORMS": "0",
    }
    assert as_admin.post(url, base).status_code == 200  # no organisation: refused
    assert as_admin.post(url, {**base, "organisation": str(world.other.pk)}).status_code == 200
    assert not User.objects.filter(username="nieuw.thuis").exists()
    response = as_admin.post(url, {**base, "organisation": str(world.home.pk)})
    assert response.status_code == 302
    assert User.objects.get(username="nieuw.thuis").organisation == world.home


def test_an_administrator_edits_their_organisation_but_not_its_reach(
    as_admin: Client, world: World
):
    url = _url("accounts.organisation", "change", world.home.pk)
    form = as_admin.get(url).context["adminform"].form
    assert set(form.fields) == {"name", "email"}
    assert as_admin.get(_url("accounts.organisation", "add")).status_code == 403


def test_an_administrator_sees_no_authenticator_keys(as_admin: Client, world: World):
    device = TOTPDeviceFactory(user=world.colleague)
    page = as_admin.get(_url("otp_totp.totpdevice", "change", device.pk))
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    assert as_admin.get(_url("otp_totp.totpdevice", "add")).status_code == 403
    assert (
        as_admin.get(reverse("admin:otp_totp_totpdevice_config", args=[device.pk])).status_code
        == 403
    )
    # Removing a lost authenticator is theirs to do.
    delete = as_admin.post(_url("otp_totp.totpdevice", "delete", device.pk), {"post": "yes"})
    assert delete.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()


def test_a_directory_organisation_stays_linked_as_the_operator_set_it(
    as_admin: Client, world: World
):
    mine, _theirs = BUILDERS["directory.organization"](world)
    form = as_admin.get(_url("directory.organization", "change", mine.pk)).context["adminform"]
    assert "account_organisation" not in form.form.fields
    assert as_admin.get(_url("directory.organization", "add")).status_code == 403


def test_a_service_moved_out_of_scope_is_refused_and_rolled_back(as_admin: Client, world: World):
    """Saving an object that would leave the administrator's scope is refused as a whole."""
    service = ServiceFactory(name="Buurtdienst", municipalities=[HOME_CODE])
    area = service.service_areas.get()
    url = _url("directory.service", "change", service.pk)
    page = as_admin.get(url)
    data = {}
    for form in [page.context["adminform"].form] + [
        f for fs in page.context["inline_admin_formsets"] for f in fs.formset.forms
    ]:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = str(value.pk) if hasattr(value, "pk") else value
    for fs in page.context["inline_admin_formsets"]:
        management = fs.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management.initial.get(name, 0)
    prefix = next(
        fs.formset.prefix
        for fs in page.context["inline_admin_formsets"]
        if fs.formset.model.__name__ == "ServiceArea"
    )
    data[f"{prefix}-0-id"] = str(area.pk)
    data[f"{prefix}-0-service"] = str(service.pk)
    data[f"{prefix}-0-municipality"] = OTHER_CODE
    response = as_admin.post(url, data)
    assert response.status_code == 403, response.content[:500]
    area.refresh_from_db()
    assert area.municipality_id == HOME_CODE
    assert AccessEvent.objects.filter(
        user=world.admin, outcome="denied", event_type="admin.directory_service_change"
    ).exists()


def test_a_web_address_without_a_scheme_is_https_in_every_admin_form(
    as_admin: Client, world: World
):
    """Every admin of the site has ``ScopedAdminMixin``; its URL fields read "example.nl" as
    https://example.nl (Django 6's default, without its deprecation warning)."""
    mine, _theirs = BUILDERS["directory.organization"](world)
    page = as_admin.get(_url("directory.organization", "change", mine.pk))
    forms = [page.context["adminform"].form] + [
        f for fs in page.context["inline_admin_formsets"] for f in fs.formset.forms
    ]
    url_fields = [
        field
        for form in forms
        for field in form.fields.values()
        if isinstance(field, django_forms.URLField)
    ]
    assert url_fields
    assert {field.clean("example.nl") for field in url_fields} == {"https://example.nl"}
