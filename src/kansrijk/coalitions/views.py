"""Pages of the coalition's workspace, under /coalities/.

Each page loads the coalition through ``workspace_page``: a coalition the user has no part in
gives 404, a page her role does not reach 403 — both logged. Coordinators manage; analysts read
(no contact persons); every write goes through ``kansrijk.coalitions.services``. Pages are not
cached by browsers or proxies (``never_cache``): several name people.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from kansrijk.accounts.roles import primary_role
from kansrijk.assessments.selectors import rounds_of
from kansrijk.audit.models import Action
from kansrijk.audit.services import record_refusal
from kansrijk.coalitions import charts, network, services, workspace
from kansrijk.coalitions.access import Access, access_for, user_access
from kansrijk.coalitions.exceptions import InvalidInput, NotAllowed
from kansrijk.coalitions.forms import (
    ActionForm,
    AgreementForm,
    ContactForm,
    JourneyForm,
    MemberForm,
    TouchpointFormSet,
)
from kansrijk.coalitions.models import (
    ActionStatus,
    ContactPerson,
    MemberDomain,
)
from kansrijk.core.downloads import attachment
from kansrijk.core.forms import add_errors
from kansrijk.core.params import whole_number
from kansrijk.core.phases import Phase
from kansrijk.monitoring.charts import Chart, Table

View = Callable[..., HttpResponse]
COORDINATE = "coordinate"
READ = "read"


def _forbidden(request: HttpRequest, access: Access, message: str = "") -> HttpResponse:
    return render(
        request,
        "coalitions/forbidden.html",
        {
            "access": access,
            "coalition": access.coalition,
            "message": message or _("This page is for the coalition's coordinator."),
        },
        status=403,
    )


def workspace_page(capability: str) -> Callable[[View], View]:
    """Load the coalition ``pk`` for a page that needs ``capability`` (``read``: coordinator or
    analyst; ``coordinate``: coordinator)."""

    def decorate(view: View) -> View:
        @login_required
        @never_cache
        @wraps(view)
        def wrapped(request: HttpRequest, pk: int, *args: Any, **kwargs: Any) -> HttpResponse:
            access = access_for(request.user, pk)
            allowed = access is not None and (
                access.coordinates if capability == COORDINATE else access.reads_workspace
            )
            if not allowed:
                record_refusal(
                    request=request,
                    event_type="coalitions.page",
                    action=Action.READ if request.method == "GET" else Action.UPDATE,
                    object_type="coalitions.coalition",
                    object_id=str(pk),
                    purpose=workspace.PURPOSE,
                    role=access.role if access is not None else primary_role(request.user),
                )
                if access is None:
                    raise Http404(_("No coalition with this number, or you may not see it."))
                return _forbidden(request, access)
            assert access is not None
            return view(request, access, *args, **kwargs)

        return wrapped

    return decorate


def _number(raw: str | None) -> int:
    """A row's number from a form or query value; 0 (no row has it) for anything that is not
    a whole number of at most 18 digits, so a tampered value finds nothing instead of failing."""
    return whole_number(raw) or 0


def render_workspace(
    request: HttpRequest,
    template: str,
    access: Access,
    section: str,
    *,
    status: int | None = None,
    **context: Any,
) -> HttpResponse:
    """A workspace page: the coalition, the user's access and the current section of its menu.
    Without a ``status``, the page answers 400 when its ``form`` has errors, else 200."""
    if status is None:
        form = context.get("form")
        status = 400 if form is not None and form.errors else 200
    return render(
        request,
        template,
        {"access": access, "coalition": access.coalition, "section": section, **context},
        status=status,
    )


# --- Lists and overview -------------------------------------------------------------------------


@login_required
@never_cache
@require_safe
def coalition_list(request: HttpRequest) -> HttpResponse:
    """The coalitions whose workspace the user may open; straight to it when there is one."""
    coalitions = list(user_access(request.user).workspaces())
    if len(coalitions) == 1:
        return redirect("coalitions:overview", pk=coalitions[0].pk)
    return render(request, "coalitions/list.html", {"coalitions": coalitions})


@workspace_page(READ)
@require_safe
def overview(request: HttpRequest, access: Access) -> HttpResponse:
    coalition = access.coalition
    rounds = list(rounds_of([coalition.pk])[:5])
    summary = workspace.overview(coalition)
    return render_workspace(
        request,
        "coalitions/overview.html",
        access,
        "overview",
        overview=summary,
        rounds=rounds,
        domain_counts=[
            (label, summary.members_by_domain.get(code, 0)) for code, label in MemberDomain.choices
        ],
        municipalities=list(coalition.municipalities.order_by("name")),
    )


# --- Members --------------------------------------------------------------------------------------


@workspace_page(COORDINATE)
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest, access: Access) -> HttpResponse:
    """The members with their contact persons, and the form to add a member."""
    coalition = access.coalition
    form = MemberForm(request.POST or None, coalition=coalition, prefix="member")
    if request.method == "POST" and form.is_valid():
        try:
            member = services.add_member(
                user=request.user, request=request, coalition=coalition, data=form.to_input()
            )
        except InvalidInput as error:
            add_errors(form, error.message_dict)
        else:
            messages.success(
                request, _("%(name)s is a member now.") % {"name": member.organisation.name}
            )
            return redirect("coalitions:member", pk=coalition.pk, member=member.pk)
    rows = workspace.members_with_contacts(access, request=request)
    return render_workspace(
        request,
        "coalitions/members.html",
        access,
        "members",
        members=rows,
        form=form,
    )


def _member_or_404(access: Access, member_id: int) -> Any:
    member = access.coalition.members.select_related("organisation").filter(pk=member_id).first()
    if member is None:
        raise Http404
    return member


@workspace_page(COORDINATE)
@require_http_methods(["GET", "POST"])
def member(request: HttpRequest, access: Access, member: int) -> HttpResponse:
    """One member: its domain and role, its contact persons."""
    row = _member_or_404(access, member)
    coalition = access.coalition
    form = MemberForm(
        request.POST if request.POST.get("form") == "member" else None,
        coalition=coalition,
        member=row,
        prefix="member",
        initial={"domain": row.domain, "role": row.role, "joined_on": row.joined_on},
    )
    contact_form = ContactForm(
        request.POST if request.POST.get("form") == "contact" else None, prefix="contact"
    )
    contacts = list(row.contacts.order_by("name"))
    # One form per contact person to change her details (prefix ``contact-<pk>``); the one
    # posted is bound.
    edited = None
    if request.method == "POST" and request.POST.get("form") == "edit-contact":
        edited = next((c for c in contacts if c.pk == _number(request.POST.get("contact"))), None)
        if edited is None:
            raise Http404
    edit_forms = {
        contact.pk: ContactForm(
            request.POST if contact is edited else None,
            prefix=f"contact-{contact.pk}",
            initial={
                "name": contact.name,
                "function": contact.function,
                "email": contact.email,
                "phone": contact.phone,
            },
        )
        for contact in contacts
    }
    if request.method == "POST":
        action = request.POST.get("form")
        try:
            if edited is not None and edit_forms[edited.pk].is_valid():
                services.update_contact(
                    user=request.user,
                    request=request,
                    contact=edited,
                    data=edit_forms[edited.pk].to_input(),
                )
                messages.success(request, _("The contact person was saved."))
                return redirect("coalitions:member", pk=coalition.pk, member=row.pk)
            if action == "member" and form.is_valid():
                services.update_member(
                    user=request.user, request=request, member=row, data=form.to_input()
                )
                messages.success(request, _("The member was saved."))
                return redirect("coalitions:member", pk=coalition.pk, member=row.pk)
            if action == "contact" and contact_form.is_valid():
                services.add_contact(
                    user=request.user, request=request, member=row, data=contact_form.to_input()
                )
                messages.success(request, _("The contact person was added."))
                return redirect("coalitions:member", pk=coalition.pk, member=row.pk)
            if action == "remove":
                name = row.organisation.name
                services.remove_member(user=request.user, request=request, member=row)
                messages.success(request, _("%(name)s is no longer a member.") % {"name": name})
                return redirect("coalitions:members", pk=coalition.pk)
            if action == "remove-contact":
                contact = ContactPerson.objects.filter(
                    member=row, pk=_number(request.POST.get("contact"))
                ).first()
                if contact is None:
                    raise Http404
                services.remove_contact(user=request.user, request=request, contact=contact)
                messages.success(request, _("The contact person was removed."))
                return redirect("coalitions:member", pk=coalition.pk, member=row.pk)
        except InvalidInput as error:
            target = contact_form if action == "contact" else form
            if edited is not None:
                target = edit_forms[edited.pk]
            add_errors(target, error.message_dict)
    workspace.record_access(request, access, "coalitions.member.view", "coalitions.member", row.pk)
    invalid = request.method == "POST"
    return render_workspace(
        request,
        "coalitions/member.html",
        access,
        "members",
        member=row,
        contacts=[(contact, edit_forms[contact.pk]) for contact in contacts],
        edited=edited,
        form=form,
        contact_form=contact_form,
        status=400 if invalid else 200,
    )


# --- Agreements ---------------------------------------------------------------------------------


@workspace_page(READ)
@require_safe
def agreements(request: HttpRequest, access: Access) -> HttpResponse:
    return render_workspace(
        request,
        "coalitions/agreements.html",
        access,
        "agreements",
        agreements=list(workspace.agreements(access.coalition)),
        today=timezone.localdate(),
    )


@workspace_page(COORDINATE)
@require_http_methods(["GET", "POST"])
def agreement_edit(
    request: HttpRequest, access: Access, agreement: int | None = None
) -> HttpResponse:
    coalition = access.coalition
    row = None
    if agreement is not None:
        row = coalition.agreements.defer("document").filter(pk=agreement).first()
        if row is None:
            raise Http404
    initial = {}
    if row is not None:
        initial = {
            "title": row.title,
            "parties": list(row.parties.all()),
            "text": row.text,
            "agreed_on": row.agreed_on,
            "review_on": row.review_on,
        }
    form = AgreementForm(
        request.POST or None,
        request.FILES or None,
        coalition=coalition,
        has_document=bool(row and row.document_name),
        initial=initial,
    )
    if request.method == "POST":
        if request.POST.get("delete") and row is not None:
            services.delete_agreement(user=request.user, request=request, agreement=row)
            messages.success(request, _("The agreement was deleted."))
            return redirect("coalitions:agreements", pk=coalition.pk)
        if form.is_valid():
            try:
                if row is None:
                    row = services.create_agreement(
                        user=request.user,
                        request=request,
                        coalition=coalition,
                        data=form.to_input(),
                    )
                else:
                    services.update_agreement(
                        user=request.user, request=request, agreement=row, data=form.to_input()
                    )
            except InvalidInput as error:
                add_errors(form, error.message_dict)
            else:
                messages.success(request, _("The agreement was saved."))
                return redirect("coalitions:agreements", pk=coalition.pk)
    return render_workspace(
        request,
        "coalitions/agreement_form.html",
        access,
        "agreements",
        form=form,
        agreement=row,
    )


@workspace_page(READ)
@require_safe
def agreement_document(request: HttpRequest, access: Access, agreement: int) -> HttpResponse:
    row = access.coalition.agreements.filter(pk=agreement).exclude(document=None).first()
    if row is None or not row.document:
        raise Http404
    workspace.record_access(
        request,
        access,
        "coalitions.agreement.document",
        "coalitions.agreement",
        row.pk,
        action=Action.EXPORT,
    )
    response = attachment(
        bytes(row.document),
        content_type=row.document_type or "application/octet-stream",
        filename=row.document_name or "document",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Actions ------------------------------------------------------------------------------------


@workspace_page(READ)
@require_safe
def actions(request: HttpRequest, access: Access) -> HttpResponse:
    chosen = request.GET.get("status", "active")
    if chosen not in {"", "active", *ActionStatus.values}:
        chosen = "active"
    rows = workspace.action_list(access, status=chosen, request=request)
    return render_workspace(
        request,
        "coalitions/actions.html",
        access,
        "actions",
        actions=rows,
        chosen=chosen,
        statuses=[("active", _("Open and in progress")), *ActionStatus.choices, ("", _("All"))],
        today=timezone.localdate(),
    )


def _action_initial(request: HttpRequest, access: Access) -> dict[str, Any]:
    """Prefill a new action from a result: ``?ronde=<round>&stelling=<code>``."""
    initial: dict[str, Any] = {
        "status": ActionStatus.OPEN,
        "due_on": timezone.localdate() + datetime.timedelta(days=90),
    }
    round_ = (
        access.coalition.assessment_rounds.filter(pk=_number(request.GET.get("ronde")))
        .select_related("instrument_version")
        .first()
    )
    if round_ is not None:
        initial["round"] = round_
        code = request.GET.get("stelling", "")
        statement = round_.instrument_version.statements.filter(code=code).first()
        if statement is not None:
            initial["statements"] = [statement]
            initial["title"] = statement.text[:200]
    return initial


@workspace_page(COORDINATE)
@require_http_methods(["GET", "POST"])
def action_new(request: HttpRequest, access: Access) -> HttpResponse:
    coalition = access.coalition
    form = ActionForm(
        request.POST or None, coalition=coalition, initial=_action_initial(request, access)
    )
    if request.method == "POST" and form.is_valid():
        try:
            action = services.create_action(
                user=request.user, request=request, coalition=coalition, data=form.to_input()
            )
        except InvalidInput as error:
            add_errors(form, error.message_dict)
        else:
            messages.success(request, _("The improvement action was saved."))
            return redirect("coalitions:action", pk=coalition.pk, action=action.pk)
    return render_workspace(
        request,
        "coalitions/action_form.html",
        access,
        "actions",
        form=form,
        action=None,
    )


@workspace_page(READ)
@require_http_methods(["GET", "POST"])
def action_detail(request: HttpRequest, access: Access, action: int) -> HttpResponse:
    row = workspace.action_detail(access, action, request=request)
    if row is None:
        raise Http404
    form = None
    if access.coordinates:
        initial = {
            "title": row.title,
            "description": row.description,
            "organisation": row.organisation,
            "person": row.person,
            "due_on": row.due_on,
            "status": row.status,
            "round": row.round,
            "statements": list(row.statements.all()),
            "pathways": list(row.pathways.all()),
            "services": list(row.services.all()),
            "indicator_codes": ", ".join(row.indicator_codes or []),
        }
        form = ActionForm(request.POST or None, coalition=access.coalition, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.update_action(
                    user=request.user, request=request, action=row, data=form.to_input()
                )
            except InvalidInput as error:
                add_errors(form, error.message_dict)
            else:
                messages.success(request, _("The improvement action was saved."))
                return redirect("coalitions:action", pk=access.coalition.pk, action=row.pk)
    elif request.method == "POST":
        try:
            services.require_coordinator(
                user=request.user,
                coalition=access.coalition,
                request=request,
                event_type="coalitions.action.update",
                action=Action.UPDATE,
                object_type="coalitions.action",
                object_id=row.pk,
            )
        except NotAllowed:
            return _forbidden(request, access)
    return render_workspace(
        request,
        "coalitions/action.html",
        access,
        "actions",
        action=row,
        changes=list(row.changes.order_by("-changed_at", "-pk")),
        form=form,
        field_labels=_history_labels(),
        today=timezone.localdate(),
    )


def _history_labels() -> dict[str, str]:
    return {
        "title": _("What"),
        "description": _("Description"),
        "organisation": _("Organisation responsible"),
        "person": _("Person responsible"),
        "due_on": _("By when"),
        "status": _("Status"),
        "statements": _("Statements"),
        "pathways": _("Pathways"),
        "services": _("Services"),
        "indicator_codes": _("Indicators"),
    }


# --- Client journeys ------------------------------------------------------------------------------


@workspace_page(READ)
@require_safe
def journeys(request: HttpRequest, access: Access) -> HttpResponse:
    return render_workspace(
        request,
        "coalitions/journeys.html",
        access,
        "journeys",
        journeys=workspace.journeys(access.coalition),
    )


@workspace_page(COORDINATE)
@require_http_methods(["GET", "POST"])
def journey_edit(request: HttpRequest, access: Access, phase: str) -> HttpResponse:
    if phase not in Phase.values:
        raise Http404
    coalition = access.coalition
    journey = coalition.journeys.filter(phase=phase).first()
    initial = []
    if journey is not None:
        for point in services.touchpoints_from(journey):
            initial.append(
                {
                    "moment": point.moment,
                    "title": point.title,
                    "role": point.role,
                    "organisation": point.organisation,
                    "description": point.description,
                    "situations": list(point.situations),
                    "pathway": point.pathway,
                    "service": point.service,
                }
            )
    form = JourneyForm(
        request.POST or None, initial={"introduction": journey.introduction if journey else ""}
    )
    formset = TouchpointFormSet(
        request.POST or None, coalition=coalition, initial=initial, prefix="points"
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        ordered = [
            f for f in formset.ordered_forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ] + [
            f
            for f in formset.forms
            if f.cleaned_data
            and not f.cleaned_data.get("DELETE")
            and f not in formset.ordered_forms
        ]
        try:
            services.save_journey(
                user=request.user,
                request=request,
                coalition=coalition,
                phase=phase,
                data=services.JourneyInput(
                    introduction=form.cleaned_data.get("introduction", ""),
                    touchpoints=[f.to_input() for f in ordered],
                ),
            )
        except InvalidInput as error:
            for name, problems in error.message_dict.items():
                parts = name.split(".")
                if len(parts) == 3 and parts[0] == "touchpoints":
                    target = formset.forms[ordered_index(ordered, formset.forms, int(parts[1]))]
                    for problem in problems:
                        target.add_error(parts[2] if parts[2] in target.fields else None, problem)
                else:
                    for problem in problems:
                        form.add_error(None, problem)
        else:
            messages.success(request, _("The client journey was saved."))
            return redirect("coalitions:journeys", pk=coalition.pk)
    invalid = request.method == "POST"
    return render_workspace(
        request,
        "coalitions/journey_form.html",
        access,
        "journeys",
        phase=phase,
        phase_label=Phase(phase).label,
        form=form,
        formset=formset,
        status=400 if invalid else 200,
    )


def ordered_index(ordered: list[Any], forms: list[Any], index: int) -> int:
    """The position in ``forms`` of the ``index``-th form of ``ordered``."""
    return forms.index(ordered[index]) if 0 <= index < len(ordered) else 0


# --- Referral network -------------------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[datetime.date, datetime.date, list[str]]:
    start, end = network.default_period()
    errors: list[str] = []
    raw_start, raw_end = request.GET.get("van", ""), request.GET.get("tot", "")
    try:
        if raw_start:
            start = datetime.date.fromisoformat(raw_start)
        if raw_end:
            end = datetime.date.fromisoformat(raw_end)
    except ValueError:
        errors.append(_("Give the dates as year-month-day, e.g. 2026-01-31."))
        start, end = network.default_period()
    if end < start:
        errors.append(_("The end of the period lies before its start."))
        start, end = network.default_period()
    elif (end - start).days > 3 * 366:
        errors.append(_("A period is at most three years."))
        start, end = network.default_period()
    return start, end, errors


@workspace_page(READ)
@require_safe
def referral_network(request: HttpRequest, access: Access) -> HttpResponse:
    start, end, errors = _period(request)
    data = network.build(access, start, end, request=request)
    table = Table(
        caption=_("Referrals per pair of organisations, %(start)s to %(end)s")
        % {"start": start.strftime("%d-%m-%Y"), "end": end.strftime("%d-%m-%Y")},
        columns=[_("From"), _("To"), _("Referrals")],
        rows=[[edge.source.name, edge.target.name, edge.shown] for edge in data.edges],
        numeric=[False, False, True],
    )
    chart = Chart(
        key="network",
        title=_("Who refers to whom"),
        description=_(
            "Organisations on a circle, coloured by domain; an arrow per pair that referred "
            "families of the coalition's municipalities, thicker for more referrals, dashed where "
            "the number is not shown (fewer than 10, or it would give such a number away)."
        ),
        spec=charts.network_spec(data),
        table=table,
        is_demo=access.coalition.is_demo,
    )
    return render_workspace(
        request,
        "coalitions/network.html",
        access,
        "network",
        network=data,
        chart=chart,
        domains=MemberDomain.choices,
        errors=errors,
        start=start,
        end=end,
        status=400 if errors else 200,
    )
