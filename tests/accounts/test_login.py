"""Log-in, the second factor, lock-out and the idle session timeout."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kansrijk.accounts.roles import Role
from kansrijk.accounts.twofactor import new_recovery_codes
from kansrijk.audit.models import AccessEvent
from tests.factories import TEST_PASSWORD, TOTPDeviceFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:verify")
SETUP = reverse("accounts:setup")
START = reverse("core:start")


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def post_login(client, username: str, password: str = TEST_PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_login_page_renders_in_dutch(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="nl"' in content
    assert "Inloggen" in content
    assert 'for="id_username"' in content


def test_wrong_password_shows_a_dutch_error_and_does_not_log_in(client):
    user = UserFactory(roles=[Role.COALITION_EDITOR])
    response = post_login(client, user.username, "verkeerd-wachtwoord")
    assert response.status_code == 200
    assert "Voer een juiste gebruikersnaam en wachtwoord in" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_empty_login_form_is_refused_with_field_errors(client):
    response = client.post(LOGIN, {"username": "", "password": ""})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"username", "password"}
    assert "_auth_user_id" not in client.session


def test_role_without_client_data_logs_in_with_password_only(client):
    user = UserFactory(roles=[Role.ANALYST])
    response = post_login(client, user.username)
    assert response.status_code == 302
    assert client.get(START).status_code == 200


def test_client_data_role_without_device_is_sent_to_setup(client):
    user = UserFactory(roles=[Role.PROFESSIONAL])
    response = post_login(client, user.username)
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)
    # Every other page sends the user back to the second factor until it is passed.
    blocked = client.get(START)
    assert blocked.status_code == 302
    assert blocked["Location"].startswith(VERIFY)


def test_setup_confirms_the_authenticator_and_shows_recovery_codes_once(client):
    user = UserFactory(roles=[Role.INTAKE_HANDLER])
    post_login(client, user.username)
    page = client.get(SETUP)
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    wrong = client.post(SETUP, {"token": "12345"})
    assert "zes cijfers" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    response = client.post(SETUP, {"token": current_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    codes_page = client.get(response["Location"])
    codes = codes_page.context["codes"]
    assert len(codes) == 10
    assert StaticToken.objects.filter(device__user=user).count() == 10
    assert client.get(reverse("accounts:recovery_codes")).context["codes"] is None
    assert client.get(START).status_code == 200


def test_user_with_device_must_pass_verify(client):
    user = UserFactory(roles=[Role.PROFESSIONAL])
    device = TOTPDeviceFactory(user=user)
    response = post_login(client, user.username)
    assert response["Location"].startswith(VERIFY)

    bad = client.post(VERIFY, {"token": "000000"})
    assert bad.status_code == 200
    assert "niet juist" in bad.content.decode()
    assert client.get(START).status_code == 302

    # After a failed code the device throttles for a moment (1 s, then doubling).
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=2)):
        good = client.post(VERIFY, {"token": current_code(device), "next": START})
    assert good.status_code == 302
    assert good["Location"] == START
    assert client.get(START).status_code == 200
    events = AccessEvent.objects.filter(user=user, event_type="accounts.second_factor")
    assert {e.outcome for e in events} == {"success", "failure"}


def test_recovery_code_works_once(client):
    user = UserFactory(roles=[Role.PROFESSIONAL])
    TOTPDeviceFactory(user=user)
    codes = new_recovery_codes(user=user)
    post_login(client, user.username)
    assert client.post(VERIFY, {"token": codes[0]}).status_code == 302
    client.post(reverse("accounts:logout"))

    post_login(client, user.username)
    again = client.post(VERIFY, {"token": codes[0]})
    assert again.status_code == 200
    assert StaticToken.objects.filter(device__user=user).count() == 9


def test_verify_does_not_redirect_to_another_site(client):
    user = UserFactory(roles=[Role.PROFESSIONAL])
    device = TOTPDeviceFactory(user=user)
    post_login(client, user.username)
    response = client.post(VERIFY, {"token": current_code(device), "next": "https://evil.example/"})
    assert response["Location"] == START


def test_api_refuses_unverified_user_with_problem_json(client):
    user = UserFactory(roles=[Role.PROFESSIONAL])
    TOTPDeviceFactory(user=user)
    post_login(client, user.username)
    response = client.get("/api/v1/places/municipalities")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def test_lockout_after_ten_failures_for_user_and_ip_for_one_hour(client):
    user = UserFactory(roles=[Role.ANALYST])
    for _ in range(10):
        post_login(client, user.username, "fout-wachtwoord", REMOTE_ADDR="10.0.0.1")
    locked = post_login(client, user.username, REMOTE_ADDR="10.0.0.1")
    assert locked.status_code == 429
    assert "geblokkeerd" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.filter(username=user.username).exists()

    # Another address is not locked out for the same user.
    other = post_login(client, user.username, REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 302
    client.post(reverse("accounts:logout"))

    # After an hour the pair may try again.
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1, minutes=1)):
        again = post_login(client, user.username, REMOTE_ADDR="10.0.0.1")
        assert again.status_code == 302


def test_session_ends_after_thirty_minutes_idle(client):
    user = UserFactory(roles=[Role.ANALYST])
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        post_login(client, user.username)
        assert client.get(START).context["user"].is_authenticated
        traveller.shift(datetime.timedelta(minutes=29))
        assert client.get(START).context["user"].is_authenticated  # activity renews the session
        traveller.shift(datetime.timedelta(minutes=31))
        assert not client.get(START).context["user"].is_authenticated


def test_activity_moves_the_expiry_at_most_once_a_minute(client):
    """No session write on every request (SESSION_SAVE_EVERY_REQUEST is off): the sliding
    middleware moves the expiry once a minute, which keeps the idle timeout."""
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = UserFactory(roles=[Role.ANALYST])
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        post_login(client, user.username)
        key = client.session.session_key
        expiry = Session.objects.get(session_key=key).expire_date
        traveller.shift(datetime.timedelta(seconds=30))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(START).status_code == 200
        assert not any("django_session" in q["sql"] and "UPDATE" in q["sql"] for q in queries)
        assert Session.objects.get(session_key=key).expire_date == expiry
        traveller.shift(datetime.timedelta(seconds=31))
        client.get(START)
        moved = Session.objects.get(session_key=key).expire_date
        assert moved == expiry + datetime.timedelta(seconds=61)
        # Anonymous visitors get no session from it.
        client.logout()
        client.cookies.clear()
        before = Session.objects.count()
        client.get(reverse("accounts:login"))
        assert Session.objects.count() == before


def test_logout_needs_post_and_ends_the_session(client):
    user = UserFactory(roles=[Role.ANALYST])
    post_login(client, user.username)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert AccessEvent.objects.filter(user=user, action="logout").count() == 1


def test_a_signed_in_page_reads_the_user_with_their_organisation_in_one_query(client):
    """The header names the user's organisation on every signed-in page: it comes with the
    user (``AccountBackend.get_user``), not in a query of its own; an inactive user's session
    still ends."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import OrganisationFactory

    organisation = OrganisationFactory(name="Verloskundigenpraktijk De Wieg")
    user = UserFactory(roles=[Role.COALITION_EDITOR], organisation=organisation)
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(START)
    assert "Verloskundigenpraktijk De Wieg" in response.content.decode()
    organisation_table = organisation._meta.db_table
    alone = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().startswith("SELECT") and f'FROM "{organisation_table}"' in q["sql"]
    ]
    assert alone == []
    user.is_active = False
    user.save()
    assert client.get(START).wsgi_request.user.is_anonymous
