"""Writes to pathways. Keyword-only, atomic, raising domain errors (``EditNotAllowed``,
``InvalidPathway``, ``VersionNotEditable``); each write records an access-log event
(``pathways.<object>.<verb>``).

Who may write: coalition editors for the pathways of their own coalitions, administrators for
all (``Pathway.objects.editable_by(user)``). The import (``import_pathways``) is an operator's
command; it writes through the same helpers (``write_version`` and friends) without a user.

The life of a pathway: ``create_pathway`` (with draft version 1) → ``save_draft`` (title,
introduction, steps) → ``publish`` → later ``start_draft`` (a copy of the published version) →
``save_draft`` → ``publish`` again. A published version never changes: ``save_draft`` on it raises
``VersionNotEditable``. ``mark_reviewed`` confirms that the published pathway is still right.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kansrijk.audit.models import Action, Outcome
from kansrijk.audit.services import record_event
from kansrijk.coalitions.models import Coalition, CoalitionScope
from kansrijk.core import freshness
from kansrijk.core.phases import PHASE_FIELDS, Phase
from kansrijk.core.users import actor
from kansrijk.directory.models import Service, ServiceStatus
from kansrijk.pathways.exceptions import EditNotAllowed, InvalidPathway, VersionNotEditable
from kansrijk.pathways.models import (
    SERVICE_KINDS,
    SERVICE_REQUIRED_KINDS,
    STEP_CONTENT_FIELDS,
    Pathway,
    PathwayScope,
    PathwayStep,
    PathwayVersion,
    StepKind,
    VersionStatus,
)
from kansrijk.places.models import Municipality
from kansrijk.situations.models import FactorKind, Situation

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = [
    "StepInput",
    "can_edit",
    "create_pathway",
    "discard_draft",
    "mark_reviewed",
    "publish",
    "save_draft",
    "start_draft",
    "update_pathway",
]


@dataclass(frozen=True)
class StepInput:
    """One step as an editor or an import file gives it: the ``STEP_CONTENT_FIELDS``, then the
    service and ``key``, which keeps a step's identity across versions (``None`` for a new
    step)."""

    kind: str
    title: str
    text: str = ""
    tips: str = ""
    service: Service | None = None
    key: uuid.UUID | None = None

    @classmethod
    def from_step(cls, step: PathwayStep) -> StepInput:
        return cls(
            **{name: getattr(step, name) for name in STEP_CONTENT_FIELDS},
            service=step.service,
            key=step.key,
        )

    def written(self) -> dict[str, str]:
        """The content fields as a step is written: without surrounding white space."""
        return {name: getattr(self, name).strip() for name in STEP_CONTENT_FIELDS}

    def content(self) -> tuple[Any, ...]:
        """What makes two steps the same, for the idempotent import."""
        return (*self.written().values(), self.service.pk if self.service else None)


# --- Permission and bookkeeping ----------------------------------------------------------------


def can_edit(user: Any, pathway: Pathway) -> bool:
    return Pathway.objects.editable_by(user).filter(pk=pathway.pk).exists()


def _deny(*, user: Any, request: HttpRequest | None, event_type: str, object_id: Any) -> None:
    record_event(
        request=request,
        user=user,
        event_type=event_type,
        action=Action.UPDATE,
        outcome=Outcome.DENIED,
        object_type="pathways.pathway",
        object_id=str(object_id),
    )
    raise EditNotAllowed()


@dataclass(frozen=True)
class _Edit:
    """An edit ``user`` may make to a pathway (``_require_edit``; a new one: ``create_pathway``);
    ``record`` writes its access-log record under the event it was checked as."""

    request: HttpRequest | None
    user: Any
    event_type: str

    def record(self, action: Action, object_type: str, object_id: Any) -> None:
        record_event(
            request=self.request,
            user=self.user,
            event_type=self.event_type,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
        )


def _require_edit(
    *, user: Any, pathway: Pathway, request: HttpRequest | None, event_type: str
) -> _Edit:
    """The edit ``event_type`` of ``pathway``; refused (and logged) unless ``user`` may edit it."""
    if not can_edit(user, pathway):
        _deny(user=user, request=request, event_type=event_type, object_id=pathway.pk)
    return _Edit(request, user, event_type)


# --- Validation ------------------------------------------------------------------------------------


def validate_coverage(
    *,
    coalition: Coalition,
    situation: Situation,
    scope: str,
    municipalities: Sequence[Municipality],
    phases: Iterable[str],
    exclude_pk: int | None = None,
) -> dict[str, list[Any]]:
    """The rule errors of a pathway's coverage, by field (empty when it is fine).

    - at least one known phase; an active risk situation;
    - a national default belongs to a national coalition and lists no municipalities; a municipal
      pathway or regional default lists municipalities, all of them in the coalition's area;
    - no other pathway of the same scope covers the same situation, phase and municipality.
    """
    errors: dict[str, list[Any]] = {}
    phases = list(phases)
    if not phases:
        errors.setdefault("phases", []).append(_("Choose at least one phase."))
    elif any(phase not in PHASE_FIELDS for phase in phases):
        errors.setdefault("phases", []).append(
            _("Choose phases from: preconception, pregnancy, postnatal.")
        )
    if not situation.is_active or situation.kind != FactorKind.RISK:
        errors.setdefault("situation", []).append(
            _("Choose an active vulnerable situation (a risk factor) from the catalogue.")
        )
    elif not errors.get("phases"):
        outside = [p for p in phases if not getattr(situation, PHASE_FIELDS[p])]
        if outside:
            errors.setdefault("phases", []).append(
                _("%(situation)s does not apply in: %(phases)s.")
                % {
                    "situation": situation.name,
                    "phases": ", ".join(str(Phase(p).label) for p in outside),
                }
            )
    if scope not in PathwayScope.values:
        errors.setdefault("scope", []).append(_("Choose municipal, regional or national."))
        return errors
    if scope == PathwayScope.NATIONAL:
        if coalition.scope != CoalitionScope.NATIONAL:
            errors.setdefault("scope", []).append(
                _("Only a national coalition can publish a national default.")
            )
        if municipalities:
            errors.setdefault("municipalities", []).append(
                _("A national default covers every municipality; leave the list empty.")
            )
    else:
        if not municipalities:
            errors.setdefault("municipalities", []).append(
                _("Choose the municipalities where this pathway applies.")
            )
        elif coalition.scope != CoalitionScope.NATIONAL:
            own = set(coalition.municipalities.values_list("code", flat=True))
            outside = sorted(m.name for m in municipalities if m.code not in own)
            if outside:
                errors.setdefault("municipalities", []).append(
                    _("Not in the coalition's area: %(names)s.") % {"names": ", ".join(outside)}
                )
    if errors.get("phases") or errors.get("situation"):
        return errors
    overlap = Pathway.objects.filter(situation=situation, scope=scope)
    if exclude_pk is not None:
        overlap = overlap.exclude(pk=exclude_pk)
    phase_q = Q()
    for phase in phases:
        phase_q |= Q(**{PHASE_FIELDS[phase]: True})
    overlap = overlap.filter(phase_q)
    if scope != PathwayScope.NATIONAL and municipalities:
        clashes = sorted(
            set(
                Municipality.objects.filter(
                    pathways__in=overlap, code__in=[m.code for m in municipalities]
                ).values_list("name", flat=True)
            )
        )
        if clashes:
            errors.setdefault("municipalities", []).append(
                _(
                    "There is already a pathway for this situation and phase in: %(names)s. "
                    "Change that pathway instead, or choose other phases."
                )
                % {"names": ", ".join(clashes)}
            )
    elif scope == PathwayScope.NATIONAL and overlap.exists():
        errors.setdefault("phases", []).append(
            _("There is already a national default for this situation and phase.")
        )
    return errors


def validate_steps(
    steps: Sequence[StepInput], *, scope: str, complete: bool
) -> dict[str, list[Any]]:
    """Rule errors of a list of steps, keyed ``steps`` or ``steps.<index>.<field>``.

    ``complete`` adds what publishing needs: at least one step, and a service for every refer
    and warm-handover step (a national default may name the kind of service in the text instead,
    because the service differs per municipality).
    """
    errors: dict[str, list[Any]] = {}
    if complete and not steps:
        errors["steps"] = [_("Add at least one step before publishing.")]
    for index, step in enumerate(steps):
        prefix = f"steps.{index}"
        if step.kind not in StepKind.values:
            errors.setdefault(f"{prefix}.kind", []).append(
                _("Choose a kind of step from the list.")
            )
            continue
        if not step.title.strip():
            errors.setdefault(f"{prefix}.title", []).append(_("Give the step a title."))
        elif len(step.title.strip()) > 200:
            errors.setdefault(f"{prefix}.title", []).append(
                _("Keep the title to 200 characters at most.")
            )
        if step.service is not None:
            if step.kind not in SERVICE_KINDS:
                errors.setdefault(f"{prefix}.service", []).append(
                    _("This kind of step does not refer to a service; remove the service.")
                )
            elif step.service.status == ServiceStatus.DEFUNCT:
                errors.setdefault(f"{prefix}.service", []).append(
                    _("%(name)s no longer exists on the social map. Choose another service.")
                    % {"name": step.service.name}
                )
        elif complete and step.kind in SERVICE_REQUIRED_KINDS:
            if scope != PathwayScope.NATIONAL:
                errors.setdefault(f"{prefix}.service", []).append(
                    _("Choose the service to refer to.")
                )
            elif not step.text.strip():
                errors.setdefault(f"{prefix}.text", []).append(
                    _("Say which kind of service to refer to, or choose a service.")
                )
    return errors


def _phase_values(phases: Iterable[str]) -> dict[str, bool]:
    wanted = set(phases)
    return {field: phase in wanted for phase, field in PHASE_FIELDS.items()}


# --- Pathways ------------------------------------------------------------------------------------------


@transaction.atomic
def create_pathway(
    *,
    user: Any,
    coalition: Coalition,
    situation: Situation,
    scope: str,
    municipalities: Sequence[Municipality],
    phases: Iterable[str],
    title: str,
    introduction: str = "",
    owner: Any = None,
    is_demo: bool = False,
    request: HttpRequest | None = None,
) -> Pathway:
    """A new pathway with an empty draft (version 1). The editor must belong to ``coalition``."""
    if not Coalition.objects.editable_by(user).filter(pk=coalition.pk).exists():
        _deny(user=user, request=request, event_type="pathways.pathway.create", object_id="")
    phases = list(phases)
    errors = validate_coverage(
        coalition=coalition,
        situation=situation,
        scope=scope,
        municipalities=municipalities,
        phases=phases,
    )
    if not title.strip():
        errors.setdefault("title", []).append(_("Give the pathway a title."))
    if errors:
        raise InvalidPathway(errors)
    pathway = _create_pathway_row(
        coalition=coalition,
        situation=situation,
        scope=scope,
        municipalities=municipalities,
        phases=phases,
        owner=owner if owner is not None else actor(user),
        is_demo=is_demo,
    )
    PathwayVersion.objects.create(
        pathway=pathway,
        number=1,
        title=title.strip(),
        introduction=introduction.strip(),
        created_by=actor(user),
    )
    _Edit(request, user, "pathways.pathway.create").record(
        Action.CREATE, "pathways.pathway", pathway.pk
    )
    return pathway


def _create_pathway_row(
    *,
    coalition: Coalition,
    situation: Situation,
    scope: str,
    municipalities: Sequence[Municipality],
    phases: Iterable[str],
    owner: Any,
    is_demo: bool,
    external_key: str = "",
    last_reviewed_on: datetime.date | None = None,
) -> Pathway:
    pathway = Pathway.objects.create(
        coalition=coalition,
        situation=situation,
        scope=scope,
        owner=owner,
        is_demo=is_demo,
        external_key=external_key,
        last_reviewed_on=last_reviewed_on or timezone.localdate(),
        **_phase_values(phases),
    )
    if municipalities:
        pathway.municipalities.set(municipalities)
    return pathway


@transaction.atomic
def update_pathway(
    *,
    user: Any,
    pathway: Pathway,
    scope: str,
    municipalities: Sequence[Municipality],
    phases: Iterable[str],
    owner: Any,
    request: HttpRequest | None = None,
) -> Pathway:
    """Change where and when a pathway applies, and its owner. The situation stays: a pathway
    for another situation is another pathway."""
    edit = _require_edit(
        user=user, pathway=pathway, request=request, event_type="pathways.pathway.update"
    )
    phases = list(phases)
    errors = validate_coverage(
        coalition=pathway.coalition,
        situation=pathway.situation,
        scope=scope,
        municipalities=municipalities,
        phases=phases,
        exclude_pk=pathway.pk,
    )
    if errors:
        raise InvalidPathway(errors)
    _apply_coverage(pathway, scope=scope, municipalities=municipalities, phases=phases, owner=owner)
    edit.record(Action.UPDATE, "pathways.pathway", pathway.pk)
    return pathway


def _apply_coverage(
    pathway: Pathway,
    *,
    scope: str,
    municipalities: Sequence[Municipality],
    phases: Iterable[str],
    owner: Any,
) -> bool:
    """Set scope, phases, owner and municipalities; ``True`` when anything changed."""
    changed = False
    values: dict[str, Any] = {"scope": scope, "owner_id": getattr(owner, "pk", None)}
    values.update(_phase_values(phases))
    for field, value in values.items():
        if getattr(pathway, field) != value:
            setattr(pathway, field, value)
            changed = True
    wanted = {m.code for m in municipalities}
    current = set(pathway.municipalities.values_list("code", flat=True))
    if wanted != current:
        pathway.municipalities.set(list(municipalities))
        changed = True
    if changed:
        pathway.updated_at = timezone.now()
        pathway.save()
    return changed


@transaction.atomic
def mark_reviewed(
    *,
    user: Any,
    pathway: Pathway,
    on: datetime.date | None = None,
    request: HttpRequest | None = None,
) -> Pathway:
    """Confirm that the published pathway is still right: the last-reviewed date becomes today."""
    edit = _require_edit(
        user=user, pathway=pathway, request=request, event_type="pathways.pathway.review"
    )
    pathway.last_reviewed_on = on or timezone.localdate()
    pathway.updated_at = timezone.now()
    pathway.save(update_fields=["last_reviewed_on", "updated_at"])
    edit.record(Action.UPDATE, "pathways.pathway", pathway.pk)
    return pathway


# --- Versions --------------------------------------------------------------------------------------


def _locked_version(version: PathwayVersion) -> PathwayVersion:
    """The version re-read under a row lock, so two editors cannot publish and edit at once."""
    return PathwayVersion.objects.select_for_update().select_related("pathway").get(pk=version.pk)


def _next_number(pathway: Pathway) -> int:
    return (pathway.versions.aggregate(n=Max("number"))["n"] or 0) + 1


@transaction.atomic
def start_draft(
    *, user: Any, pathway: Pathway, request: HttpRequest | None = None
) -> PathwayVersion:
    """The pathway's draft: the existing one, or a new one copied from the published version."""
    edit = _require_edit(
        user=user, pathway=pathway, request=request, event_type="pathways.draft.start"
    )
    Pathway.objects.select_for_update().filter(pk=pathway.pk).first()
    draft = pathway.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is not None:
        return draft
    draft = _new_draft(pathway, user=actor(user))
    edit.record(Action.CREATE, "pathways.version", draft.pk)
    return draft


def _new_draft(pathway: Pathway, *, user: Any) -> PathwayVersion:
    source = (
        pathway.current_version
        if pathway.current_version_id
        else pathway.versions.order_by("-number").first()
    )
    draft = PathwayVersion.objects.create(
        pathway=pathway,
        number=_next_number(pathway),
        title=source.title if source else str(pathway.situation),
        introduction=source.introduction if source else "",
        created_by=user,
    )
    if source is not None:
        PathwayStep.objects.bulk_create(
            [
                PathwayStep(
                    version=draft,
                    key=step.key,
                    position=step.position,
                    **{name: getattr(step, name) for name in STEP_CONTENT_FIELDS},
                    service_id=step.service_id,
                )
                for step in source.steps.order_by("position")
            ]
        )
    return draft


@transaction.atomic
def save_draft(
    *,
    user: Any,
    version: PathwayVersion,
    title: str,
    introduction: str,
    steps: Sequence[StepInput],
    change_note: str = "",
    request: HttpRequest | None = None,
) -> PathwayVersion:
    """Replace the content of a draft. Raises ``VersionNotEditable`` for a published version
    (start a new draft instead) and ``InvalidPathway`` for bad input (nothing is changed)."""
    edit = _require_edit(
        user=user, pathway=version.pathway, request=request, event_type="pathways.draft.update"
    )
    version = _locked_version(version)
    if version.is_published:
        raise VersionNotEditable()
    errors = validate_steps(steps, scope=version.pathway.scope, complete=False)
    if not title.strip():
        errors.setdefault("title", []).append(_("Give the pathway a title."))
    if errors:
        raise InvalidPathway(errors)
    write_version_content(
        version, title=title, introduction=introduction, change_note=change_note, steps=steps
    )
    edit.record(Action.UPDATE, "pathways.version", version.pk)
    return version


def write_version_content(
    version: PathwayVersion,
    *,
    title: str,
    introduction: str,
    change_note: str,
    steps: Sequence[StepInput],
) -> None:
    """Write title, introduction and steps of a draft (no checks: callers validate first)."""
    if version.is_published:
        raise VersionNotEditable()
    version.title = title.strip()
    version.introduction = introduction.strip()
    version.change_note = change_note.strip()
    version.save()
    version.steps.all().delete()
    seen: set[uuid.UUID] = set()
    rows = []
    for position, step in enumerate(steps, start=1):
        key = step.key if step.key is not None and step.key not in seen else uuid.uuid4()
        seen.add(key)
        rows.append(
            PathwayStep(
                version=version,
                key=key,
                position=position,
                **step.written(),
                service=step.service if step.kind in SERVICE_KINDS else None,
            )
        )
    PathwayStep.objects.bulk_create(rows)
    freshness.bump("pathways")  # bulk writes send no signals


@transaction.atomic
def publish(
    *, user: Any, version: PathwayVersion, request: HttpRequest | None = None
) -> PathwayVersion:
    """Publish a draft: from now on professionals see it, and it never changes again. The
    previous published version stays readable in the history. Publishing counts as a review."""
    edit = _require_edit(
        user=user, pathway=version.pathway, request=request, event_type="pathways.version.publish"
    )
    version = _locked_version(version)
    if version.is_published:
        raise VersionNotEditable(_("This version is already published."))
    steps = [StepInput.from_step(s) for s in version.steps.select_related("service")]
    errors = validate_steps(steps, scope=version.pathway.scope, complete=True)
    if errors:
        raise InvalidPathway(errors, _("The draft is not complete yet; see what is missing."))
    publish_version(version, user=actor(user))
    edit.record(Action.UPDATE, "pathways.version", version.pk)
    return version


def publish_version(
    version: PathwayVersion, *, user: Any, reviewed_on: datetime.date | None = None
) -> None:
    """Mark a (validated, locked) draft published and make it the pathway's current version."""
    now = timezone.now()
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    version.published_by = user
    version.save()
    pathway = version.pathway
    pathway.current_version = version
    pathway.last_reviewed_on = reviewed_on or timezone.localdate()
    pathway.updated_at = now
    pathway.save(update_fields=["current_version", "last_reviewed_on", "updated_at"])


@transaction.atomic
def discard_draft(
    *, user: Any, version: PathwayVersion, request: HttpRequest | None = None
) -> None:
    """Throw a draft away. The published versions stay as they are."""
    edit = _require_edit(
        user=user, pathway=version.pathway, request=request, event_type="pathways.draft.discard"
    )
    version = _locked_version(version)
    if version.is_published:
        raise VersionNotEditable()
    version_id = version.pk
    version.delete()
    edit.record(Action.DELETE, "pathways.version", version_id)
