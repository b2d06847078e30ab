"""What each role finds on its start page: the tasks it came for, nearest first."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kansrijk.accounts.roles import Role
from kansrijk.pathways import menu as pathway_menu
from kansrijk.signalling import menu as signalling_menu


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
FIND_SERVICE = Task(
    "directory:search",
    _("Find a service"),
    _("Search the social map by need, municipality or postcode: who helps, and how to refer."),
)
SOCIAL_MAP = Task(
    "directory:search",
    _("Social map"),
    _("The services in your municipalities: what they do, for whom and how to refer."),
)
TO_VERIFY = Task(
    "directory:to_verify",
    _("Services to verify"),
    _("Check the services nobody has confirmed in the last 12 months."),
)
FIND_PATHWAY = Task(
    "pathways:find", pathway_menu.FIND_TASK_LABEL, pathway_menu.FIND_TASK_DESCRIPTION
)
MANAGE_PATHWAYS = Task(
    "pathways:manage", pathway_menu.MANAGE_TASK_LABEL, pathway_menu.MANAGE_TASK_DESCRIPTION
)
CONVERSATION = Task(
    "signalling:conversation",
    signalling_menu.CONVERSATION_TASK_LABEL,
    signalling_menu.CONVERSATION_TASK_DESCRIPTION,
)
PRECONCEPTION_GUIDE = Task(
    "signalling:guide", signalling_menu.GUIDE_TASK_LABEL, signalling_menu.GUIDE_TASK_DESCRIPTION
)
NEW_PHB = Task(
    "referrals:new_prenatal",
    _("Request a prenatal home visit"),
    _("Refer a pregnant client to the JGZ of her municipality, with her consent."),
)
SENT_REFERRALS = Task(
    "referrals:sent",
    _("Sent referrals"),
    _("See what became of your referrals: received, accepted, contact, outcome."),
)
REFERRAL_INBOX = Task(
    "referrals:inbox",
    _("Referral inbox"),
    _("New and open referrals for your organisation, with their age against the response time."),
)
REFERRAL_RESULTS = Task(
    "referrals:results",
    _("Referral results"),
    _("Referrals sent, accepted and completed per pathway and municipality (counts only)."),
)
WORKSPACE = Task(
    "coalitions:list",
    _("Coalition workspace"),
    _(
        "Partners and agreements, self-assessment rounds, improvement actions, client journeys and the referral network."
    ),
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
        [
            CONVERSATION,
            FIND_PATHWAY,
            FIND_SERVICE,
            NEW_PHB,
            SENT_REFERRALS,
            PRECONCEPTION_GUIDE,
            POSTCODE,
        ],
    ),
    Role.INTAKE_HANDLER: Section(
        Role.INTAKE_HANDLER,
        _("Intake handler"),
        _("Receive referrals for your organisation, contact the family and report the outcome."),
        [REFERRAL_INBOX, FIND_SERVICE, POSTCODE],
    ),
    Role.COALITION_EDITOR: Section(
        Role.COALITION_EDITOR,
        _("Coalition editor"),
        _("Keep the social map and the pathways of your municipalities current."),
        [MANAGE_PATHWAYS, SOCIAL_MAP, TO_VERIFY, POSTCODE],
    ),
    Role.COALITION_COORDINATOR: Section(
        Role.COALITION_COORDINATOR,
        _("Coalition coordinator"),
        _("See how the local approach works: pathways, services and referral outcomes."),
        [WORKSPACE, FIND_PATHWAY, SOCIAL_MAP, REFERRAL_RESULTS, POSTCODE],
    ),
    Role.ANALYST: Section(
        Role.ANALYST,
        _("Analyst"),
        _("Work with indicators and anonymous counts per municipality and region."),
        [WORKSPACE, REFERRAL_RESULTS, SOCIAL_MAP, POSTCODE],
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
