"""Admin of the monitor: the catalogue can be edited (definitions are data); values are read only
here, because they come from imports (``kansrijk import-indicators``, the upload page) that check
every row and compute the regional totals again; the demand signal is anonymous and read only."""

from __future__ import annotations

from django.contrib import admin

from kansrijk.core.admin_scope import ViewOnlyAdminMixin
from kansrijk.monitoring.models import DemandSignal, Indicator, IndicatorValue


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name_nl",
        "unit",
        "phase",
        "source",
        "indicator_set",
        "definition_public",
    )
    list_filter = ("phase", "source", "indicator_set", "unit", "definition_public")
    search_fields = ("code", "name_nl", "name_en", "definition")
    ordering = ("position", "code")


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("indicator", "area_code", "period", "value", "origin", "withheld", "is_demo")
    list_filter = ("origin", "withheld", "is_demo", "area_level", "indicator")
    search_fields = ("area_code", "indicator__code")
    list_select_related = ("indicator",)


@admin.register(DemandSignal)
class DemandSignalAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("month", "municipality_code", "phase", "factor_code", "count")
    list_filter = ("phase",)
    search_fields = ("municipality_code", "factor_code")
