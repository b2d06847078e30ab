"""Pages of the pathways app.

For professionals (public, like the social map): find the pathway for a postcode or municipality
and a phase (``find``: the form and, once filled in, the situations of that municipality), and the
pathway page (``resolved``), which shows a regional or national default clearly marked as such.
Postcode to pathway takes three page loads: the form, the situation list, the pathway.

For coalition editors: their pathways with the ones to review first, create, settings, edit the
draft (steps added, reordered and removed with a formset), publish, mark reviewed, the version
history, comparing two versions, and the import template. Every write goes through
``kansrijk.pathways.services``; a pathway of another coalition gives 403.
"""

from __future__ import annotations

import copy
import datetime
import functools
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import date as _date
from django.template.defaultfilters import linebreaksbr, urlize
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kansrijk.accounts.roles import Role
from kansrijk.audit.models import Action, Outcome
from kansrijk.audit.services import record_event
from kansrijk.coalitions.selectors import coalitions_for_editor
from kansrijk.coalitions.workspace import actions_for_pathway
from kansrijk.core import freshness
from kansrijk.core.choices import VersionStatus
from kansrijk.core.downloads import XLSX_CONTENT_TYPE, attachment
from kansrijk.core.forbidden import forbidden_page
from kansrijk.core.forms import add_errors
from kansrijk.core.freshness import Kept
from kansrijk.core.models import with_demo_mark
from kansrijk.core.navigation import language_next
from kansrijk.core.phases import PHASE_FIELDS
from kansrijk.pathways import cache as page_cache
from kansrijk.pathways import services
from kansrijk.pathways.compare import compare_versions
from kansrijk.pathways.exceptions import (
    EditNotAllowed,
    InvalidPathway,
    VersionNotEditable,
)
from kansrijk.pathways.forms import (
    DraftForm,
    FindForm,
    PathwayCreateForm,
    PathwaySettingsForm,
    StepFormSet,
    parse_key,
    service_choices,
    step_initial,
)
from kansrijk.pathways.models import STEP_CONTENT_FIELDS, Pathway, PathwayStep, PathwayVersion
from kansrijk.pathways.resolution import MunicipalityPathways, PathwayChoice, municipality_pathways
from kansrijk.pathways.selectors import (
    editable_pathways,
    pathway_for_page,
    pathway_overview,
    phase_label,
    version_with_steps,
    versions_of,
)
from kansrijk.pathways.steps import (
    SERVICE_FIELDS,
    STEP_FIELDS,
    MethodList,
    MethodView,
    OrganisationView,
    PlainService,
    PlainStep,
    ServiceView,
    StepView,
    services_stamp,
    version_steps,
)
from kansrijk.pathways.steps import stamp as steps_stamp
from kansrijk.pathways.template import TEMPLATE_FILENAME, build_template
from kansrijk.places.exceptions import UnknownMunicipality
from kansrijk.places.models import Municipality
from kansrijk.referrals.models import referral_scope
from kansrijk.situations.models import Situation

View = Callable[..., HttpResponse]


# --- Professionals -------------------------------------------------------------------------------


@require_safe
def find(request: HttpRequest) -> HttpResponse:
    """Step 1 and 2: the postcode (or municipality) and phase form; once filled in, the
    situations of that municipality with the pathway that applies to each."""
    bound = any(request.GET.get(name) for name in ("postcode", "municipality", "phase"))
    form = FindForm(request.GET if bound else None)
    context: dict[str, Any] = {"form": form, "rows": None}
    if bound and form.is_valid():
        municipality = form.cleaned_data["municipality"]
        phase = form.cleaned_data.get("phase") or ""
        phases = [phase] if phase else list(PHASE_FIELDS)
        rows = pathway_overview(municipality=municipality, phases=phases)
        context.update(
            {
                "municipality": municipality,
                "area": form.cleaned_data.get("area"),
                "phase": phase,
                "phases": [(p, phase_label(p)) for p in phases],
                "rows": rows,
                "table": [(row, row.cell_list(phases)) for row in rows],
            }
        )
    return render(request, "pathways/find.html", context)


@require_safe
def resolved(request: HttpRequest, municipality: str, situation: str, phase: str) -> HttpResponse:
    """Step 3: the pathway for a municipality, situation and phase (the link signalling gives).

    Cached (see ``kansrijk.pathways.cache``): which pathway applies and its steps are kept per
    process; the content's key holds the version and what its steps show of their services
    (so an edit elsewhere on the social map leaves it cached). For everybody the page's content
    is cached, and a version's body for every page that shows it; for an anonymous visitor
    without messages the whole page (``page_cache.whole_page_key``: such a page holds nothing of
    the visitor, not even a CSRF token)."""
    if phase not in PHASE_FIELDS:
        raise Http404
    try:
        table = municipality_pathways(municipality)
    except UnknownMunicipality:
        raise Http404 from None
    choice = table.get(situation, phase)
    if choice is None:
        return render(
            request,
            "pathways/none.html",
            {
                "municipality": Municipality(code=table.code, name=table.name),
                "situation": Situation.objects.filter(code=situation).first(),
                "phase": phase,
                "phase_label": phase_label(phase),
            },
            status=404,
        )
    steps = version_steps(choice.version_id, with_versions=table.version_ids)
    stamp = services_stamp(steps)
    key = page_cache.page_key(table.code, situation, phase, choice.version_id, stamp)
    whole_key = page_cache.whole_page_key(request, key)
    if whole_key is not None:
        html = page_cache.get_page(whole_key)
        if html is not None:
            return HttpResponse(html)
    cached = page_cache.get(key)
    if cached is None:
        cached = {
            "title": f"{choice.title} · {table.name}",
            "content": _resolved_head(choice, table, phase) + _body(choice, steps, stamp),
            # For the refer links of a signed-in professional (not part of the cached HTML).
            "pathway_id": str(choice.pathway_id),
            "version_id": str(choice.version_id),
        }
        page_cache.put(key, cached)
    page_context: dict[str, Any] = {
        "page_title": cached["title"],
        "content": mark_safe(cached["content"]),  # noqa: S308 - our own rendered template
    }
    if whole_key is None:
        if request.user.is_authenticated and cached.get("version_id"):
            page_context.update(
                refer_steps=_referable_steps(request, int(cached["version_id"])),
                pathway_id=cached.get("pathway_id"),
                phase=phase,
                situation=situation,
            )
        return render(request, "pathways/pathway.html", page_context)
    html = _anonymous_page(request, cached["title"], cached["content"])
    page_cache.put_page(whole_key, html)
    return HttpResponse(html)


@dataclass(frozen=True)
class _Named:
    """A name as the heading template shows it (``{{ x.name }}``, ``{{ x }}``)."""

    name: str
    label: str = ""

    def __str__(self) -> str:
        return self.label or self.name


#: A part kept with slots in place of the values it shows (the heading, a step's service) is
#: rendered once per what shapes it (which values are there, the fallback, the phase ...) and
#: language; the values are filled in the way the template puts them in (escaped, or through
#: the same filter), so it gives what rendering the template with the values gives (tests in
#: ``tests/pathways/test_views.py`` and ``test_body.py`` compare them).
_SLOTS = re.compile(r"kansrijk-slot-([a-z0-9-]+)-9e47b2")


def _slot(name: str) -> str:
    """The slot for the value ``name`` (letters, digits and hyphens: escaping leaves it as it
    is)."""
    return f"kansrijk-slot-{name}-9e47b2"


def _fill(html: str, values: dict[str, str]) -> str:
    """``html`` with each slot replaced by its value (in one pass: a value is never read for
    slots)."""
    return _SLOTS.sub(lambda found: values[found.group(1)], html)


def _head_context(fallback: str | None, phase: str) -> dict[str, Any]:
    """What ``_pathway_head.html`` reads for the pathway page, its values the slots: the names
    of the models it reads for the version page, in plain values."""
    return {
        "version": {"title": _slot("title")},
        "pathway": {
            "situation": _Named(_slot("situation")),
            "coalition": _Named(_slot("coalition"), _slot("coalition-label")),
        },
        "resolved": {
            "municipality": {"code": _slot("code"), "name": _slot("municipality")},
            "phase": phase,
            "fallback": fallback,
        },
        "phase_label": phase_label(phase),
        "is_current": True,
    }


def _resolved_head(choice: PathwayChoice, table: MunicipalityPathways, phase: str) -> str:
    """The heading of the pathway page: ``_pathway_head.html`` with the chosen pathway's plain
    values in the names of the models it reads for the version page.

    It is rendered with slots in place of the values (``_fill``) once per fallback, phase and
    language and kept (``_part``); the values are filled in escaped, as the template shows each
    of them (no filter)."""
    fallback = choice.fallback
    html = _part(
        page_cache.HEAD_TEMPLATE,
        steps_stamp(("heading", fallback, phase)),
        functools.partial(_head_context, fallback, phase),
    )
    name = choice.coalition_name
    return _fill(
        html,
        {
            "title": escape(choice.title),
            "situation": escape(choice.situation_name),
            "coalition": escape(name),
            "coalition-label": escape(with_demo_mark(name, choice.coalition_is_demo)),
            "municipality": escape(table.name),
            "code": escape(table.code),
        },
    )


def _body(choice: PathwayChoice, steps: tuple[PlainStep, ...], stamp: str) -> str:
    """Introduction, steps with their services, and footer of a published version
    (``_pathway_body.html``), cached per version and what its steps show of their services.

    It is put together from parts rendered from their templates and kept in this process
    (``_part``): the body around its steps and footer, rendered once per shape with slots
    (``_fill``); each step per what it shows (the steps of many versions are alike:
    coalitions start from the national template); the service a step names per shape, filled
    in once per service (a service is named in the steps of many versions); the footer per
    shape, its dates filled in (``_footer``)."""
    key = page_cache.body_key(choice.version_id, stamp)
    body = page_cache.get_body(key)
    if body is None:
        shape = ("body", bool(choice.introduction), bool(steps))
        body = _fill(
            _part(
                page_cache.BODY_TEMPLATE,
                steps_stamp(shape),
                functools.partial(_body_context, shape),
            ),
            {
                "introduction": linebreaksbr(choice.introduction, autoescape=True),
                "steps": "".join(step.html for step in _kept_steps(steps)),
                "footer": _footer(choice),
            },
        )
        page_cache.put_body(key, body)
    return body


def _body_context(shape: tuple[Any, ...]) -> dict[str, Any]:
    """What ``_pathway_body.html`` reads around the steps and the footer, for a body of this
    shape (with an introduction or not, with steps or none): slots for them."""
    _name, introduction, steps = shape
    return {
        "version": {"introduction": _slot("introduction") if introduction else ""},
        "steps": [_KeptStep(mark_safe(_slot("steps")))] if steps else [],  # noqa: S308 - a constant
        "footer_html": mark_safe(_slot("footer")),  # noqa: S308 - a constant
    }


#: How ``_pathway_footer.html`` shows dates, and dates that stand for the real ones when a footer
#: of a shape is rendered (noon UTC: the same day in local time). The footer is rendered with
#: them, their text is found and made a slot; when it is not found once (the template shows
#: dates otherwise), the footer is rendered with the real dates instead.
_DATE_FORMAT = "j F Y"
_PUBLISHED_STANDIN = datetime.datetime(1901, 2, 3, 12, 0, tzinfo=datetime.UTC)
_REVIEWED_STANDIN = datetime.date(1902, 4, 5)


def _footer(choice: PathwayChoice) -> str:
    """The footer of a version (``_pathway_footer.html``): rendered once per shape (version
    number, which dates there are, review overdue, demo) with slots for the dates, which are
    filled in formatted as the template formats them."""
    published, reviewed = choice.published_at, choice.last_reviewed_on
    shape = (
        "footer",
        choice.number,
        published is not None,
        reviewed is not None,
        choice.needs_review,
        choice.is_demo,
    )
    html = _kept(page_cache.FOOTER_TEMPLATE, steps_stamp(shape), lambda: _footer_part(shape))
    if not html:
        return render_to_string(page_cache.FOOTER_TEMPLATE, {"version": choice, "pathway": choice})
    return _fill(
        html,
        {
            "published": escape(_date(template_localtime(published), _DATE_FORMAT)),
            "reviewed": escape(_date(reviewed, _DATE_FORMAT)),
        },
    )


def _footer_part(shape: tuple[Any, ...]) -> str:
    """The footer of this shape with slots for its dates; empty when a date's text is not
    found once."""
    _name, number, published, reviewed, needs_review, is_demo = shape
    html = str(
        render_to_string(
            page_cache.FOOTER_TEMPLATE,
            {
                "version": {
                    "number": number,
                    "published_at": _PUBLISHED_STANDIN if published else None,
                },
                "pathway": {
                    "last_reviewed_on": _REVIEWED_STANDIN if reviewed else None,
                    "needs_review": needs_review,
                    "is_demo": is_demo,
                },
            },
        )
    )
    for standin, name, there in (
        (template_localtime(_PUBLISHED_STANDIN), "published", published),
        (_REVIEWED_STANDIN, "reviewed", reviewed),
    ):
        if there:
            text = escape(_date(standin, _DATE_FORMAT))
            if html.count(text) != 1:
                return ""
            html = html.replace(text, _slot(name))
    return html


#: Parts of the page rendered (the heading, the body around its steps, a step, the service it
#: names, a footer; the heading, body, footer and services per shape with slots, and each
#: service filled in), per template, what they show, language and markup version (about 1 KB
#: each).
_parts: Kept[tuple[str, str, str, str], str] = Kept(
    "pathways.body-parts", seconds=page_cache.BODY_TTL, size=100_000
)
#: Stands for the service in a kept step (a step is kept apart from the service it names).
_SERVICE_SLOT = "kansrijk-step-service-placeholder-3f9c1a"


def _part(template: str, stamp: str, context: Callable[[], dict[str, Any]]) -> str:
    """``template`` rendered with ``context()``, kept per ``stamp`` (what it shows)."""
    return _kept(template, stamp, lambda: render_to_string(template, context()))


def _kept(template: str, stamp: str, make: Callable[[], str]) -> str:
    """The part ``make()`` gives from ``template``, kept per ``stamp`` (what it shows)."""
    key = (template, stamp, get_language(), freshness.markup_version(template))
    html = _parts.get(key)
    if html is None:
        html = _parts.put(key, make())
    return html


#: Stands for a service's id in a kept service part (its address takes an id).
_SERVICE_PK = uuid.UUID("00000000-0000-4000-8000-0000009e47b2")
_FIELD = {name: index for index, name in enumerate(("pk", *SERVICE_FIELDS))}


def _service_shape(plain: PlainService) -> tuple[Any, ...]:
    """What shapes a service's part (``_step_service.html`` and how to refer): which values
    are there, its status, its referral methods' kinds and the response time (a plural); the
    values themselves go in slots."""
    value = plain.__getitem__
    return (
        "service",
        plain[-2] is not None,
        value(_FIELD["status"]),
        bool(value(_FIELD["alert"])),
        bool(value(_FIELD["application_process"])),
        bool(value(_FIELD["email"])),
        bool(value(_FIELD["url"])),
        value(_FIELD["response_time_days"]),
        tuple(
            (method, bool(contact), bool(instructions))
            for method, contact, instructions in plain[-1]
        ),
    )


def _service_context(shape: tuple[Any, ...]) -> dict[str, Any]:
    """What ``_step_service.html`` reads of a service of this shape, its values the slots."""
    _name, organisation, status, alert, process, email, url, days, methods = shape
    service = ServiceView(
        pk=_SERVICE_PK,
        name=_slot("name"),
        organization=OrganisationView(_slot("organisation")) if organisation else None,
        status=status,
        alert=_slot("alert") if alert else "",
        application_process=_slot("process") if process else "",
        email=_slot("email") if email else "",
        url=_slot("url") if url else "",
        response_time_days=days,
        referral_methods=MethodList(
            MethodView(
                method,
                _slot(f"contact-{index}") if contact else "",
                _slot(f"instructions-{index}") if instructions else "",
            )
            for index, (method, contact, instructions) in enumerate(methods)
        ),
    )
    return {"service": service}


def _service_html(plain: PlainService) -> str:
    """The part of the service a step names, kept per service (what it shows)."""
    return _kept(page_cache.SERVICE_TEMPLATE, steps_stamp(plain), lambda: _filled_service(plain))


def _filled_service(plain: PlainService) -> str:
    """The part of the service a step names from the part kept for its shape
    (``_service_shape``), the values filled in as the templates put them in: escaped, the
    referral methods' contacts through ``urlize``, instructions and how to apply through
    ``linebreaksbr``."""
    shape = _service_shape(plain)
    html = _part(
        page_cache.SERVICE_TEMPLATE,
        steps_stamp(shape),
        functools.partial(_service_context, shape),
    ).replace(str(_SERVICE_PK), _slot("pk"))
    value = plain.__getitem__
    values = {"pk": str(plain[0]), "name": escape(value(_FIELD["name"]))}
    if plain[-2] is not None:
        values["organisation"] = escape(plain[-2])
    for name in ("alert", "email", "url"):
        values[name] = escape(value(_FIELD[name]))
    values["process"] = linebreaksbr(value(_FIELD["application_process"]), autoescape=True)
    for index, (_method, contact, instructions) in enumerate(plain[-1]):
        if contact:
            values[f"contact-{index}"] = urlize(contact, autoescape=True)
        if instructions:
            values[f"instructions-{index}"] = linebreaksbr(instructions, autoescape=True)
    return _fill(html, values)


def _step_context(step: PlainStep) -> dict[str, Any]:
    """What ``_pathway_step.html`` reads of a step, its service a slot (kept apart)."""
    view = StepView(**dict(zip(STEP_FIELDS, step[:-1], strict=True)), service=None)
    return {"step": view, "service_html": mark_safe(_SERVICE_SLOT)}  # noqa: S308 - a constant


@dataclass(frozen=True)
class _KeptStep:
    """A step already rendered (``_pathway_step.html``), its service put in."""

    html: str


def _kept_steps(steps: tuple[PlainStep, ...]) -> list[_KeptStep]:
    """Each step rendered with the service it names, from the kept parts (rendered when not
    kept yet): a step per what it shows, its service per shape (``_service_html``)."""
    kept = []
    for step in steps:
        plain = step[-1]
        service = _service_html(plain) if plain is not None else ""
        html = _part(
            page_cache.STEP_TEMPLATE,
            steps_stamp(step[:-1]),
            functools.partial(_step_context, step),
        )
        # Both our own rendered templates.
        kept.append(_KeptStep(mark_safe(html.replace(_SERVICE_SLOT, service))))  # noqa: S308
    return kept


def _referable_steps(request: HttpRequest, version_id: int) -> list[PathwayStep]:
    """The steps of a version whose service takes referrals through Kansrijk, for a user who
    can send referrals (otherwise none, and no query). One query."""
    if not referral_scope(request.user).sender_org_ids:
        return []
    return list(
        PathwayStep.objects.filter(
            version_id=version_id, service__organization__account_organisation__isnull=False
        )
        .select_related("service__organization")
        .order_by("position")
    )


def _anonymous_page(request: HttpRequest, title: str, content: str) -> str:
    """The whole page for an anonymous visitor without messages: the cached shell with the
    title, the address (for the language links) and the content put in, the same as rendering
    ``pathway.html`` (``tests/pathways/test_views.py`` compares both)."""
    key = page_cache.shell_key()
    parts = page_cache.get_shell(key)
    if parts is None:
        request_for_shell = copy.copy(request)
        request_for_shell.path = request_for_shell.path_info = page_cache.PATH_PLACEHOLDER
        request_for_shell.META = {**request.META, "QUERY_STRING": ""}
        shell = render_to_string(
            "pathways/pathway.html",
            {
                "page_title": page_cache.TITLE_PLACEHOLDER,
                "content": mark_safe(page_cache.CONTENT_PLACEHOLDER),  # noqa: S308 - a constant
            },
            request_for_shell,
        )
        parts = page_cache.split_shell(shell)
        if parts is None:  # pragma: no cover - the template changed shape: render it all
            return render_to_string(
                "pathways/pathway.html",
                {
                    "page_title": title,
                    "content": mark_safe(content),  # noqa: S308 - our own rendered content
                },
                request,
            )
        page_cache.put_shell(key, parts)
    return "".join(
        (
            parts[0],
            escape(title),
            parts[1],
            language_next(request),
            parts[2],
            content,
            parts[3],
        )
    )


@require_safe
def current(request: HttpRequest, pk: int) -> HttpResponse:
    """The published version of a pathway (a stable link to it, whatever its version)."""
    pathway = _pathway_or_404(pk)
    if not pathway.current_version_id or pathway.current_version is None:
        raise Http404
    return redirect("pathways:version", pk=pathway.pk, number=pathway.current_version.number)


@require_safe
def version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """One version of a pathway. Published versions stay readable for everybody; a draft only
    for the coalition's editors."""
    pathway = _pathway_or_404(pk)
    try:
        shown = version_with_steps(pathway, number)
    except PathwayVersion.DoesNotExist:
        raise Http404 from None
    if shown.is_draft and not services.can_edit(request.user, pathway):
        raise Http404
    return render(
        request,
        "pathways/pathway.html",
        {
            "version": shown,
            "pathway": shown.pathway,
            "steps": shown.ordered_steps,
            "resolved": None,
            "is_current": pathway.current_version_id == shown.pk,
            "current_version": pathway.current_version,
        },
    )


def _pathway_or_404(pk: int) -> Pathway:
    try:
        return pathway_for_page(pk)
    except Pathway.DoesNotExist:
        raise Http404 from None


# --- Editors: access ---------------------------------------------------------------------------


def _is_editor(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and (
            user.is_superuser
            or user.has_role(Role.ADMINISTRATOR)
            or user.has_role(Role.COALITION_EDITOR)
        )
    )


def _forbidden(request: HttpRequest, message: str | None = None) -> HttpResponse:
    return forbidden_page(
        request,
        message or _("You may only change the pathways of your own coalition."),
        back_url=reverse("pathways:find"),
        back_label=_("Find a pathway"),
    )


def editor_required(view: View) -> View:
    """Logged in, and a coalition editor or an administrator (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _is_editor(request.user):
            return _forbidden(
                request, _("Only coalition editors and administrators maintain pathways.")
            )
        return view(request, *args, **kwargs)

    return wrapped


def own_pathway(view: Callable[..., HttpResponse]) -> View:
    """Loads the pathway ``pk``: 404 when it does not exist, 403 (logged) when it belongs to
    another coalition."""

    @editor_required
    @wraps(view)
    def wrapped(request: HttpRequest, pk: int, *args: Any, **kwargs: Any) -> HttpResponse:
        pathway = _pathway_or_404(pk)
        if not services.can_edit(request.user, pathway):
            record_event(
                request=request,
                event_type="pathways.pathway.access",
                action=Action.READ if request.method == "GET" else Action.UPDATE,
                outcome=Outcome.DENIED,
                object_type="pathways.pathway",
                object_id=str(pathway.pk),
            )
            return _forbidden(request)
        return view(request, pathway, *args, **kwargs)

    return wrapped


# --- Editors: pages ----------------------------------------------------------------------------


@require_safe
@editor_required
def manage(request: HttpRequest) -> HttpResponse:
    """The editor's pathways: those to review ("te herzien") first."""
    pathways = list(editable_pathways(request.user))
    stale = [p for p in pathways if p.needs_review]
    current_ = [p for p in pathways if not p.needs_review]
    return render(
        request,
        "pathways/manage/list.html",
        {
            "stale": stale,
            "pathways": current_,
            "count": len(pathways),
            "coalitions": list(coalitions_for_editor(request.user)),
        },
    )


@require_http_methods(["GET", "POST"])
@editor_required
def create(request: HttpRequest) -> HttpResponse:
    coalitions = coalitions_for_editor(request.user)
    if not coalitions.exists():
        return _forbidden(request, _("You do not belong to a coalition yet."))
    form = PathwayCreateForm(request.POST or None, coalitions=coalitions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pathway = services.create_pathway(
                user=request.user,
                request=request,
                coalition=data["coalition"],
                situation=data["situation"],
                scope=data["scope"],
                municipalities=list(data["municipalities"]),
                phases=data["phases"],
                title=data["title"],
                introduction=data["introduction"],
            )
        except InvalidPathway as error:
            add_errors(form, error.message_dict)
        except EditNotAllowed:
            return _forbidden(request)
        else:
            messages.success(request, _("The pathway was created. Add its steps."))
            return redirect("pathways:draft", pk=pathway.pk)
    return render(request, "pathways/manage/create.html", {"form": form})


@require_safe
@own_pathway
def manage_pathway(request: HttpRequest, pathway: Pathway) -> HttpResponse:
    """A pathway for its editors: status, owner, review date, actions and the version history."""
    versions = list(versions_of(pathway))
    draft = next((v for v in versions if v.is_draft), None)
    published = [v for v in versions if v.is_published]
    return render(
        request,
        "pathways/manage/pathway.html",
        {
            "pathway": pathway,
            "versions": versions,
            "draft": draft,
            "published": published,
            "municipalities": list(pathway.municipalities.order_by("name")),
            # The coalition's improvement actions that touch this pathway (issue 15).
            "actions": actions_for_pathway(pathway, request=request),
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
@own_pathway
def settings_(request: HttpRequest, pathway: Pathway) -> HttpResponse:
    form = PathwaySettingsForm(request.POST or None, pathway=pathway)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_pathway(
                user=request.user,
                request=request,
                pathway=pathway,
                scope=data["scope"],
                municipalities=list(data["municipalities"]),
                phases=data["phases"],
                owner=data["owner"],
            )
        except InvalidPathway as error:
            add_errors(form, error.message_dict)
        else:
            messages.success(request, _("The settings were saved."))
            return redirect("pathways:manage-pathway", pk=pathway.pk)
    return render(request, "pathways/manage/settings.html", {"pathway": pathway, "form": form})


def _draft_of(pathway: Pathway) -> PathwayVersion | None:
    return (
        pathway.versions.filter(status=VersionStatus.DRAFT)
        .prefetch_related("steps__service")
        .first()
    )


@require_http_methods(["GET", "POST"])
@own_pathway
def draft(request: HttpRequest, pathway: Pathway) -> HttpResponse:
    """Edit the draft: title, introduction, what changed, and the steps."""
    current_draft = _draft_of(pathway)
    if current_draft is None:
        return render(request, "pathways/manage/no_draft.html", {"pathway": pathway}, status=200)
    area = list(pathway.municipalities.values_list("code", flat=True))
    if request.method == "POST":
        form = DraftForm(request.POST, prefix="version")
        formset = StepFormSet(request.POST, prefix="steps", form_kwargs={"area": area})
        if form.is_valid() and formset.is_valid():
            kept = [
                f for f in formset.ordered_forms if f.has_changed() or f.cleaned_data.get("key")
            ]
            steps = [
                services.StepInput(
                    **{name: f.cleaned_data.get(name, "") for name in STEP_CONTENT_FIELDS},
                    service=f.cleaned_data.get("service"),
                    key=parse_key(f.cleaned_data.get("key")),
                )
                for f in kept
            ]
            try:
                services.save_draft(
                    user=request.user,
                    request=request,
                    version=current_draft,
                    title=form.cleaned_data["title"],
                    introduction=form.cleaned_data["introduction"],
                    change_note=form.cleaned_data["change_note"],
                    steps=steps,
                )
            except InvalidPathway as error:
                for field, messages_ in error.message_dict.items():
                    parts = field.split(".")
                    if len(parts) == 3 and parts[0] == "steps" and int(parts[1]) < len(kept):
                        add_errors(kept[int(parts[1])], {parts[2]: messages_})
                    else:
                        add_errors(form, {field: messages_})
            except VersionNotEditable as error:
                messages.error(request, str(error))
                return redirect("pathways:manage-pathway", pk=pathway.pk)
            else:
                messages.success(request, _("The draft was saved."))
                if "publish" in request.POST:
                    return _publish(request, pathway, current_draft)
                return redirect("pathways:draft", pk=pathway.pk)
    else:
        form = DraftForm(
            prefix="version",
            initial={
                "title": current_draft.title,
                "introduction": current_draft.introduction,
                "change_note": current_draft.change_note,
            },
        )
        formset = StepFormSet(
            prefix="steps",
            initial=step_initial(sorted(current_draft.steps.all(), key=lambda s: s.position)),
            form_kwargs={"area": area},
        )
    return render(
        request,
        "pathways/manage/draft.html",
        {
            "pathway": pathway,
            "draft": current_draft,
            "form": form,
            "formset": formset,
            "services": service_choices(area),
        },
    )


@require_POST
@own_pathway
def start_draft(request: HttpRequest, pathway: Pathway) -> HttpResponse:
    services.start_draft(user=request.user, request=request, pathway=pathway)
    return redirect("pathways:draft", pk=pathway.pk)


@require_POST
@own_pathway
def discard_draft(request: HttpRequest, pathway: Pathway) -> HttpResponse:
    current_draft = _draft_of(pathway)
    if current_draft is not None:
        services.discard_draft(user=request.user, request=request, version=current_draft)
        messages.success(request, _("The draft was thrown away."))
    return redirect("pathways:manage-pathway", pk=pathway.pk)


def _publish(request: HttpRequest, pathway: Pathway, version: PathwayVersion) -> HttpResponse:
    try:
        services.publish(user=request.user, request=request, version=version)
    except InvalidPathway as error:
        messages.error(request, str(error))
        for field, messages_ in error.message_dict.items():
            parts = field.split(".")
            prefix = (
                _("Step %(number)s") % {"number": int(parts[1]) + 1} + ": "
                if len(parts) == 3
                else ""
            )
            for message in messages_:
                messages.error(request, prefix + message)
        return redirect("pathways:draft", pk=pathway.pk)
    except VersionNotEditable as error:
        messages.error(request, str(error))
        return redirect("pathways:manage-pathway", pk=pathway.pk)
    messages.success(
        request,
        _("Version %(number)s is published. Professionals see it from now on.")
        % {"number": version.number},
    )
    return redirect("pathways:manage-pathway", pk=pathway.pk)


@require_POST
@own_pathway
def publish(request: HttpRequest, pathway: Pathway) -> HttpResponse:
    current_draft = _draft_of(pathway)
    if current_draft is None:
        messages.error(request, _("There is no draft to publish."))
        return redirect("pathways:manage-pathway", pk=pathway.pk)
    return _publish(request, pathway, current_draft)


@require_POST
@own_pathway
def review(request: HttpRequest, pathway: Pathway) -> HttpResponse:
    services.mark_reviewed(user=request.user, request=request, pathway=pathway)
    messages.success(
        request,
        _("Marked as reviewed on %(date)s.") % {"date": timezone.localdate().strftime("%d-%m-%Y")},
    )
    if request.POST.get("next") == "list":
        return redirect("pathways:manage")
    return redirect("pathways:manage-pathway", pk=pathway.pk)


@require_safe
@own_pathway
def compare(request: HttpRequest, pathway: Pathway) -> HttpResponse:
    """Two versions side by side: which fields and steps changed. ``?van=1&naar=2``; without
    them, the previous version against the newest."""
    numbers = list(pathway.versions.order_by("number").values_list("number", flat=True))
    if len(numbers) < 2:
        messages.info(request, _("There is only one version, so nothing to compare yet."))
        return redirect("pathways:manage-pathway", pk=pathway.pk)

    def pick(name: str, default: int) -> int:
        try:
            value = int(request.GET.get(name, default))
        except (TypeError, ValueError):
            return default
        return value if value in numbers else default

    old_number = pick("van", numbers[-2])
    new_number = pick("naar", numbers[-1])
    diff = compare_versions(
        version_with_steps(pathway, old_number), version_with_steps(pathway, new_number)
    )
    return render(
        request,
        "pathways/manage/compare.html",
        {
            "pathway": pathway,
            "diff": diff,
            "numbers": numbers,
            "added_count": diff.count("added"),
            "removed_count": diff.count("removed"),
            "changed_count": diff.count("changed"),
        },
    )


@require_safe
@editor_required
def import_template(request: HttpRequest) -> HttpResponse:
    """The Excel import template, generated from the importer's own column list."""
    return attachment(
        build_template(coalitions=coalitions_for_editor(request.user)),
        content_type=XLSX_CONTENT_TYPE,
        filename=TEMPLATE_FILENAME,
    )
