"""On PostgreSQL the database itself refuses UPDATE and DELETE on the access log; only the
retention purge may delete. (SQLite has no such trigger: the code alone keeps the rule.)"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction

from kansrijk.audit.models import AccessEvent
from kansrijk.audit.services import purge_expired
from tests.audit.helpers import at, make_event

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the append-only trigger exists only on PostgreSQL (set DATABASE_URL to run)",
    ),
]

TABLE = AccessEvent._meta.db_table


def _refused(action) -> str:
    """Run ``action`` in a savepoint; return the database's error message."""
    with pytest.raises(DatabaseError) as excinfo, transaction.atomic():
        action()
    return str(excinfo.value)


def _snapshot(event: AccessEvent) -> dict:
    return AccessEvent.objects.values().get(pk=event.pk)


@pytest.fixture
def event() -> AccessEvent:
    return make_event(object_type="referral", object_id="1", client_ref="C-1")


def _orm_save(event: AccessEvent) -> None:
    event.client_ref = "C-2"
    event.save()


def _raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(_orm_save, id="orm-save"),
        pytest.param(
            lambda e: AccessEvent.objects.filter(pk=e.pk).update(client_ref="C-2"),
            id="orm-update",
        ),
        pytest.param(
            lambda e: _raw(f"UPDATE {TABLE} SET client_ref = %s WHERE id = %s", ["C-2", e.pk]),  # noqa: S608
            id="raw-update",
        ),
    ],
)
def test_update_is_refused_and_the_row_is_unchanged(event, change):
    before = _snapshot(event)
    message = _refused(lambda: change(event))
    assert "append-only: UPDATE refused" in message
    assert _snapshot(event) == before


@pytest.mark.parametrize(
    "remove",
    [
        pytest.param(lambda e: e.delete(), id="orm-delete"),
        pytest.param(lambda e: AccessEvent.objects.all().delete(), id="orm-queryset-delete"),
        pytest.param(
            lambda e: _raw(f"DELETE FROM {TABLE} WHERE id = %s", [e.pk]),  # noqa: S608
            id="raw-delete",
        ),
    ],
)
def test_delete_is_refused_and_the_row_stays(event, remove):
    before = _snapshot(event)
    message = _refused(lambda: remove(event))
    assert "append-only: DELETE refused" in message
    assert _snapshot(event) == before


def test_the_purge_still_deletes_and_closes_the_door_behind_it():
    now = datetime.datetime(2031, 6, 15, tzinfo=datetime.UTC)
    old = make_event(occurred_at=at(2020, 3, 1))
    kept = make_event(occurred_at=at(2030, 3, 1))
    with time_machine.travel(now, tick=False):
        assert purge_expired() == 1
    purge = AccessEvent.objects.get(event_type="audit.purge")
    assert set(AccessEvent.objects.values_list("pk", flat=True)) == {kept.pk, purge.pk}
    assert not AccessEvent.objects.filter(pk=old.pk).exists()
    # The record of the purge is as append-only as the rest.
    assert "DELETE refused" in _refused(lambda: purge.delete())
    assert "UPDATE refused" in _refused(
        lambda: AccessEvent.objects.filter(pk=purge.pk).update(details="removed=0")
    )
    assert AccessEvent.objects.get(pk=purge.pk).details.startswith("removed=1 ")

    # Still inside the same (test) transaction: the purge setting is off again.
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('kansrijk.audit_purge', true)")
        assert cursor.fetchone()[0] == "off"
    message = _refused(lambda: kept.delete())
    assert "DELETE refused" in message
    assert AccessEvent.objects.filter(pk=kept.pk).exists()


def test_setting_the_purge_flag_does_not_allow_updates(event):
    before = _snapshot(event)

    def update_with_flag() -> None:
        _raw("SELECT set_config('kansrijk.audit_purge', 'on', true)", [])
        AccessEvent.objects.filter(pk=event.pk).update(client_ref="C-2")

    assert "UPDATE refused" in _refused(update_with_flag)
    assert _snapshot(event) == before
