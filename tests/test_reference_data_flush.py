"""A flush leaves the reference data's tables alone only while their rows are as loaded
(``tests/conftest.py``, ``_ReferenceData``): a transactional test that changes them in any way
(a save, an update that sends no signal, SQL by hand) leaves the next test the data as loaded.

The tests run in this order on one worker; each checks what the one before it left (they do not
ask for ``places``, which would load the data again if a flush had left the tables empty)."""

from __future__ import annotations

import pytest
from django.db import connection

from kansrijk.places.models import Municipality, PostcodeArea

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("reference-flush")]


def _as_loaded() -> None:
    assert Municipality.objects.count() == 342
    assert Municipality.objects.get(code="GM0090").name == "Smallingerland"
    assert PostcodeArea.objects.filter(code="9203").exists()


def test_1_an_update_without_a_signal(places: None) -> None:
    _as_loaded()
    Municipality.objects.filter(code="GM0090").update(name="Drachten e.o.")


def test_2_a_row_removed_by_hand() -> None:
    _as_loaded()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM places_postcodearea WHERE code = %s", ["9203"])


def test_3_nothing_changed() -> None:
    _as_loaded()


def test_4_still_as_loaded() -> None:
    _as_loaded()
