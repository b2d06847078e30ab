from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from kansrijk.core.navigation import nav_for


def kansrijk(request: HttpRequest) -> dict[str, object]:
    return {
        "kansrijk_nav": nav_for(request),
        "kansrijk_demo_mode": getattr(settings, "KANSRIJK_DEMO_MODE", False),
    }
