"""Admin for coalitions: administrators create them and choose their municipalities."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kansrijk.coalitions.models import Coalition


@admin.register(Coalition)
class CoalitionAdmin(admin.ModelAdmin):
    list_display = ("name", "scope", "lead_organisation", "municipality_count", "is_demo")
    list_filter = ("scope", "is_demo")
    list_select_related = ("lead_organisation",)
    search_fields = ("name", "municipalities__name", "municipalities__code")
    autocomplete_fields = ("lead_organisation",)
    filter_horizontal = ("municipalities",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Coalition]:
        return super().get_queryset(request).annotate(municipality_total=Count("municipalities"))

    @admin.display(description=_("municipalities"), ordering="municipality_total")
    def municipality_count(self, obj: Coalition) -> int:
        return getattr(obj, "municipality_total", 0)
