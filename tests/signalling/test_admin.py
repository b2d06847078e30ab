"""The admin of the rules: drafts are edited and published there; published versions are
read-only; "copy as a new draft" starts the next version."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kansrijk.accounts.roles import Role
from kansrijk.core.choices import VersionStatus
from kansrijk.signalling.models import DecisionTree, GradingRuleSet
from kansrijk.signalling.selectors import current_rule_set
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user_client(client, login_verified):
    user = UserFactory(is_staff=True, is_superuser=True, roles=[Role.ADMINISTRATOR])
    return login_verified(client, user)


def test_published_rules_are_read_only_in_the_admin(admin_user_client, default_rules):
    rule_set = GradingRuleSet.objects.get(version=1)
    url = reverse("admin:signalling_gradingruleset_change", args=[rule_set.pk])
    response = admin_user_client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'name="description"' not in text  # shown, not editable
    assert "Geldzorgen" in text or "geldzorgen" in text
    response = admin_user_client.post(url, {"description": "anders"})
    assert response.status_code == 403
    assert (
        admin_user_client.get(reverse("admin:signalling_gradingruleset_changelist")).status_code
        == 200
    )


def test_copy_edit_and_publish_through_the_admin(admin_user_client, default_rules):
    changelist = reverse("admin:signalling_gradingruleset_changelist")
    rule_set = GradingRuleSet.objects.get(version=1)
    admin_user_client.post(
        changelist, {"action": "copy_as_draft", "_selected_action": [rule_set.pk]}, follow=True
    )
    draft = GradingRuleSet.objects.get(version=2)
    assert draft.status == VersionStatus.DRAFT
    # The draft can be opened for editing.
    response = admin_user_client.get(
        reverse("admin:signalling_gradingruleset_change", args=[draft.pk])
    )
    assert 'name="description"' in response.content.decode()
    admin_user_client.post(
        changelist, {"action": "publish", "_selected_action": [draft.pk]}, follow=True
    )
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    assert current_rule_set().version == 2


def test_deleting_a_published_version_is_refused(admin_user_client, default_rules):
    rule_set = GradingRuleSet.objects.get(version=1)
    url = reverse("admin:signalling_gradingruleset_delete", args=[rule_set.pk])
    assert admin_user_client.get(url).status_code == 403
    changelist = reverse("admin:signalling_gradingruleset_changelist")
    admin_user_client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [rule_set.pk], "post": "yes"},
    )
    assert GradingRuleSet.objects.filter(pk=rule_set.pk).exists()


def test_the_guide_in_the_admin(admin_user_client, default_guide):
    tree = DecisionTree.objects.get()
    response = admin_user_client.get(
        reverse("admin:signalling_decisiontree_change", args=[tree.pk])
    )
    assert response.status_code == 200
    node = tree.nodes.get(code="kinderwens")
    response = admin_user_client.get(
        reverse("admin:signalling_decisionnode_change", args=[node.pk])
    )
    assert response.status_code == 200
    assert "Wil je het komende jaar zwanger worden?" in response.content.decode()
