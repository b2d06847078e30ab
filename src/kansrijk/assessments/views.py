"""Pages of self-assessments, under /zelfevaluatie/.

- Respondents: their questionnaires (``mine``), answering (``answer``) — and people without an
  account, through their personal link (``link``), which reaches that questionnaire and nothing
  else.
- The coalition: its rounds, opening one, inviting, closing; the round's page (who answered,
  never what: for the coordinator); results with charts and tables, the .xlsx export and the
  printable report (coordinator and analyst); the instruments.

A round the user has no part in gives 404 (logged). No page is cached by browsers or proxies.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kansrijk.assessments import charts, exports, selectors, services
from kansrijk.assessments.exceptions import (
    InvalidInput,
    LinkNotUsable,
    NotAllowed,
    RoundClosed,
    RoundNotFound,
)
from kansrijk.assessments.forms import AnswerForm, InviteForm, LinkInviteeFormSet, RoundForm
from kansrijk.assessments.models import Instrument, InstrumentVersion
from kansrijk.assessments.selectors import RoundAccess
from kansrijk.audit.models import Action
from kansrijk.audit.services import record_event, record_refusal
from kansrijk.coalitions.access import Access, is_workspace_user, user_access
from kansrijk.coalitions.views import COORDINATE, READ, render_workspace, workspace_page
from kansrijk.core.downloads import XLSX_CONTENT_TYPE, attachment
from kansrijk.core.forbidden import forbidden_page
from kansrijk.core.forms import add_errors
from kansrijk.monitoring.charts import Chart, Table

View = Callable[..., HttpResponse]


def _log_respondent_list(request: HttpRequest, coalition: Any, role: str) -> None:
    """The forms that open a round or invite list the users of the member organisations by
    name: a read about people, logged."""
    record_event(
        request=request,
        event_type="assessments.respondents.list",
        action=Action.READ,
        object_type="coalitions.coalition",
        object_id=str(coalition.pk),
        purpose=selectors.PURPOSE,
        role=role,
    )


def round_page(capability: str = "") -> Callable[[View], View]:
    """Load round ``pk`` for a page: 404 for those who have no part in it; 403 when the page
    needs the coordinator (``coordinate``) or the results readers (``results``)."""

    def decorate(view: View) -> View:
        @login_required
        @never_cache
        @wraps(view)
        def wrapped(request: HttpRequest, pk: int, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                found = selectors.get_round(request.user, pk, request=request)
            except RoundNotFound:
                raise Http404(str(RoundNotFound.default_message)) from None
            allowed = {
                "": True,
                "coordinate": found.coordinates,
                "results": found.reads_results,
            }[capability]
            if not allowed:
                record_refusal(
                    request=request,
                    event_type="assessments.round.page",
                    action=Action.READ if request.method == "GET" else Action.UPDATE,
                    role=found.role,
                    **selectors.round_audit_fields(found.round.pk),
                )
                return forbidden_page(
                    request,
                    _("This page is for the coalition's coordinator.")
                    if capability == "coordinate"
                    else _("The results are for the coalition's coordinator and analysts."),
                )
            return view(request, found, *args, **kwargs)

        return wrapped

    return decorate


# --- Respondents --------------------------------------------------------------------------------


@login_required
@never_cache
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    """The questionnaires the user is invited to that are open."""
    return render(
        request,
        "assessments/mine.html",
        {"invitations": selectors.open_invitations(request.user)},
    )


def _answer_page(
    request: HttpRequest,
    *,
    round_access: RoundAccess | None,
    invitation: Any,
    action_url: str,
    done_url: str,
    user: Any,
) -> HttpResponse:
    round_ = invitation.round
    version = round_.instrument_version
    saved, submitted = services.own_answers(invitation)
    form = AnswerForm(version, request.POST if request.method == "POST" else None, saved)
    status = 200
    if request.method == "POST":
        submit = "send" in request.POST
        answers = form.parse()
        if not form.errors:
            try:
                result = services.save_answers(
                    invitation=invitation,
                    answers=answers,
                    submit=submit,
                    request=request,
                    user=user,
                )
            except InvalidInput as error:
                form.add_errors(error.message_dict)
            except (RoundClosed, LinkNotUsable) as error:
                messages.error(request, str(error))
                return redirect(done_url)
            else:
                if result.submitted and submit:
                    messages.success(
                        request,
                        _("Thank you: your answers were sent in. Nobody sees what you answered."),
                    )
                    return redirect(done_url)
                messages.success(
                    request,
                    _(
                        "Your answers were saved. Come back to finish and send them in before %(date)s."
                    )
                    % {"date": round_.closes_on.strftime("%d-%m-%Y")},
                )
                return redirect(action_url)
        status = 400
    return render(
        request,
        "assessments/answer.html",
        {
            "round": round_,
            "version": version,
            "form": form,
            "fields": form.fields(),
            "submitted": submitted,
            "action_url": action_url,
            "invitation": invitation,
            "by_link": invitation.is_link,
            "error_count": len(form.errors),
            "threshold": selectors.threshold(),
        },
        status=status,
    )


@round_page()
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, found: RoundAccess) -> HttpResponse:
    invitation = found.invitation
    round_ = found.round
    if invitation is None:
        record_refusal(
            request=request,
            event_type="assessments.response.save",
            action=Action.READ,
            role=found.role,
            **selectors.round_audit_fields(round_.pk),
        )
        return forbidden_page(request, _("You are not invited to answer this round."))
    if not round_.is_open():
        if request.method == "POST":  # answers sent after closing: refused, and logged
            with contextlib.suppress(RoundClosed):
                services.require_answerable(
                    invitation=invitation,
                    submit="send" in request.POST,
                    request=request,
                    user=request.user,
                )
        messages.error(request, str(RoundClosed.default_message))
        return redirect("assessments:mine")
    url = reverse("assessments:answer", args=[round_.pk])
    return _answer_page(
        request,
        round_access=found,
        invitation=invitation,
        action_url=url,
        done_url=reverse("assessments:mine"),
        user=request.user,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def link(request: HttpRequest, token: str) -> HttpResponse:
    """A questionnaire through a personal link: only this invitation's questionnaire."""
    try:
        invitation = services.invitation_for_token(token)
    except LinkNotUsable as error:
        record_refusal(
            request=request,
            event_type="assessments.link.open",
            action=Action.READ,
            object_type="assessments.invitation",
            purpose=selectors.PURPOSE,
        )
        return render(
            request, "assessments/link_unusable.html", {"message": str(error)}, status=404
        )
    url = reverse("assessments:link", args=[token])
    # The link's token is in the address: the site-wide Referrer-Policy (same-origin) keeps it
    # from other sites, and the page links nowhere else. ("no-referrer" would make browsers
    # post the form with "Origin: null", which the CSRF check rightly refuses.)
    return _answer_page(
        request,
        round_access=None,
        invitation=invitation,
        action_url=url,
        done_url=reverse("assessments:thanks"),
        user=None,
    )


@never_cache
@require_safe
def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "assessments/thanks.html")


# --- Rounds of a coalition ------------------------------------------------------------------------


@workspace_page(READ)
@require_safe
def rounds(request: HttpRequest, access: Access) -> HttpResponse:
    return render_workspace(
        request,
        "assessments/rounds.html",
        access,
        "rounds",
        rounds=list(selectors.rounds_of([access.coalition.pk])),
        threshold=selectors.threshold(),
    )


@workspace_page(COORDINATE)
@require_http_methods(["GET", "POST"])
def round_new(request: HttpRequest, access: Access) -> HttpResponse:
    coalition = access.coalition
    eligible = list(services.eligible_respondents(coalition).values_list("pk", flat=True))
    form = RoundForm(request.POST or None, coalition=coalition, initial={"respondents": eligible})
    invitees = LinkInviteeFormSet(request.POST or None, coalition=coalition, prefix="links")
    if request.method == "POST" and form.is_valid() and invitees.is_valid():
        data = form.cleaned_data
        try:
            round_, links = services.open_round(
                user=request.user,
                request=request,
                coalition=coalition,
                instrument_version=data["instrument_version"],
                closes_on=data["closes_on"],
                title=data.get("title", ""),
                respondents=list(data.get("respondents") or []),
                link_invitees=invitees.invitees(),
            )
        except InvalidInput as error:
            add_errors(form, error.message_dict)
        else:
            return _links_made(request, round_, links, opened=True)
    _log_respondent_list(request, coalition, access.role)
    return render_workspace(
        request,
        "assessments/round_form.html",
        access,
        "rounds",
        form=form,
        invitees=invitees,
        status=400 if request.method == "POST" else 200,
    )


def _links_made(
    request: HttpRequest, round_: Any, links: list[Any], *, opened: bool
) -> HttpResponse:
    """After opening or inviting: the personal links, shown this once (only their hash is
    kept), and sent to those with an address."""
    if not links:
        messages.success(
            request, _("The round is open.") if opened else _("The invitations were added.")
        )
        return redirect("assessments:round", pk=round_.pk)
    shown = []
    for made in links:
        sent = services.send_link(made, request)
        shown.append(
            {
                "invitation": made.invitation,
                "url": request.build_absolute_uri(made.path),
                "sent": sent,
            }
        )
    response = render(
        request,
        "assessments/links.html",
        {"round": round_, "links": shown, "opened": opened},
    )
    response["Cache-Control"] = "no-store"
    return response


@round_page()
@require_safe
def round_detail(request: HttpRequest, found: RoundAccess) -> HttpResponse:
    if not found.reads_results:
        return redirect("assessments:answer", pk=found.round.pk)
    round_ = found.round
    invitations = selectors.invitations_of(found, request=request)
    invited = round_.invitations.count()
    answered = round_.invitations.exclude(responded_at=None).count()
    return render(
        request,
        "assessments/round.html",
        {
            "found": found,
            "access": found.access,
            "coalition": round_.coalition,
            "section": "rounds",
            "round": round_,
            "version": round_.instrument_version,
            "invitations": invitations,
            "invited": invited,
            "answered": answered,
            "threshold": selectors.threshold(),
        },
    )


@round_page("coordinate")
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, found: RoundAccess) -> HttpResponse:
    round_ = found.round
    coalition = round_.coalition
    already = round_.invitations.exclude(user=None).values_list("user_id", flat=True)
    form = InviteForm(request.POST or None, coalition=coalition, exclude=already)
    invitees = LinkInviteeFormSet(request.POST or None, coalition=coalition, prefix="links")
    if request.method == "POST" and form.is_valid() and invitees.is_valid():
        try:
            _created, links = services.invite(
                user=request.user,
                request=request,
                round_=round_,
                users=list(form.cleaned_data.get("respondents") or []),
                link_invitees=invitees.invitees(),
            )
        except InvalidInput as error:
            add_errors(form, error.message_dict)
        except RoundClosed as error:
            messages.error(request, str(error))
            return redirect("assessments:round", pk=round_.pk)
        else:
            return _links_made(request, round_, links, opened=False)
    _log_respondent_list(request, coalition, found.role)
    return render(
        request,
        "assessments/invite.html",
        {
            "access": found.access,
            "coalition": coalition,
            "section": "rounds",
            "round": round_,
            "form": form,
            "invitees": invitees,
        },
        status=400 if request.method == "POST" else 200,
    )


@round_page("coordinate")
@require_POST
def withdraw(request: HttpRequest, found: RoundAccess, invitation: int) -> HttpResponse:
    row = found.round.invitations.filter(pk=invitation).first()
    if row is None:
        raise Http404
    try:
        services.withdraw_invitation(user=request.user, request=request, invitation=row)
    except InvalidInput as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The invitation was withdrawn."))
    return redirect("assessments:round", pk=found.round.pk)


@round_page("coordinate")
@require_POST
def close(request: HttpRequest, found: RoundAccess) -> HttpResponse:
    try:
        services.close_round(user=request.user, request=request, round_=found.round)
    except NotAllowed:
        return forbidden_page(request, _("This page is for the coalition's coordinator."))
    messages.success(request, _("The round is closed. No more answers are accepted."))
    return redirect("assessments:round", pk=found.round.pk)


# --- Results -------------------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 1) -> str:
    """A figure in the user's language (1,5 in Dutch), or a dash when there is none."""
    if value is None:
        return "—"
    # number_format cuts off the digits; round first.
    return number_format(round(value, digits), decimal_pos=digits)


def _change(change: Any) -> str:
    if change is None:
        return "—"
    difference = change.difference
    sign = "+" if difference > 0 else ("\u2212" if difference < 0 else "±")
    return f"{sign}{_fmt(abs(difference))}"


def result_charts(
    view: selectors.RoundResults,
) -> tuple[Chart | None, list[tuple[Any, Chart, Chart]]]:
    """The radar of the parts (a bar chart where a radar cannot be drawn: fewer than three parts
    or two means) and per part a bar chart of the means and one of the distribution of the
    scores, each with its data table (``monitoring.charts``)."""
    if view.results.suppressed:
        return None, []
    demo = view.round.is_demo or view.round.coalition.is_demo
    notes = _(
        "“—”: no figure — fewer than %(n)s respondents gave a score (so that nobody's answer "
        "can be recognised), or there is no previous round to compare with."
    ) % {"n": view.results.threshold}
    radar_table = Table(
        caption=_("Mean per part"),
        columns=[
            _("Part"),
            _("Scores"),
            _("Respondents"),
            _("Mean"),
            _("Previous round"),
            _("Difference"),
        ],
        rows=[
            [
                p.part.name,
                p.result.n,
                p.result.respondents,
                _fmt(p.result.mean),
                _fmt(p.change.previous) if p.change else "—",
                _change(p.change),
            ]
            for p in view.parts
        ],
        numeric=[False, True, True, True, True, True],
    )
    radar = Chart(
        key="radar",
        title=_("The parts at a glance"),
        description=_(
            "The mean score of each part on a radar: further out is higher (%(low)s to %(high)s)."
        )
        % {"low": view.version.scale_min, "high": view.version.scale_max},
        spec=charts.radar(view) or charts.part_bars(view),
        table=radar_table,
        is_demo=demo,
        notes=notes,
    )
    scale_note = _("Columns %(values)s: how many gave that score (%(labels)s).") % {
        "values": ", ".join(str(value) for value, _label in view.scale),
        "labels": "; ".join(f"{value} = {label}" for value, label in view.scale),
    }
    per_part = []
    for part in view.parts:
        table = Table(
            caption=_("Statements of %(part)s") % {"part": part.part.name},
            columns=[
                _("Statement"),
                _("Scores"),
                _("Don't know"),
                _("Mean"),
                _("Median"),
                _("Spread"),
                *[str(value) for value, _label in view.scale],
                _("Previous round"),
                _("Difference"),
            ],
            rows=[
                [
                    f"{row.statement.code}. {row.statement.text}",
                    row.result.n,
                    row.result.unknown,
                    _fmt(row.result.mean),
                    _fmt(row.result.median),
                    _fmt(row.result.spread),
                    *[
                        (row.result.distribution or {}).get(value, "—")
                        if row.result.distribution
                        else "—"
                        for value, _label in view.scale
                    ],
                    _fmt(row.change.previous) if row.change else "—",
                    _change(row.change),
                ]
                for row in part.statements
            ],
            numeric=[False, *([True] * (7 + len(view.scale)))],
        )
        per_part.append(
            (
                part,
                Chart(
                    key=f"part-{part.part.position}",
                    title=part.part.name,
                    description=_(
                        "Per statement the mean score as a bar, the spread (one standard deviation "
                        "either side) as a line%(previous)s."
                    )
                    % {
                        "previous": _(" and the previous round's mean as a tick")
                        if view.previous
                        else ""
                    }
                    + " "
                    + scale_note,
                    spec=charts.bars(view, part.part.code),
                    table=table,
                    is_demo=demo,
                    notes=notes,
                ),
                _distribution_chart(view, part, demo, notes),
            )
        )
    return radar, per_part


def _distribution_chart(view: selectors.RoundResults, part: Any, demo: bool, notes: str) -> Chart:
    """How many gave each score, per statement of ``part``: where the bars reach far to both
    sides, the partners disagree. Its table has exactly the chart's figures."""
    unknown = view.version.allow_unknown
    table = Table(
        caption=_("Scores per statement of %(part)s") % {"part": part.part.name},
        columns=[
            _("Statement"),
            *[f"{value}: {label}" for value, label in view.scale],
            *([_("Don't know")] if unknown else []),
            _("Scores"),
        ],
        rows=[
            [
                f"{row.statement.code}. {row.statement.text}",
                *[
                    row.result.distribution[value] if row.result.distribution else "—"
                    for value, _label in view.scale
                ],
                *([row.result.unknown] if unknown else []),
                row.result.n,
            ]
            for row in part.statements
        ],
        numeric=[False, *([True] * (len(view.scale) + (2 if unknown else 1)))],
    )
    return Chart(
        key=f"distribution-{part.part.position}",
        title=_("How the scores are spread: %(part)s") % {"part": part.part.name},
        description=_(
            "Per statement a bar of how many respondents gave each score, from the centre: the "
            "low scores (%(low)s) to the left, the high ones (%(high)s) to the right, the middle "
            "score across the centre. Long bars on both sides: the partners disagree. The number "
            "in each segment is how many gave that score."
        )
        % {"low": view.scale[0][1], "high": view.scale[-1][1]}
        + (" " + _("“Don't know” is counted after the statement's code.") if unknown else ""),
        spec=charts.distribution(view, part.part.code),
        table=table,
        is_demo=demo,
        notes=notes,
    )


def _results_context(found: RoundAccess, view: selectors.RoundResults) -> dict[str, Any]:
    radar, per_part = result_charts(view)
    return {
        "found": found,
        "access": found.access,
        "coalition": view.round.coalition,
        "section": "rounds",
        "round": view.round,
        "version": view.version,
        "view": view,
        "results": view.results,
        "radar": radar,
        "per_part": per_part,
        "invited": view.round.invitations.count(),
        "today": timezone.localdate(),
    }


@round_page("results")
@require_safe
def results(request: HttpRequest, found: RoundAccess) -> HttpResponse:
    view = selectors.round_results(found, request=request)
    return render(request, "assessments/results.html", _results_context(found, view))


@round_page("results")
@require_safe
def report(request: HttpRequest, found: RoundAccess) -> HttpResponse:
    """The results as a printable report (the browser prints it; charts and tables)."""
    view = selectors.round_results(
        found, request=request, action=Action.PRINT, event_type="assessments.results.print"
    )
    return render(request, "assessments/report.html", _results_context(found, view))


@round_page("results")
@require_safe
def export(request: HttpRequest, found: RoundAccess) -> HttpResponse:
    view = selectors.round_results(
        found, request=request, action=Action.EXPORT, event_type="assessments.results.export"
    )
    return attachment(
        exports.workbook(view), content_type=XLSX_CONTENT_TYPE, filename=exports.filename(view)
    )


# --- Instruments ------------------------------------------------------------------------------


def instrument_page(view: View) -> View:
    """For the pages of the instruments: the no-access page unless the user works in a
    coalition's workspace (a coordinator or an analyst)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not (is_workspace_user(request.user) or user_access(request.user).workspace_ids):
            return forbidden_page(
                request, _("The instruments are for coalition coordinators and analysts.")
            )
        return view(request, *args, **kwargs)

    return wrapped


@login_required
@never_cache
@require_safe
@instrument_page
def instruments(request: HttpRequest) -> HttpResponse:
    rows = (
        Instrument.objects.prefetch_related("versions")
        .select_related("current_version")
        .order_by("name")
    )
    return render(request, "assessments/instruments.html", {"instruments": rows})


@login_required
@never_cache
@require_safe
@instrument_page
def instrument_version(request: HttpRequest, code: str, number: int) -> HttpResponse:
    version = (
        InstrumentVersion.objects.filter(instrument__code=code, number=number)
        .select_related("instrument")
        .first()
    )
    if version is None:
        raise Http404
    statements = list(version.statements.select_related("part").order_by("position"))
    return render(
        request,
        "assessments/instrument.html",
        {"version": version, "statements": statements},
    )
