"""Reads of self-assessments, already filtered for the user, writing the access log.

A round is visible to the coordinators and analysts of its coalition and to the people invited
to it; for anyone else it does not exist (``RoundNotFound``: 404). Results are the same for
everyone who may read them: figures only from ``ASSESSMENT_MIN_RESPONDENTS`` respondents on
(``kansrijk.assessments.results``), and comments only beside figures that are shown. While a
round is open, its results move in steps of at least that many respondents
(``shown_answers``): the coordinator sees who has answered, so results that followed every
single answer would tell her, by comparing, what that one person answered.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from kansrijk.accounts.roles import primary_role
from kansrijk.assessments import results as arithmetic
from kansrijk.assessments.exceptions import RoundNotFound
from kansrijk.assessments.models import (
    Answer,
    Instrument,
    InstrumentVersion,
    Invitation,
    Part,
    Round,
    Statement,
)
from kansrijk.audit.models import Action
from kansrijk.audit.services import record_event, record_refusal
from kansrijk.coalitions.access import Access, access_for, user_access
from kansrijk.core.users import signed_in

if TYPE_CHECKING:
    from django.http import HttpRequest

#: Why the self-assessments are read and written (the access log's ``purpose``).
PURPOSE = "coalition.assessment"


def round_audit_fields(round_id: Any) -> dict[str, str]:
    """What the access log records of an event about round ``round_id`` (with its event type,
    action and role): the round, for the self-assessments' ``PURPOSE``."""
    return {"object_type": "assessments.round", "object_id": str(round_id), "purpose": PURPOSE}


def threshold() -> int:
    return max(1, int(getattr(settings, "ASSESSMENT_MIN_RESPONDENTS", 3)))


def results_while_open() -> bool:
    return bool(getattr(settings, "ASSESSMENT_RESULTS_WHILE_OPEN", True))


@dataclass(frozen=True)
class RoundAccess:
    round: Round
    #: The user's part in the coalition (``None``: she is only invited, e.g. a partner's user).
    #: It decides what she may do here and the role her reads and refusals are logged in.
    access: Access | None
    invitation: Invitation | None

    @property
    def coordinates(self) -> bool:
        return bool(self.access and self.access.coordinates)

    @property
    def reads_results(self) -> bool:
        return bool(self.access and self.access.reads_workspace)

    @property
    def role(self) -> str:
        if self.access is not None and self.access.role:
            return self.access.role
        return "member" if self.invitation is not None else ""


def instruments() -> QuerySet[Instrument]:
    return Instrument.objects.filter(current_version__isnull=False).select_related(
        "current_version"
    )


def instrument_versions() -> QuerySet[InstrumentVersion]:
    """The newest version of every instrument (the ones a new round can use)."""
    return InstrumentVersion.objects.filter(
        pk__in=Instrument.objects.exclude(current_version=None).values("current_version")
    ).select_related("instrument")


def get_round(
    user: Any, round_id: Any, *, request: HttpRequest | None = None, event_type: str = ""
) -> RoundAccess:
    """The round ``round_id`` if ``user`` may see it; ``RoundNotFound`` (logged) otherwise."""
    try:
        pk = int(round_id)
    except (TypeError, ValueError):
        raise RoundNotFound() from None
    round_ = (
        Round.objects.filter(pk=pk)
        .select_related("coalition", "instrument_version__instrument", "created_by")
        .first()
    )
    access = None
    if round_ is not None:
        access = access_for(user, round_.coalition_id)
        invitation = round_.invitations.filter(user=user).first() if signed_in(user) else None
        if (access is not None and access.reads_workspace) or invitation is not None:
            return RoundAccess(round_, access, invitation)
    record_refusal(
        request=request,
        user=user,
        event_type=event_type or "assessments.round.view",
        action=Action.READ,
        role=access.role if access is not None and access.role else primary_role(user),
        **round_audit_fields(pk),
    )
    raise RoundNotFound()


def rounds_of(coalition_ids: Any) -> QuerySet[Round]:
    return (
        Round.objects.filter(coalition_id__in=coalition_ids)
        .select_related("coalition", "instrument_version__instrument")
        .annotate(
            invited=Count("invitations", distinct=True),
            answered=Count(
                "invitations", filter=Q(invitations__responded_at__isnull=False), distinct=True
            ),
        )
        .order_by("-opened_on", "-id")
    )


def open_invitations(user: Any) -> list[Invitation]:
    """The rounds ``user`` is invited to that are still open (for her start page)."""
    if not signed_in(user):
        return []
    invitations = (
        Invitation.objects.filter(user=user)
        .select_related("round__coalition", "round__instrument_version")
        .order_by("round__closes_on", "round_id")
    )
    return [i for i in invitations if i.round.is_open()]


def invitations_of(
    round_access: RoundAccess, *, request: HttpRequest | None = None
) -> list[Invitation]:
    """Who was invited and whether they answered (never what): for the coordinator only;
    logged, as it names people."""
    if not round_access.coordinates:
        return []
    invitations = list(
        round_access.round.invitations.select_related("user", "organisation").order_by(
            "organisation__name", "name", "user__first_name", "user__username", "id"
        )
    )
    record_event(
        request=request,
        event_type="assessments.invitation.list",
        action=Action.READ,
        role=round_access.role,
        **round_audit_fields(round_access.round.pk),
    )
    return invitations


# --- Results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementRow:
    statement: Statement
    result: arithmetic.StatementResult
    change: arithmetic.Change | None
    comments: tuple[str, ...]


@dataclass(frozen=True)
class PartRow:
    part: Part
    result: arithmetic.PartResult
    change: arithmetic.Change | None
    statements: tuple[StatementRow, ...]


@dataclass(frozen=True)
class RoundResults:
    """Everything the results page, the export and the API show of one round."""

    round: Round
    version: InstrumentVersion
    results: arithmetic.Results
    parts: tuple[PartRow, ...]
    previous: Round | None
    previous_results: arithmetic.Results | None
    withheld_while_open: bool = False
    scale: list[tuple[int, str]] = field(default_factory=list)
    answers: ShownAnswers | None = None

    @property
    def held_back(self) -> bool:
        """Answers sent in or changed since the last step are not in these results."""
        return bool(self.answers and self.answers.held_back and not self.results.suppressed)

    @property
    def disagreements(self) -> list[StatementRow]:
        rows = [s for p in self.parts for s in p.statements if s.result.disagreement]
        return sorted(rows, key=lambda s: -(s.result.spread or 0))


def _structure(version: InstrumentVersion) -> tuple[list[Part], dict[int, list[Statement]]]:
    parts = list(version.parts.order_by("position"))
    by_part: dict[int, list[Statement]] = defaultdict(list)
    for statement in version.statements.order_by("position"):
        by_part[statement.part_id].append(statement)
    return parts, by_part


def _specs(version: InstrumentVersion) -> list[arithmetic.PartSpec]:
    parts, by_part = _structure(version)
    return [
        arithmetic.PartSpec(part.code, tuple(s.code for s in by_part[part.pk])) for part in parts
    ]


def _scale(version: InstrumentVersion) -> arithmetic.Scale:
    return arithmetic.Scale(version.scale_min, version.scale_max)


def compute_results(round_: Round) -> arithmetic.Results:
    """The arithmetic over all the round's sent-in answers (the results pages show
    ``shown_answers``, which may hold the newest back)."""
    responses, _comments = _sent_in(round_)
    return _compute(round_.instrument_version, responses)


def _compute(version: InstrumentVersion, responses: Any) -> arithmetic.Results:
    # Respondents who sent in nothing but "don't know" still count as respondents.
    return arithmetic.compute(_specs(version), _scale(version), list(responses), threshold())


def _sent_in(round_: Round) -> tuple[list[dict[str, int | None]], dict[str, list[str]]]:
    """The sent-in answers, one mapping per respondent, and the comments per statement."""
    responses: dict[Any, dict[str, int | None]] = defaultdict(dict)
    comments: dict[str, list[str]] = defaultdict(list)
    submitted = Answer.objects.filter(response__round=round_, response__submitted=True)
    for response_id, code, value, comment in submitted.values_list(
        "response_id", "statement__code", "value", "comment"
    ).order_by():
        responses[response_id][code] = value
        if comment:
            comments[code].append(comment)
    return list(responses.values()), comments


def _canonical(
    responses: list[dict[str, int | None]], comments: dict[str, list[str]]
) -> dict[str, Any]:
    """Answers and comments in an order that says nothing about who gave them or when."""
    rows = [dict(sorted(r.items())) for r in responses]
    return {
        "responses": sorted(rows, key=lambda r: json.dumps(r, sort_keys=True)),
        "comments": {
            code: sorted(texts, key=str.casefold) for code, texts in sorted(comments.items())
        },
    }


@dataclass(frozen=True)
class ShownAnswers:
    """The answers a round's results are computed from."""

    responses: tuple[dict[str, int | None], ...]
    comments: dict[str, tuple[str, ...]]
    #: Respondents who have sent in answers by now (the results may hold some back).
    answered: int
    #: Answers were sent in or changed since the results were last updated and are not in them.
    held_back: bool = False

    @property
    def new_respondents(self) -> int:
        """Respondents who answered since the results were last updated."""
        return max(0, self.answered - len(self.responses))


def shown_answers(round_: Round) -> ShownAnswers:
    """The answers the results of ``round_`` are computed from.

    The coordinator sees who has answered. If the results followed every answer, she could
    compare them just before and just after one person answered and work out that person's
    answers. So the results move in steps: they are computed from the answers kept in
    ``Round.published_answers``, which are replaced by all the answers only when at least the
    threshold of new respondents has answered since (the first time: once the threshold is
    reached). A changed answer waits for the next step. When the round closes, the results
    take in everything unless fewer new respondents than the threshold answered after the last
    step (or only changes came in): those stay out, because showing them would reveal them to
    anyone who saw the results before. Nothing is kept while a round's results wait for its
    closing (``ASSESSMENT_RESULTS_WHILE_OPEN`` off).
    """
    responses, comments = _sent_in(round_)
    now = _canonical(responses, comments)
    answered = len(responses)
    step = threshold()

    def shown(document: dict[str, Any], held_back: bool = False) -> ShownAnswers:
        return ShownAnswers(
            responses=tuple(document["responses"]),
            comments={code: tuple(texts) for code, texts in document["comments"].items()},
            answered=answered,
            held_back=held_back,
        )

    published = round_.published_answers
    if answered < step or (round_.is_open() and not results_while_open()):
        return shown(now)  # no figure is shown at all
    if published is None or published == now:
        if round_.is_open() and published is None:
            _publish(round_, now)
        return shown(now)
    new = answered - len(published["responses"])
    if new >= step:
        if round_.is_open():
            _publish(round_, now)
        return shown(now)
    return shown(published, held_back=True)


def _publish(round_: Round, document: dict[str, Any]) -> None:
    Round.objects.filter(pk=round_.pk).update(published_answers=document)
    round_.published_answers = document


def previous_round(round_: Round) -> Round | None:
    """The coalition's previous round of the same instrument (any version)."""
    return (
        Round.objects.filter(
            coalition_id=round_.coalition_id,
            instrument_version__instrument_id=round_.instrument_version.instrument_id,
        )
        .filter(Q(opened_on__lt=round_.opened_on) | Q(opened_on=round_.opened_on, pk__lt=round_.pk))
        .select_related("instrument_version")
        .order_by("-opened_on", "-pk")
        .first()
    )


def round_results(
    round_access: RoundAccess,
    *,
    request: HttpRequest | None = None,
    action: str = Action.READ,
    event_type: str = "assessments.results.view",
) -> RoundResults:
    """The results of a round for a coordinator or analyst of its coalition (logged)."""
    round_ = round_access.round
    version = round_.instrument_version
    answers = shown_answers(round_)
    results = _compute(version, answers.responses)
    withheld = round_.is_open() and not results_while_open()
    if withheld and not results.suppressed:
        nothing = arithmetic.compute(_specs(version), _scale(version), [], results.threshold)
        results = replace(nothing, respondents=results.respondents)
    previous = previous_round(round_)
    previous_results = (
        _compute(previous.instrument_version, shown_answers(previous).responses)
        if previous is not None
        else None
    )
    changes = arithmetic.compare(results, previous_results) if previous_results is not None else {}
    parts, by_part = _structure(version)
    # Comments only beside figures that are shown; sorted, so their order tells nobody's.
    shown = {s.code for p in results.parts for s in p.statements if not s.suppressed}
    comments = {code: texts for code, texts in answers.comments.items() if code in shown}
    part_rows = []
    for part in parts:
        part_result = results.part(part.code)
        assert part_result is not None
        statement_rows = []
        for statement in by_part[part.pk]:
            statement_result = results.statement(statement.code)
            assert statement_result is not None
            statement_rows.append(
                StatementRow(
                    statement=statement,
                    result=statement_result,
                    change=changes.get(statement.code),
                    comments=comments.get(statement.code, ()),
                )
            )
        part_rows.append(
            PartRow(
                part=part,
                result=part_result,
                change=changes.get(f"part:{part.code}"),
                statements=tuple(statement_rows),
            )
        )
    record_event(
        request=request,
        event_type=event_type,
        action=action,
        role=round_access.role,
        **round_audit_fields(round_.pk),
    )
    return RoundResults(
        round=round_,
        version=version,
        results=results,
        parts=tuple(part_rows),
        previous=previous,
        previous_results=previous_results,
        withheld_while_open=withheld,
        scale=version.scale_choices,
        answers=answers,
    )


def workspace_rounds(user: Any) -> QuerySet[Round]:
    return rounds_of(user_access(user).workspace_ids)
