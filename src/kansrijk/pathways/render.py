"""The body of a pathway page — introduction, steps with their services, footer — as HTML.

Built in Python rather than with a template: it is the largest part of the page and is rendered
for every version a visitor asks for first, and the template engine spent about ten times as long
on it. The markup and the (translated) texts are those of the page's templates; every value is
escaped. Works on model instances (``PathwayVersion``, ``PathwayStep``, ``Service``) and on the
plain values of ``selectors.step_views`` / ``selectors.PathwayChoice`` alike.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

__all__ = ["render_body", "render_resolved_head", "render_steps"]


def _value(obj: Any, name: str) -> Any:
    """An attribute, called when it is a method (``get_FOO_display``, ``manager.all``)."""
    value = getattr(obj, name)
    return value() if callable(value) else value


def _date(value: datetime.date | datetime.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, "j F Y")


def _service(service: Any, out: list[str]) -> None:
    url = reverse("directory:service", args=[service.pk])
    out.append(
        f'<div class="kr-service">\n  <p class="kr-service__name"><a class="utrecht-link" '
        f'href="{escape(url)}">{escape(service.name)}</a></p>\n'
    )
    organization = service.organization
    if organization:
        out.append(f'  <p class="kr-service__org">{escape(organization.name)}</p>\n')
    if service.status != "active":
        status = _("Status on the social map: %(status)s.") % {
            "status": _value(service, "get_status_display")
        }
        out.append(f'  <p class="utrecht-paragraph kr-error">{escape(status)}</p>\n')
    if service.alert:
        out.append(
            f'  <p class="utrecht-paragraph"><strong>{escape(_("Notice"))}:</strong> '
            f"{escape(service.alert)}</p>\n"
        )
    methods = list(service.referral_methods.all())
    if methods:
        out.append(
            f'  <p class="utrecht-paragraph"><strong>{escape(_("How to refer"))}</strong></p>\n'
            '  <ul class="kr-referral-methods">\n'
        )
        for method in methods:
            out.append(f"    <li><strong>{escape(_value(method, 'get_method_display'))}</strong>")
            contact = method.contact
            if contact:
                if contact[:4] == "http":
                    out.append(
                        f': <a class="utrecht-link" href="{escape(contact)}">{escape(contact)}</a>'
                    )
                else:
                    out.append(f": {escape(contact)}")
            if method.instructions:
                out.append(f"<br>{escape(method.instructions)}")
            out.append("</li>\n")
        out.append("  </ul>\n")
    elif service.application_process:
        out.append(
            f'  <p class="utrecht-paragraph"><strong>{escape(_("How to refer"))}:</strong> '
            f"{escape(service.application_process)}</p>\n"
        )
    else:
        out.append(
            '  <p class="utrecht-paragraph kr-muted">'
            f"{escape(_('The social map does not say how to refer yet.'))}</p>\n"
        )
    if service.email or service.url:
        out.append('  <p class="utrecht-paragraph">')
        if service.email:
            out.append(f"{escape(_('Email'))}: {escape(service.email)}")
        if service.email and service.url:
            out.append(" · ")
        if service.url:
            out.append(
                f'<a class="utrecht-link" href="{escape(service.url)}">{escape(service.url)}</a>'
            )
        out.append("</p>\n")
    days = service.response_time_days
    if days:
        text = ngettext(
            "Contacts the family within %(days)s working day.",
            "Contacts the family within %(days)s working days.",
            days,
        ) % {"days": days}
        out.append(f'  <p class="utrecht-paragraph kr-muted">{escape(text)}</p>\n')
    out.append("</div>\n")


def render_steps(steps: Iterable[Any]) -> str:
    """The ordered list of steps (already in display order)."""
    out = ['<ol class="kr-pathway-steps">\n']
    empty = True
    for step in steps:
        empty = False
        urgent = " kr-pathway-step--urgent" if step.is_urgent else ""
        out.append(
            f'  <li class="kr-pathway-step{urgent}">\n    <div class="kr-pathway-step__head">\n'
            f'      <h2 class="utrecht-heading-3 kr-pathway-step__title">{escape(step.title)}</h2>\n'
            f'      <span class="kr-pathway-step__kind">'
            f"{escape(_value(step, 'get_kind_display'))}</span>\n    </div>\n"
        )
        if step.text:
            out.append(f'    <div class="utrecht-paragraph">{linebreaksbr(step.text)}</div>\n')
        if step.tips:
            out.append(
                '    <div class="kr-tips">\n'
                f'      <p class="kr-tips__label">{escape(_("Conversation tips"))}</p>\n'
                f'      <div class="utrecht-paragraph">{linebreaksbr(step.tips)}</div>\n'
                "    </div>\n"
            )
        if step.service:
            _service(step.service, out)
        out.append("  </li>\n")
    if empty:
        out.append(
            f'  <li class="utrecht-paragraph">{escape(_("This version has no steps yet."))}</li>\n'
        )
    out.append("</ol>\n")
    return "".join(out)


def render_body(version: Any, pathway: Any, steps: Iterable[Any]) -> str:
    """Introduction, steps and footer of a version (``version``: number, introduction,
    published_at; ``pathway``: last_reviewed_on, needs_review, is_demo)."""
    out = []
    if version.introduction:
        out.append(
            f'<div class="utrecht-paragraph kr-lead">{linebreaksbr(version.introduction)}</div>\n'
        )
    out.append(render_steps(steps))
    line = _("Version %(number)s") % {"number": version.number}
    if version.published_at:
        line += ", " + _("published %(date)s") % {"date": _date(version.published_at)}
    out.append(
        '<div class="kr-pathway-footer">\n  <p class="utrecht-paragraph">\n'
        f"    {escape(line)}.\n"
        f"    {escape(_('Last reviewed %(date)s.') % {'date': _date(pathway.last_reviewed_on)})}\n"
    )
    if pathway.needs_review:
        out.append(
            f'    <span class="kr-flag kr-flag--stale">{escape(_("review overdue"))}</span>\n'
        )
    out.append("  </p>\n")
    if pathway.is_demo:
        out.append(
            f'  <p class="utrecht-paragraph">{escape(_("Demo pathway: made-up example content."))}'
            "</p>\n"
        )
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
    find = reverse("pathways:find")
    out = [
        '<p class="utrecht-paragraph kr-no-print"><a class="utrecht-link" '
        f'href="{escape(find)}?municipality={escape(municipality_code)}&amp;phase={escape(phase)}">'
        f"{escape(_('All pathways in %(name)s') % {'name': municipality_name})}</a></p>\n"
        f'<h1 class="utrecht-heading-1">{escape(title)}</h1>\n'
        '<ul class="kr-pathway-meta">\n'
        f"  <li>{escape(_('Situation'))}: {escape(situation_name)}</li>\n"
        f"  <li>{escape(_('Municipality'))}: {escape(municipality_name)}</li>"
        f"<li>{escape(_('Phase'))}: {escape(phase_label)}</li>\n"
        f"  <li>{escape(_('Coalition'))}: {escape(coalition_label)}</li>\n"
        "</ul>\n"
    ]
    if fallback == "regional":
        text = _(
            "%(name)s has no pathway of its own for this situation and phase. This is the "
            "regional default of %(coalition)s."
        ) % {"name": municipality_name, "coalition": coalition_name}
        label = _("Regional default")
    elif fallback == "national":
        text = _(
            "%(name)s has no local or regional pathway for this situation and phase. This is the "
            "national default: check the local services on the social map."
        ) % {"name": municipality_name}
        label = _("National default")
    else:
        return "".join(out)
    out.append(
        '<div class="utrecht-alert utrecht-alert--warning kr-fallback" role="note">\n'
        f'  <p class="kr-fallback__title">{escape(label)}</p>\n'
        f'  <p class="utrecht-paragraph">{escape(text)}</p>\n'
        "</div>\n"
    )
    return "".join(out)
