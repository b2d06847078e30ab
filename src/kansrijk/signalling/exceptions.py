"""Domain errors of signalling. ``kansrijk.core.errors`` says what their messages and codes
are."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kansrijk.core.errors import DomainError


class SignallingError(DomainError):
    code = "signalering-fout"
    default_message = _("Something went wrong in signalling.")


class PublishedVersionImmutable(SignallingError):
    code = "gepubliceerde-versie"
    default_message = _(
        "A published version cannot be changed or deleted. Make a new draft version instead."
    )


class NotADraft(SignallingError):
    code = "geen-concept"
    default_message = _("Only a draft version can be published.")


class NoPublishedRules(SignallingError, LookupError):
    code = "geen-regels"
    default_message = _("There are no published grading rules yet. Ask an administrator.")


class NoPublishedGuide(SignallingError, LookupError):
    code = "geen-wegwijzer"
    default_message = _("The preconception guide has not been published yet. Ask an administrator.")


class InvalidRuleSet(SignallingError, ValueError):
    """A rule set or guide that cannot be published or loaded as it is."""

    code = "ongeldige-regels"
