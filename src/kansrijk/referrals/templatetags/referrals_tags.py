"""Template helpers of the referral pages: the "Refer" link for other modules' pages, the
list rows (``referral_rows``: written out in Python, no template per row), status and urgency
labels translated once per language, and ``form_fields`` (unbound form fields rendered once)."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import formats, timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, ngettext

from kansrijk.core import languages
from kansrijk.core.freshness import Kept, markup_version, memo
from kansrijk.referrals.models import Urgency, referral_scope
from kansrijk.referrals.workflow import Status

register = template.Library()


@register.simple_tag(takes_context=True)
def refer_url(
    context: Any,
    service: Any,
    *,
    pathway: Any = "",
    step: Any = "",
    phase: str = "",
    situations: Any = "",
    signalling: Any = "",
    source: str = "",
) -> str:
    """The URL to start a referral to ``service``, or "" when the user cannot refer (not a
    professional) or the service does not take referrals through Kansrijk. Only ids and codes
    go into the URL."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if service is None or user is None or not referral_scope(user).sender_org_ids:
        return ""
    organization = getattr(service, "organization", None)
    if organization is None or getattr(organization, "account_organisation_id", None) is None:
        return ""
    query: dict[str, str] = {"service": str(service.pk)}
    if pathway:
        query["pathway"] = str(getattr(pathway, "pk", pathway))
    if step:
        query["step"] = str(getattr(step, "key", step))
    if phase:
        query["phase"] = str(phase)
    if situations:
        if not isinstance(situations, str):
            situations = ",".join(str(getattr(s, "code", s)) for s in situations)
        query["situation"] = situations
    if signalling:
        query["signalling"] = str(signalling)
    if source:
        query["source"] = source
    return f"{reverse('referrals:new')}?{urlencode(query)}"


@register.filter
def status_modifier(status: str) -> str:
    """A CSS modifier for a status badge (the text says the status too)."""
    return {
        "draft": "draft",
        "requested": "new",
        "received": "new",
        "accepted": "open",
        "in-progress": "open",
        "on-hold": "hold",
        "completed": "done",
        "rejected": "closed",
        "cancelled": "closed",
        "failed": "closed",
    }.get(status, "open")


@memo("referrals.labels", size=32)
def _labels(language: str | None) -> dict[str, dict[str, str]]:
    """The status and urgency labels in ``language``, translated once per language (a
    ``get_FOO_display`` per list row translates every choice of the field again)."""
    return {
        "status": {value: str(label) for value, label in Status.choices},
        "urgency": {value: str(label) for value, label in Urgency.choices},
    }


@register.filter
def status_label(status: str) -> str:
    """The status's label in the current language (for list rows)."""
    return _labels(get_language())["status"].get(status, status)


@register.filter
def urgency_label(urgency: str) -> str:
    """The urgency's label in the current language (for list rows)."""
    return _labels(get_language())["urgency"].get(urgency, urgency)


_ZERO = "00000000-0000-0000-0000-000000000000"


@memo("referrals.detail-url", size=8)
def _detail_url_pattern(script_prefix: str) -> tuple[str, str]:
    url = reverse("referrals:detail", args=[_ZERO])
    head, _, tail = url.partition(_ZERO)
    return head, tail


@register.filter
def detail_url(referral_id: Any) -> str:
    """``{% url 'referrals:detail' id %}`` for list rows, without a ``reverse`` per row."""
    head, tail = _detail_url_pattern(get_script_prefix())
    return f"{head}{referral_id}{tail}"


#: Rendered fields of unbound forms, by (template, its markup version, key, language): see
#: ``form_fields``.
_UNBOUND_FIELDS: Kept[tuple[str, str, str, str | None], str] = Kept(
    "referrals.form-fields", seconds=float("inf"), size=500
)


@register.simple_tag
def form_fields(template_name: str, form: Any, *, rule: Any = None, key: Any = "") -> str:
    """``template_name`` rendered with ``form`` (and ``rule``). The fields of an unbound form
    are the same on every page (labels, choices, help texts; the version and the CSRF token are
    outside them), so outside DEBUG they are rendered once per process and language: the
    contact and status forms through the widget templates cost more than the rest of a
    referral page. A bound form (with the values and errors of a failed post) is always
    rendered afresh. ``key`` must tell apart forms with different ids or fields."""
    context = {"form": form, "rule": rule}
    if form.is_bound or settings.DEBUG:
        return render_to_string(template_name, context)
    cache_key = (template_name, markup_version(template_name), str(key), get_language())
    return _UNBOUND_FIELDS.get_or_make(cache_key, lambda: render_to_string(template_name, context))


@register.filter
def language_name(code: str) -> str:
    """The name of a language code (``kansrijk.core.languages``), else the code itself."""
    return languages.language_name(code)


#: What an empty cell shows (an en dash, as in the templates).
NO_VALUE = "\u2013"


@memo("referrals.row-words", size=32)
def _row_words(language: str | None) -> dict[str, str]:
    """The words of list rows in ``language``, translated once per language, not per row."""
    return {
        "prenatal": gettext("Prenatal home visit"),
        "herself": gettext("Self-referral (the client herself)"),
        "overdue": gettext("Overdue"),
        "contacted": gettext("contacted"),
    }


@memo("referrals.waiting-text", size=2048)
def _waiting_text(age: int, days: int | None, language: str | None) -> str:
    """The waiting time as "3 of 5 working days" (or "3 working days") in ``language``: a
    page's rows hold a few of these many times."""
    if days:
        return gettext("%(age)s of %(days)s working days") % {"age": age, "days": days}
    return ngettext("%(age)s working day", "%(age)s working days", age) % {"age": age}


@memo("referrals.sent-date", size=2048)
def _sent_date(day: datetime.date, language: str | None) -> str:
    """The day as "5 december 2026", the month's name from the active language (``j M Y`` gave
    "5 Dec 2026" and "5 Mrt 2026" on Dutch pages); a page's rows were mostly sent on a few
    days."""
    return formats.date_format(day, "j F Y")


def _waiting_time(row: Any, words: dict[str, str], language: str | None) -> SafeString:
    """The waiting-time cell: "3 of 5 working days", then "Overdue" or "contacted"."""
    if row.age_working_days is None:
        return format_html("{}", NO_VALUE)
    text = _waiting_text(row.age_working_days, row.response_time_days, language)
    if row.overdue:
        return format_html('{} <strong class="kr-ref-overdue">{}</strong>', text, words["overdue"])
    if row.referral.first_contact_at:
        return format_html('{} <span class="kr-ref-contacted">{}</span>', text, words["contacted"])
    return format_html("{}", text)


def _row_cells(
    row: Any, side: str, tz: Any, words: dict[str, str], language: str | None
) -> tuple[Any, ...]:
    r = row.referral
    urgency = urgency_label(r.urgency)
    sent: Any = NO_VALUE
    if r.sent_at:
        local = timezone.localtime(r.sent_at, tz)
        sent = format_html(
            '<time datetime="{}">{}</time>', local.isoformat(), _sent_date(local.date(), language)
        )
    organisation = r.sender_organisation if side == "inbox" else r.receiver_organisation
    kind_note = words["prenatal"] if r.kind in ("prenatal_home_visit", "self_referral") else ""
    return (
        " kr-ref-row--overdue" if row.overdue else "",
        detail_url(r.pk),
        r.reference,
        format_html('<br><span class="kr-ref-muted">{}</span>', kind_note) if kind_note else "",
        organisation.name if organisation is not None else words["herself"],
        r.service.name,
        format_html("<strong>{}</strong>", urgency) if r.urgency != "routine" else urgency,
        status_modifier(r.status),
        _capfirst(status_label(r.status)),
        sent,
        _waiting_time(row, words, language),
    )


def _capfirst(value: str) -> str:
    return value[:1].upper() + value[1:]


def _column_labels(side: str) -> tuple[str, ...]:
    """The column labels of the inbox or the sent list, in the active language."""
    return (
        gettext("Reference"),
        gettext("From") if side == "inbox" else gettext("To"),
        gettext("Service"),
        gettext("Urgency"),
        gettext("Status"),
        gettext("Sent"),
        gettext("Waiting time"),
    )


@register.simple_tag
def referral_columns(side: str) -> tuple[str, ...]:
    """The header cells of ``referrals/includes/list_table.html`` (the rows label their cells
    with the same words, for the stacked layout on a phone)."""
    return _column_labels(side)


#: The content of each cell of a list row (format_html placeholders), in column order.
_CELLS = (
    '<a class="utrecht-link" href="{}">{}</a>{}',
    "{}",
    "{}",
    "{}",
    '<span class="kr-ref-status kr-ref-status--{}">{}</span>',
    "{}",
    "{}",
)


def _row_format(side: str) -> str:
    """The format of one row, each cell with its column label (``data-label``) and role."""

    def literal(text: str) -> str:
        return str(escape(text)).replace("{", "{{").replace("}", "}}")

    cells = "".join(
        f'<td class="utrecht-table__cell" role="cell" data-label="{literal(label)}">{cell}</td>'
        for label, cell in zip(_column_labels(side), _CELLS, strict=True)
    )
    return f'<tr class="utrecht-table__row{{}}" role="row">{cells}</tr>'


@register.simple_tag
def referral_rows(rows: Any, side: str) -> SafeString:
    """The rows of the inbox or the sent list (``side``), written out in Python: a page of
    rows through the template engine cost more than the rest of the request together. Byte for
    byte the reference template ``referrals/includes/_list_rows.html``
    (``tests/referrals/test_list_rows.py``; docs/adr/0004-referral-list-rows-in-python.md);
    every value is escaped."""
    language = get_language()
    words = _row_words(language)
    tz = timezone.get_current_timezone()
    return format_html_join(
        "\n",
        _row_format(side),
        (_row_cells(row, side, tz, words, language) for row in rows),
    )
