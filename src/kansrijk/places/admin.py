"""Admin for the reference data: view only. The data comes from the files in ``places/data/`` and
is (re)loaded with ``kansrijk load-places``; edits here would be overwritten, so there are none."""

from __future__ import annotations

from django.contrib import admin

from kansrijk.core.admin_scope import REFERENCE, ScopedAdminMixin, ViewOnlyAdminMixin
from kansrijk.places.models import GGDRegion, Municipality, PostcodeArea, Province, YouthCareRegion


class ReadOnlyAdmin(ViewOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    # National reference data: every administrator reads it (scope REFERENCE).
    admin_scope = REFERENCE


@admin.register(Province, GGDRegion, YouthCareRegion)
class RegionAdmin(ReadOnlyAdmin):
    fields = ("code", "name")
    list_display = ("code", "name")
    search_fields = ("code", "name")
    ordering = ("code",)


@admin.register(Municipality)
class MunicipalityAdmin(ReadOnlyAdmin):
    list_display = (
        "name",
        "code",
        "province",
        "ggd_region",
        "youth_care_region",
        "population_2021",
    )
    list_filter = ("province", "ggd_region", "youth_care_region")
    list_select_related = ("province", "ggd_region", "youth_care_region")
    search_fields = ("code", "name")
    ordering = ("name",)


@admin.register(PostcodeArea)
class PostcodeAreaAdmin(ReadOnlyAdmin):
    list_display = (
        "code",
        "place_name",
        "municipality",
        "second_municipality",
        "latitude",
        "longitude",
    )
    list_filter = ("municipality__province", "coordinate_source")
    list_select_related = ("municipality", "second_municipality")
    search_fields = ("code", "place_name", "municipality__name", "municipality__code")
    ordering = ("code",)
