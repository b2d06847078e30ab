"""Content that exists in Dutch only, on a page in another language.

The catalogue (names of factors and life domains), the notes of the grading rules and the local
pathways and interventions are written in Dutch by the coalitions and the programme. On a page in
English they are shown as they are, marked ``lang="nl"`` (WCAG 2.1, 3.1.2 Language of Parts), and
the page says so once (``{% include "includes/dutch_only.html" %}``) instead of mixing the two
languages without a word.

- ``{% content_lang %}``: the attribute `` lang="nl"`` for an element holding such content, or
  nothing on a Dutch page.
- ``mark_content(text)`` (in templates ``{{ text|content }}``): the text as safe HTML, in a
  ``<span lang="nl">`` on a non-Dutch page, with ``dir="ltr"`` on a right-to-left page (the
  parents' pages in Arabic), so that the Dutch reads left to right there.
"""

from __future__ import annotations

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, get_language_bidi

register = template.Library()

#: The language the content is written in.
CONTENT_LANGUAGE = "nl"


def other_language() -> bool:
    """Whether the page is in another language than the content."""
    return (get_language() or CONTENT_LANGUAGE).split("-")[0] != CONTENT_LANGUAGE


@register.simple_tag
def content_lang() -> SafeString:
    return format_html(' lang="{}"', CONTENT_LANGUAGE) if other_language() else SafeString()


@register.filter(name="content")
def mark_content(text: object) -> SafeString:
    if not other_language():
        return escape(text)
    if get_language_bidi():
        return format_html('<span lang="{}" dir="ltr">{}</span>', CONTENT_LANGUAGE, text)
    return format_html('<span lang="{}">{}</span>', CONTENT_LANGUAGE, text)
