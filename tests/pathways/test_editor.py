"""Editor pages: only the own coalition's pathways; create, edit the draft, publish, review,
compare, the import template."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kansrijk.accounts.roles import Role
from kansrijk.audit.models import AccessEvent, Outcome
from kansrijk.core.choices import VersionStatus
from kansrijk.pathways import services
from kansrijk.pathways.models import Pathway, PathwayVersion, StepKind
from tests.factories import UserFactory
from tests.pathways.conftest import make_pathway, step

pytestmark = pytest.mark.django_db


def formset_data(
    steps: list[dict[str, Any]], *, title: str = "Geldzorgen", extra: int = 0
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version-title": title,
        "version-introduction": "Voor gezinnen met geldzorgen.",
        "version-change_note": "",
        "steps-TOTAL_FORMS": str(len(steps) + extra),
        "steps-INITIAL_FORMS": str(sum(1 for s in steps if s.get("key"))),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for index, item in enumerate(steps):
        for name, value in item.items():
            data[f"steps-{index}-{name}"] = value
    for index in range(len(steps), len(steps) + extra):
        data[f"steps-{index}-kind"] = ""
    return data


@pytest.fixture
def own(smallingerland, service):
    return make_pathway(
        smallingerland,
        steps=[step(StepKind.DISCUSS, "Bespreek"), step(StepKind.REFER, "Verwijs", service)],
    )


EDIT_ENDPOINTS = [
    ("GET", "pathways:manage-pathway"),
    ("GET", "pathways:settings"),
    ("POST", "pathways:settings"),
    ("GET", "pathways:draft"),
    ("POST", "pathways:draft"),
    ("POST", "pathways:start-draft"),
    ("POST", "pathways:discard-draft"),
    ("POST", "pathways:publish"),
    ("POST", "pathways:review"),
    ("GET", "pathways:compare"),
]


@pytest.mark.parametrize(("method", "name"), EDIT_ENDPOINTS)
def test_another_coalitions_editor_gets_403_everywhere(
    client, login_verified, own, editor_smallingerland, editor_rotterdam, method, name
):
    # A draft and a second version exist, so every endpoint has something to act on.
    draft = services.start_draft(user=editor_smallingerland, pathway=own)
    before = (
        Pathway.objects.get(pk=own.pk).last_reviewed_on,
        list(PathwayVersion.objects.values_list("pk", "status", "title")),
    )
    login_verified(client, editor_rotterdam)
    url = reverse(name, args=[own.pk])
    data = formset_data([{"kind": StepKind.DISCUSS, "title": "Gekaapt"}], title="Gekaapt")
    data.update({"scope": "municipal", "phases": ["pregnancy"], "municipalities": ["GM0599"]})
    response = client.post(url, data) if method == "POST" else client.get(url)
    assert response.status_code == 403
    after = (
        Pathway.objects.get(pk=own.pk).last_reviewed_on,
        list(PathwayVersion.objects.values_list("pk", "status", "title")),
    )
    assert after == before
    assert PathwayVersion.objects.filter(pk=draft.pk, status=VersionStatus.DRAFT).exists()
    assert AccessEvent.objects.filter(outcome=Outcome.DENIED, object_id=str(own.pk)).exists()


def test_the_services_refuse_another_coalitions_editor(own, editor_rotterdam):
    from kansrijk.pathways.exceptions import EditNotAllowed

    with pytest.raises(EditNotAllowed):
        services.start_draft(user=editor_rotterdam, pathway=own)
    with pytest.raises(EditNotAllowed):
        services.mark_reviewed(user=editor_rotterdam, pathway=own)
    with pytest.raises(EditNotAllowed):
        services.create_pathway(
            user=editor_rotterdam,
            coalition=own.coalition,
            situation=own.situation,
            scope="municipal",
            municipalities=[],
            phases=["postnatal"],
            title="X",
        )


def test_who_reaches_the_editor_pages(client, login_verified, own, editor_smallingerland):
    url = reverse("pathways:manage")
    response = client.get(url)
    assert response.status_code == 302
    assert "/account/" in response.url
    professional = UserFactory(roles=[Role.PROFESSIONAL])
    login_verified(client, professional)
    assert client.get(url).status_code == 403
    assert client.get(reverse("pathways:manage-pathway", args=[own.pk])).status_code == 403
    assert client.get(reverse("pathways:template")).status_code == 403
    # An administrator edits the pathways of their own municipalities only (issue 12, point 3).
    elsewhere = UserFactory(roles=[Role.ADMINISTRATOR])
    login_verified(client, elsewhere)
    assert client.get(reverse("pathways:manage-pathway", args=[own.pk])).status_code == 403
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    admin.organisation.municipalities.set(own.coalition.municipalities.all())
    login_verified(client, admin)
    assert client.get(reverse("pathways:manage-pathway", args=[own.pk])).status_code == 200
    login_verified(client, editor_smallingerland)
    response = client.get(url)
    assert response.status_code == 200
    assert own.current_version.title in response.text


def test_stale_pathways_are_flagged_after_twelve_months(
    client, login_verified, smallingerland, editor_smallingerland, time_machine
):
    time_machine.move_to("2025-02-01 09:00 +01:00")
    pathway = make_pathway(smallingerland)
    time_machine.move_to("2026-01-31 09:00 +01:00")
    pathway.refresh_from_db()
    assert not pathway.needs_review
    assert not Pathway.objects.needing_review().exists()
    time_machine.move_to("2026-02-02 09:00 +01:00")
    assert Pathway.objects.get(pk=pathway.pk).needs_review
    assert list(Pathway.objects.needing_review()) == [pathway]
    login_verified(client, editor_smallingerland)
    response = client.get(reverse("pathways:manage"))
    listing = response.text.split('id="stale-heading"')[1].split('id="all-heading"')[0]
    assert pathway.current_version.title in listing
    assert "te herzien" in listing
    response = client.post(reverse("pathways:review", args=[pathway.pk]))
    assert response.status_code == 302
    pathway.refresh_from_db()
    assert str(pathway.last_reviewed_on) == "2026-02-02"
    assert not pathway.needs_review
    assert AccessEvent.objects.filter(event_type="pathways.pathway.review").exists()


def test_create_edit_publish_through_the_pages(
    client,
    login_verified,
    smallingerland,
    editor_smallingerland,
    service,
    django_assert_max_num_queries,
):
    login_verified(client, editor_smallingerland)
    page = client.get(reverse("pathways:create"))
    assert page.status_code == 200
    # The coalition's municipality is offered as a checkbox (a widget set after the field was
    # made once had no choices, and the list was empty).
    assert 'type="checkbox" name="municipalities" value="GM0090"' in page.text
    response = client.post(
        reverse("pathways:create"),
        {
            "coalition": smallingerland.pk,
            "situation": "",
            "title": "",
            "phases": [],
            "scope": "municipal",
            "municipalities": ["GM0090"],
        },
    )
    assert response.status_code == 200
    assert not Pathway.objects.exists()
    from kansrijk.situations.models import Situation

    geld = Situation.objects.get(code="geldzorgen")
    response = client.post(
        reverse("pathways:create"),
        {
            "coalition": smallingerland.pk,
            "situation": geld.pk,
            "title": "Geldzorgen in Drachten",
            "introduction": "",
            "phases": ["pregnancy"],
            "scope": "municipal",
            "municipalities": ["GM0090"],
        },
    )
    pathway = Pathway.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("pathways:draft", args=[pathway.pk])
    assert pathway.owner == editor_smallingerland

    draft_url = reverse("pathways:draft", args=[pathway.pk])
    with django_assert_max_num_queries(20):
        assert client.get(draft_url).status_code == 200
    # Two new steps (and an empty extra form), the second one first by position.
    response = client.post(
        draft_url,
        formset_data(
            [
                {
                    "kind": StepKind.DISCUSS,
                    "title": "Bespreek",
                    "tips": "Open vragen",
                    "ORDER": "2",
                },
                {
                    "kind": StepKind.REFER,
                    "title": "Verwijs",
                    "service": "Schuldhulp Smallingerland",
                    "ORDER": "1",
                },
            ],
            extra=1,
        ),
    )
    assert response.status_code == 302, response.text
    draft = pathway.versions.get()
    assert [(s.position, s.title, s.service_id) for s in draft.steps.order_by("position")] == [
        (1, "Verwijs", service.pk),
        (2, "Bespreek", None),
    ]
    # Remove one step, rename the other, keep its key.
    refer, discuss = draft.steps.order_by("position")
    response = client.post(
        draft_url,
        formset_data(
            [
                {
                    "key": str(refer.key),
                    "kind": StepKind.REFER,
                    "title": "Verwijs",
                    "service": str(service.pk),
                    "ORDER": "1",
                },
                {
                    "key": str(discuss.key),
                    "kind": StepKind.DISCUSS,
                    "title": "Bespreek",
                    "ORDER": "2",
                    "DELETE": "on",
                },
            ]
        ),
    )
    assert response.status_code == 302
    assert [(s.key, s.title) for s in draft.steps.all()] == [(refer.key, "Verwijs")]
    # A bad service reference: error on the step, nothing changed.
    response = client.post(
        draft_url,
        formset_data(
            [{"kind": StepKind.REFER, "title": "Verwijs", "service": "Bestaat niet", "ORDER": "1"}]
        ),
    )
    assert response.status_code == 200
    assert "No service on the social map" in response.text
    assert [s.title for s in draft.steps.all()] == ["Verwijs"]
    # Save and publish.
    response = client.post(
        draft_url,
        {
            **formset_data(
                [
                    {
                        "key": str(refer.key),
                        "kind": StepKind.REFER,
                        "title": "Verwijs nu",
                        "service": str(service.pk),
                        "ORDER": "1",
                    }
                ]
            ),
            "publish": "1",
        },
    )
    assert response.status_code == 302
    pathway.refresh_from_db()
    assert pathway.current_version.is_published
    assert pathway.current_version.steps.get().title == "Verwijs nu"
    # No draft now: the draft page offers to start one; starting it copies version 1.
    response = client.get(draft_url)
    assert "Start a new draft" in response.text
    client.post(reverse("pathways:start-draft", args=[pathway.pk]))
    new = pathway.versions.get(status=VersionStatus.DRAFT)
    assert new.number == 2
    client.post(
        draft_url,
        formset_data(
            [
                {
                    "key": str(refer.key),
                    "kind": StepKind.REFER,
                    "title": "Verwijs later",
                    "service": str(service.pk),
                    "ORDER": "1",
                }
            ]
        ),
    )
    response = client.post(reverse("pathways:publish", args=[pathway.pk]))
    assert response.status_code == 302
    pathway.refresh_from_db()
    assert pathway.current_version.number == 2
    # History and comparison.
    response = client.get(reverse("pathways:manage-pathway", args=[pathway.pk]))
    assert response.status_code == 200
    assert "Version history" in response.text
    response = client.get(reverse("pathways:compare", args=[pathway.pk]), {"van": 1, "naar": 2})
    assert response.status_code == 200
    assert "Verwijs nu" in response.text
    assert "Verwijs later" in response.text


def test_publishing_an_incomplete_draft_from_the_page_explains_why(
    client, login_verified, smallingerland, editor_smallingerland
):
    pathway = make_pathway(smallingerland, publish=False, steps=[step(StepKind.REFER, "Verwijs")])
    login_verified(client, editor_smallingerland)
    response = client.post(reverse("pathways:publish", args=[pathway.pk]), follow=True)
    assert "Choose the service to refer to." in response.text
    assert not PathwayVersion.objects.filter(status=VersionStatus.PUBLISHED).exists()


def test_settings(client, login_verified, own, editor_smallingerland):
    login_verified(client, editor_smallingerland)
    url = reverse("pathways:settings", args=[own.pk])
    page = client.get(url)
    assert page.status_code == 200
    offered = re.findall(r'type="checkbox" name="municipalities" value="(GM\d{4})"', page.text)
    assert {"GM0090", "GM0086"} <= set(offered)
    response = client.post(
        url,
        {
            "scope": "municipal",
            "phases": ["pregnancy", "postnatal"],
            "municipalities": ["GM0090", "GM0086"],
            "owner": editor_smallingerland.pk,
        },
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.phases == ["pregnancy", "postnatal"]
    assert own.owner == editor_smallingerland
    assert set(own.municipalities.values_list("code", flat=True)) == {"GM0090", "GM0086"}
    # Outside the coalition's area: an error, nothing changed.
    response = client.post(
        url, {"scope": "municipal", "phases": ["pregnancy"], "municipalities": ["GM0599"]}
    )
    assert response.status_code == 200
    own.refresh_from_db()
    assert own.phases == ["pregnancy", "postnatal"]


def test_the_template_download_is_an_xlsx_with_the_importer_columns(
    client, login_verified, own, editor_smallingerland
):
    from kansrijk.pathways.importing import PATHWAY_COLUMNS, STEP_COLUMNS

    login_verified(client, editor_smallingerland)
    response = client.get(reverse("pathways:template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook["Zorgpaden"][1]] == [c.header for c in PATHWAY_COLUMNS]
    assert [c.value for c in workbook["Stappen"][1]] == [c.header for c in STEP_COLUMNS]
    lists = workbook["Keuzelijsten"]
    assert "geldzorgen" in [c.value for c in lists["A"]]
    assert [c.value for c in lists["H"] if c.value] == ["coalitie", own.coalition.name]
