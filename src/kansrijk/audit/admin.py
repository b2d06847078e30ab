"""The access log in the admin: read-only for everyone, superusers included. An
administrator sees the events recorded for their organisations (``core.admin_scope``); the
operator sees all.

The table may hold millions of rows, so the list never counts it in full
(``show_full_result_count = False``) and the paginator counts at most
``CappedCountPaginator.cap`` matching rows. Narrow with the filters or the date
hierarchy to reach older events; the search page (/toegangslog/) pages without limit.
Looking at the log here is itself recorded in it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from kansrijk.accounts.roles import administrative_role
from kansrijk.accounts.scope import AdministrationScope
from kansrijk.audit.models import REVIEW_FIELDS, AccessEvent, Action
from kansrijk.audit.services import record_event
from kansrijk.core.admin_scope import ORGANISATION, ScopedAdminMixin, ViewOnlyAdminMixin


class CappedCountPaginator(Paginator):
    """Counts at most ``cap`` rows (``COUNT(*)`` over a ``LIMIT``-ed subquery), so a page
    of a huge table costs the same as a page of a small one."""

    cap = 10_000

    @cached_property
    def count(self) -> int:
        object_list = self.object_list
        if isinstance(object_list, QuerySet):
            return object_list[: self.cap].count()
        return min(len(object_list), self.cap)


#: An event's screen: what a reviewer sees, the user and the organisation through
#: ``AccessEventAdmin.user_reference`` and ``organisation_reference`` (they may no longer exist).
_REFERENCES = {"user_id": "user_reference", "organisation_id": "organisation_reference"}
_EVENT_SCREEN_FIELDS = tuple(_REFERENCES.get(name, name) for name in REVIEW_FIELDS)


@admin.register(AccessEvent)
class AccessEventAdmin(ViewOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    admin_scope = ORGANISATION

    list_display = (
        "occurred_at",
        "user_display",
        "role",
        "action",
        "outcome",
        "event_type",
        "object_type",
        "object_id",
        "client_ref",
    )
    list_filter = ("action", "outcome", ("occurred_at", admin.DateFieldListFilter))
    # Exact matches, so the indexes on user_display and client_ref can be used.
    search_fields = ("user_display__exact", "object_id__exact", "client_ref__exact")
    search_help_text = _("Exact user name, object id or client reference.")
    date_hierarchy = "occurred_at"
    ordering = ("-occurred_at", "-id")
    list_per_page = 50
    list_max_show_all = 0
    show_full_result_count = False
    paginator = CappedCountPaginator
    actions = None
    fields = _EVENT_SCREEN_FIELDS
    readonly_fields = fields

    @admin.display(description=_("user (id)"))
    def user_reference(self, obj: AccessEvent) -> str:
        # The id only: the user may no longer exist (the log has no foreign-key constraint).
        return str(obj.user_id) if obj.user_id else self.get_empty_value_display()

    @admin.display(description=_("organisation (id)"))
    def organisation_reference(self, obj: AccessEvent) -> str:
        return str(obj.organisation_id) if obj.organisation_id else self.get_empty_value_display()

    def scope_filter(self, scope: AdministrationScope) -> Q:
        return Q(organisation_id__in=scope.organisation_ids)

    def _record(self, request: HttpRequest, **kwargs: Any) -> None:
        record_event(
            request=request,
            role=administrative_role(request.user),
            purpose="audit.review",
            **kwargs,
        )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        if request.method == "GET" and response.status_code == 200:
            self._record(request, event_type="audit.admin_list", action=Action.SEARCH)
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            self._record(
                request,
                event_type="audit.admin_view",
                action=Action.READ,
                object_type="audit.accessevent",
                object_id=object_id,
            )
        return response
