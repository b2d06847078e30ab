"""Admin for the menukaart. The shipped interventions (``data/menukaart.json``) are loaded with
``kansrijk load_menukaart``; a reload overwrites the facts the file holds, but never a
recognition level, its source or the financing that the file does not state, nor the services.

Where an intervention is on offer is set here, by linking the social map's services that deliver
it (search by service or organisation name)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kansrijk.core.phases import PHASE_FIELD_NAMES
from kansrijk.interventions.forms import (
    DESCRIPTION_FIELDS,
    RECOGNITION_FIELDS,
    InterventionAdminForm,
)
from kansrijk.interventions.models import Intervention


@admin.register(Intervention)
class InterventionAdmin(admin.ModelAdmin):
    form = InterventionAdminForm
    list_display = (
        "name",
        "building_block",
        "recognition",
        "provider_kind",
        *PHASE_FIELD_NAMES,
        "service_count",
        "is_active",
    )
    list_filter = (
        "building_block",
        "recognition",
        "provider_kind",
        "is_active",
        *PHASE_FIELD_NAMES,
        "situations",
    )
    search_fields = ("slug", "name", "search_text")
    filter_horizontal = ("situations",)
    autocomplete_fields = ("services",)
    readonly_fields = ("updated_at",)
    fieldsets = (
        (None, {"fields": DESCRIPTION_FIELDS}),
        (_("Phases"), {"fields": PHASE_FIELD_NAMES}),
        (_("Situations addressed"), {"fields": ("situations",)}),
        (_("Recognition and financing"), {"fields": RECOGNITION_FIELDS}),
        (_("Where it is on offer"), {"fields": ("services",)}),
        (_("Source and status"), {"fields": ("source", "is_active", "updated_at")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Intervention]:
        return super().get_queryset(request).annotate(_services=Count("services", distinct=True))

    @admin.display(description=_("services"), ordering="_services")
    def service_count(self, obj: Any) -> int:
        return int(obj._services)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "slug") if obj is not None else fields
