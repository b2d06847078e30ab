"""``{% parent_handover items phase=... %}``: the parent pages that match what a professional
is looking at (a signalling result, a pathway, a service), with a link to each in every
language: to show on screen, to print from there, or to give. The links hold no personal data:
a page's address is its language and its subject."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.urls import reverse

from kansrijk.parents import languages
from kansrijk.parents.selectors import pages_for_topics

register = template.Library()

#: Pages that belong to a phase whatever the topics (need-category codes).
PHASE_TOPICS = {
    "preconception": ("preconceptiezorg",),
    "pregnancy": ("zwangerschap-en-geboorte",),
    "postnatal": ("kraamzorg", "opvoeden"),
}


def _codes(items: Any) -> list[str]:
    """Need-category codes from codes, need categories (``.code``), situations or offer items
    (``.need_category``)."""
    if items is None:
        return []
    if isinstance(items, str):
        items = [items]
    codes: list[str] = []
    situation_codes: list[str] = []
    for item in items if isinstance(items, Iterable) else [items]:
        if isinstance(item, str):
            codes.append(item)
            situation_codes.append(item)
            continue
        for attribute in ("need_category", "code"):
            value = getattr(item, attribute, "")
            if value:
                codes.append(str(value))
                break
    if situation_codes:
        from kansrijk.situations.models import Situation

        codes += [
            code
            for code in Situation.objects.filter(code__in=situation_codes).values_list(
                "need_category", flat=True
            )
            if code
        ]
    return codes


@register.inclusion_tag("parents/includes/handover.html")
def parent_handover(items: Any = None, phase: str = "", level: int = 2) -> dict[str, Any]:
    topics = [*_codes(items), *PHASE_TOPICS.get(str(phase or ""), ())]
    pages = []
    for page in pages_for_topics(topics):
        pages.append(
            {
                "title": page.title,
                "links": [
                    {
                        "language": languages.BY_CODE[code],
                        "url": reverse("parents:page", kwargs={"lang": code, "slug": page.slug}),
                    }
                    for code in page.languages
                ],
            }
        )
    return {"pages": pages, "heading": f"h{max(2, min(int(level), 4))}"}
