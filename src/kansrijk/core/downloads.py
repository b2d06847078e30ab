"""Files the app hands out as downloads (.csv, .xlsx, an uploaded document): their content
types and the response that makes the browser save them under a name.

The name goes through Django's ``content_disposition_header``: a plain ASCII name is sent as
``attachment; filename="…"``, any other as RFC 6266's ``filename*=utf-8''…``, with quotes and
backslashes escaped, so that no name can break the header.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(content: bytes | str, *, content_type: str, filename: str) -> HttpResponse:
    """A response with ``content`` that the browser saves as ``filename``."""
    return HttpResponse(
        content,
        content_type=content_type,
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )
