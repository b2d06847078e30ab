"""The body of a pathway page — introduction, steps with their services, footer — as HTML.

Built in Python rather than with a template: it is the largest part of the page and is rendered
for every version a visitor asks for first, and the template engine spent about ten times as long
on it. The markup and the (translated) texts are those of the page's templates; every value is
escaped. Works on model instances (``PathwayVersion``, ``PathwayStep``, ``Service``) and on the
plain values of ``steps.step_views`` / ``resolution.PathwayChoice`` alike.

The fixed texts — labels of step kinds, referral methods and statuses, headings, month names —
are translated and escaped once per language and process (``_texts``) rather than for every step:
with ``gettext`` on lazy labels and Django's ``escape`` wrapper that was most of the rendering
time. Values are escaped with ``html.escape``, which is what ``django.utils.html.escape`` does
inside its wrapper; links to services are put together from the reversed address around a
placeholder (``_service_url``). ``tests/pathways/test_render.py`` pins the markup.
"""

from __future__ import annotations

import datetime
import html
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.safestring import SafeData
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from kansrijk.core.freshness import Kept

__all__ = ["render_body", "render_resolved_head", "render_steps"]

_escape = html.escape
_NEWLINES = re.compile(r"\r\n|\r")


def _esc(value: Any) -> str:
    """``django.utils.html.escape`` without its lazy-string wrapper."""
    return _escape(value if isinstance(value, str) else str(value))


def _linebreaksbr(value: Any) -> str:
    """The ``linebreaksbr`` filter (autoescaping on): newlines normalised, escaped unless
    already safe, ``<br>`` for every newline."""
    text = value if isinstance(value, str) else str(value)
    if "\r" in text:
        text = _NEWLINES.sub("\n", text)
    if not isinstance(value, SafeData):
        text = _escape(text)
    return text.replace("\n", "<br>")


def _value(obj: Any, name: str) -> Any:
    """An attribute, called when it is a method (``get_FOO_display``, ``manager.all``)."""
    value = getattr(obj, name)
    return value() if callable(value) else value


@dataclass(frozen=True)
class _Texts:
    """The fixed texts of the page in one language, translated and escaped."""

    kinds: dict[str, str]
    methods: dict[str, str]
    statuses: dict[str, str]
    months: dict[int, str]
    notice: str
    how_to_refer: str
    no_method: str
    email: str
    tips: str
    no_steps: str
    review_overdue: str
    demo: str
    situation: str
    municipality: str
    phase: str
    coalition: str
    regional_default: str
    national_default: str
    response_times: dict[int, str] = field(default_factory=dict)


_texts_by_language: Kept[str | None, _Texts] = Kept(
    "pathways.render-texts", seconds=float("inf"), size=20
)


def _texts() -> _Texts:
    language = get_language()
    texts = _texts_by_language.get(language)
    if texts is None:
        texts = _texts_by_language.put(language, _build_texts())
    return texts


def _build_texts() -> _Texts:
    from kansrijk.directory.models import ReferralMethodKind, ServiceStatus
    from kansrijk.pathways.models import StepKind

    return _Texts(
        kinds={kind.value: _esc(kind.label) for kind in StepKind},
        methods={kind.value: _esc(kind.label) for kind in ReferralMethodKind},
        statuses={
            status.value: _esc(
                _("Status on the social map: %(status)s.") % {"status": status.label}
            )
            for status in ServiceStatus
        },
        months={number: str(name) for number, name in MONTHS.items()},
        notice=_esc(_("Notice")),
        how_to_refer=_esc(_("How to refer")),
        no_method=_esc(_("The social map does not say how to refer yet.")),
        email=_esc(_("Email")),
        tips=_esc(_("Conversation tips")),
        no_steps=_esc(_("This version has no steps yet.")),
        review_overdue=_esc(_("review overdue")),
        demo=_esc(_("Demo pathway: made-up example content.")),
        situation=_esc(_("Situation")),
        municipality=_esc(_("Municipality")),
        phase=_esc(_("Phase")),
        coalition=_esc(_("Coalition")),
        regional_default=_esc(_("Regional default")),
        national_default=_esc(_("National default")),
    )


def _response_time(texts: _Texts, days: int) -> str:
    text = texts.response_times.get(days)
    if text is None:
        text = texts.response_times[days] = _esc(
            ngettext(
                "Contacts the family within %(days)s working day.",
                "Contacts the family within %(days)s working days.",
                days,
            )
            % {"days": days}
        )
    return text


#: Stands for a service's id when its address is reversed once (see ``_service_url``).
_SERVICE_PLACEHOLDER = uuid.UUID(int=0x5E4F1CE)
_urls: Kept[tuple[str, Any, str], tuple[str, str]] = Kept(
    "pathways.render-urls", seconds=float("inf"), size=20
)


def _url_parts(name: str, placeholder: Any = None) -> tuple[str, str]:
    """The escaped address of URL ``name`` before and after its one argument (without
    arguments: the whole address and ``""``), reversed once per script prefix and URL conf."""
    key = (get_script_prefix(), get_urlconf(), name)
    parts = _urls.get(key)
    if parts is None:
        if placeholder is None:
            parts = (_esc(reverse(name)), "")
        else:
            url = reverse(name, args=[placeholder])
            before, _sep, after = url.partition(str(placeholder))
            parts = (_esc(before), _esc(after))
        _urls.put(key, parts)
    return parts


def _service_url(pk: Any) -> str:
    """``reverse("directory:service", args=[pk])``, escaped: the same address around the id."""
    if not isinstance(pk, uuid.UUID):
        return _esc(reverse("directory:service", args=[pk]))
    before, after = _url_parts("directory:service", _SERVICE_PLACEHOLDER)
    return f"{before}{pk}{after}"


def _date(value: datetime.date | datetime.datetime | None, texts: _Texts) -> str:
    """``date_format(value, "j F Y")`` (local time for an aware datetime)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value.day} {texts.months[value.month]} {value.year:04d}"


def _service(service: Any, out: list[str], texts: _Texts) -> None:
    out.append(
        '<div class="kr-service">\n  <p class="kr-service__name"><a class="utrecht-link" '
        f'href="{_service_url(service.pk)}">{_esc(service.name)}</a></p>\n'
    )
    organization = service.organization
    if organization:
        out.append(f'  <p class="kr-service__org">{_esc(organization.name)}</p>\n')
    status = service.status
    if status != "active":
        line = texts.statuses.get(status)
        if line is None:
            line = _esc(
                _("Status on the social map: %(status)s.")
                % {"status": _value(service, "get_status_display")}
            )
        out.append(f'  <p class="utrecht-paragraph kr-error">{line}</p>\n')
    if service.alert:
        out.append(
            f'  <p class="utrecht-paragraph"><strong>{texts.notice}:</strong> '
            f"{_esc(service.alert)}</p>\n"
        )
    methods = list(service.referral_methods.all())
    if methods:
        out.append(
            f'  <p class="utrecht-paragraph"><strong>{texts.how_to_refer}</strong></p>\n'
            '  <ul class="kr-referral-methods">\n'
        )
        for method in methods:
            label = texts.methods.get(method.method)
            if label is None:
                label = _esc(_value(method, "get_method_display"))
            out.append(f"    <li><strong>{label}</strong>")
            contact = method.contact
            if contact:
                if contact[:4] == "http":
                    escaped = _esc(contact)
                    out.append(f': <a class="utrecht-link" href="{escaped}">{escaped}</a>')
                else:
                    out.append(f": {_esc(contact)}")
            if method.instructions:
                out.append(f"<br>{_esc(method.instructions)}")
            out.append("</li>\n")
        out.append("  </ul>\n")
    elif service.application_process:
        out.append(
            f'  <p class="utrecht-paragraph"><strong>{texts.how_to_refer}:</strong> '
            f"{_esc(service.application_process)}</p>\n"
        )
    else:
        out.append(f'  <p class="utrecht-paragraph kr-muted">{texts.no_method}</p>\n')
    email, url = service.email, service.url
    if email or url:
        out.append('  <p class="utrecht-paragraph">')
        if email:
            out.append(f"{texts.email}: {_esc(email)}")
        if email and url:
            out.append(" · ")
        if url:
            escaped = _esc(url)
            out.append(f'<a class="utrecht-link" href="{escaped}">{escaped}</a>')
        out.append("</p>\n")
    days = service.response_time_days
    if days:
        out.append(f'  <p class="utrecht-paragraph kr-muted">{_response_time(texts, days)}</p>\n')
    out.append("</div>\n")


def _steps(steps: Iterable[Any], out: list[str], texts: _Texts) -> None:
    out.append('<ol class="kr-pathway-steps">\n')
    empty = True
    for step in steps:
        empty = False
        kind = step.kind
        label = texts.kinds.get(kind)
        if label is None:
            label = _esc(_value(step, "get_kind_display"))
        urgent = " kr-pathway-step--urgent" if step.is_urgent else ""
        out.append(
            f'  <li class="kr-pathway-step{urgent}">\n    <div class="kr-pathway-step__head">\n'
            f'      <h2 class="utrecht-heading-3 kr-pathway-step__title">{_esc(step.title)}</h2>\n'
            f'      <span class="kr-pathway-step__kind">{label}</span>\n    </div>\n'
        )
        if step.text:
            out.append(f'    <div class="utrecht-paragraph">{_linebreaksbr(step.text)}</div>\n')
        if step.tips:
            out.append(
                '    <div class="kr-tips">\n'
                f'      <p class="kr-tips__label">{texts.tips}</p>\n'
                f'      <div class="utrecht-paragraph">{_linebreaksbr(step.tips)}</div>\n'
                "    </div>\n"
            )
        service = step.service
        if service:
            _service(service, out, texts)
        out.append("  </li>\n")
    if empty:
        out.append(f'  <li class="utrecht-paragraph">{texts.no_steps}</li>\n')
    out.append("</ol>\n")


def render_steps(steps: Iterable[Any]) -> str:
    """The ordered list of steps (already in display order)."""
    out: list[str] = []
    _steps(steps, out, _texts())
    return "".join(out)


def render_body(version: Any, pathway: Any, steps: Iterable[Any]) -> str:
    """Introduction, steps and footer of a version (``version``: number, introduction,
    published_at; ``pathway``: last_reviewed_on, needs_review, is_demo)."""
    texts = _texts()
    out = []
    if version.introduction:
        out.append(
            f'<div class="utrecht-paragraph kr-lead">{_linebreaksbr(version.introduction)}</div>\n'
        )
    _steps(steps, out, texts)
    line = _("Version %(number)s") % {"number": version.number}
    if version.published_at:
        line += ", " + _("published %(date)s") % {"date": _date(version.published_at, texts)}
    reviewed = _("Last reviewed %(date)s.") % {"date": _date(pathway.last_reviewed_on, texts)}
    out.append(
        '<div class="kr-pathway-footer">\n  <p class="utrecht-paragraph">\n'
        f"    {_esc(line)}.\n"
        f"    {_esc(reviewed)}\n"
    )
    if pathway.needs_review:
        out.append(f'    <span class="kr-flag kr-flag--stale">{texts.review_overdue}</span>\n')
    out.append("  </p>\n")
    if pathway.is_demo:
        out.append(f'  <p class="utrecht-paragraph">{texts.demo}</p>\n')
    out.append("</div>\n")
    return "".join(out)


def render_resolved_head(
    *,
    title: str,
    situation_name: str,
    coalition_name: str,
    coalition_label: str,
    municipality_code: str,
    municipality_name: str,
    phase: str,
    phase_label: str,
    fallback: str | None,
) -> str:
    """The heading of the pathway page for a municipality and phase: what
    ``_pathway_head.html`` gives for a current published version (the tests compare both).
    ``coalition_label``: how the coalition is shown (``str(coalition)``)."""
    texts = _texts()
    find = _url_parts("pathways:find")[0]
    head = (
        '<p class="utrecht-paragraph kr-no-print"><a class="utrecht-link" '
        f'href="{find}?municipality={_esc(municipality_code)}&amp;phase={_esc(phase)}">'
        f"{_esc(_('All pathways in %(name)s') % {'name': municipality_name})}</a></p>\n"
        f'<h1 class="utrecht-heading-1">{_esc(title)}</h1>\n'
        '<ul class="kr-pathway-meta">\n'
        f"  <li>{texts.situation}: {_esc(situation_name)}</li>\n"
        f"  <li>{texts.municipality}: {_esc(municipality_name)}</li>"
        f"<li>{texts.phase}: {_esc(phase_label)}</li>\n"
        f"  <li>{texts.coalition}: {_esc(coalition_label)}</li>\n"
        "</ul>\n"
    )
    if fallback == "regional":
        text = _(
            "%(name)s has no pathway of its own for this situation and phase. This is the "
            "regional default of %(coalition)s."
        ) % {"name": municipality_name, "coalition": coalition_name}
        label = texts.regional_default
    elif fallback == "national":
        text = _(
            "%(name)s has no local or regional pathway for this situation and phase. This is the "
            "national default: check the local services on the social map."
        ) % {"name": municipality_name}
        label = texts.national_default
    else:
        return head
    return (
        f"{head}"
        '<div class="utrecht-alert utrecht-alert--warning kr-fallback" role="note">\n'
        f'  <p class="kr-fallback__title">{label}</p>\n'
        f'  <p class="utrecht-paragraph">{_esc(text)}</p>\n'
        "</div>\n"
    )
