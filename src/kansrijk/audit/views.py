"""The access-log pages: search (with keyset pages) and CSV export, for verified administrators.

Both are themselves recorded in the access log (``audit.search``, ``audit.export``), and so
is a refused attempt by a signed-in user (outcome ``denied``).
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from kansrijk.accounts.roles import administrative_role, primary_role
from kansrijk.audit.forms import AccessLogSearchForm
from kansrijk.audit.models import REVIEW_FIELDS, AccessEvent, Action, may_search_access_log
from kansrijk.audit.selectors import EXPORT_LIMIT, EventFilter, export_events, search_events
from kansrijk.audit.services import record_event, record_refusal
from kansrijk.core.downloads import CSV_CONTENT_TYPE
from kansrijk.core.spreadsheets import csv_value

SEARCH_EVENT = "audit.search"
EXPORT_EVENT = "audit.export"
PURPOSE = "audit.review"

#: The columns of the CSV export, in order (field names of AccessEvent).
CSV_COLUMNS = ["id", *REVIEW_FIELDS]


def _refuse_unless_allowed(
    request: HttpRequest, *, event_type: str, action: Action
) -> HttpResponse | None:
    """Send an anonymous visitor to the login page; refuse (403) anyone else who may not
    search the log, recording the refusal. ``None`` when the user may go on."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not may_search_access_log(user):
        record_refusal(
            request=request,
            event_type=event_type,
            action=action,
            role=primary_role(user),
            purpose=PURPOSE,
        )
        raise PermissionDenied
    return None


def _record(
    request: HttpRequest, filters: EventFilter, *, event_type: str, action: Action
) -> AccessEvent:
    return record_event(
        request=request,
        event_type=event_type,
        action=action,
        role=administrative_role(request.user),
        purpose=PURPOSE,
        # The references searched for, so that a later search on them shows this one too.
        object_type=filters.object_type,
        object_id=filters.object_id,
        client_ref=filters.client_ref,
    )


def _query(params: QueryDict, **changes: str | None) -> str:
    query = params.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@never_cache
@require_safe
def search(request: HttpRequest) -> HttpResponse:
    refused = _refuse_unless_allowed(request, event_type=SEARCH_EVENT, action=Action.SEARCH)
    if refused is not None:
        return refused
    form = AccessLogSearchForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "page": None, "export_limit": EXPORT_LIMIT}
    if form.is_bound and form.is_valid():
        filters = form.to_filter()
        after = form.cleaned_data["after"]
        page = search_events(request.user, filters, after=after)
        _record(request, filters, event_type=SEARCH_EVENT, action=Action.SEARCH)
        context.update(
            page=page,
            is_first_page=after is None,
            next_query=_query(request.GET, after=str(page.next_cursor)) if page.has_more else "",
            first_query=_query(request.GET, after=None),
            export_query=_query(request.GET, after=None),
        )
    return render(request, "audit/search.html", context)


class _Echo:
    """A file-like object whose write returns the line (for streaming csv.writer)."""

    def write(self, value: str) -> str:
        return value


def _cell(value: object) -> object:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    return csv_value(value)


def _csv_lines(events: Iterable[AccessEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for event in events:
        yield writer.writerow([_cell(getattr(event, column)) for column in CSV_COLUMNS])


@never_cache
@require_safe
def export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The current filter as CSV (at most EXPORT_LIMIT rows, newest first), streamed."""
    refused = _refuse_unless_allowed(request, event_type=EXPORT_EVENT, action=Action.EXPORT)
    if refused is not None:
        return refused
    form = AccessLogSearchForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "page": None, "export_limit": EXPORT_LIMIT}
        return render(request, "audit/search.html", context, status=400)
    filters = form.to_filter()
    event = _record(request, filters, event_type=EXPORT_EVENT, action=Action.EXPORT)
    rows = export_events(request.user, filters, limit=EXPORT_LIMIT, exclude_id=event.id)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return StreamingHttpResponse(
        _csv_lines(rows),
        content_type=CSV_CONTENT_TYPE,
        headers={
            "Content-Disposition": content_disposition_header(True, f"toegangslog-{stamp}.csv")
        },
    )
