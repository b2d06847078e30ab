"""The admin pages of coalitions and pathways load; published pathways cannot be deleted there,
and published versions (with their steps) are read-only."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from kansrijk.accounts.roles import Role
from kansrijk.pathways.admin import StepInline
from kansrijk.pathways.models import PathwayVersion
from tests.factories import UserFactory
from tests.pathways.conftest import make_pathway

pytestmark = pytest.mark.django_db


def test_admin_pages(client, login_verified, smallingerland):
    published = make_pathway(smallingerland)
    draft_only = make_pathway(smallingerland, situation="roken", publish=False)
    admin = UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True)
    login_verified(client, admin)
    for name in ("coalitions_coalition", "pathways_pathway", "pathways_pathwayversion"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    assert (
        client.get(
            reverse("admin:coalitions_coalition_change", args=[smallingerland.pk])
        ).status_code
        == 200
    )
    assert (
        client.get(reverse("admin:pathways_pathway_change", args=[published.pk])).status_code == 200
    )
    assert (
        client.get(reverse("admin:pathways_pathway_delete", args=[published.pk])).status_code == 403
    )
    assert (
        client.get(reverse("admin:pathways_pathway_delete", args=[draft_only.pk])).status_code
        == 200
    )
    version = published.current_version
    response = client.get(reverse("admin:pathways_pathwayversion_change", args=[version.pk]))
    assert response.status_code == 200


def test_a_published_version_and_its_steps_are_read_only(smallingerland):
    published = make_pathway(smallingerland).versions.get()
    draft = make_pathway(smallingerland, situation="roken", publish=False).versions.get()
    request = RequestFactory().get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    versions = admin.site._registry[PathwayVersion]
    steps = StepInline(PathwayVersion, admin.site)
    for version, editable in ((published, False), (draft, True), (None, True)):
        assert versions.has_change_permission(request, version) is editable
        assert versions.has_delete_permission(request, version) is editable
        assert steps.has_add_permission(request, version) is editable
        assert steps.has_change_permission(request, version) is editable
        assert steps.has_delete_permission(request, version) is editable
