"""The main menu. Each app adds its entries here; an entry shows when its test passes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kansrijk.accounts.roles import Role


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    visible: Callable[[HttpRequest], bool]


def _everyone(request: HttpRequest) -> bool:
    return True


def _administrator(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and (user.is_staff or user.has_role(Role.ADMINISTRATOR)))


NAV_ITEMS: list[NavItem] = [
    NavItem("core:start", _("Start"), _everyone),
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
