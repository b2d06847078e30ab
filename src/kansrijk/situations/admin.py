"""Admin for the national catalogue of life domains, risk factors and protective factors.

The shipped catalogue (``data/catalogue.json``) is loaded with ``kansrijk load_situations``;
reloading overwrites the fields it holds for the codes it lists (not the active flag). Codes are
stable: pathways, signalling and interventions refer to them, so they cannot be changed here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kansrijk.core.phases import PHASE_FIELD_NAMES
from kansrijk.situations.forms import SituationAdminForm
from kansrijk.situations.models import LifeDomain, Situation


@admin.register(LifeDomain)
class LifeDomainAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "position", "situation_count")
    list_editable = ("position",)
    search_fields = ("code", "name")
    ordering = ("position", "name")

    def get_queryset(self, request: HttpRequest) -> QuerySet[LifeDomain]:
        return super().get_queryset(request).annotate(_situations=Count("situations"))

    @admin.display(description=_("situations"), ordering="_situations")
    def situation_count(self, obj: Any) -> int:
        return int(obj._situations)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code",) if obj is not None else ()


@admin.register(Situation)
class SituationAdmin(admin.ModelAdmin):
    form = SituationAdminForm
    list_display = (
        "name",
        "code",
        "kind",
        "domain",
        *PHASE_FIELD_NAMES,
        "need_category",
        "is_active",
    )
    list_filter = (
        "kind",
        "domain",
        "is_active",
        *PHASE_FIELD_NAMES,
    )
    list_select_related = ("domain",)
    search_fields = ("code", "name", "search_text")
    ordering = ("domain__position", "position", "name")
    fieldsets = (
        (None, {"fields": ("code", "kind", "domain", "name", "description", "synonyms")}),
        (
            _("Phases"),
            {"fields": PHASE_FIELD_NAMES},
        ),
        (_("Links and order"), {"fields": ("need_category", "position", "is_active", "source")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code",) if obj is not None else ()
