"""The signed-in user, their roles and second factor as a process keeps them
(``kansrijk.accounts.signed_in``): read once, not on every request, and a change made anywhere
is seen within ``freshness.TOKEN_SECONDS`` (at once by the process that made it)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kansrijk.accounts import signed_in
from kansrijk.accounts.models import RoleAssignment, User
from kansrijk.accounts.roles import Role
from kansrijk.core import freshness
from tests.factories import TOTPDeviceFactory, UserFactory

pytestmark = pytest.mark.django_db

INBOX = reverse("referrals:inbox")
#: What a query reads from (the inbox's own query joins organisations for their names).
ACCOUNT_TABLES = ('FROM "accounts_user"', 'FROM "accounts_roleassignment"', 'FROM "otp_')


def _intake(client, login_verified) -> User:
    user = UserFactory(roles=[Role.INTAKE_HANDLER])
    login_verified(client, user)
    return user


def _account_queries(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if any(table in q["sql"] for table in ACCOUNT_TABLES)
    ]


def test_a_signed_in_request_reads_no_account_rows_the_process_keeps(
    client, login_verified
) -> None:
    _intake(client, login_verified)
    with CaptureQueriesContext(connection) as first:
        assert client.get(INBOX).status_code == 200
    # The user with their organisation, the device, the role assignments.
    assert len(_account_queries(first)) == 3, _account_queries(first)
    with CaptureQueriesContext(connection) as second:
        assert client.get(INBOX).status_code == 200
    assert _account_queries(second) == []
    assert len(second.captured_queries) <= len(first.captured_queries) - 3


def test_deactivating_a_user_ends_their_session_at_once_in_this_process(
    client, login_verified
) -> None:
    user = _intake(client, login_verified)
    assert client.get(INBOX).status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = client.get(INBOX)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_another_process_s_change_of_a_user_shows_within_the_token_time(
    client,
    login_verified,
    monkeypatch: pytest.MonkeyPatch,
    written_elsewhere: Callable[[str], None],
) -> None:
    user = _intake(client, login_verified)
    monkeypatch.setattr(freshness, "TOKEN_SECONDS", 3600.0)
    assert client.get(INBOX).status_code == 200
    # Another process deactivates the account: a row written without this process's signals,
    # and its version number raised.
    User.objects.filter(pk=user.pk).update(is_active=False)
    written_elsewhere("accounts")
    assert client.get(INBOX).status_code == 200  # the numbers read last still hold
    monkeypatch.setattr(freshness, "TOKEN_SECONDS", 0.0)  # ... until they are read again
    response = client.get(INBOX)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_a_role_taken_away_is_refused_at_once(client, login_verified) -> None:
    user = _intake(client, login_verified)
    assert client.get(INBOX).status_code == 200
    RoleAssignment.objects.filter(user=user).delete()
    assert client.get(INBOX).status_code == 403


def test_a_removed_second_factor_is_asked_for_again(client, login_verified) -> None:
    user = _intake(client, login_verified)
    assert client.get(INBOX).status_code == 200
    user.totpdevice_set.all().delete()
    response = client.get(INBOX)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:setup")) or response.url.startswith(
        reverse("accounts:verify")
    )


def test_each_request_gets_its_own_copy(db: None) -> None:
    user = UserFactory(roles=[Role.PROFESSIONAL])
    device = TOTPDeviceFactory(user=user)
    first = signed_in.user(user.pk)
    first.first_name = "Veranderd"
    first.organisation.name = "Veranderd"
    first.otp_device = device
    again = signed_in.user(str(user.pk))  # as a session holds it
    assert again is not first
    assert again.first_name == user.first_name
    assert again.organisation.name == user.organisation.name
    assert not hasattr(again, "otp_device")
    assert again.role_codes == {Role.PROFESSIONAL}
    kept_device = signed_in.device(device.persistent_id)
    assert kept_device == device
    assert kept_device is not signed_in.device(device.persistent_id)


def test_unknown_ids_are_nobody(db: None) -> None:
    assert signed_in.user(987654) is None
    assert signed_in.user("not a number") is None
    assert signed_in.device("otp_totp.totpdevice/987654") is None
    assert len(signed_in.USERS) == 0
