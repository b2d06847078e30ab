"""Writes of self-assessments: rounds, invitations and answers. Keyword-only and atomic; they
raise domain errors (``kansrijk.assessments.exceptions``) and write the access log — refused
attempts too.

Anonymity: answers are stored under ``respondent_key(round, invitation)``, a keyed hash, never
with the user or the invitation. The access log records that an invitation's answers were saved
(object: the round), never which response they are.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kansrijk.accounts.roles import primary_role
from kansrijk.assessments.exceptions import (
    InvalidInput,
    LinkNotUsable,
    NotInvited,
    RoundClosed,
)
from kansrijk.assessments.models import (
    Answer,
    InstrumentVersion,
    Invitation,
    Response,
    Round,
    Statement,
)
from kansrijk.assessments.selectors import PURPOSE, round_audit_fields
from kansrijk.audit.models import Action
from kansrijk.audit.services import record_event, record_refusal
from kansrijk.coalitions.access import access_for
from kansrijk.coalitions.models import Coalition
from kansrijk.coalitions.services import record_coordinator_write, require_coordinator
from kansrijk.core.users import actor, signed_in

if TYPE_CHECKING:
    from django.http import HttpRequest

logger = logging.getLogger(__name__)

MAX_ROUND_DAYS = 366
MAX_COMMENT = 2000
_KEY_SALT = "kansrijk.assessments.respondent"


@dataclass(frozen=True)
class AnswerInput:
    """One answer: a score, or ``None`` for "don't know"; and an optional comment."""

    value: int | None
    comment: str = ""


@dataclass(frozen=True)
class LinkInvitee:
    name: str
    email: str = ""
    organisation_id: int | None = None


@dataclass(frozen=True)
class NewLink:
    """A personal link just made: the only moment its token is known."""

    invitation: Invitation
    token: str

    @property
    def path(self) -> str:
        return reverse("assessments:link", args=[self.token])


@dataclass(frozen=True)
class SaveResult:
    created: bool  # the first time these answers were sent in
    submitted: bool


# --- Helpers ----------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def respondent_key(round_id: int, invitation_id: int, secret: str | bytes | None = None) -> str:
    """The key under which an invitation's answers are kept (HMAC-SHA256 with the secret key)."""
    return salted_hmac(
        _KEY_SALT, f"{round_id}:{invitation_id}", secret=secret, algorithm="sha256"
    ).hexdigest()


def _find_response(round_: Round, invitation: Invitation, *, lock: bool = False) -> Response | None:
    """The invitation's response, also when it was stored under a previous secret key (one of
    ``SECRET_KEY_FALLBACKS``); such a response moves to the current key."""
    responses = Response.objects.filter(round=round_)
    if lock:
        responses = responses.select_for_update()
    current = respondent_key(round_.pk, invitation.pk)
    found = responses.filter(respondent_key=current).first()
    if found is not None:
        return found
    for fallback in getattr(settings, "SECRET_KEY_FALLBACKS", []):
        old = respondent_key(round_.pk, invitation.pk, secret=fallback)
        found = responses.filter(respondent_key=old).first()
        if found is not None:
            found.respondent_key = current
            found.save(update_fields=["respondent_key"])
            return found
    return None


def eligible_respondents(coalition: Coalition) -> QuerySet[Any]:
    """The active users of the coalition's member organisations."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            organisation__coalition_memberships__coalition=coalition,
        )
        .select_related("organisation")
        .distinct()
        .order_by("organisation__name", "first_name", "last_name", "username")
    )


def _require_coordinator(
    *, user: Any, request: HttpRequest | None, event_type: str, of: Coalition | Round
) -> None:
    """Refuse (and log) unless ``user`` coordinates the coalition ``of`` is or the round ``of``
    belongs to: a new round is refused as a write to the coalition, a change as one to the
    round."""
    round_ = of if isinstance(of, Round) else None
    require_coordinator(
        user=user,
        coalition=of.coalition if isinstance(of, Round) else of,
        request=request,
        event_type=event_type,
        action=Action.CREATE if round_ is None else Action.UPDATE,
        object_type="coalitions.coalition" if round_ is None else "assessments.round",
        object_id=None if round_ is None else round_.pk,
        purpose=PURPOSE,
    )


def _log(
    request: HttpRequest | None, user: Any, event_type: str, action: Action, round_: Round
) -> None:
    """Record the coordinator's write to ``round_`` (or its invitations) in the access log."""
    record_coordinator_write(
        request=request,
        user=user,
        event_type=event_type,
        action=action,
        **round_audit_fields(round_.pk),
    )


def _outsiders(users: Iterable[Any], eligible: Container[Any]) -> list[str]:
    """A message for each of ``users`` whose pk is not ``eligible`` (not a user of a member
    organisation of the coalition)."""
    return [
        _("%(name)s is not a user of a member organisation of this coalition.")
        % {"name": u.username}
        for u in users
        if u.pk not in eligible
    ]


def _end_of(day: datetime.date) -> datetime.datetime:
    """The first moment after ``day`` in the local time zone."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


# --- Rounds -----------------------------------------------------------------------------------


def validate_closing(closes_on: Any, today: datetime.date | None = None) -> list[Any]:
    today = today or timezone.localdate()
    if not isinstance(closes_on, datetime.date):
        return [gettext_lazy("Give the closing date.")]
    if closes_on < today:
        return [gettext_lazy("The closing date cannot lie in the past.")]
    if closes_on > today + datetime.timedelta(days=MAX_ROUND_DAYS):
        return [gettext_lazy("A round lasts at most a year.")]
    return []


def open_round(
    *,
    user: Any,
    request: HttpRequest | None = None,
    coalition: Coalition,
    instrument_version: InstrumentVersion,
    closes_on: datetime.date,
    title: str = "",
    respondents: Sequence[Any] | None = None,
    link_invitees: Sequence[LinkInvitee] = (),
    is_demo: bool = False,
) -> tuple[Round, list[NewLink]]:
    """Open a round and invite ``respondents`` (users of member organisations; ``None``: all of
    them) and ``link_invitees`` (people without an account, who get a personal link)."""
    _require_coordinator(
        user=user, request=request, event_type="assessments.round.create", of=coalition
    )
    with transaction.atomic():
        errors: dict[str, list[Any]] = {}
        closing_errors = validate_closing(closes_on)
        if closing_errors:
            errors["closes_on"] = closing_errors
        eligible = {u.pk: u for u in eligible_respondents(coalition)}
        chosen = list(eligible.values()) if respondents is None else list(respondents)
        if outsiders := _outsiders(chosen, eligible):
            errors["respondents"] = outsiders
        link_errors = _check_invitees(link_invitees, coalition)
        if link_errors:
            errors["invitees"] = link_errors
        if len(title) > 200:
            errors["title"] = [gettext_lazy("At most 200 characters.")]
        if errors:
            raise InvalidInput(errors)
        round_ = Round.objects.create(
            coalition=coalition,
            instrument_version=instrument_version,
            title=title.strip() or f"{instrument_version.name} {timezone.localdate():%Y-%m-%d}",
            closes_on=closes_on,
            created_by=actor(user),
            is_demo=is_demo,
        )
        Invitation.objects.bulk_create(
            [
                Invitation(round=round_, user=u, organisation_id=u.organisation_id, is_demo=is_demo)
                for u in {u.pk: u for u in chosen}.values()
            ]
        )
        links = [_new_link(round_, invitee, is_demo=is_demo) for invitee in link_invitees]
        _log(request, user, "assessments.round.create", Action.CREATE, round_)
        _notify_users(round_, chosen, request)
        return round_, links


def _check_invitees(invitees: Iterable[LinkInvitee], coalition: Coalition) -> list[Any]:
    errors: list[Any] = []
    members = set(coalition.members.values_list("organisation_id", flat=True))
    for invitee in invitees:
        if not invitee.name.strip():
            errors.append(gettext_lazy("Give the name of the person you invite."))
        elif len(invitee.name) > 150:
            errors.append(gettext_lazy("A name has at most 150 characters."))
        if invitee.email:
            try:
                validate_email(invitee.email)
            except Exception:
                errors.append(
                    _("%(email)s is not an e-mail address.") % {"email": invitee.email[:254]}
                )
        if invitee.organisation_id is not None and invitee.organisation_id not in members:
            errors.append(gettext_lazy("Choose one of the coalition's member organisations."))
    return errors


def _new_link(round_: Round, invitee: LinkInvitee, *, is_demo: bool = False) -> NewLink:
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        round=round_,
        name=invitee.name.strip(),
        email=invitee.email.strip(),
        organisation_id=invitee.organisation_id,
        token_hash=token_hash(token),
        expires_at=_end_of(round_.closes_on),
        is_demo=is_demo,
    )
    return NewLink(invitation, token)


def invite(
    *,
    user: Any,
    request: HttpRequest | None = None,
    round_: Round,
    users: Sequence[Any] = (),
    link_invitees: Sequence[LinkInvitee] = (),
) -> tuple[list[Invitation], list[NewLink]]:
    """Invite more people to an open round (users already invited are skipped)."""
    _require_coordinator(
        user=user, request=request, event_type="assessments.invitation.create", of=round_
    )
    with transaction.atomic():
        if round_.is_closed:
            raise RoundClosed()
        eligible = set(eligible_respondents(round_.coalition).values_list("pk", flat=True))
        errors: dict[str, list[Any]] = {}
        if outsiders := _outsiders(users, eligible):
            errors["respondents"] = outsiders
        link_errors = _check_invitees(link_invitees, round_.coalition)
        if link_errors:
            errors["invitees"] = link_errors
        if errors:
            raise InvalidInput(errors)
        already = set(round_.invitations.exclude(user=None).values_list("user_id", flat=True))
        new_users = [u for u in {u.pk: u for u in users}.values() if u.pk not in already]
        created = Invitation.objects.bulk_create(
            [Invitation(round=round_, user=u, organisation_id=u.organisation_id) for u in new_users]
        )
        links = [_new_link(round_, invitee) for invitee in link_invitees]
        if created or links:
            _log(request, user, "assessments.invitation.create", Action.CREATE, round_)
        _notify_users(round_, new_users, request)
        return created, links


def withdraw_invitation(
    *, user: Any, request: HttpRequest | None = None, invitation: Invitation
) -> None:
    """Withdraw an invitation that has not been answered (a wrong person, a mistyped address)."""
    round_ = invitation.round
    _require_coordinator(
        user=user, request=request, event_type="assessments.invitation.delete", of=round_
    )
    _withdraw(user=user, request=request, invitation=invitation)


@transaction.atomic
def _withdraw(*, user: Any, request: HttpRequest | None, invitation: Invitation) -> None:
    invitation = (
        Invitation.objects.select_for_update().select_related("round").get(pk=invitation.pk)
    )
    round_ = invitation.round
    if invitation.responded_at is not None:
        raise InvalidInput(
            {"invitation": [gettext_lazy("An invitation that has been answered stays.")]}
        )
    saved = _find_response(round_, invitation)
    if saved is not None:  # saved but never sent in: it goes with the invitation
        saved.delete()
    invitation.delete()
    _log(request, user, "assessments.invitation.delete", Action.DELETE, round_)


def close_round(*, user: Any, request: HttpRequest | None = None, round_: Round) -> None:
    """Close a round before its closing date: no answers are accepted any more."""
    _require_coordinator(
        user=user, request=request, event_type="assessments.round.close", of=round_
    )
    with transaction.atomic():
        if round_.is_closed:
            return
        round_.closed_at = timezone.now()
        round_.save(update_fields=["closed_at"])
        Invitation.objects.filter(round=round_).exclude(token_hash="").update(
            expires_at=timezone.now()
        )
        _log(request, user, "assessments.round.close", Action.UPDATE, round_)


def _notify_users(round_: Round, users: Iterable[Any], request: HttpRequest | None) -> None:
    """E-mail invited users, after the commit (a failed mail loses nothing: the invitation is
    on their start page)."""
    addresses = [u.email for u in users if u.email]
    if not addresses:
        return
    url = reverse("assessments:answer", args=[round_.pk])
    if request is not None:
        url = request.build_absolute_uri(url)
    subject = _("Kansrijk: you are invited to answer %(title)s") % {"title": round_.title}
    body = _(
        "The coordinator of %(coalition)s invites you to answer %(title)s before %(date)s. "
        "Your answers are anonymous: nobody sees what you answered.\n\n%(url)s"
    ) % {
        "coalition": round_.coalition.name,
        "title": round_.title,
        "date": round_.closes_on.strftime("%d-%m-%Y"),
        "url": url,
    }

    def send() -> None:
        for address in addresses:
            try:
                send_mail(subject, body, None, [address])
            except Exception:  # the mail server is an edge we do not own
                logger.exception("invitation mail for round %s not sent", round_.pk)

    transaction.on_commit(send)


def send_link(link: NewLink, request: HttpRequest | None) -> bool:
    """E-mail a personal link to its invitee (when an address is known); ``False`` when it
    could not be sent (the coordinator still has the link to pass on)."""
    invitation = link.invitation
    if not invitation.email:
        return False
    url = request.build_absolute_uri(link.path) if request is not None else link.path
    round_ = invitation.round
    try:
        send_mail(
            _("Kansrijk: please answer %(title)s") % {"title": round_.title},
            _(
                "Dear %(name)s,\n\nThe coordinator of %(coalition)s asks you to answer "
                "%(title)s before %(date)s. Your answers are anonymous: nobody sees what you "
                "answered. The link below is personal: it works once, until you send in your "
                "answers, and no longer after %(date)s.\n\n%(url)s"
            )
            % {
                "name": invitation.name,
                "coalition": round_.coalition.name,
                "title": round_.title,
                "date": round_.closes_on.strftime("%d-%m-%Y"),
                "url": url,
            },
            None,
            [invitation.email],
        )
    except Exception:
        logger.exception("personal link for round %s not sent", round_.pk)
        return False
    return True


# --- Answers ----------------------------------------------------------------------------------


def invitation_for_user(round_: Round, user: Any) -> Invitation | None:
    if not signed_in(user):
        return None
    return round_.invitations.filter(user=user).first()


def invitation_for_token(token: str) -> Invitation:
    """The invitation of a personal link that still works; ``LinkNotUsable`` otherwise."""
    if not token or len(token) > 100:
        raise LinkNotUsable()
    invitation = (
        Invitation.objects.filter(token_hash=token_hash(token))
        .select_related("round__coalition", "round__instrument_version")
        .first()
    )
    if invitation is None or not invitation.link_is_usable():
        raise LinkNotUsable()
    return invitation


def own_answers(invitation: Invitation) -> tuple[dict[str, AnswerInput], bool]:
    """The answers this invitation saved before (to show them again), and whether they were
    sent in."""
    response = _find_response(invitation.round, invitation)
    if response is None:
        return {}, False
    answers = {
        code: AnswerInput(value, comment)
        for code, value, comment in response.answers.values_list(
            "statement__code", "value", "comment"
        )
    }
    return answers, response.submitted


def check_answers(
    version: InstrumentVersion, answers: Mapping[str, Any], *, complete: bool
) -> dict[str, list[Any]]:
    """What is wrong with ``answers`` (statement code → ``AnswerInput``) for ``version``."""
    codes = list(version.statements.order_by("position").values_list("code", flat=True))
    known = set(codes)
    errors: dict[str, list[Any]] = {}
    for code, answer in answers.items():
        if code not in known:
            errors[str(code)[:60]] = [
                gettext_lazy("No statement with this code in this instrument.")
            ]
            continue
        value = answer.value
        if value is None:
            if not version.allow_unknown:
                errors[code] = [gettext_lazy("“Don't know” is not an answer in this instrument.")]
        elif isinstance(value, bool) or not isinstance(value, int):
            errors[code] = [gettext_lazy("A score is a whole number.")]
        elif not version.scale_min <= value <= version.scale_max:
            errors[code] = [
                _("Give a score from %(min)s to %(max)s.")
                % {"min": version.scale_min, "max": version.scale_max}
            ]
        if len(answer.comment or "") > MAX_COMMENT:
            errors.setdefault(code, []).append(
                _("A comment has at most %(n)s characters.") % {"n": MAX_COMMENT}
            )
    if complete:
        for code in codes:
            if code not in answers:
                errors[code] = [gettext_lazy("Answer this statement (or choose “don't know”).")]
    return errors


def _refusal(invitation: Invitation) -> Exception | None:
    """Why the invitation's answers cannot be saved now (``None``: they can)."""
    if invitation.is_link and not invitation.link_is_usable():
        return LinkNotUsable()
    if not invitation.round.is_open():
        return RoundClosed()
    return None


def _answer_event(submit: bool) -> str:
    return "assessments.response.submit" if submit else "assessments.response.save"


def _respondent_role(invitation: Invitation) -> str:
    """The role an invitation's answers are saved (or refused) in: a member's user answers as
    a member; somebody with a personal link has no account and so no role (the log names the
    invitation in ``on_behalf_of``)."""
    return "" if invitation.is_link else "member"


def _on_behalf_of(invitation: Invitation) -> str:
    """Whom a personal link's answers are saved (or refused) for in the access log: the
    invitation, as its respondent has no account; nobody else for a member's user."""
    return f"invitation {invitation.pk}" if invitation.is_link else ""


def require_answerable(
    *,
    invitation: Invitation,
    submit: bool,
    request: HttpRequest | None = None,
    user: Any = None,
) -> None:
    """Raise (and log the refusal) when the invitation's answers cannot be saved now: its
    personal link is used or expired (``LinkNotUsable``), or the round is closed
    (``RoundClosed``)."""
    refusal = _refusal(invitation)
    if refusal is None:
        return
    record_refusal(
        request=request,
        user=user,
        event_type=_answer_event(submit),
        action=Action.UPDATE,
        role=_respondent_role(invitation),
        on_behalf_of=_on_behalf_of(invitation),
        **round_audit_fields(invitation.round_id),
    )
    raise refusal


def save_answers(
    *,
    invitation: Invitation,
    answers: Mapping[str, AnswerInput],
    submit: bool,
    request: HttpRequest | None = None,
    user: Any = None,
) -> SaveResult:
    """Save (``submit=False``) or send in the invitation's answers. Every save replaces the
    answers saved before; sending in needs an answer to every statement. The first sending in
    marks the invitation as answered (a personal link then stops working). A refusal (a used
    or expired link, a closed round) is logged."""
    event = _answer_event(submit)
    on_behalf = _on_behalf_of(invitation)
    require_answerable(invitation=invitation, submit=submit, request=request, user=user)
    return _save_answers(
        invitation=invitation,
        answers=answers,
        submit=submit,
        request=request,
        user=user,
        event=event,
        on_behalf=on_behalf,
    )


@transaction.atomic
def _save_answers(
    *,
    invitation: Invitation,
    answers: Mapping[str, AnswerInput],
    submit: bool,
    request: HttpRequest | None,
    user: Any,
    event: str,
    on_behalf: str,
) -> SaveResult:
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("round__instrument_version", "round__coalition")
        .get(pk=invitation.pk)
    )
    round_ = invitation.round
    refusal = _refusal(invitation)  # again, under the lock: a second tab may have sent in
    if refusal is not None:
        raise refusal
    version = round_.instrument_version
    errors = check_answers(version, answers, complete=submit)
    if errors:
        raise InvalidInput(errors)
    statements = dict(version.statements.values_list("code", "pk"))
    response = _find_response(round_, invitation, lock=True)
    first_time = response is None or not response.submitted
    if response is None:
        response = Response.objects.create(
            round=round_, respondent_key=respondent_key(round_.pk, invitation.pk)
        )
    response.answers.all().delete()
    Answer.objects.bulk_create(
        [
            Answer(
                response=response,
                statement_id=statements[code],
                value=answer.value,
                comment=(answer.comment or "").strip(),
            )
            for code, answer in answers.items()
        ]
    )
    if submit and not response.submitted:
        response.submitted = True
        response.save(update_fields=["submitted"])
    if submit and invitation.responded_at is None:
        invitation.responded_at = timezone.now()
        invitation.save(update_fields=["responded_at"])
    record_event(
        request=request,
        user=user,
        event_type=event,
        action=Action.CREATE if first_time else Action.UPDATE,
        role=_respondent_role(invitation),
        on_behalf_of=on_behalf,
        **round_audit_fields(round_.pk),
    )
    return SaveResult(created=submit and first_time, submitted=response.submitted)


def answer_as_user(
    *,
    user: Any,
    round_: Round,
    answers: Mapping[str, AnswerInput],
    submit: bool,
    request: HttpRequest | None = None,
) -> SaveResult:
    """``save_answers`` for a signed-in user: only with an invitation to this round."""
    invitation = invitation_for_user(round_, user)
    if invitation is None:
        access = access_for(user, round_.coalition_id)
        record_refusal(
            request=request,
            user=user,
            event_type=_answer_event(submit),
            action=Action.CREATE,
            role=access.role if access is not None and access.role else primary_role(user),
            **round_audit_fields(round_.pk),
        )
        raise NotInvited()
    return save_answers(
        invitation=invitation, answers=answers, submit=submit, request=request, user=user
    )


def statements_by_code(version: InstrumentVersion) -> dict[str, Statement]:
    return {s.code: s for s in version.statements.select_related("part").order_by("position")}
