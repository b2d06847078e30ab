"""``core.fields``: the shared field declarations are the fields they stand for, written out."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from kansrijk.core.fields import acting_user, optional_link
from kansrijk.referrals.models import Consent


def _deconstructed(field: models.Field[object, object]) -> tuple[object, ...]:
    _name, path, args, kwargs = field.deconstruct()
    return path, args, kwargs


def test_an_optional_link_may_be_empty_and_has_no_way_back_unless_named() -> None:
    field = optional_link("accounts.Organisation", models.SET_NULL, "organisation")
    assert _deconstructed(field) == _deconstructed(
        models.ForeignKey(
            "accounts.Organisation",
            models.SET_NULL,
            null=True,
            blank=True,
            related_name="+",
            verbose_name="organisation",
        )
    )
    named = optional_link(
        "directory.Service", models.CASCADE, "service", related_name="phones", help_text="Its."
    )
    assert _deconstructed(named) == _deconstructed(
        models.ForeignKey(
            "directory.Service",
            models.CASCADE,
            null=True,
            blank=True,
            related_name="phones",
            verbose_name="service",
            help_text="Its.",
        )
    )


def test_the_acting_user_is_emptied_when_the_account_goes() -> None:
    assert _deconstructed(acting_user("created by")) == _deconstructed(
        models.ForeignKey(
            settings.AUTH_USER_MODEL,
            models.SET_NULL,
            null=True,
            blank=True,
            related_name="+",
            verbose_name="created by",
        )
    )
    # As declared on a model: the user's model, and no reverse accessor on it.
    field = Consent._meta.get_field("recorded_by")
    assert field.related_model is not None
    assert field.related_model._meta.label == settings.AUTH_USER_MODEL
    assert field.remote_field.on_delete is models.SET_NULL
    assert field.null
    assert field.blank
