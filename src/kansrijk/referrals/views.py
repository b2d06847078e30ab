"""The referral pages: start a referral, change the draft, record consent and send it, record
that the client withdrew her consent; the receiving
organisation's inbox with accept / decline / contact / outcome; the sent list; one referral
with its timeline; its print view and access report; the coalition's results.

Thin: parse with ``forms.py``, call ``services`` / ``selectors`` (which check who may do what
and write the access log), render. Another organisation's referral, an unknown id and a
malformed id give the same 404. No personal data in URLs: query parameters carry only ids
and codes.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kansrijk.audit.models import Action
from kansrijk.core.forbidden import forbidden_page
from kansrijk.core.forms import add_errors
from kansrijk.places.selectors import municipality_choices
from kansrijk.referrals import selectors, services, stats
from kansrijk.referrals.exceptions import (
    ConsentRequired,
    InvalidReferral,
    NotAllowed,
    ReferralError,
    ReferralNotFound,
    StaleVersion,
)
from kansrijk.referrals.forms import (
    ConsentForm,
    ConsentWithdrawForm,
    ContactAttemptForm,
    PrenatalStartForm,
    ReferralEditForm,
    ReferralForm,
    TransitionForm,
    aware,
)
from kansrijk.referrals.models import (
    PROFESSIONAL_KINDS,
    PROFESSIONAL_SOURCES,
    Consent,
    DataCategory,
    Kind,
    Referral,
    Source,
    Urgency,
)
from kansrijk.referrals.workflow import OPEN, Side, Status
from kansrijk.signalling import answers

STALE_MESSAGE = gettext_lazy(
    "This referral was changed in the meantime by someone else. Nothing has been saved: "
    "reload the page, check the new state and try again."
)
CONSENT_MESSAGE = gettext_lazy(
    "The referral has not been sent: record the client's consent first. Without her consent "
    "for every kind of data in the referral, it cannot be sent."
)

#: Rows per page of the inbox and the sent list (keyset pages: "Next page" continues).
LIST_PAGE_SIZE = 25

#: The order of the action forms on a referral (the most common first).
_ACTION_ORDER = [
    Status.ACCEPTED,
    Status.REJECTED,
    Status.IN_PROGRESS,
    Status.COMPLETED,
    Status.ON_HOLD,
    Status.FAILED,
    Status.CANCELLED,
]

_ACTION_LABELS = {
    Status.ACCEPTED: gettext_lazy("Accept"),
    Status.REJECTED: gettext_lazy("Decline"),
    Status.IN_PROGRESS: gettext_lazy("Mark as in progress"),
    Status.COMPLETED: gettext_lazy("Record the outcome and close"),
    Status.ON_HOLD: gettext_lazy("Put on hold"),
    Status.FAILED: gettext_lazy("Close as failed"),
    Status.CANCELLED: gettext_lazy("Cancel the referral"),
}


# --- Helpers --------------------------------------------------------------------------------


def _not_found() -> Http404:
    return Http404(_("No referral with this id, or you may not see it."))


def _situation_choices() -> list[tuple[str, str]]:
    from kansrijk.situations.models import FactorKind, Situation

    return list(
        Situation.objects.filter(kind=FactorKind.RISK).order_by("name").values_list("code", "name")
    )


def _add_errors(form: Any, exc: InvalidReferral) -> None:
    """The service's errors on the form; its ``service_id`` is the form's ``service``."""
    for name, errors in exc.errors.items():
        add_errors(form, {"service" if name == "service_id" else name: map(str, errors)})


def _get_referral(request: HttpRequest, pk: uuid.UUID, **kwargs: Any) -> Referral:
    try:
        return selectors.get_referral(request.user, pk, request=request, **kwargs)
    except ReferralNotFound as exc:
        raise _not_found() from exc


# --- Starting a referral --------------------------------------------------------------------


def sender_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For a page that starts a referral: the no-access page (the refusal logged as
    ``referral.create``) unless the user may send referrals for an organisation."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            selectors.require_grant(
                request.user, Side.SENDER, request=request, event_type="referral.create"
            )
        except NotAllowed as exc:
            return forbidden_page(request, exc.message)
        return view(request, *args, **kwargs)

    return wrapped


def _service_for(service_id: Any) -> Any:
    from kansrijk.directory.models import Service

    try:
        pk = uuid.UUID(str(service_id))
    except (ValueError, TypeError):
        return None
    return (
        Service.objects.select_related("organization__account_organisation").filter(pk=pk).first()
    )


def _initial_from_query(request: HttpRequest, service: Any) -> dict[str, Any]:
    """What the page it came from passes: ids and codes only, never personal data. From the
    broad conversation's result (``source=signalling``) the ticked factors, phase and
    municipality come from the answers kept in the browser, never from the URL."""
    query = request.GET
    kind = query.get("kind", "")
    source = query.get("source", "")
    situations = [s for value in query.getlist("situation") for s in value.split(",") if s]
    initial: dict[str, Any] = {
        "service": service.pk,
        "kind": kind if kind in dict(PROFESSIONAL_KINDS) else Kind.GENERAL,
        "pathway_ref": query.get("pathway", "")[:64],
        "pathway_step_ref": query.get("step", "")[:64],
        "signalling_ref": query.get("signalling", "")[:64],
        "situations": situations,
        "urgency": Urgency.ROUTINE,
    }
    if source in dict(PROFESSIONAL_SOURCES) and source != Source.API:
        initial["source"] = source
    elif initial["pathway_ref"]:
        initial["source"] = Source.PATHWAY
    elif initial["signalling_ref"] or situations:
        initial["source"] = Source.SIGNALLING
    else:
        initial["source"] = Source.SERVICE
    phase = query.get("phase", "")
    municipality = query.get("municipality", "")
    if initial["source"] == Source.SIGNALLING and not situations:
        conversation = answers.recall(request)
        initial["conversation"] = conversation
        if conversation is not None:
            initial["situations"] = list(conversation.factors)
            phase = phase or conversation.phase
            municipality = municipality or conversation.place
    if initial["kind"] == Kind.PRENATAL_HOME_VISIT:
        phase = "pregnancy"
    if phase:
        initial["phase"] = phase
    if not municipality:
        user_org = getattr(request.user, "organisation", None)
        if user_org is not None:
            served = service.service_areas.values_list("municipality_id", flat=True)
            municipality = (
                user_org.municipalities.filter(code__in=served)
                .order_by("code")
                .values_list("code", flat=True)
                .first()
            ) or ""
    if municipality:
        initial["client_municipality"] = municipality
    return initial


@login_required
@never_cache
@sensitive_post_parameters()
@sensitive_variables()
@require_http_methods(["GET", "POST"])
@sender_page
def new(request: HttpRequest) -> HttpResponse:
    """A new referral to one service (``?service=<uuid>``), saved as a draft."""
    service_id = (
        request.POST.get("service") if request.method == "POST" else request.GET.get("service")
    )
    service = _service_for(service_id)
    if service is None:
        return render(
            request, "referrals/choose_service.html", {"unknown": bool(service_id)}, status=400
        )
    if service.organization.account_organisation_id is None:
        return render(request, "referrals/not_through_kansrijk.html", {"service": service})

    kwargs = {"municipalities": municipality_choices(), "situations": _situation_choices()}
    status = 200
    if request.method == "POST":
        form = ReferralForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                referral = services.create_referral(
                    user=request.user,
                    data=services.ReferralInput(**form.to_input_values()),
                    request=request,
                )
            except InvalidReferral as exc:
                _add_errors(form, exc)
            except NotAllowed as exc:
                return forbidden_page(request, exc.message)
            else:
                messages.success(
                    request,
                    _(
                        "The referral %(reference)s is saved as a draft. Record the client's "
                        "consent, then send it."
                    )
                    % {"reference": referral.reference},
                )
                return redirect("referrals:detail", pk=referral.pk)
        status = 400
    else:
        initial = _initial_from_query(request, service)
        valid_codes = {code for code, _name in kwargs["situations"]}
        # Risk factors only: the conversation's protective factors are no referral situations.
        initial["situations"] = [c for c in initial["situations"] if c in valid_codes]
        form = ReferralForm(initial=initial, **kwargs)
    return render(
        request,
        "referrals/new.html",
        {
            "form": form,
            "service": service,
            "is_phb": form.is_prenatal_home_visit,
            # From the conversation's result: the answers (None when no longer kept).
            "from_conversation": "conversation" in form.initial,
            "conversation": form.initial.get("conversation"),
        },
        status=status,
    )


def _prenatal_services(municipality_code: str) -> list[Any]:
    """The JGZ prenatal home visit services that serve the municipality and take referrals
    through Kansrijk."""
    return list(selectors.prenatal_home_visit_services(municipality_code))


@login_required
@never_cache
@require_safe
@sender_page
def new_prenatal(request: HttpRequest) -> HttpResponse:
    """Request a prenatal home visit: choose her municipality, get its JGZ service."""
    municipalities = municipality_choices()
    found: list[Any] | None = None
    if "municipality" in request.GET:
        form = PrenatalStartForm(request.GET, municipalities=municipalities)
        if form.is_valid():
            code = form.cleaned_data["municipality"]
            found = _prenatal_services(code)
            if len(found) == 1:
                url = reverse("referrals:new")
                return redirect(
                    f"{url}?service={found[0].pk}&kind={Kind.PRENATAL_HOME_VISIT}"
                    f"&phase=pregnancy&municipality={code}"
                )
    else:
        initial = {}
        org = getattr(request.user, "organisation", None)
        if org is not None:
            first = org.municipalities.order_by("code").values_list("code", flat=True).first()
            if first:
                initial["municipality"] = first
        form = PrenatalStartForm(initial=initial, municipalities=municipalities)
    return render(
        request,
        "referrals/new_prenatal.html",
        {"form": form, "found": found, "phb_kind": Kind.PRENATAL_HOME_VISIT},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


# --- One referral ---------------------------------------------------------------------------


def _transition_forms(
    request: HttpRequest, referral: Referral, bound: TransitionForm | None
) -> list[dict[str, Any]]:
    allowed = {t.target: t for t in selectors.allowed_transitions(request.user, referral)}
    items = []
    for target in _ACTION_ORDER:
        rule = allowed.get(target)
        if rule is None:
            continue
        if bound is not None and bound.data.get("to") == target:
            form = bound
        else:
            form = TransitionForm(
                initial={"to": target, "version": referral.version},
                rule=rule,
                auto_id=f"t-{target}-%s",
            )
        items.append(
            {
                "rule": rule,
                "form": form,
                "label": _ACTION_LABELS[target],
                "danger": target in (Status.REJECTED, Status.FAILED, Status.CANCELLED),
            }
        )
    return items


def _detail_context(
    request: HttpRequest,
    referral: Referral,
    *,
    consent_form: ConsentForm | None = None,
    transition_form: TransitionForm | None = None,
    contact_form: ContactAttemptForm | None = None,
    error: Any = None,
    missing: list[str] | None = None,
) -> dict[str, Any]:
    sides = referral.sides_for(request.user)
    is_sender = Side.SENDER in sides
    is_receiver = Side.RECEIVER in sides
    is_draft = referral.status == Status.DRAFT
    consents = list(referral.consents.all())
    active_consent = next((c for c in consents if c.withdrawn_at is None), None)
    valid = is_draft and is_sender and referral.valid_consent() is not None
    if is_sender and is_draft and consent_form is None:
        consent_form = ConsentForm(initial={"data_categories": sorted(referral.data_categories())})
    if is_receiver and referral.status in services.CONTACT_STATUSES and contact_form is None:
        contact_form = ContactAttemptForm(initial={"version": referral.version})
    row = selectors._row(referral, _today())
    return {
        "referral": referral,
        "row": row,
        "is_sender": is_sender,
        "is_receiver": is_receiver,
        "is_draft": is_draft,
        "is_phb": referral.kind == Kind.PRENATAL_HOME_VISIT,
        "consents": consents,
        "active_consent": active_consent,
        "has_valid_consent": valid,
        "consent_form": consent_form if is_sender and is_draft else None,
        "contact_form": contact_form
        if is_receiver and referral.status in services.CONTACT_STATUSES
        else None,
        "actions": [] if is_draft else _transition_forms(request, referral, transition_form),
        "events": list(referral.status_events.all()),
        "attempts": list(referral.contact_attempts.all()),
        "situations": list(referral.situations.all()),
        "error": error,
        "missing": [DataCategory(m).label for m in (missing or []) if m in DataCategory.values],
        "open": referral.status in OPEN,
        "category_labels": DataCategory.choices,
    }


def _today() -> Any:
    from django.utils import timezone

    return timezone.localdate()


def _render_detail(
    request: HttpRequest, referral: Referral, status: int = 200, **kwargs: Any
) -> HttpResponse:
    return render(
        request,
        "referrals/detail.html",
        _detail_context(request, referral, **kwargs),
        status=status,
    )


@login_required
@never_cache
@require_safe
def detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    referral = _get_referral(request, pk)
    if referral.status == Status.REQUESTED and Side.RECEIVER in referral.sides_for(request.user):
        # Opening it is the receipt: the sender sees that it arrived.
        services.acknowledge_receipt(referral=referral, user=request.user, request=request)
        referral = _get_referral(request, pk, log=False)
    return _render_detail(request, referral)


def _reload(request: HttpRequest, pk: uuid.UUID) -> Referral:
    return _get_referral(request, pk, log=False)


def _error_response(
    request: HttpRequest, pk: uuid.UUID, exc: ReferralError, **forms: Any
) -> HttpResponse:
    """The referral's page after a refused write (``forms``: the posted form, to show its
    errors); 404 when the referral is not there for this user."""
    if isinstance(exc, ReferralNotFound):
        raise _not_found() from exc
    referral = _reload(request, pk)
    if isinstance(exc, StaleVersion):
        return _render_detail(request, referral, status=409, error=STALE_MESSAGE)
    if isinstance(exc, ConsentRequired):
        return _render_detail(
            request, referral, status=409, error=CONSENT_MESSAGE, missing=exc.missing
        )
    if isinstance(exc, InvalidReferral):
        # The page shows what is wrong per field (in the form's error summary), not the API's
        # "see 'errors'" sentence.
        form = next(iter(forms.values()), None)
        if form is not None:
            _add_errors(form, exc)
            return _render_detail(request, referral, status=400, **forms)
        messages_text = " ".join(str(m) for errors in exc.errors.values() for m in errors)
        return _render_detail(request, referral, status=400, error=messages_text or exc.message)
    status = 403 if isinstance(exc, NotAllowed) else 409
    return _render_detail(request, referral, status=status, error=exc.message)


@login_required
@never_cache
@sensitive_post_parameters()
@require_POST
def consent(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    referral = _get_referral(request, pk, log=False)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, referral, status=400, consent_form=form)
    try:
        services.record_consent(
            referral=referral,
            user=request.user,
            data_categories=form.cleaned_data["data_categories"],
            method=form.cleaned_data["method"],
            given_at=aware(form.cleaned_data["given_at"]),
            given_by=form.cleaned_data["given_by"],
            representative_name=form.cleaned_data["representative_name"],
            request=request,
        )
    except ReferralError as exc:
        return _error_response(request, pk, exc, consent_form=form)
    messages.success(request, _("The consent is recorded. You can now send the referral."))
    return redirect("referrals:detail", pk=pk)


@login_required
@never_cache
@require_POST
def transition(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    referral = _get_referral(request, pk, log=False)
    target = request.POST.get("to", "")
    # The rule makes the reason or outcome required where the workflow does. A change the user
    # may not make gets no rule: the service refuses it (and logs the refusal).
    rule = next(
        (t for t in selectors.allowed_transitions(request.user, referral) if t.target == target),
        None,
    )
    form = TransitionForm(request.POST, rule=rule, auto_id=f"t-{target}-%s")
    valid = form.is_valid()
    if target not in Status.values or "to" in form.errors or "version" in form.errors:
        form.add_error(None, _("This status change is not allowed."))
        return _render_detail(request, referral, status=400, transition_form=form)
    if not valid:
        return _render_detail(request, referral, status=400, transition_form=form)
    data = form.cleaned_data
    try:
        services.transition(
            referral=referral,
            to=target,
            user=request.user,
            reason=data["reason"],
            reason_code=data["reason_code"],
            outcome=data["outcome"],
            outcome_note=data["outcome_note"],
            expected_version=data["version"],
            request=request,
        )
    except ReferralError as exc:
        return _error_response(request, pk, exc, transition_form=form)
    if target == Status.REQUESTED:
        messages.success(request, _("The referral is sent. You will see here when it is received."))
    else:
        messages.success(
            request,
            _("The status is now: %(status)s.") % {"status": Status(target).label},
        )
    if target == Status.CANCELLED and referral.status == Status.DRAFT:
        return redirect("referrals:sent")
    return redirect("referrals:detail", pk=pk)


@login_required
@never_cache
@require_POST
def contact_attempt(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    referral = _get_referral(request, pk, log=False)
    form = ContactAttemptForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, referral, status=400, contact_form=form)
    data = form.cleaned_data
    try:
        services.record_contact_attempt(
            referral=referral,
            user=request.user,
            channel=data["channel"],
            result=data["result"],
            at=aware(data["at"]),
            note=data["note"],
            expected_version=data["version"],
            request=request,
        )
    except ReferralError as exc:
        return _error_response(request, pk, exc, contact_form=form)
    messages.success(request, _("The contact attempt is recorded."))
    return redirect("referrals:detail", pk=pk)


# --- Changing a draft -------------------------------------------------------------------------


def _edit_initial(referral: Referral) -> dict[str, Any]:
    values = dataclasses.asdict(services.ReferralInput.from_referral(referral))
    values["service"] = values.pop("service_id")
    values["situations"] = list(values["situations"])
    values["version"] = referral.version
    return values


def _render_edit(
    request: HttpRequest,
    referral: Referral,
    form: ReferralEditForm,
    *,
    status: int = 200,
    error: Any = None,
) -> HttpResponse:
    return render(
        request,
        "referrals/edit.html",
        {
            "form": form,
            "referral": referral,
            "service": referral.service,
            "is_phb": form.is_prenatal_home_visit,
            "error": error,
        },
        status=status,
    )


@login_required
@never_cache
@sensitive_post_parameters()
@sensitive_variables()
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Change a draft referral (its sender, before it is sent). The form carries the version
    it was read at: a form that is out of date changes nothing and says so."""
    referral = _get_referral(request, pk, log=False)
    if Side.SENDER not in referral.sides_for(request.user):
        raise _not_found()
    if referral.status != Status.DRAFT:
        selectors.log_read(user=request.user, referral=referral, request=request)
        return _render_detail(
            request, referral, status=409, error=_("Only a draft referral can be changed.")
        )
    kwargs = {"municipalities": municipality_choices(), "situations": _situation_choices()}
    initial = _edit_initial(referral)
    if request.method == "GET":
        # The form shows her data: a read. (The change itself is logged as an update.)
        selectors.log_read(user=request.user, referral=referral, request=request)
        return _render_edit(request, referral, ReferralEditForm(initial=initial, **kwargs))
    data = request.POST.copy()
    # Its service and what it was started from stay as they are.
    for name in ("service", "kind", "source", "pathway_ref", "pathway_step_ref", "signalling_ref"):
        data[name] = str(initial[name] or "")
    form = ReferralEditForm(data, **kwargs)
    if not form.is_valid():
        return _render_edit(request, referral, form, status=400)
    try:
        services.update_draft(
            referral=referral,
            user=request.user,
            data=services.ReferralInput(**form.to_input_values()),
            expected_version=form.cleaned_data["version"],
            request=request,
        )
    except StaleVersion:
        return _render_edit(request, referral, form, status=409, error=STALE_MESSAGE)
    except InvalidReferral as exc:
        _add_errors(form, exc)
        return _render_edit(request, referral, form, status=400)
    except ReferralError as exc:
        return _error_response(request, pk, exc)
    messages.success(request, _("The changes to the draft are saved."))
    return redirect("referrals:detail", pk=pk)


# --- Withdrawing consent ------------------------------------------------------------------------


def _sender_consent(request: HttpRequest, pk: uuid.UUID, consent_pk: uuid.UUID) -> Consent:
    """The consent of this referral, if the user may see it; 404 otherwise (not logged)."""
    try:
        consent = selectors.get_consent(request.user, consent_pk, request=request, log=False)
    except ReferralNotFound as exc:
        raise _not_found() from exc
    if consent.referral_id != pk:
        raise _not_found()
    return consent


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def withdraw_consent(request: HttpRequest, pk: uuid.UUID, consent_pk: uuid.UUID) -> HttpResponse:
    """Record that the client withdrew her consent: how, when and why; who is the user. What
    happens to the referral is the service's rule (``services.withdraw_consent``)."""
    consent = _sender_consent(request, pk, consent_pk)
    referral = consent.referral
    try:
        selectors.require_side(
            request.user,
            referral,
            Side.SENDER,
            request=request,
            event_type="referral.consent.withdraw",
            action=Action.UPDATE,
        )
    except NotAllowed:
        return forbidden_page(request, _("Only the sending organisation records a withdrawal."))
    if consent.withdrawn_at is not None:
        messages.info(request, _("This consent is already withdrawn."))
        return redirect("referrals:detail", pk=pk)
    status = 200
    error = None
    if request.method == "POST":
        form = ConsentWithdrawForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            was_open = referral.status in OPEN
            try:
                services.withdraw_consent(
                    consent=consent,
                    user=request.user,
                    method=data["method"],
                    reason=data["reason"],
                    withdrawn_at=aware(data["withdrawn_at"]),
                    request=request,
                )
            except ReferralNotFound as exc:
                raise _not_found() from exc
            except InvalidReferral as exc:
                _add_errors(form, exc)
            except ReferralError as exc:
                error = exc.message
            else:
                after = Referral.objects.only("status").get(pk=pk)
                if was_open and after.status == Status.CANCELLED:
                    messages.success(
                        request,
                        _(
                            "The withdrawal is recorded. Without her consent the referral is "
                            "cancelled; the receiving organisation is informed."
                        ),
                    )
                else:
                    messages.success(request, _("The withdrawal of her consent is recorded."))
                return redirect("referrals:detail", pk=pk)
        status = 400 if error is None else 409
    else:
        form = ConsentWithdrawForm()
        # The page shows the consent: logged as a read of it.
        selectors.get_consent(request.user, consent.pk, request=request)
    return render(
        request,
        "referrals/withdraw_consent.html",
        {
            "form": form,
            "referral": referral,
            "consent": consent,
            "open": referral.status in OPEN,
            "error": error,
            "category_labels": DataCategory.choices,
        },
        status=status,
    )


@login_required
@never_cache
@require_safe
def print_view(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    referral = _get_referral(request, pk, event_type="referral.print", action=Action.PRINT)
    return render(
        request,
        "referrals/print.html",
        {
            "referral": referral,
            "situations": list(referral.situations.all()),
            "events": list(referral.status_events.all()),
            "attempts": list(referral.contact_attempts.all()),
            "active_consent": next(
                (c for c in referral.consents.all() if c.withdrawn_at is None), None
            ),
            "is_phb": referral.kind == Kind.PRENATAL_HOME_VISIT,
        },
    )


@login_required
@never_cache
@require_safe
def access_report(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    referral = _get_referral(request, pk, log=False)
    try:
        events = selectors.referral_access_report(request.user, referral, request=request)
    except ReferralNotFound as exc:
        raise _not_found() from exc
    return render(request, "referrals/access_report.html", {"referral": referral, "events": events})


# --- Lists ----------------------------------------------------------------------------------


@login_required
@never_cache
@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    query = request.GET
    status = query.get("status", "")
    urgency = query.get("urgency", "")
    filters = selectors.InboxFilter(
        status=status if status in OPEN else "",
        urgency=urgency if urgency in Urgency.values else "",
        overdue=query.get("overdue") == "1",
    )
    return _list_page(
        request,
        "referrals/inbox.html",
        selectors.inbox,
        filters,
        statuses=[(s.value, s.label) for s in Status if s.value in OPEN],
        urgencies=Urgency.choices,
    )


def _list_page(
    request: HttpRequest, template: str, rows: Callable[..., Any], filters: Any, **context: Any
) -> HttpResponse:
    """A page of the inbox or the sent list: ``rows`` (a selector) with ``filters`` from the
    cursor in ``na`` on; 403 for a user without the list's role, 400 for a bad cursor."""
    try:
        page = rows(
            request.user,
            request=request,
            filters=filters,
            after=request.GET.get("na"),
            page_size=LIST_PAGE_SIZE,
        )
    except NotAllowed as exc:
        return forbidden_page(request, exc.message)
    except selectors.InvalidCursor:
        return render(
            request,
            template,
            {"error": _("This page link is not valid. Start again from the first page.")},
            status=400,
        )
    return render(
        request,
        template,
        {
            "page": page,
            "filters": filters,
            "next_query": _next_query(request, page.next_cursor),
            **context,
        },
    )


def _next_query(request: HttpRequest, cursor: str | None) -> str:
    if not cursor:
        return ""
    query = request.GET.copy()
    query["na"] = cursor
    return query.urlencode()


@login_required
@never_cache
@require_safe
def sent(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    filters = selectors.SentFilter(status=status if status in Status.values else "")
    return _list_page(
        request, "referrals/sent.html", selectors.sent_referrals, filters, statuses=Status.choices
    )


# --- Results for the coalition --------------------------------------------------------------


@login_required
@never_cache
@require_safe
def results(request: HttpRequest) -> HttpResponse:
    try:
        table = stats.results_for(request.user, request=request)
    except NotAllowed as exc:
        return forbidden_page(request, exc.message)
    return render(request, "referrals/results.html", {"table": table})
