"""What each role finds on its start page: the tasks it came for, nearest first."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kansrijk.accounts.roles import Role


@dataclass(frozen=True)
class Task:
    url_name: str
    label: str | Promise
    description: str | Promise


@dataclass(frozen=True)
class Section:
    role: str
    title: str | Promise
    intro: str | Promise
    tasks: list[Task] = field(default_factory=list)


POSTCODE = Task(
    "places:postcode",
    _("Look up a postcode"),
    _("Find the municipality, GGD region and youth care region of a postcode."),
)
ADMIN = Task("admin:index", _("Administration"), _("Manage organisations, users and roles."))
AUDIT = Task(
    "audit:search", _("Search the access log"), _("Who saw or changed what, when and why.")
)

SECTIONS: dict[str, Section] = {
    Role.PROFESSIONAL: Section(
        Role.PROFESSIONAL,
        _("Professional"),
        _("Recognise a vulnerable situation, find the local pathway and refer with consent."),
        [POSTCODE],
    ),
    Role.INTAKE_HANDLER: Section(
        Role.INTAKE_HANDLER,
        _("Intake handler"),
        _("Receive referrals for your organisation, contact the family and report the outcome."),
        [POSTCODE],
    ),
    Role.COALITION_EDITOR: Section(
        Role.COALITION_EDITOR,
        _("Coalition editor"),
        _("Keep the social map and the pathways of your municipalities current."),
        [POSTCODE],
    ),
    Role.COALITION_COORDINATOR: Section(
        Role.COALITION_COORDINATOR,
        _("Coalition coordinator"),
        _("See how the local approach works: pathways, services and referral outcomes."),
        [POSTCODE],
    ),
    Role.ANALYST: Section(
        Role.ANALYST,
        _("Analyst"),
        _("Work with indicators and anonymous counts per municipality and region."),
        [POSTCODE],
    ),
    Role.ADMINISTRATOR: Section(
        Role.ADMINISTRATOR,
        _("Administrator"),
        _("Manage organisations, users and roles, and check the access log."),
        [ADMIN, AUDIT, POSTCODE],
    ),
}

ROLE_ORDER = [r.value for r in Role]


def start_sections_for(request: HttpRequest) -> list[dict[str, object]]:
    user = request.user
    if not user.is_authenticated:
        return []
    sections: list[dict[str, object]] = []
    for role in ROLE_ORDER:
        if not user.has_role(role):
            continue
        section = SECTIONS[role]
        sections.append(
            {
                "role": section.role,
                "title": section.title,
                "intro": section.intro,
                "tasks": [
                    {"url": reverse(t.url_name), "label": t.label, "description": t.description}
                    for t in section.tasks
                ],
            }
        )
    return sections
