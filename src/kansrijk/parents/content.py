"""Loading the national parent content (``content/*.json``) into the database.

``structure.json`` names the pages and cost items; ``<lang>.json`` holds their texts in one
language. The Dutch file is the source text; the other files are translations, marked *draft*
until a native speaker has checked them in the editor. Loading adds what is missing and never
overwrites what an editor changed (``update=True`` rewrites texts that are still drafts and
were never changed in the editor).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from kansrijk.parents import languages
from kansrijk.parents.models import (
    CostItem,
    CostItemText,
    Page,
    PageTranslation,
    TranslationStatus,
)

CONTENT_DIR = Path(__file__).resolve().parent / "content"


@dataclass
class LoadReport:
    pages: int = 0
    translations: int = 0
    cost_items: int = 0
    cost_texts: int = 0
    updated: int = 0


def read_json(name: str) -> dict[str, Any]:
    with (CONTENT_DIR / name).open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


@transaction.atomic
def load_content(*, update: bool = False) -> LoadReport:
    """Create the national pages, cost items and their texts that do not exist yet."""
    report = LoadReport()
    structure = read_json("structure.json")
    pages: dict[str, Page] = {}
    for position, spec in enumerate(structure["pages"]):
        page, created = Page.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "section": spec["section"],
                "position": position * 10,
                "topics": spec.get("topics", []),
                "need_category": spec.get("need_category", ""),
            },
        )
        report.pages += created
        pages[page.slug] = page
    items: dict[str, CostItem] = {}
    for position, spec in enumerate(structure["cost_items"]):
        item, created = CostItem.objects.get_or_create(
            code=spec["code"],
            defaults={
                "stage": spec["stage"],
                "kind": spec["kind"],
                "unit": spec["unit"],
                "position": position * 10,
                "authority": spec["authority"],
                "authority_url": spec.get("authority_url", ""),
            },
        )
        report.cost_items += created
        items[item.code] = item
    now = timezone.now()
    for code in languages.CODES:
        path = CONTENT_DIR / f"{code}.json"
        if not path.exists():
            continue
        data = read_json(path.name)
        for slug, text in data.get("pages", {}).items():
            values = {"title": text["title"], "summary": text["summary"], "body": text["body"]}
            existing = PageTranslation.objects.filter(page=pages[slug], language=code).first()
            if existing is None:
                PageTranslation.objects.create(
                    page=pages[slug], language=code, updated_at=now, **values
                )
                report.translations += 1
            elif (
                update
                and existing.status == TranslationStatus.DRAFT
                and existing.updated_by_id is None  # never changed in the editor
            ):
                for name, value in values.items():
                    setattr(existing, name, value)
                existing.updated_at = now
                existing.save()
                report.updated += 1
        for item_code, text in data.get("cost_items", {}).items():
            values = {"title": text["title"], "explanation": text["explanation"]}
            existing_text = CostItemText.objects.filter(
                item=items[item_code], language=code
            ).first()
            if existing_text is None:
                CostItemText.objects.create(item=items[item_code], language=code, **values)
                report.cost_texts += 1
            elif update and existing_text.status == TranslationStatus.DRAFT:
                for name, value in values.items():
                    setattr(existing_text, name, value)
                existing_text.save()
                report.updated += 1
    return report
