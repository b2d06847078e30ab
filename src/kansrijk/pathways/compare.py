"""Comparing two versions of a pathway: which fields changed, and per step whether it was added,
removed, changed or moved. Steps are matched by their ``key``, which a new draft copies from the
version it starts from, so an edited step shows as *changed* and not as removed-and-added."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kansrijk.pathways.models import STEP_CONTENT_FIELDS, PathwayStep, PathwayVersion, StepKind

#: The version fields a comparison shows, with their labels.
VERSION_FIELDS = [("title", _("Title")), ("introduction", _("Introduction"))]
#: The step fields a comparison shows: what an editor writes, labelled as the model names them.
STEP_FIELDS = [
    (step_field.name, capfirst(step_field.verbose_name))
    for step_field in map(PathwayStep._meta.get_field, (*STEP_CONTENT_FIELDS, "service"))
    if isinstance(step_field, models.Field)
]


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    old: str
    new: str


@dataclass
class StepChange:
    """``status`` is ``added``, ``removed``, ``changed`` or ``unchanged``; ``moved`` says whether
    the position differs."""

    status: str
    old: PathwayStep | None
    new: PathwayStep | None
    changes: list[FieldChange] = field(default_factory=list)
    moved: bool = False

    @property
    def step(self) -> PathwayStep:
        step = self.new or self.old
        assert step is not None
        return step


@dataclass
class VersionDiff:
    old: PathwayVersion
    new: PathwayVersion
    fields: list[FieldChange]
    steps: list[StepChange]

    @property
    def has_changes(self) -> bool:
        return bool(self.fields) or any(s.status != "unchanged" or s.moved for s in self.steps)

    def count(self, status: str) -> int:
        return sum(1 for step in self.steps if step.status == status)


def _step_value(step: PathwayStep, name: str) -> str:
    if name == "kind":
        return str(StepKind(step.kind).label)
    if name == "service":
        return step.service.name if step.service_id and step.service else ""
    return str(getattr(step, name) or "")


def compare_versions(old: PathwayVersion, new: PathwayVersion) -> VersionDiff:
    """The differences from ``old`` to ``new`` (both with their steps, ideally prefetched)."""
    fields = [
        FieldChange(name, str(label), getattr(old, name), getattr(new, name))
        for name, label in VERSION_FIELDS
        if getattr(old, name) != getattr(new, name)
    ]
    old_steps = {step.key: step for step in old.steps.all()}
    new_steps = sorted(new.steps.all(), key=lambda s: s.position)
    old_order = [s.key for s in sorted(old_steps.values(), key=lambda s: s.position)]
    new_order = [s.key for s in new_steps]
    # A step has moved when its place among the steps both versions share is different.
    shared_old = [key for key in old_order if key in set(new_order)]
    shared_new = [key for key in new_order if key in old_steps]
    steps: list[StepChange] = []
    for step in new_steps:
        before = old_steps.get(step.key)
        if before is None:
            steps.append(StepChange("added", None, step))
            continue
        changes = [
            FieldChange(name, str(label), _step_value(before, name), _step_value(step, name))
            for name, label in STEP_FIELDS
            if _step_value(before, name) != _step_value(step, name)
        ]
        moved = shared_old.index(step.key) != shared_new.index(step.key)
        steps.append(
            StepChange("changed" if changes else "unchanged", before, step, changes, moved)
        )
    kept = set(new_order)
    for key in old_order:
        if key not in kept:
            steps.append(StepChange("removed", old_steps[key], None))
    return VersionDiff(old=old, new=new, fields=fields, steps=steps)
