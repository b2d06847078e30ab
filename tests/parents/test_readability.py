"""Every Dutch parent page is B1 (the bounds are documented in docs/parents.md and
kansrijk.parents.readability)."""

from __future__ import annotations

import pytest

from kansrijk.parents.models import CostItemText, PageTranslation
from kansrijk.parents.readability import MAX_UNCOMMON_SHARE, MIN_FLESCH_DOUMA, measure
from kansrijk.parents.text import plain_text

pytestmark = pytest.mark.django_db


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
