"""Admin for pathways: for administrators to look things up and fix coverage or owners.
Content is edited in the editor pages (which keep versions); published versions are read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kansrijk.core.choices import VersionStatus
from kansrijk.pathways.models import Pathway, PathwayStep, PathwayVersion


def _draft(version: PathwayVersion | None) -> bool:
    """Whether ``version`` may be changed here: while it is not published (``None``: the list,
    or a version not made yet)."""
    return bool(version is None or not version.is_published)


class _ReadOnlyOncePublished:
    """The admin of a version, or of its steps (``obj`` is then the version): read-only once
    the version is published."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _draft(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _draft(obj)


class StepInline(_ReadOnlyOncePublished, admin.TabularInline):
    model = PathwayStep
    extra = 0
    fields = ("position", "kind", "title", "service")
    raw_id_fields = ("service",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _draft(obj)


@admin.register(PathwayVersion)
class PathwayVersionAdmin(_ReadOnlyOncePublished, admin.ModelAdmin):
    list_display = ("title", "pathway", "number", "status", "published_at")
    list_filter = ("status",)
    list_select_related = ("pathway__situation",)
    search_fields = ("title", "pathway__external_key")
    raw_id_fields = ("pathway", "created_by", "published_by")
    inlines = [StepInline]


@admin.register(Pathway)
class PathwayAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "situation",
        "coalition",
        "scope",
        "last_reviewed_on",
        "is_demo",
    )
    list_filter = ("scope", "is_demo", "situation", "coalition")
    list_select_related = ("situation", "coalition", "current_version")
    search_fields = ("external_key", "coalition__name", "situation__name", "versions__title")
    raw_id_fields = ("owner",)
    filter_horizontal = ("municipalities",)
    readonly_fields = ("current_version", "created_at")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A pathway that professionals have seen stays, with its versions (its history).
        return bool(
            obj is None or not obj.versions.filter(status=VersionStatus.PUBLISHED).exists()
        ) and super().has_delete_permission(request, obj)
