"""Dutch-only content on a page in another language is marked as Dutch (WCAG 2.1, 3.1.2)."""

from __future__ import annotations

from django.utils import translation

from kansrijk.core.templatetags.content_language import content_lang, mark_content


def test_on_a_dutch_page_the_content_is_only_escaped() -> None:
    with translation.override("nl"):
        assert mark_content("Geld & werk") == "Geld &amp; werk"
        assert content_lang() == ""


def test_on_an_english_page_it_is_marked_dutch() -> None:
    with translation.override("en"):
        assert mark_content("Geld & werk") == '<span lang="nl">Geld &amp; werk</span>'
        assert content_lang() == ' lang="nl"'


def test_on_a_right_to_left_page_it_also_reads_left_to_right() -> None:
    with translation.override("ar"):
        assert mark_content("Je zorgverzekeraar") == (
            '<span lang="nl" dir="ltr">Je zorgverzekeraar</span>'
        )
