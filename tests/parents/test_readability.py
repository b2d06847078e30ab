"""Every Dutch parent page is B1 (the bounds are documented in docs/parents.md and
kansrijk.parents.readability): the texts as data, and every page as a parent reads it, with
the interface's own words (the tools, the forms, the notices)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from kansrijk.parents import languages
from kansrijk.parents.models import CostItemText, PageTranslation
from kansrijk.parents.readability import MAX_UNCOMMON_SHARE, MIN_FLESCH_DOUMA, measure
from kansrijk.parents.text import plain_text

# Every test has the national pages (loaded once for the module: tests/parents/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("content")]

#: Every Dutch parent page that is not a page text (those are measured as data below), in
#: each state a parent can see: the tools, their forms and their error messages.
DUTCH_PAGES = (
    "/ouders/nl/",
    "/ouders/nl/kosten/",
    "/ouders/nl/kosten/?jaar=abc",
    "/ouders/nl/netwerkkaart/",
    "/ouders/nl/netwerkkaart/leeg/",
    "/ouders/nl/hulp-in-de-buurt/",
    "/ouders/nl/huisbezoek-aanvragen/",
    "/ouders/nl/bestaat-niet/",
)
#: Elements whose contents end a sentence (a heading, a label, a list item …).
_BLOCKS = frozenset(
    [
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "li",
        "dt",
        "dd",
        "label",
        "legend",
        "button",
        "summary",
        "caption",
        "th",
        "td",
        "div",
        "figcaption",
        "section",
        "form",
        "fieldset",
        "ul",
        "ol",
        "dl",
    ]
)
#: Not read as running text: the choices of a list box (language names in their own
#: scripts, years), scripts and the network map's hidden templates.
_SKIPPED = frozenset({"select", "script", "template", "style"})


class _MainText(HTMLParser):
    """The words of a page's ``<main>`` as a parent reads them: each block a sentence; text
    marked as another language than Dutch left out (the directory's texts are others')."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # inside <main>
        self.skipping: list[str] = []
        self.sentences: list[str] = []
        self.current: list[str] = []

    def _flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.sentences.append(text)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.depth = 1
            return
        if not self.depth:
            return
        lang = dict(attrs).get("lang")
        if self.skipping or tag in _SKIPPED or (lang and lang != "nl"):
            self.skipping.append(tag)
        if tag in _BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self._flush()
            self.depth = 0
            return
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()
        if self.depth and tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skipping:
            self.current.append(data)


def main_text(html: str) -> str:
    parser = _MainText()
    parser.feed(html)
    return plain_text("\n\n".join(parser.sentences))


def test_every_dutch_page_is_b1(content: None) -> None:
    texts = PageTranslation.objects.filter(language="nl").select_related("page")
    assert texts.count() >= 8
    failures = {}
    for text in texts:
        result = measure(plain_text(f"## {text.title}\n\n{text.summary}\n\n{text.body}"))
        if not result.is_b1:
            failures[text.page.slug] = result.problems
        assert result.words > 60, text.page.slug
    assert failures == {}


def test_every_dutch_cost_explanation_is_b1(content: None) -> None:
    failures = {
        text.item.code: measure(text.explanation).problems
        for text in CostItemText.objects.filter(language="nl").select_related("item")
        if not measure(text.explanation).is_b1
    }
    assert failures == {}


def test_the_measure_fails_officialese() -> None:
    """A sentence of the kind B1 forbids fails on every count (the test can fail)."""
    hard = (
        "Teneinde de continuïteit van de zorgverlening gedurende de perinatale periode te "
        "waarborgen, dient de aanstaande moeder zich tijdig te vergewissen van de "
        "beschikbaarheid van kraamzorgvoorzieningen in haar woonplaats, alsmede van de "
        "eventuele eigen bijdrage die krachtens de Zorgverzekeringswet verschuldigd is."
    )
    result = measure(hard)
    assert result.flesch_douma < MIN_FLESCH_DOUMA
    assert result.uncommon_share > MAX_UNCOMMON_SHARE
    assert not result.is_b1
    assert len(result.problems) >= 3


def test_plain_text_makes_sentences_of_headings_and_items() -> None:
    body = "## Kop\nEen zin.\n- punt een\n- punt twee\n\nLaatste zin"
    assert plain_text(body) == "Kop. Een zin. punt een. punt twee. Laatste zin."


@pytest.mark.parametrize("url", DUTCH_PAGES)
def test_every_dutch_page_as_a_parent_reads_it_is_b1(
    client: Client, content: None, places: None, url: str
) -> None:
    """The interface texts too: a page is what a parent reads on it, not only its text."""
    html = client.get(url).content.decode()
    result = measure(main_text(html))
    assert result.words > 15, url  # the page has its words (a 404 has few)
    assert result.problems == [], url


@pytest.mark.parametrize(
    "posted", [{"postcode": "abc"}, {"postcode": "9203", "hulp": "geldzorgen"}]
)
def test_the_answers_of_the_help_search_are_b1(
    client: Client, content: None, places: None, posted: dict[str, str]
) -> None:
    html = client.post("/ouders/nl/hulp-in-de-buurt/", posted).content.decode()
    result = measure(main_text(html))
    assert result.words > 15
    assert result.problems == []


def test_the_answer_to_a_request_is_b1() -> None:
    with translation.override("nl"):
        html = render_to_string(
            "parents/self_referral_sent.html",
            {"plang": languages.BY_CODE["nl"], "switch": [], "referral": None, "service": None},
        )
    result = measure(main_text(html))
    assert result.words > 40
    assert result.problems == []


def test_main_text_reads_blocks_as_sentences_and_leaves_out_other_languages() -> None:
    html = (
        "<header><p>Niet dit</p></header><main><h1>Kop</h1><p>Een <a href='#'>zin</a></p>"
        "<select><option>ትግርኛ</option></select><p lang='ar'>نص</p>"
        "<ul><li>Punt <span>een</span></li></ul></main><footer>Niet dat</footer>"
    )
    assert main_text(html) == "Kop. Een zin. Punt een."
