"""Reads of the parent pages: public, anonymous, and nothing here writes or logs a person.

Every read takes the page language; where a text has no translation in that language yet, the
Dutch source is shown instead (``fallback``), and the page says so in the reader's language.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from kansrijk.parents import languages
from kansrijk.parents.choices import CostStage, Section, TranslationStatus
from kansrijk.parents.models import (
    CostFigure,
    CostItem,
    CostItemText,
    LocalAddition,
    Page,
    PageTranslation,
)
from kansrijk.parents.text import Block, blocks

SOURCE_LANGUAGE = languages.DEFAULT


@dataclass(frozen=True)
class PageText:
    """A page's text as shown in one language."""

    slug: str
    section: str
    title: str
    summary: str
    #: The language the text is in (the page's language, or Dutch as a fallback).
    language: str
    #: Shown in Dutch because there is no translation into the page's language yet.
    fallback: bool
    #: A translation not yet checked by a native speaker.
    draft: bool
    updated_at: datetime.datetime | None
    body: tuple[Block, ...] = field(default_factory=tuple)


def _pick(translations: Iterable[Any], language: str) -> tuple[Any | None, bool]:
    """The translation in ``language``, else the Dutch one (fallback flag)."""
    by_language = {t.language: t for t in translations}
    if language in by_language:
        return by_language[language], False
    return by_language.get(SOURCE_LANGUAGE), True


def _page_text(page: Page, language: str, *, with_body: bool) -> PageText | None:
    translation, fallback = _pick(page.translations.all(), language)
    if translation is None:
        return None
    return PageText(
        slug=page.slug,
        section=page.section,
        title=translation.title,
        summary=translation.summary,
        language=translation.language,
        fallback=fallback,
        draft=translation.language != SOURCE_LANGUAGE
        and translation.status == TranslationStatus.DRAFT,
        updated_at=translation.updated_at,
        body=tuple(blocks(translation.body)) if with_body else (),
    )


def _prefetch(lookup: str, queryset: Any) -> Prefetch[Any]:
    return Prefetch(lookup, queryset=queryset)


def _translations(languages_wanted: Iterable[str]) -> Prefetch[Any]:
    return _prefetch(
        "translations",
        PageTranslation.objects.filter(language__in=sorted(set(languages_wanted))),
    )


@dataclass(frozen=True)
class SectionPages:
    code: str
    label: str
    pages: tuple[PageText, ...]


def start_sections(language: str) -> list[SectionPages]:
    """Every published page in its section, for the start page (one query per table)."""
    pages = (
        Page.objects.published()
        .prefetch_related(_translations({language, SOURCE_LANGUAGE}))
        .order_by("position", "slug")
    )
    texts = [t for t in (_page_text(p, language, with_body=False) for p in pages) if t]
    return [
        SectionPages(code, str(label), tuple(t for t in texts if t.section == code))
        for code, label in Section.choices
        if any(t.section == code for t in texts)
    ]


def get_page(slug: str, language: str) -> tuple[Page, PageText] | None:
    """A published page and its text in ``language`` (or Dutch); ``None`` when there is none."""
    page = (
        Page.objects.published()
        .prefetch_related(_translations({language, SOURCE_LANGUAGE}))
        .filter(slug=slug)
        .first()
    )
    if page is None:
        return None
    text = _page_text(page, language, with_body=True)
    return (page, text) if text is not None else None


@dataclass(frozen=True)
class LocalText:
    title: str
    body: tuple[Block, ...]
    url: str
    phone: str
    language: str
    draft: bool
    is_demo: bool = False


def local_additions(page: Page, municipality_code: str, language: str) -> list[LocalText]:
    """What the coalition added to ``page`` for the municipality: in ``language`` where it
    wrote that, else in Dutch."""
    rows = list(
        LocalAddition.objects.filter(
            page=page,
            municipality_id=municipality_code,
            language__in=sorted({language, SOURCE_LANGUAGE}),
        ).order_by("title", "id")
    )
    chosen = [r for r in rows if r.language == language] or [
        r for r in rows if r.language == SOURCE_LANGUAGE
    ]
    return [
        LocalText(
            title=r.title,
            body=tuple(blocks(r.body)),
            url=r.url,
            phone=r.phone,
            language=r.language,
            draft=r.language != SOURCE_LANGUAGE and r.status == TranslationStatus.DRAFT,
            is_demo=r.is_demo,
        )
        for r in chosen
    ]


# --- Costs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostRow:
    code: str
    kind: str
    kind_label: str
    unit: str
    unit_label: str
    title: str
    explanation: str
    language: str
    fallback: bool
    draft: bool
    authority: str
    authority_url: str
    #: The figure for the year asked, or ``None`` when no official figure is held.
    amount: Decimal | None
    source_name: str = ""
    source_url: str = ""
    source_date: datetime.date | None = None
    note: str = ""
    is_demo: bool = False


@dataclass(frozen=True)
class CostStageRows:
    code: str
    label: str
    rows: tuple[CostRow, ...]


def cost_years() -> list[int]:
    """The years that have at least one figure, newest first."""
    return sorted(set(CostFigure.objects.values_list("year", flat=True)), reverse=True)


def cost_overview(language: str, year: int) -> list[CostStageRows]:
    """Every cost item by stage, with its figure for ``year`` (``amount`` is ``None`` when no
    official figure for that year is held: the page says so, it never takes another year's)."""
    texts = _prefetch(
        "texts", CostItemText.objects.filter(language__in=sorted({language, SOURCE_LANGUAGE}))
    )
    figures = {figure.item_id: figure for figure in CostFigure.objects.filter(year=year)}
    items = CostItem.objects.order_by("position", "code").prefetch_related(texts)
    rows: list[CostRow] = []
    stages: dict[str, list[CostRow]] = {}
    for item in items:
        text, fallback = _pick(item.texts.all(), language)
        if text is None:
            continue
        figure = figures.get(item.pk)
        row = CostRow(
            code=item.code,
            kind=item.kind,
            kind_label=str(item.get_kind_display()),
            unit=item.unit,
            unit_label=str(item.get_unit_display()) if item.unit else "",
            title=text.title,
            explanation=text.explanation,
            language=text.language,
            fallback=fallback,
            draft=text.language != SOURCE_LANGUAGE and text.status == TranslationStatus.DRAFT,
            authority=item.authority,
            authority_url=item.authority_url,
            amount=figure.amount if figure else None,
            source_name=figure.source_name if figure else "",
            source_url=figure.source_url if figure else "",
            source_date=figure.source_date if figure else None,
            note=figure.note if figure else "",
            is_demo=figure.is_demo if figure else False,
        )
        rows.append(row)
        stages.setdefault(item.stage, []).append(row)
    return [
        CostStageRows(code, str(label), tuple(stages[code]))
        for code, label in CostStage.choices
        if code in stages
    ]


# --- For professionals: the pages that match a topic ----------------------------------------


@dataclass(frozen=True)
class HandoverPage:
    slug: str
    title: str
    #: The languages the page has a text in (checked or draft), in the switch's order.
    languages: tuple[str, ...]


def pages_for_topics(topics: Iterable[str], *, limit: int = 4) -> list[HandoverPage]:
    """The published pages about ``topics`` (need-category codes), most topics in common
    first, for a professional to show, print or give to a parent. Titles in Dutch (the
    professional's page); the languages each page has. One query per table."""
    wanted = {t for t in topics if t}
    if not wanted:
        return []
    ranked: list[tuple[int, int, HandoverPage]] = []
    pages = Page.objects.published().prefetch_related("translations").order_by("position", "slug")
    for index, page in enumerate(pages):
        shared = len(wanted.intersection(page.topics or []))
        if not shared:
            continue
        by_language = {t.language: t for t in page.translations.all()}
        if SOURCE_LANGUAGE not in by_language:
            continue
        ranked.append(
            (
                -shared,
                index,
                HandoverPage(
                    slug=page.slug,
                    title=by_language[SOURCE_LANGUAGE].title,
                    languages=tuple(code for code in languages.CODES if code in by_language),
                ),
            )
        )
    return [page for _shared, _index, page in sorted(ranked)[:limit]]
