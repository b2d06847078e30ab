"""The languages of the public pages for parents.

The professional interface is Dutch and English (``settings.LANGUAGES``); the parent pages
add Arabic, Turkish, Polish, Ukrainian and Tigrinya. Each language has its own address
(``/ouders/<code>/``): the language is in the URL, never in a cookie.

Django knows no Tigrinya (no ``LANG_INFO`` entry), so the names, writing direction and
plural rule live here, in one table that the pages, the editor, the translation check
(``scripts/messages.py``) and the tests read.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParentLanguage:
    code: str
    #: The language's name in its own script (the language switch shows these).
    native_name: str
    #: The language's name in English (the editor, docs).
    english_name: str
    #: ``rtl`` for right-to-left scripts.
    direction: str = "ltr"

    @property
    def is_rtl(self) -> bool:
        return self.direction == "rtl"


#: The languages, Dutch first. Order is the order of the language switch.
LANGUAGES: tuple[ParentLanguage, ...] = (
    ParentLanguage("nl", "Nederlands", "Dutch"),
    ParentLanguage("en", "English", "English"),
    ParentLanguage("ar", "العربية", "Arabic", "rtl"),
    ParentLanguage("tr", "Türkçe", "Turkish"),
    ParentLanguage("pl", "Polski", "Polish"),
    ParentLanguage("uk", "Українська", "Ukrainian"),
    ParentLanguage("ti", "ትግርኛ", "Tigrinya"),
)
BY_CODE: dict[str, ParentLanguage] = {language.code: language for language in LANGUAGES}
CODES: tuple[str, ...] = tuple(BY_CODE)
DEFAULT = "nl"
#: For model fields: ``(code, name in English)``.
CHOICES: list[tuple[str, str]] = [(lang.code, lang.english_name) for lang in LANGUAGES]
#: The languages whose interface texts come from a catalogue of the parents app only (the
#: professional apps are Dutch and English). ``scripts/messages.py`` keeps these complete.
PARENT_ONLY_CATALOGUES: tuple[str, ...] = tuple(c for c in CODES if c not in ("nl", "en"))
#: Interface catalogues a native speaker has checked. The others are drafts, and every page
#: in such a language says so in that language (``templates/parents/_draft_notice.html``).
CHECKED_INTERFACE: frozenset[str] = frozenset({"nl", "en"})


def get(code: str) -> ParentLanguage | None:
    return BY_CODE.get(code)


def negotiate(accept_language: str) -> str:
    """The first of our languages in an ``Accept-Language`` header (quality order), else Dutch."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")[:20]):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in BY_CODE and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else DEFAULT
