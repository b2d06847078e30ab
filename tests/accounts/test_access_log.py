"""Accounts in the access log: role grants, changes and revocations wherever they happen,
operator and blocked accounts, failed log-ins, lock-outs and failed second factors."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from kansrijk.accounts.models import RoleAssignment
from kansrijk.accounts.roles import Role
from kansrijk.audit.models import AccessEvent
from kansrijk.audit.services import refusals_kept
from tests.factories import TEST_PASSWORD, OrganisationFactory, TOTPDeviceFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def _role_events(**filters):
    return list(
        AccessEvent.objects.filter(event_type__startswith="accounts.role.", **filters).order_by(
            "id"
        )
    )


def _as_request_of(user):
    request = RequestFactory().post("/beheer/", REMOTE_ADDR="192.0.2.7")
    request.user = user
    request.request_id = "req-grant-0001"
    return request


def test_a_grant_its_change_and_its_revocation_are_logged_with_the_actor():
    organisation = OrganisationFactory(name="JGZ Noord")
    other = OrganisationFactory(name="JGZ Zuid")
    admin = UserFactory(username="beheer.noord", organisation=organisation)
    RoleAssignment.objects.create(user=admin, role=Role.ADMINISTRATOR)
    grantee = UserFactory(username="m.bakker", organisation=organisation)
    before = AccessEvent.objects.count()

    with refusals_kept(_as_request_of(admin)):
        grant = RoleAssignment.objects.create(user=grantee, role=Role.INTAKE_HANDLER)
        grant.role = Role.PROFESSIONAL
        grant.save()
        grant.organisation = other
        grant.save()
        grant.delete()

    events = list(AccessEvent.objects.order_by("id")[before:])
    assert [(e.event_type, e.action) for e in events] == [
        ("accounts.role.grant", "create"),
        ("accounts.role.revoke", "delete"),
        ("accounts.role.grant", "create"),
        ("accounts.role.revoke", "delete"),
        ("accounts.role.grant", "create"),
        ("accounts.role.revoke", "delete"),
    ]
    first = events[0]
    assert (first.user, first.role, first.purpose) == (
        admin,
        "administrator",
        "accounts.administration",
    )
    assert (first.source_ip, first.request_id) == ("192.0.2.7", "req-grant-0001")
    assert (first.object_type, first.object_id) == ("accounts.user", str(grantee.pk))
    # Recorded for the organisation the role is held at (its administrators see it).
    assert first.organisation_id == organisation.pk
    assert first.details == f"role=intake_handler organisation={organisation.pk} user=m.bakker"
    moved = events[4]
    assert moved.organisation_id == other.pk
    assert moved.details == f"role=professional organisation={other.pk} user=m.bakker"


def test_a_change_of_a_roles_municipalities_is_logged(places):
    from kansrijk.places.models import Municipality

    user = UserFactory(roles=[])
    grant = RoleAssignment.objects.create(user=user, role=Role.COALITION_EDITOR)
    grant.municipalities.set(Municipality.objects.filter(code__in=["GM0090", "GM0599"]))
    grant.municipalities.remove("GM0599")
    changes = _role_events(event_type="accounts.role.municipalities")
    assert [e.details.split(" ")[-1] for e in changes] == [
        "added=GM0090,GM0599",
        "removed=GM0599",
    ]
    # Outside a request (a command, a loader) there is no actor: the event says so.
    assert changes[0].user is None
    assert changes[0].role == ""


def test_deleting_a_user_revokes_and_logs_their_roles():
    user = UserFactory(username="vertrekt", roles=[Role.ANALYST, Role.PROFESSIONAL])
    user_id = user.pk
    user.delete()
    revoked = _role_events(event_type="accounts.role.revoke")
    assert {e.details.split(" ")[0] for e in revoked} == {"role=analyst", "role=professional"}
    assert {e.object_id for e in revoked} == {str(user_id)}


def test_making_an_account_operator_or_blocking_it_is_logged():
    user = UserFactory(username="wordt.operator", roles=[])
    user.is_superuser = True
    user.save()
    user.is_active = False
    user.save()
    # Saving the last log-in time is no change of powers: nothing logged.
    user.save(update_fields=["last_login"])
    events = AccessEvent.objects.filter(object_id=str(user.pk)).order_by("id")
    assert [(e.event_type, e.details) for e in events] == [
        ("accounts.operator.grant", "user=wordt.operator is_superuser=True"),
        ("accounts.active.revoke", "user=wordt.operator is_active=False"),
    ]


def test_a_new_password_and_a_removed_authenticator_are_logged_with_the_actor():
    """Together they let an administrator sign in as a colleague (set the password, remove
    the authenticator, set up a new one at the colleague's next log-in): both are logged."""
    organisation = OrganisationFactory(name="JGZ Noord")
    admin = UserFactory(username="beheer.noord", organisation=organisation)
    RoleAssignment.objects.create(user=admin, role=Role.ADMINISTRATOR)
    colleague = UserFactory(username="m.bakker", organisation=organisation, roles=[])
    device = TOTPDeviceFactory(user=colleague)
    TOTPDeviceFactory(user=colleague, confirmed=False)  # an unfinished set-up: nobody's key
    before = AccessEvent.objects.count()

    with refusals_kept(_as_request_of(admin)):
        colleague.set_password("een-nieuw-wachtwoord-2026")
        colleague.save()
        colleague.totpdevice_set.all().delete()
    # A hash upgrade at log-in and other saves are no new password.
    colleague.save()
    colleague.save(update_fields=["last_login"])

    events = list(AccessEvent.objects.order_by("id")[before:])
    assert [(e.event_type, e.action, e.details) for e in events] == [
        ("accounts.password.set", "update", "user=m.bakker"),
        ("accounts.second_factor.remove", "delete", f"user=m.bakker device={device.pk}"),
    ]
    for event in events:
        assert (event.user, event.role, event.purpose) == (
            admin,
            "administrator",
            "accounts.administration",
        )
        assert (event.object_type, event.object_id) == ("accounts.user", str(colleague.pk))
        assert event.organisation_id == organisation.pk


def test_a_failed_log_in_is_logged_for_the_account_it_named(client):
    user = UserFactory(username="j.jansen", roles=[Role.ANALYST])
    client.post(LOGIN, {"username": "j.jansen", "password": "fout"}, REMOTE_ADDR="198.51.100.4")
    client.post(LOGIN, {"username": "bestaat-niet", "password": "fout"})
    failures = list(
        AccessEvent.objects.filter(event_type="accounts.login", outcome="failure").order_by("id")
    )
    assert len(failures) == 2
    named, unknown = failures
    assert (named.user, named.organisation_id, named.source_ip) == (
        user,
        user.organisation_id,
        "198.51.100.4",
    )
    assert named.purpose == "accounts.authentication"
    # A name that is no account is not stored (it may be a password typed in the wrong box).
    assert (unknown.user, unknown.user_display) == (None, "")
    assert "bestaat-niet" not in {unknown.details, unknown.object_id}


def test_a_lock_out_is_logged(client, settings):
    user = UserFactory(username="te.vaak", roles=[Role.ANALYST])
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "te.vaak", "password": "fout"})
    locked = client.post(LOGIN, {"username": "te.vaak", "password": TEST_PASSWORD})
    assert locked.status_code == 429
    lockouts = AccessEvent.objects.filter(event_type="accounts.lockout")
    assert lockouts.exists()
    assert {(e.user, e.outcome) for e in lockouts} == {(user, "denied")}


def test_a_wrong_code_when_setting_up_the_second_factor_is_logged(client):
    user = UserFactory(roles=[Role.PROFESSIONAL])
    client.post(LOGIN, {"username": user.username, "password": TEST_PASSWORD})
    response = client.post(reverse("accounts:setup"), {"token": "000000"})
    assert response.status_code == 200
    failure = AccessEvent.objects.get(event_type="accounts.second_factor.setup")
    assert (failure.user, failure.outcome) == (user, "failure")


def test_a_wrong_second_factor_is_logged(client):
    user = UserFactory(roles=[Role.PROFESSIONAL])
    TOTPDeviceFactory(user=user)
    client.post(LOGIN, {"username": user.username, "password": TEST_PASSWORD})
    client.post(reverse("accounts:verify"), {"token": "000000"})
    failure = AccessEvent.objects.get(event_type="accounts.second_factor", outcome="failure")
    assert (failure.user, failure.purpose) == (user, "accounts.authentication")
