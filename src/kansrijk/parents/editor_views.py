"""The editor of the parent pages, under ``/ouders/redactie/`` (signed in; Dutch or English,
like the other professional pages).

- National content editors (``models.national_editor``) edit every page's text in every
  language and mark each translation *draft* or *checked by a native speaker*.
- Coalition editors (and administrators, within what they administer) add and change the local
  additions of their own municipalities.

Anonymous visitors are sent to the log-in page; a signed-in user without either right gets 403.
Every write goes through ``parents.editing`` (access log, who and when, the B1 check of a Dutch
text); after a save the page shows how readable the Dutch text is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kansrijk.audit.models import Action
from kansrijk.core.forbidden import forbidden_page
from kansrijk.core.forms import add_errors
from kansrijk.core.params import whole_number
from kansrijk.parents import editing, languages, readability
from kansrijk.parents.editor_forms import (
    CostFigureForm,
    CostTextForm,
    EditorForm,
    LocalAdditionForm,
    TranslationForm,
)
from kansrijk.parents.models import (
    CostFigure,
    CostItem,
    CostItemText,
    LocalAddition,
    Page,
    PageTranslation,
    local_municipality_codes,
    national_editor,
)
from kansrijk.places.models import Municipality, PostcodeArea

#: Where the readability shown to an editor comes from (the bounds of the B1 test).
BOUNDS = {
    "min_flesch_douma": readability.MIN_FLESCH_DOUMA,
    "max_words_per_sentence": readability.MAX_WORDS_PER_SENTENCE,
    "max_sentence_words": readability.MAX_SENTENCE_WORDS,
    "max_uncommon_percent": round(readability.MAX_UNCOMMON_SHARE * 100),
}


def is_parent_editor(user: Any) -> bool:
    """Whether ``user`` edits anything of the parent pages (for the menu and the start page)."""
    return national_editor(user) or local_municipality_codes(user) != frozenset()


F = TypeVar("F", bound=EditorForm)


def _editor_form(request: HttpRequest, form_class: type[F], row: Any | None, **kwargs: Any) -> F:
    """The form of an editor's page: the posted values, else those of ``row`` (``None``: a row
    not made yet)."""
    if request.method == "POST":
        return form_class(request.POST, **kwargs)
    return form_class(initial=form_class.initial_from(row), **kwargs)


def _save(
    request: HttpRequest,
    form: EditorForm,
    save: Callable[[dict[str, Any]], editing.Saved],
    done: Callable[[editing.Saved], HttpResponse],
) -> HttpResponse | None:
    """A posted ``form``, valid, written by ``save`` (a write of ``parents.editing``): the answer
    is ``done``'s for what was saved, or the no-access page when the write refuses. ``None``
    when nothing was saved (not posted, or invalid: the errors are on ``form`` then), so that
    the view shows the form."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = save(form.write_data())
    except editing.InvalidContent as error:
        add_errors(form, error.errors)
        return None
    except editing.EditNotAllowed as error:
        return forbidden_page(request, error.message)
    return done(saved)


def _text_saved(request: HttpRequest, saved: editing.Saved, url: str) -> HttpResponse:
    """What the editor is told after saving a text (a page's, a cost item's): saved or nothing
    changed, and that a checked translation became a draft again; then the text's own page
    (``url``) again."""
    if saved.changed:
        messages.success(request, _("Saved. Parents see the new text at once."))
    else:
        messages.info(request, _("Nothing was changed."))
    if saved.back_to_draft:
        messages.warning(
            request,
            _(
                "The text changed, so this translation is a draft again until a native speaker "
                "checks it."
            ),
        )
    return redirect(url)


def _text_form(
    request: HttpRequest,
    form_class: type[TranslationForm],
    row: Any | None,
    language: languages.ParentLanguage,
    url: str,
    write: Callable[..., editing.Saved],
    **target: Any,
) -> tuple[TranslationForm, HttpResponse | None]:
    """The form of a text (a page's, a cost item's) in ``language``, filled from ``row``, and
    ``_save``'s answer: posted, it is written by ``write`` (``editing.save_translation``,
    ``save_cost_text``) for ``target`` (its page, its item), and the editor sees ``url``."""
    form = _editor_form(request, form_class, row, language=language.code)
    answer = _save(
        request,
        form,
        lambda data: write(
            user=request.user, language=language.code, data=data, request=request, **target
        ),
        lambda saved: _text_saved(request, saved, url),
    )
    return form, answer


def _refused(
    request: HttpRequest, message: str, event_type: str, object_type: str, object_id: str
) -> HttpResponse:
    """The no-access page of a view that refuses before any write is tried; a refused save (a
    POST) is logged as ``event_type`` on the object."""
    if request.method == "POST":
        editing.record_denied(
            request=request, event_type=event_type, object_type=object_type, object_id=object_id
        )
    return forbidden_page(request, message)


def _page_or_404(slug: str) -> Page:
    page = Page.objects.filter(slug=slug).first()
    if page is None:
        raise Http404
    return page


def _municipality_choices(user: Any) -> list[tuple[str, str]]:
    codes = local_municipality_codes(user)
    municipalities = Municipality.objects.order_by("name")
    if codes is not None:
        municipalities = municipalities.filter(code__in=sorted(codes))
    return list(municipalities.values_list("code", "name"))


def _dutch_titles() -> dict[int, str]:
    return dict(
        PageTranslation.objects.filter(language=languages.DEFAULT).values_list("page_id", "title")
    )


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Every page with the state of its text in each language, and the local additions of the
    editor's municipalities."""
    national = national_editor(request.user)
    codes = local_municipality_codes(request.user)
    if not national and codes == frozenset():
        return forbidden_page(
            request,
            _(
                "Only national content editors and the coalition editors of a municipality "
                "edit the pages for parents."
            ),
        )
    pages = list(Page.objects.prefetch_related("translations").order_by("position", "slug"))
    titles = _dutch_titles()
    rows = []
    for page in pages:
        by_language = {t.language: t for t in page.translations.all()}
        rows.append(
            {
                "page": page,
                "title": titles.get(page.pk, page.slug),
                "languages": [
                    {"language": language, "translation": by_language.get(language.code)}
                    for language in languages.LANGUAGES
                ],
            }
        )
    additions = (
        LocalAddition.objects.editable_by(request.user)
        .select_related("page", "municipality")
        .order_by("municipality__name", "page__position", "title")
    )
    return render(
        request,
        "parents/editor/index.html",
        {
            "rows": rows,
            "national": national,
            "local": codes != frozenset(),
            "additions": list(additions),
            "municipalities": [name for _code, name in _municipality_choices(request.user)][:11],
            "source_language": languages.BY_CODE[languages.DEFAULT],
        },
    )


def _readability_context(result: readability.Readability | None) -> dict[str, Any]:
    if result is None:
        return {}
    return {
        "readability": result,
        "uncommon_percent": round(result.uncommon_share * 100),
        "bounds": BOUNDS,
    }


@login_required
@require_http_methods(["GET", "POST"])
def translation_edit(request: HttpRequest, slug: str, lang: str) -> HttpResponse:
    """A page's text in one language."""
    page = _page_or_404(slug)
    language = languages.get(lang)
    if language is None:
        raise Http404
    if not national_editor(request.user):
        return _refused(
            request,
            _("Only national content editors change the texts of the pages for parents."),
            "parents.translation.update",
            "parents.page_translation",
            f"{page.slug}/{language.code}",
        )
    translation = PageTranslation.objects.filter(page=page, language=language.code).first()
    source = (
        PageTranslation.objects.filter(page=page, language=languages.DEFAULT).first()
        if language.code != languages.DEFAULT
        else None
    )
    here = reverse("parents:editor_translation", kwargs={"slug": page.slug, "lang": language.code})
    form, answer = _text_form(
        request, TranslationForm, translation, language, here, editing.save_translation, page=page
    )
    if answer is not None:
        return answer
    result = (
        editing.readability_of(translation.title, translation.summary, translation.body)
        if translation is not None and language.code == languages.DEFAULT
        else None
    )
    return render(
        request,
        "parents/editor/translation_form.html",
        {
            "page": page,
            "language": language,
            "translation": translation,
            "source": source,
            "form": form,
            "title": (_dutch_titles().get(page.pk) or page.slug),
            "public_url": reverse(
                "parents:page", kwargs={"lang": language.code, "slug": page.slug}
            ),
            "back_url": reverse("parents:editor"),
            **_readability_context(result),
        },
        status=400 if form.errors else 200,
    )


def _local_form_page(
    request: HttpRequest, form: LocalAdditionForm, page: Page, addition: LocalAddition | None
) -> HttpResponse:
    result = None
    public_url = ""
    postcode = None
    if addition is not None:
        if addition.language == languages.DEFAULT:
            result = editing.readability_of(addition.title, "", addition.body)
        postcode = (
            PostcodeArea.objects.filter(municipality_id=addition.municipality_id)
            .order_by("code")
            .values_list("code", flat=True)
            .first()
        )
        public_url = reverse("parents:page", kwargs={"lang": addition.language, "slug": page.slug})
    return render(
        request,
        "parents/editor/local_form.html",
        {
            "form": form,
            "page": page,
            "addition": addition,
            "public_url": public_url,
            # The page shows a municipality's additions for a posted postcode (never one in
            # its address): the preview posts one of this municipality's.
            "public_postcode": postcode or "",
            "title": _dutch_titles().get(page.pk) or page.slug,
            **_readability_context(result),
        },
        status=400 if form.errors else 200,
    )


def _local_saved(request: HttpRequest, saved: editing.Saved) -> HttpResponse:
    addition = saved.instance
    if saved.changed:
        messages.success(
            request,
            _("Saved. Parents in %(place)s see it at once.")
            % {"place": addition.municipality.name},
        )
    else:
        messages.info(request, _("Nothing was changed."))
    return redirect("parents:editor_local", pk=addition.pk)


def _local_form(
    request: HttpRequest,
    page: Page,
    addition: LocalAddition | None,
    choices: list[tuple[str, str]],
    save: Callable[[dict[str, Any]], editing.Saved],
) -> HttpResponse:
    """The form of a local addition (``None``: a new one on ``page``); posted, it is ``save``d."""
    form = _editor_form(request, LocalAdditionForm, addition, municipalities=choices)
    answer = _save(request, form, save, lambda saved: _local_saved(request, saved))
    if answer is not None:
        return answer
    return _local_form_page(request, form, page, addition)


@login_required
@require_http_methods(["GET", "POST"])
def local_create(request: HttpRequest, slug: str) -> HttpResponse:
    page = _page_or_404(slug)
    choices = _municipality_choices(request.user)
    if not choices:
        return _refused(
            request,
            _("Only the coalition editors of a municipality add local information for it."),
            editing.LOCAL_ADDITION_EVENTS[Action.CREATE],
            editing.LOCAL_ADDITION,
            page.slug,
        )
    return _local_form(
        request,
        page,
        None,
        choices,
        lambda data: editing.create_local_addition(
            user=request.user, page=page, data=data, request=request
        ),
    )


def _addition_or_404(pk: int) -> LocalAddition:
    addition = LocalAddition.objects.select_related("page", "municipality").filter(pk=pk).first()
    if addition is None:
        raise Http404
    return addition


@login_required
@require_http_methods(["GET", "POST"])
def local_edit(request: HttpRequest, pk: int) -> HttpResponse:
    addition = _addition_or_404(pk)
    if not LocalAddition.objects.editable_by(request.user).filter(pk=addition.pk).exists():
        return _refused(
            request,
            _("Only the coalition editors of %(place)s change its local information.")
            % {"place": addition.municipality.name},
            editing.LOCAL_ADDITION_EVENTS[Action.UPDATE],
            editing.LOCAL_ADDITION,
            str(addition.pk),
        )
    choices = _municipality_choices(request.user)
    return _local_form(
        request,
        addition.page,
        addition,
        choices,
        lambda data: editing.update_local_addition(
            user=request.user, addition=addition, data=data, request=request
        ),
    )


@login_required
@require_POST
def local_delete(request: HttpRequest, pk: int) -> HttpResponse:
    addition = _addition_or_404(pk)
    title = addition.title
    try:
        editing.delete_local_addition(user=request.user, addition=addition, request=request)
    except editing.EditNotAllowed as error:
        return forbidden_page(request, error.message)
    messages.success(request, _("“%(title)s” has been removed.") % {"title": title})
    return redirect("parents:editor")


# --- The costs overview's figures ------------------------------------------------------------


def _year(raw: str) -> int | None:
    year = whole_number(raw, digits=4)
    return year if year is not None and 2000 <= year <= 2100 else None


@login_required
@require_safe
def costs(request: HttpRequest) -> HttpResponse:
    """Every cost item with its official amount for a year (``?jaar=``), or none."""
    if not national_editor(request.user):
        return forbidden_page(
            request, _("Only national content editors change the amounts of the costs overview.")
        )
    this_year = timezone.localdate().year
    year = _year(request.GET.get("jaar", "")) or this_year
    figures = {f.item_id: f for f in CostFigure.objects.filter(year=year)}
    rows = []
    for item in CostItem.objects.order_by("position", "code").prefetch_related("texts"):
        by_language = {t.language: t for t in item.texts.all()}
        source = by_language.get(languages.DEFAULT)
        rows.append(
            {
                "item": item,
                "title": source.title if source else item.code,
                "figure": figures.get(item.pk),
                "languages": [
                    {"language": language, "translation": by_language.get(language.code)}
                    for language in languages.LANGUAGES
                ],
            }
        )
    years = sorted({*CostFigure.objects.values_list("year", flat=True), this_year, this_year + 1})
    return render(
        request,
        "parents/editor/costs.html",
        {
            "rows": rows,
            "year": year,
            "years": years,
            "source_language": languages.BY_CODE[languages.DEFAULT],
        },
    )


def _figure_saved(request: HttpRequest, saved: editing.Saved, url: str) -> HttpResponse:
    if saved.changed:
        messages.success(request, _("Saved. Parents see the amount at once."))
    else:
        messages.info(request, _("Nothing was changed."))
    return redirect(url)


@login_required
@require_http_methods(["GET", "POST"])
def cost_figure(request: HttpRequest, code: str, year: int) -> HttpResponse:
    item = CostItem.objects.filter(code=code).first()
    if item is None or _year(str(year)) is None:
        raise Http404
    if not national_editor(request.user):
        return _refused(
            request,
            _("Only national content editors change the amounts of the costs overview."),
            "parents.cost_figure.update",
            "parents.cost_figure",
            f"{item.code}/{year}",
        )
    figure = CostFigure.objects.filter(item=item, year=year).first()
    back_url = f"{reverse('parents:editor_costs')}?jaar={year}"
    form = _editor_form(request, CostFigureForm, figure)
    answer = _save(
        request,
        form,
        lambda data: editing.save_cost_figure(
            user=request.user, item=item, year=year, data=data, request=request
        ),
        lambda saved: _figure_saved(request, saved, back_url),
    )
    if answer is not None:
        return answer
    title = (
        CostItemText.objects.filter(item=item, language=languages.DEFAULT)
        .values_list("title", flat=True)
        .first()
    ) or item.code
    return render(
        request,
        "parents/editor/cost_figure_form.html",
        {
            "form": form,
            "item": item,
            "year": year,
            "figure": figure,
            "title": title,
            "back_url": back_url,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def cost_text(request: HttpRequest, code: str, lang: str) -> HttpResponse:
    """A cost item's title and explanation in one language."""
    item = CostItem.objects.filter(code=code).first()
    language = languages.get(lang)
    if item is None or language is None:
        raise Http404
    if not national_editor(request.user):
        return _refused(
            request,
            _("Only national content editors change the texts of the costs overview."),
            "parents.cost_text.update",
            "parents.cost_text",
            f"{item.code}/{language.code}",
        )
    text = CostItemText.objects.filter(item=item, language=language.code).first()
    source = CostItemText.objects.filter(item=item, language=languages.DEFAULT).first()
    back_url = reverse("parents:editor_costs")
    here = reverse("parents:editor_cost_text", kwargs={"code": item.code, "lang": language.code})
    form, answer = _text_form(
        request, CostTextForm, text, language, here, editing.save_cost_text, item=item
    )
    if answer is not None:
        return answer
    result = (
        readability.measure(text.explanation)
        if text is not None and language.code == languages.DEFAULT
        else None
    )
    return render(
        request,
        "parents/editor/translation_form.html",
        {
            "language": language,
            "translation": text,
            "source": source if language.code != languages.DEFAULT else None,
            "form": form,
            "title": source.title if source else item.code,
            "public_url": reverse("parents:costs", kwargs={"lang": language.code}),
            "back_url": back_url,
            "back_label": _("Costs overview"),
            **_readability_context(result),
        },
        status=400 if form.errors else 200,
    )
