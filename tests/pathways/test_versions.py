"""Versions: draft → published; a published version never changes; compare two versions."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from kansrijk.audit.models import AccessEvent
from kansrijk.core.choices import VersionStatus
from kansrijk.pathways import services
from kansrijk.pathways.api import PathwayStepSerializer
from kansrijk.pathways.compare import compare_versions
from kansrijk.pathways.exceptions import InvalidPathway, VersionNotEditable
from kansrijk.pathways.forms import StepForm, step_initial
from kansrijk.pathways.importing import STEP_COLUMNS
from kansrijk.pathways.models import STEP_CONTENT_FIELDS, PathwayStep, PathwayVersion, StepKind
from kansrijk.pathways.selectors import version_with_steps
from kansrijk.pathways.steps import STEP_FIELDS
from tests.pathways.conftest import make_pathway, step

pytestmark = pytest.mark.django_db


def test_a_published_version_refuses_every_change(smallingerland):
    pathway = make_pathway(smallingerland)
    version = pathway.current_version
    assert version.status == VersionStatus.PUBLISHED

    version.title = "Anders"
    with pytest.raises(VersionNotEditable):
        version.save()
    fresh = PathwayVersion.objects.get(pk=version.pk)
    with pytest.raises(VersionNotEditable):
        fresh.delete()
    first = fresh.steps.get()
    first.title = "Anders"
    with pytest.raises(VersionNotEditable):
        first.save()
    with pytest.raises(VersionNotEditable):
        first.delete()
    with pytest.raises(VersionNotEditable):
        PathwayStep(version=fresh, position=9, kind=StepKind.DISCUSS, title="Nieuw").save()
    assert PathwayVersion.objects.get(pk=version.pk).title != "Anders"
    assert fresh.steps.count() == 1


def test_editing_a_published_version_through_the_services_raises(
    smallingerland, editor_smallingerland
):
    pathway = make_pathway(smallingerland)
    with pytest.raises(VersionNotEditable):
        services.save_draft(
            user=editor_smallingerland,
            version=pathway.current_version,
            title="Nieuw",
            introduction="",
            steps=[step(StepKind.DISCUSS, "Iets anders")],
        )
    assert PathwayVersion.objects.get(pk=pathway.current_version_id).title != "Nieuw"


def test_a_change_starts_a_new_draft_and_the_published_version_stays(
    smallingerland, editor_smallingerland, service
):
    pathway = make_pathway(
        smallingerland,
        steps=[step(StepKind.DISCUSS, "Bespreek"), step(StepKind.REFER, "Verwijs", service)],
    )
    published = pathway.current_version
    draft = services.start_draft(user=editor_smallingerland, pathway=pathway)
    assert draft.number == 2
    assert draft.is_draft
    # The draft copies the steps with their keys.
    assert [s.key for s in draft.steps.order_by("position")] == [
        s.key for s in published.steps.order_by("position")
    ]
    # Starting again gives the same draft.
    assert services.start_draft(user=editor_smallingerland, pathway=pathway).pk == draft.pk

    services.save_draft(
        user=editor_smallingerland,
        version=draft,
        title="Geldzorgen, nieuw",
        introduction="Nieuw",
        change_note="Titel aangepast",
        steps=[step(StepKind.DISCUSS, "Bespreek")],
    )
    services.publish(user=editor_smallingerland, version=draft)
    pathway.refresh_from_db()
    assert pathway.current_version_id == draft.pk
    old = version_with_steps(pathway, 1)
    assert old.is_published
    assert old.title == published.title
    assert [s.title for s in old.ordered_steps] == ["Bespreek", "Verwijs"]
    events = set(AccessEvent.objects.values_list("event_type", flat=True))
    assert {"pathways.draft.start", "pathways.draft.update", "pathways.version.publish"} <= events


def test_only_one_draft_per_pathway(smallingerland):
    pathway = make_pathway(smallingerland, publish=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        PathwayVersion.objects.create(pathway=pathway, number=2, title="Tweede concept")


def test_publish_refuses_an_incomplete_draft_and_changes_nothing(
    smallingerland, editor_smallingerland
):
    pathway = make_pathway(
        smallingerland, publish=False, steps=[step(StepKind.REFER, "Verwijs naar de schuldhulp")]
    )
    draft = pathway.versions.get()
    with pytest.raises(InvalidPathway) as error:
        services.publish(user=editor_smallingerland, version=draft)
    assert "steps.0.service" in error.value.message_dict
    draft.refresh_from_db()
    pathway.refresh_from_db()
    assert draft.is_draft
    assert pathway.current_version_id is None


def test_publish_refuses_an_empty_draft(smallingerland, editor_smallingerland):
    pathway = make_pathway(smallingerland, publish=False, steps=[])
    with pytest.raises(InvalidPathway) as error:
        services.publish(user=editor_smallingerland, version=pathway.versions.get())
    assert "steps" in error.value.message_dict


def test_publishing_counts_as_a_review(smallingerland, editor_smallingerland, time_machine):
    time_machine.move_to("2025-01-10 10:00 +01:00")
    pathway = make_pathway(smallingerland)
    time_machine.move_to("2026-03-01 10:00 +01:00")
    draft = services.start_draft(user=editor_smallingerland, pathway=pathway)
    services.publish(user=editor_smallingerland, version=draft)
    pathway.refresh_from_db()
    assert str(pathway.last_reviewed_on) == "2026-03-01"


def test_save_draft_with_bad_steps_changes_nothing(smallingerland, editor_smallingerland, service):
    pathway = make_pathway(smallingerland, publish=False)
    draft = pathway.versions.get()
    with pytest.raises(InvalidPathway) as error:
        services.save_draft(
            user=editor_smallingerland,
            version=draft,
            title="",
            introduction="",
            steps=[step("unknown", "X"), step(StepKind.DISCUSS, "Met dienst", service)],
        )
    assert set(error.value.message_dict) == {"title", "steps.0.kind", "steps.1.service"}
    draft.refresh_from_db()
    assert draft.title
    assert draft.steps.count() == 1


def test_discard_draft(smallingerland, editor_smallingerland):
    pathway = make_pathway(smallingerland)
    draft = services.start_draft(user=editor_smallingerland, pathway=pathway)
    services.discard_draft(user=editor_smallingerland, version=draft)
    assert not PathwayVersion.objects.filter(pk=draft.pk).exists()
    with pytest.raises(VersionNotEditable):
        services.discard_draft(user=editor_smallingerland, version=pathway.current_version)


def test_compare_finds_changed_added_removed_and_moved_steps(
    smallingerland, editor_smallingerland, service
):
    pathway = make_pathway(
        smallingerland,
        steps=[
            step(StepKind.DISCUSS, "Bespreek"),
            step(StepKind.CONSENT, "Vraag toestemming"),
            step(StepKind.REFER, "Verwijs", service),
        ],
    )
    old = pathway.current_version
    draft = services.start_draft(user=editor_smallingerland, pathway=pathway)
    discuss, _consent, refer = draft.steps.order_by("position")
    services.save_draft(
        user=editor_smallingerland,
        version=draft,
        title="Nieuwe titel",
        introduction=old.introduction,
        steps=[
            services.StepInput.from_step(refer),
            services.StepInput(
                kind=StepKind.DISCUSS, title="Bespreek de geldzorgen", key=discuss.key
            ),
            step(StepKind.FOLLOW_UP, "Vraag na hoe het ging"),
        ],
    )
    diff = compare_versions(version_with_steps(pathway, 1), version_with_steps(pathway, 2))
    assert [f.name for f in diff.fields] == ["title"]
    by_title = {c.step.title: c for c in diff.steps}
    assert by_title["Verwijs"].status == "unchanged"
    assert by_title["Verwijs"].moved
    assert by_title["Bespreek de geldzorgen"].status == "changed"
    assert [c.name for c in by_title["Bespreek de geldzorgen"].changes] == ["title"]
    assert by_title["Vraag na hoe het ging"].status == "added"
    assert by_title["Vraag toestemming"].status == "removed"
    assert diff.has_changes
    same = compare_versions(version_with_steps(pathway, 1), version_with_steps(pathway, 1))
    assert not same.has_changes


def test_every_content_field_of_a_step_travels_through_copy_editor_comparison_and_import(
    smallingerland, editor_smallingerland
):
    """``STEP_CONTENT_FIELDS`` is the one list a step's fields are named in for copying,
    comparing, the editor and the import: each of them, with a value of its own, is copied into
    a new draft, read back by the editor, shown as changed by the comparison, and is a column
    of the import and a field of the page and the API."""
    first = {"kind": StepKind.CONSENT, "title": "Titel", "text": "Wat", "tips": "Tip"}
    second = {"kind": StepKind.DISCUSS, "title": "Titel 2", "text": "Wat 2", "tips": "Tip 2"}
    assert set(first) == set(second) == set(STEP_CONTENT_FIELDS)
    pathway = make_pathway(smallingerland, steps=[services.StepInput(**first)])
    draft = services.start_draft(user=editor_smallingerland, pathway=pathway)
    (copied,) = draft.steps.all()
    assert {name: getattr(copied, name) for name in STEP_CONTENT_FIELDS} == first
    (initial,) = step_initial([copied])
    assert {name: initial[name] for name in STEP_CONTENT_FIELDS} == first
    assert services.StepInput.from_step(copied) == services.StepInput(**first, key=copied.key)

    services.save_draft(
        user=editor_smallingerland,
        version=draft,
        title=draft.title,
        introduction=draft.introduction,
        steps=[services.StepInput(**second, key=copied.key)],
    )
    diff = compare_versions(version_with_steps(pathway, 1), version_with_steps(pathway, 2))
    (changed,) = diff.steps
    assert changed.status == "changed"
    assert [c.name for c in changed.changes] == list(STEP_CONTENT_FIELDS)
    assert all(c.label for c in changed.changes)

    assert set(STEP_CONTENT_FIELDS) <= set(StepForm.base_fields)
    assert set(STEP_CONTENT_FIELDS) <= {column.name for column in STEP_COLUMNS}
    assert set(STEP_CONTENT_FIELDS) <= set(STEP_FIELDS)
    assert set(STEP_CONTENT_FIELDS) <= set(PathwayStepSerializer().fields)
