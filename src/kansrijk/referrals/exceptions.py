"""Domain errors of the referrals module. Services raise them; the API, FHIR views and pages
map them to responses (see ``api.py``): the messages are translated and contain no client data.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kansrijk.core.errors import DomainError, InputError


class ReferralError(DomainError):
    """Base class. ``code`` is a stable, machine-readable slug (Dutch, as the API's codes)."""

    code = "verwijzing-fout"
    default_message = _("The referral could not be changed.")


class ReferralNotFound(ReferralError):
    """Unknown, or not visible to this user: the two are indistinguishable on purpose."""

    code = "niet-gevonden"
    default_message = _("No referral with this id, or you may not see it.")


class InvalidReferral(InputError, ReferralError):
    """Input that breaks an invariant; ``errors`` maps field names to messages."""

    code = "ongeldige-invoer"
    default_message = _("The input is not valid. See 'errors' for what is wrong per field.")


class NotAllowed(ReferralError):
    """The user sees the referral but may not do this (wrong side, wrong role)."""

    code = "niet-toegestaan"
    default_message = _("You may not make this change to the referral.")


class TransitionNotAllowed(ReferralError):
    code = "overgang-niet-toegestaan"
    default_message = _("This status change is not allowed.")


class ConsentRequired(ReferralError):
    code = "toestemming-vereist"
    default_message = _(
        "The referral cannot be sent without the client's consent to share its data with the "
        "receiving organisation. Record her consent first."
    )

    def __init__(
        self, message: str | Promise | None = None, *, missing: list[str] | None = None
    ) -> None:
        self.missing = missing or []
        super().__init__(message)


class StaleVersion(ReferralError):
    """The referral changed since the version the client based its change on."""

    code = "verouderde-versie"
    default_message = _(
        "The referral was changed by someone else in the meantime. Reload it and try again."
    )

    def __init__(self, current_version: int, message: str | Promise | None = None) -> None:
        self.current_version = current_version
        super().__init__(message)


class IdempotencyKeyReused(ReferralError):
    code = "idempotency-key-hergebruikt"
    default_message = _(
        "This Idempotency-Key was already used for a different request. Use a new key for a "
        "new request."
    )


class IdempotencyKeyInProgress(ReferralError):
    """Another request with the same key has not finished (or just failed): try again."""

    code = "idempotency-key-in-behandeling"
    default_message = _(
        "A request with this Idempotency-Key is still being processed. Try again in a moment."
    )
