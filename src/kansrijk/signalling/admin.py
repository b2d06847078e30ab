"""Admin for the grading rules and the preconception guide.

Drafts are edited here; a published version is read-only (the models refuse changes too). To
change published rules: select the version, "Copy as a new draft", edit the draft, "Publish".
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kansrijk.signalling.exceptions import SignallingError
from kansrijk.signalling.models import (
    DecisionAnswer,
    DecisionNode,
    DecisionTree,
    FactorWeight,
    GradeThreshold,
    GradingRuleSet,
    ReinforcementRule,
    VersionStatus,
)
from kansrijk.signalling.services import new_rule_set_draft, publish_rule_set, publish_tree


def _is_published(obj: Any) -> bool:
    return obj is not None and getattr(obj, "status", None) == VersionStatus.PUBLISHED


class _VersionPartInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _is_published(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _is_published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _is_published(obj) and super().has_delete_permission(request, obj)


class FactorWeightInline(_VersionPartInline):
    model = FactorWeight
    fields = ("factor_code", "weight", "floor", "note")


class GradeThresholdInline(_VersionPartInline):
    model = GradeThreshold
    fields = ("grade", "min_balance")


class ReinforcementRuleInline(_VersionPartInline):
    model = ReinforcementRule
    fields = ("min_domains", "min_balance", "grade", "note")


class _VersionedAdmin(admin.ModelAdmin):
    readonly_fields = ("status", "created_at", "published_at")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _is_published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _is_published(obj) and super().has_delete_permission(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        try:
            super().delete_queryset(request, queryset.filter(status=VersionStatus.DRAFT))
        except SignallingError as exc:
            self.message_user(request, str(exc), messages.ERROR)


@admin.register(GradingRuleSet)
class GradingRuleSetAdmin(_VersionedAdmin):
    list_display = ("version", "status", "valid_from", "published_at")
    list_filter = ("status",)
    ordering = ("-version",)
    fields = (
        "version",
        "status",
        "valid_from",
        "description",
        "sources",
        "default_risk_weight",
        "default_protective_weight",
        "any_risk_minimum",
        "created_at",
        "published_at",
    )
    inlines = (GradeThresholdInline, ReinforcementRuleInline, FactorWeightInline)
    actions = ("publish", "copy_as_draft")

    @admin.action(description=_("Publish the selected drafts"))
    def publish(self, request: HttpRequest, queryset: QuerySet[GradingRuleSet]) -> None:
        for rule_set in queryset.filter(status=VersionStatus.DRAFT):
            try:
                publish_rule_set(rule_set=rule_set)
            except SignallingError as exc:
                self.message_user(request, f"v{rule_set.version}: {exc}", messages.ERROR)
            else:
                self.message_user(request, _("Version %(v)s published.") % {"v": rule_set.version})

    @admin.action(description=_("Copy as a new draft"))
    def copy_as_draft(self, request: HttpRequest, queryset: QuerySet[GradingRuleSet]) -> None:
        for rule_set in queryset:
            draft = new_rule_set_draft(source=rule_set)
            self.message_user(request, _("Draft version %(v)s made.") % {"v": draft.version})


class DecisionNodeInline(_VersionPartInline):
    model = DecisionNode
    fields = ("code", "kind", "is_root", "title", "position")
    show_change_link = True


@admin.register(DecisionTree)
class DecisionTreeAdmin(_VersionedAdmin):
    list_display = ("title", "slug", "version", "status", "valid_from")
    list_filter = ("slug", "status")
    fields = (
        "slug",
        "version",
        "status",
        "valid_from",
        "title",
        "description",
        "sources",
        "created_at",
        "published_at",
    )
    inlines = (DecisionNodeInline,)
    actions = ("publish",)

    @admin.action(description=_("Publish the selected drafts"))
    def publish(self, request: HttpRequest, queryset: QuerySet[DecisionTree]) -> None:
        for tree in queryset.filter(status=VersionStatus.DRAFT):
            try:
                publish_tree(tree=tree)
            except SignallingError as exc:
                self.message_user(request, f"{tree}: {exc}", messages.ERROR)


class DecisionAnswerInline(_VersionPartInline):
    model = DecisionAnswer
    fk_name = "node"
    fields = ("code", "label", "hint", "target", "position")


@admin.register(DecisionNode)
class DecisionNodeAdmin(admin.ModelAdmin):
    list_display = ("title", "code", "kind", "tree")
    list_filter = ("tree",)
    list_select_related = ("tree",)
    fields = (
        "tree",
        "code",
        "kind",
        "is_root",
        "title",
        "text",
        "actions",
        "links",
        "service_searches",
        "position",
    )
    inlines = (DecisionAnswerInline,)

    def _published(self, obj: DecisionNode | None) -> bool:
        return obj is not None and obj.tree.status == VersionStatus.PUBLISHED

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._published(obj) and super().has_delete_permission(request, obj)

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        # The answer inline asks "published?" of the node's tree, not of the node.
        inlines = super().get_inline_instances(request, obj)
        if self._published(obj):
            for inline in inlines:
                inline.has_add_permission = lambda *a, **k: False  # type: ignore[method-assign]
                inline.has_change_permission = lambda *a, **k: False  # type: ignore[method-assign]
                inline.has_delete_permission = lambda *a, **k: False  # type: ignore[method-assign]
        return inlines
