"""``core.models``: the abstract bases and naming the apps' models share."""

from __future__ import annotations

import uuid

from django.db import models

from kansrijk.core.models import UUIDModel, with_demo_mark
from kansrijk.directory.models import Service
from kansrijk.referrals.models import Referral


def test_a_uuid_model_gets_a_random_uuid_key_before_it_is_saved() -> None:
    assert UUIDModel._meta.abstract
    for model in (Service, Referral):
        pk = model._meta.pk
        assert isinstance(pk, models.UUIDField)
        assert pk.name == "id"
        assert not pk.editable
        # Still the first field: the base's field is made before the model's own.
        assert model._meta.concrete_fields[0] is pk
    first, second = Service(), Service()
    assert isinstance(first.pk, uuid.UUID)
    assert first.pk != second.pk


def test_example_data_is_marked_in_its_name() -> None:
    assert with_demo_mark("GGD Fryslân", True) == "GGD Fryslân (demo)"
    assert with_demo_mark("GGD Fryslân", False) == "GGD Fryslân"
