"""The access log in the admin: read-only for everyone, and no full-table counts."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kansrijk.audit.admin import AccessEventAdmin, CappedCountPaginator
from kansrijk.audit.models import AccessEvent
from tests.audit.helpers import make_event
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:audit_accessevent_changelist"


@pytest.fixture
def superuser():
    return UserFactory(username="super", is_staff=True, is_superuser=True)


@pytest.fixture
def super_client(client, superuser, login_verified):
    return login_verified(client, superuser)


def test_registered_read_only_even_for_superusers(superuser):
    model_admin = admin.site._registry[AccessEvent]
    assert isinstance(model_admin, AccessEventAdmin)
    request = RequestFactory().get("/")
    request.user = superuser
    event = make_event()
    assert model_admin.has_view_permission(request, event)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
    assert model_admin.get_actions(request) == {}
    assert model_admin.show_full_result_count is False
    assert model_admin.date_hierarchy == "occurred_at"


def test_changelist_lists_events_without_counting_the_whole_table(super_client):
    for i in range(3):
        make_event(object_type="referral", object_id=str(i), user_display="alice")
    with CaptureQueriesContext(connection) as captured:
        response = super_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 3
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts, "the paginator counts (capped)"
    assert all("LIMIT" in sql.upper() for sql in counts), counts
    # Looking at the log in the admin is recorded too.
    assert AccessEvent.objects.filter(event_type="audit.admin_list").count() == 1


@pytest.mark.parametrize(
    "params",
    [
        {"q": "alice"},
        {"action__exact": "read"},
        {"outcome__exact": "success"},
        {"occurred_at__gte": "2020-01-01 00:00:00+01:00"},
    ],
)
def test_changelist_filters_and_search(super_client, params):
    event = make_event(user_display="alice", client_ref="C-1")
    make_event(user_display="bob", action="create", outcome="denied")
    response = super_client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert event in shown


def test_change_view_is_read_only_and_add_delete_are_refused(super_client):
    event = make_event(user_id=123_456, user_display="vertrokken")
    change = reverse("admin:audit_accessevent_change", args=[event.pk])
    response = super_client.get(change)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="_save"' not in content
    assert "123456" in content  # the user's id, though the user no longer exists

    assert super_client.get(reverse("admin:audit_accessevent_add")).status_code == 403
    delete = reverse("admin:audit_accessevent_delete", args=[event.pk])
    assert super_client.post(delete, {"post": "yes"}).status_code == 403
    assert super_client.post(change, {"event_type": "x"}).status_code == 403
    event.refresh_from_db()
    assert event.event_type == "referral.view"


def test_capped_paginator_counts_at_most_the_cap():
    for _ in range(5):
        make_event()
    paginator = CappedCountPaginator(AccessEvent.objects.order_by("-id"), 2)
    paginator.cap = 3
    assert paginator.count == 3
    assert paginator.num_pages == 2
