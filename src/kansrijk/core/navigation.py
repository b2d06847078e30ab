"""The main menu. Each app adds its entries here; an entry shows when its test passes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kansrijk.accounts.roles import Role
from kansrijk.interventions.menu import MENU_LABEL as INTERVENTIONS_MENU
from kansrijk.pathways.menu import MENU_FIND, MENU_MANAGE
from kansrijk.signalling.menu import MENU_LABEL as SIGNALLING_MENU


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    visible: Callable[[HttpRequest], bool]


def _everyone(request: HttpRequest) -> bool:
    return True


def _coalition_editor(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.has_role(Role.COALITION_EDITOR))


def _professional(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.has_role(Role.PROFESSIONAL))


def _intake_handler(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.has_role(Role.INTAKE_HANDLER))


def _coalition_results(request: HttpRequest) -> bool:
    user = request.user
    return bool(
        user.is_authenticated
        and (user.has_role(Role.COALITION_COORDINATOR) or user.has_role(Role.ANALYST))
    )


def _parent_editor(request: HttpRequest) -> bool:
    """Editors of the parent pages: coalition editors (national or local), administrators
    (local additions of their municipalities) and the operator."""
    user = request.user
    return bool(
        user.is_authenticated
        and (
            user.is_superuser
            or user.has_role(Role.COALITION_EDITOR)
            or user.has_role(Role.ADMINISTRATOR)
        )
    )


def _administrator(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.has_role(Role.ADMINISTRATOR))


NAV_ITEMS: list[NavItem] = [
    NavItem("core:start", _("Start"), _everyone),
    NavItem("signalling:conversation", SIGNALLING_MENU, _everyone),
    NavItem("pathways:find", MENU_FIND, _everyone),
    NavItem("directory:search", _("Social map"), _everyone),
    NavItem("interventions:list", INTERVENTIONS_MENU, _everyone),
    NavItem("referrals:sent", _("Referrals"), _professional),
    NavItem("referrals:inbox", _("Inbox"), _intake_handler),
    NavItem("referrals:results", _("Referral results"), _coalition_results),
    NavItem("coalitions:list", _("Coalition"), _coalition_results),
    NavItem("monitoring:index", _("Monitor"), _everyone),
    NavItem("directory:to_verify", _("To verify"), _coalition_editor),
    NavItem("pathways:manage", MENU_MANAGE, _coalition_editor),
    NavItem("parents:editor", _("Parent pages"), _parent_editor),
    NavItem("places:postcode", _("Postcode lookup"), _everyone),
    NavItem("audit:search", _("Access log"), _administrator),
]


def nav_for(request: HttpRequest) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    for item in NAV_ITEMS:
        if not item.visible(request):
            continue
        url = reverse(item.url_name)
        items.append({"url": url, "label": item.label, "current": request.path == url})
    return items


def language_next(request: HttpRequest) -> str:
    """The ``next`` of the header's language links: this page's address as ``base.html``
    writes it (``request.get_full_path|urlencode``), for pages put together from a kept
    skeleton."""
    return quote(request.get_full_path(), safe="/")
