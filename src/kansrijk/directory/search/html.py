"""The social map's search page written out in Python: what the templates give, cheaper.

A search page is the same for every anonymous visitor except for what was asked (the words, the
postcode, the address) and what was found. So the page around the results is rendered by the
templates once per language and choice of filters, with placeholders where the words, the
postcode, the address (the language links return to it), the status line and the results go,
and kept per worker (``skeleton``); the status line and the results (``status_html``,
``results_html``) are written here, mark for mark what ``_status.html``, ``_results.html`` and
``_result.html`` give (``tests/directory/test_search_html.py`` compares them over many
searches). The result cards inside come from their own cache (``search.cards``).
"""

from __future__ import annotations

import copy
import html
import re
import uuid
from dataclasses import asdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.formats import get_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext

from kansrijk.core.freshness import Kept, markup_version
from kansrijk.directory.forms import SearchForm
from kansrijk.directory.page_selectors import choices_stamp
from kansrijk.directory.search.params import SearchParams

#: Stand for what differs per search in a page rendered once (never valid input themselves:
#: the address placeholder is not a path of the site, the others are not words or postcodes
#: anyone types). An anonymous page holds no CSRF token: its only form is the search (GET).
Q_PLACEHOLDER = "kansrijk-q-placeholder-3e91d0"
POSTCODE_PLACEHOLDER = "kansrijk-postcode-placeholder-a8c2f4"
PATH_PLACEHOLDER = "/kansrijk-path-placeholder-6d04b7"
STATUS_PLACEHOLDER = "kansrijk-status-placeholder-19be5c"
RESULTS_PLACEHOLDER = "kansrijk-results-placeholder-77a0d3"
PLACEHOLDERS = (
    Q_PLACEHOLDER,
    POSTCODE_PLACEHOLDER,
    PATH_PLACEHOLDER,
    STATUS_PLACEHOLDER,
    RESULTS_PLACEHOLDER,
)
_SPLIT = re.compile("(" + "|".join(re.escape(p) for p in PLACEHOLDERS) + ")")

#: Page skeletons, per worker: what a skeleton holds besides the placeholders (the filters'
#: choices) changes a few times a year, by a data load; its key carries a digest of those
#: choices (``page_selectors.choices_stamp``: an edit of a service keeps the skeletons, a new
#: category renders them again) and the markup version of the page's templates (``skeleton``).
_skeletons: Kept[tuple[Any, ...], list[Any]] = Kept(
    "directory.search-skeletons", seconds=600.0, size=500
)


def split(html: str) -> list[Any]:
    """A rendered page cut at its placeholders: text, placeholder, text, … (odd items are
    placeholders), the text already encoded as UTF-8 (a page is sent as bytes: encoding it
    whole each time costs more than encoding what differs, the more so as the filters' em
    dashes make the whole page two bytes a character in memory)."""
    return [part if i % 2 else part.encode() for i, part in enumerate(_SPLIT.split(html))]


def fill(parts: list[Any], values: dict[str, str]) -> bytes:
    """The page with each placeholder replaced by its value (already escaped), as UTF-8."""
    return b"".join(values[part].encode() if i % 2 else part for i, part in enumerate(parts))


def skeleton(request: HttpRequest, params: SearchParams, partial: bool) -> list[Any] | None:
    """The search page (or, ``partial``, its htmx update) for these parameters with
    placeholders for the words, the postcode, the address, the status line and the results, cut
    at them (``split``); rendered by the templates once per worker, language and filters."""
    demo = bool(getattr(settings, "KANSRIJK_DEMO_MODE", False))
    key = (
        markup_version("directory/search.html", "directory/_search_update.html"),
        choices_stamp(),
        get_language(),
        demo,
        partial,
        bool(params.q),
        bool(params.postcode),
        params.category,
        params.phase,
        params.language,
        params.free,
    )
    parts = _skeletons.get(key)
    if parts is not None:
        return parts
    data = QueryDict(mutable=True)
    data.update({**asdict(params), "q": "x" if params.q else "", "postcode": ""})
    form = SearchForm(data)
    if not form.is_valid():  # pragma: no cover - checked by the caller
        return None
    # The form keeps its own copy of the data; its widgets show what is there now.
    shown = cast("QueryDict", form.data)
    shown["q"] = Q_PLACEHOLDER if params.q else ""
    shown["postcode"] = POSTCODE_PLACEHOLDER if params.postcode else ""
    shell_request = copy.copy(request)
    shell_request.get_full_path = lambda force_append_slash=False: PATH_PLACEHOLDER  # type: ignore[method-assign]
    page = render_to_string(
        "directory/_search_update.html" if partial else "directory/search.html",
        {
            "form": form,
            "page": None,
            "area": None,
            "query_string": "",
            "can_maintain": False,
            "status_html": mark_safe(STATUS_PLACEHOLDER),  # noqa: S308 - a constant
            "results_html": mark_safe(RESULTS_PLACEHOLDER),  # noqa: S308 - a constant
        },
        shell_request,
    )
    parts = split(page)
    _skeletons.put(key, parts)
    return parts


_ZERO = str(uuid.UUID(int=0))


def _texts() -> dict[str, str]:
    """What every page in this language says the same, translated once per worker (and the
    decimal separator and the escaped address of a service page with the zero UUID for its id,
    once per language, URL configuration and script prefix): a translation or a ``reverse``
    costs more than the sentence it makes."""
    key = (get_language(), get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    texts = _translated.get(key)
    if texts is None:
        texts = _translated.put(
            key,
            {
                "nearest": gettext("nearest to %(code)s %(place)s first"),
                "words_nearest": gettext(
                    "best match for your words first, then nearest to %(code)s %(place)s"
                ),
                "words": gettext("best match for your words first"),
                "in": gettext("in %(municipality)s"),
                "page": gettext("Page %(number)s of %(total)s"),
                "note": gettext(
                    "Nearby, but %(municipality)s is not among its municipalities: check whether "
                    "they help families from there."
                ),
                "distance": gettext("Distance:"),
                "previous": gettext("Previous page"),
                "next": gettext("Next page"),
                "pages": gettext("Pages of results"),
                "none": gettext("No services found. Try another word, or fewer filters."),
                "source": gettext("Distances source: CBS, CC BY 4.0"),
                "licence": gettext("Licence CC BY 4.0"),
                "separator": get_format("DECIMAL_SEPARATOR"),
                "service_path": escape(reverse("directory:service", args=[_ZERO])),
            },
        )
    return texts


_translated: Kept[tuple[Any, ...], dict[str, str]] = Kept(
    "directory.search-texts", seconds=float("inf"), size=100
)


def _number(value: int) -> str:
    """A whole number as ``{{ number }}`` shows it inside ``blocktranslate`` (escaped text)."""
    return escape(str(value))


def status_html(page: Any, area: Any, by_words: bool = False) -> str:
    """``directory/_status.html`` for a valid search (``page`` ``None``: nothing searched;
    ``by_words``: the search has words, so the results are ordered by how well they match)."""
    if page is None:
        return ""
    count = page.paginator.count
    texts = _texts()
    # ``blocktranslate`` escapes the values, not the translated text around them; ``translate``
    # with a literal leaves its text as it is (template literals are safe).
    text = ngettext("%(counter)s service found", "%(counter)s services found", count) % {
        "counter": _number(count)
    }
    if area:
        if area.has_coordinates:
            place = area.place_name or area.municipality.name
            text += ", " + texts["words_nearest" if by_words else "nearest"] % {
                "code": escape(area.code),
                "place": escape(place),
            }
        else:
            text += ", " + texts["in"] % {"municipality": escape(area.municipality.name)}
            if by_words:
                text += ", " + texts["words"]
    elif by_words:
        text += ", " + texts["words"]
    pages = page.paginator.num_pages
    if pages > 1:
        text += ". " + texts["page"] % {
            "number": _number(page.number),
            "total": _number(pages),
        }
    return text + "."


def km(value: float, separator: str | None = None) -> str:
    """``{{ value|floatformat:1 }}`` for a distance (not negative, well under a thousand km):
    rounded half up from its shortest representation, one decimal, the language's decimal
    separator (``separator``, looked up when not given). ``floatformat`` itself costs about
    fifty times as much; ``tests/directory/test_search_html.py`` compares the two."""
    text = repr(value)
    whole, _dot, fraction = text.partition(".")
    if not whole.isdigit() or not fraction.isdigit():  # negative, exponent, inf, nan: rare
        rounded = f"{Decimal(text).quantize(_TENTH, ROUND_HALF_UP):f}"
    else:
        # Half up on the decimal digits: the second decimal decides, whatever follows it.
        tenths = int(whole) * 10 + int(fraction[0]) + (fraction[1:2] >= "5")
        rounded = f"{tenths // 10}.{tenths % 10}"
    return rounded.replace(".", separator or get_format("DECIMAL_SEPARATOR"))


_TENTH = Decimal("0.1")


def result_html(
    row: Any, area: Any, note: str | None, service_path: str, distance_label: str, separator: str
) -> str:
    """``directory/_result.html`` for one ``RankedRow`` with its ``card`` attached. ``note`` is
    the "nearby, but not among its municipalities" paragraph of this search (the same for every
    row that needs it); ``service_path`` (the escaped address of a service page with the zero
    UUID), ``distance_label`` and the decimal ``separator`` are looked up once per page."""
    # A UUID is hexadecimal digits and hyphens: nothing to escape. ``html.escape`` is what
    # Django's ``escape`` does, without its check for lazy strings.
    service_id = str(row.service_id)
    why = row.why
    if why:
        why = f'<p class="utrecht-paragraph kr-dir-card__why">{html.escape(why)}</p>'
    distance = ""
    if row.distance_km is not None:
        distance = (
            '<p class="kr-dir-card__distance"><span class="kr-visually-hidden">'
            f"{distance_label} </span>{km(row.distance_km, separator)} km</p>"
        )
    return (
        f'<article class="kr-dir-card" aria-labelledby="service-{service_id}">\n'
        '  <div class="kr-dir-card__head">\n'
        f'    <h3 class="utrecht-heading-3 kr-dir-card__title" id="service-{service_id}">'
        f'<a class="utrecht-link" href="{service_path.replace(_ZERO, service_id)}">'
        f"{html.escape(row.name)}</a></h3>\n"
        f"    {distance}\n"
        "  </div>\n"
        f"  {why}\n"
        f"  {note if area and not row.serves_municipality and note else ''}\n"
        f"  {row.card}\n"
        "</article>\n"
    )


def results_html(page: Any, area: Any, query_string: str) -> str:
    """``directory/_results.html`` for a valid search (``page`` ``None``: nothing searched)."""
    if page is None:
        return "\n"
    out = ["\n"]
    texts = _texts()
    if page.object_list:
        note = None
        if area:
            note = (
                '<p class="utrecht-paragraph kr-dir-card__note">'
                + texts["note"] % {"municipality": escape(area.municipality.name)}
                + "</p>"
            )
        out.append('\n<ul class="kr-dir__list">\n  ')
        service_path = texts["service_path"]
        label = texts["distance"]
        separator = texts["separator"]
        for row in page.object_list:
            item = result_html(row, area, note, service_path, label, separator)
            out.append(f'\n  <li class="kr-dir__item">{item}</li>\n  ')
        out.append("\n</ul>\n")
        if page.has_other_pages():
            prefix = f"?{escape(query_string)}&amp;" if query_string else "?"
            previous = next_ = ""
            if page.has_previous():
                previous = (
                    f'<li><a class="utrecht-link" rel="prev" href="{prefix}page='
                    f'{page.previous_page_number()}">{texts["previous"]}</a></li>'
                )
            if page.has_next():
                next_ = (
                    f'<li><a class="utrecht-link" rel="next" href="{prefix}page='
                    f'{page.next_page_number()}">{texts["next"]}</a></li>'
                )
            current = texts["page"] % {
                "number": _number(page.number),
                "total": _number(page.paginator.num_pages),
            }
            out.append(
                f'\n<nav class="kr-pagination" aria-label="{texts["pages"]}">\n'
                '  <ul class="kr-pagination__list">\n'
                f"    {previous}\n"
                f'    <li aria-current="page">{current}</li>\n'
                f"    {next_}\n"
                "  </ul>\n"
                "</nav>\n"
            )
        out.append("\n")
    else:
        out.append(
            '\n<div class="utrecht-alert utrecht-alert--info">\n'
            '  <p class="utrecht-paragraph">' + texts["none"] + "</p>\n</div>\n"
        )
    out.append("\n")
    if area:
        out.append(
            '<p class="utrecht-paragraph kr-source">'
            + texts["source"]
            + ' (<a class="utrecht-link" href="https://creativecommons.org/licenses/by/4.0/deed.nl"'
            ' rel="license">' + texts["licence"] + "</a>)</p>"
        )
    out.append("\n\n")
    return "".join(out)
