"""The copy that gives browser tests the demo back (``tests/snapshot.py``) restores exactly the
rows that were built, on both databases, and leaves the database writable after it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from kansrijk.accounts.demo import load as load_demo_accounts
from kansrijk.accounts.models import Organisation, User
from kansrijk.audit.models import AccessEvent
from kansrijk.audit.services import record_event
from tests.snapshot import restored

pytestmark = pytest.mark.django_db(transaction=True)


def _state() -> dict[str, Any]:
    return {
        "users": sorted(User.objects.values_list("id", "username", "password", "organisation_id")),
        "organisations": sorted(Organisation.objects.values_list("id", "name")),
        "events": sorted(AccessEvent.objects.values_list("id", "event_type", "occurred_at")),
    }


def _build() -> None:
    load_demo_accounts()
    record_event(event_type="test.snapshot", action="read", details="built")


def _must_not_run() -> None:
    raise AssertionError("a copy exists: the rows are put back, not built again")


def test_the_copy_puts_back_exactly_what_was_built(places: None) -> None:
    restored("snapshot-test", _build)
    built = _state()
    assert built["users"]
    assert built["events"]

    # What a test does after it: other rows, then the flush that ends every transactional test.
    User.objects.filter(username__startswith="verloskundige").delete()
    record_event(event_type="test.snapshot", action="read", details="after")
    call_command("flush", interactive=False, verbosity=0)
    assert not User.objects.exists()

    restored("snapshot-test", _must_not_run)
    assert _state() == built

    # The sequences are past the restored ids: new rows can be written.
    organisation = Organisation.objects.create(name="Na de kopie", kind="social")
    assert organisation.pk > max(pk for pk, _name in built["organisations"])
    record_event(event_type="test.snapshot", action="read", details="new")
    assert AccessEvent.objects.count() == len(built["events"]) + 1
