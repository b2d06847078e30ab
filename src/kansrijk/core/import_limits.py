"""The limits every file import keeps to (``import-hsds``, ``import-pathways``), so that a bad or
hostile file is refused with a clear message instead of using gigabytes of memory.

- ``check_file_size(path)``: one file (JSON, CSV, .xlsx) at most ``IMPORT_MAX_FILE_MB``.
- ``check_xlsx_archive(stream)``: an .xlsx is a zip archive; its parts together unpack to at most
  ``IMPORT_MAX_XLSX_UNPACKED_MB``, checked from the archive's directory before openpyxl reads a
  byte of them (a 400 KB file can hold a 400 MB cell).
- ``load_json(handle)``: JSON nested at most ``IMPORT_MAX_JSON_DEPTH`` levels (deeper input
  exhausts Python's recursion in the parser and in every walk over it).
- ``field_problem(value)``: one cell or field at most ``IMPORT_MAX_FIELD_CHARS`` characters.

The messages are translated (Dutch by default: the commands run in ``LANGUAGE_CODE``). Values
that would be formulas in a spreadsheet are flagged by the importers with
``kansrijk.core.spreadsheets.formula_to_flag``.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from kansrijk.core.json_depth import too_deep

MB = 1024 * 1024


@dataclass(frozen=True)
class ImportLimits:
    max_file_bytes: int
    max_unpacked_bytes: int
    max_field_chars: int
    max_json_depth: int


def limits() -> ImportLimits:
    """The limits from the settings (read on every import, so a test can change them)."""
    return ImportLimits(
        max_file_bytes=settings.IMPORT_MAX_FILE_MB * MB,
        max_unpacked_bytes=settings.IMPORT_MAX_XLSX_UNPACKED_MB * MB,
        max_field_chars=settings.IMPORT_MAX_FIELD_CHARS,
        max_json_depth=settings.IMPORT_MAX_JSON_DEPTH,
    )


class InputRefused(Exception):
    """The file is refused as a whole; ``message`` says why, in the user's language."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def _megabytes(size: int) -> str:
    return f"{size / MB:.0f}" if size >= 10 * MB else f"{size / MB:.1f}"


def check_file_size(path: Path) -> None:
    """Raise ``InputRefused`` when the file at ``path`` is larger than the limit."""
    size = path.stat().st_size
    maximum = limits().max_file_bytes
    if size > maximum:
        raise InputRefused(
            _(
                "The file is %(size)s MB; at most %(max)s MB can be imported "
                "(IMPORT_MAX_FILE_MB). Split it into smaller files."
            )
            % {"size": _megabytes(size), "max": _megabytes(maximum)}
        )


def check_xlsx_archive(stream: IO[bytes]) -> None:
    """Raise ``InputRefused`` when the .xlsx in ``stream`` is not a zip archive or unpacks to
    more than the limit. Only the archive's directory is read; ``stream`` is rewound."""
    maximum = limits().max_unpacked_bytes
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise InputRefused(
            _("Not a valid Excel file (.xlsx): %(error)s") % {"error": error}
        ) from None
    finally:
        stream.seek(0)
    unpacked = sum(member.file_size for member in members)
    if unpacked > maximum:
        largest = max(members, key=lambda member: member.file_size)
        raise InputRefused(
            _(
                "The Excel file unpacks to %(size)s MB (%(part)s alone is %(part_size)s MB); at "
                "most %(max)s MB can be imported (IMPORT_MAX_XLSX_UNPACKED_MB). A cell or sheet "
                "is far larger than an import needs."
            )
            % {
                "size": _megabytes(unpacked),
                "part": largest.filename,
                "part_size": _megabytes(largest.file_size),
                "max": _megabytes(maximum),
            }
        )


def too_deep_message() -> str:
    return _(
        "The JSON is nested more than %(max)d levels deep (IMPORT_MAX_JSON_DEPTH); no import "
        "file needs that."
    ) % {"max": limits().max_json_depth}


def load_json(handle: IO[str] | IO[bytes]) -> Any:
    """``json.load(handle)``, refusing JSON nested deeper than the limit with ``InputRefused``.
    Parse errors (``ValueError``) and decoding errors are the caller's to report."""
    try:
        data = json.load(handle)
    except RecursionError:
        raise InputRefused(too_deep_message()) from None
    if too_deep(data, limits().max_json_depth):
        raise InputRefused(too_deep_message())
    return data


def field_problem(value: object) -> str | None:
    """The message for a cell or field that is longer than the limit, else ``None``."""
    maximum = limits().max_field_chars
    if isinstance(value, str) and len(value) > maximum:
        return _(
            "This value is %(length)d characters long; at most %(max)d are imported "
            "(IMPORT_MAX_FIELD_CHARS)."
        ) % {"length": len(value), "max": maximum}
    return None
