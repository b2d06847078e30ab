"""The languages clients speak and services offer, one list for every app.

ISO 639 codes with their names, translated (Dutch first: ``Nederlands``, ``Engels``…). The
referral form offers them, the social map filters and labels services by them and writes their
Dutch name into the HSDS ``language.name``. Codes outside the list stay valid: they are shown
as the code itself. A leaf module: it imports nothing of the project.

The interface languages (Dutch and English) are ``settings.LANGUAGES``; the languages of the
parents' pages are ``kansrijk.parents.languages``.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

__all__ = ["LANGUAGES", "LANGUAGE_NAMES", "dutch_language_name", "language_name"]

#: The languages used most in Dutch youth and maternity care (ISO 639), Dutch first.
LANGUAGES: list[tuple[str, Promise]] = [
    ("nl", pgettext_lazy("language name", "Dutch")),
    ("fy", pgettext_lazy("language name", "Frisian")),
    ("en", pgettext_lazy("language name", "English")),
    ("ar", pgettext_lazy("language name", "Arabic")),
    ("tr", pgettext_lazy("language name", "Turkish")),
    ("pl", pgettext_lazy("language name", "Polish")),
    ("uk", pgettext_lazy("language name", "Ukrainian")),
    ("ti", pgettext_lazy("language name", "Tigrinya")),
    ("so", pgettext_lazy("language name", "Somali")),
    ("fa", pgettext_lazy("language name", "Farsi")),
    ("zgh", pgettext_lazy("language name", "Tamazight")),
    ("pap", pgettext_lazy("language name", "Papiamento")),
    ("es", pgettext_lazy("language name", "Spanish")),
    ("fr", pgettext_lazy("language name", "French")),
    ("de", pgettext_lazy("language name", "German")),
]

#: ISO 639 code → name (translated when shown).
LANGUAGE_NAMES: dict[str, Promise] = dict(LANGUAGES)


def language_name(code: str) -> str:
    """The name of ``code`` in the active language, else the code itself."""
    name = LANGUAGE_NAMES.get(code)
    return str(name) if name is not None else code


def dutch_language_name(code: str) -> str:
    """The Dutch name of ``code`` (as the social map stores it), else the code itself."""
    with translation.override("nl"):
        return language_name(code)
