"""Where the answers of the broad conversation are kept between pages: in the visitor's own
browser, never on the server and never in an address.

The form is posted; the answers (factor codes, a municipality code or four-digit postcode, a
phase: nothing that names a person) go into a signed cookie, and the browser is sent on to the
result page ``/signalering/uitkomst/``. That page reads them back, so it survives a reload, the
back button and the language switch without the factors in any URL (where they would land in
server and proxy logs and the browser history). A referral started from the result page reads
them too (``kansrijk.referrals.views.new``), to pre-tick the situations the sender then confirms.

The cookie lasts ``SIGNALLING_ANSWERS_MINUTES`` (30 by default; the signature carries the time it
was set, so an older one is refused even if a browser keeps it), is HttpOnly and SameSite=Lax,
Secure where the session cookie is, and is deleted by "Start a new conversation". Nothing is
written to any table, the session or the access log.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse, QueryDict

COOKIE_NAME = "kr_gesprek"
_SALT = "kansrijk.signalling.answers"
#: At most this many factor codes are kept (the catalogue has about forty).
_MAX_FACTORS = 200


def max_age_seconds() -> int:
    return int(settings.SIGNALLING_ANSWERS_MINUTES) * 60


@dataclass(frozen=True)
class Answers:
    """What was ticked in the conversation: codes only. ``municipality`` and ``postcode`` as
    they were entered; ``place`` the municipality they gave (its CBS code)."""

    municipality: str
    postcode: str
    phase: str
    factors: tuple[str, ...]
    place: str

    def as_form_data(self) -> QueryDict:
        """The answers as the conversation form's data, to check them again."""
        data = QueryDict(mutable=True)
        data["municipality"] = self.municipality
        data["postcode"] = self.postcode
        data["phase"] = self.phase
        data.setlist("factor", list(self.factors))
        return data


def remember(response: HttpResponse, answers: Answers) -> None:
    """Keep ``answers`` in the visitor's browser for ``SIGNALLING_ANSWERS_MINUTES``."""
    value = signing.dumps(
        [
            answers.municipality,
            answers.postcode,
            answers.phase,
            list(answers.factors),
            answers.place,
        ],
        salt=_SALT,
        compress=True,
    )
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=max_age_seconds(),
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def recall(request: HttpRequest) -> Answers | None:
    """The answers kept in this browser, or ``None`` (none, expired or tampered with)."""
    value = request.COOKIES.get(COOKIE_NAME)
    if not value:
        return None
    try:
        data = signing.loads(value, salt=_SALT, max_age=max_age_seconds())
        municipality, postcode, phase, factors, place = data
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not all(isinstance(v, str) for v in (municipality, postcode, phase, place)):
        return None
    if not isinstance(factors, list) or not all(isinstance(f, str) for f in factors):
        return None
    return Answers(municipality, postcode, phase, tuple(factors[:_MAX_FACTORS]), place)


def forget(response: HttpResponse) -> None:
    """Delete the answers from the browser."""
    response.delete_cookie(COOKIE_NAME, path="/", samesite="Lax")
