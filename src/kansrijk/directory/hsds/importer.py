"""Import HSDS 3.0 data into the social map: validate everything, then write everything in one
transaction, or nothing.

One job per module: ``reader`` reads the files into rows, ``values`` reads typed values out of a
row, ``builder`` turns the rows into unsaved model instances under the rules below, ``writer``
writes them; this module runs the three and reports.

Rules on top of the HSDS schema (each broken rule is an ``Issue`` with file, row, field, reason):

- ids are UUIDs; the same id is one object (re-importing updates it, never duplicates it);
- a service belongs to an organization (in the import or already in the directory);
- a location's coordinates lie within -90..90 / -180..180 and in practice in the Netherlands;
  its address has a Dutch postcode that exists (PC4), which gives its municipality, and, when
  the location has no coordinates, its point; an address without ``state_province`` (HSDS
  requires it, Dutch data often leaves it out) gets the province of that municipality, and the
  report says for how many addresses of each file;
- a service area names a municipality, by CBS code (``extent_type`` ``text``, ``extent``
  ``GM0090``) or by its exact name (in ``extent`` or ``name``); a service without service areas
  serves the municipalities of its locations' postcodes; a service with neither is refused;
- enumerations (status, location type, phone type, weekday, frequency) take known values;
  dates are ISO dates, ages 0..130 with minimum ≤ maximum;
- attributes link to services; their taxonomy terms exist in the import or the directory, or are
  Kansrijk's own (phase, domain, referral method, cost, response time, target group, demo),
  which set the matching service fields.

Objects in the import replace their children: a service's phones, areas, locations, categories
… that are no longer in the file are removed. History (``ServiceChange``) and the access log are
written only for services that actually changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from kansrijk.audit.models import Action
from kansrijk.audit.services import record_event
from kansrijk.directory.exceptions import DirectoryError
from kansrijk.directory.hsds.builder import Builder
from kansrijk.directory.hsds.reader import Issue, read_source
from kansrijk.directory.hsds.writer import ImportResult, ProgressCallback, write

__all__ = ["ImportFailed", "ImportResult", "ProgressCallback", "import_hsds"]


class ImportFailed(DirectoryError):
    """The source has errors; nothing was written. ``issues`` lists every one (and the warnings)."""

    code = "import-mislukt"

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__(
            _("The import has %(count)d errors; nothing was changed.") % {"count": len(self.errors)}
        )

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.level == "error"]


def import_hsds(
    path: Path | str,
    *,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import an HSDS source (see ``kansrijk.directory.hsds.reader``). All or nothing.

    Raises ``ImportFailed`` with every issue when the source has errors (nothing is written).
    With ``dry_run`` everything is checked and written, then rolled back.
    """
    path = Path(path)
    read_progress: Callable[[int, int], None] | None = None
    if progress is not None:
        callback = progress

        def read_progress(done: int, total: int) -> None:
            callback(_("files"), done, total)

    collected = read_source(path, progress=read_progress)
    builder = Builder(collected)
    # The rules run even when reading found errors, so one run reports every bad row.
    builder.build()
    if collected.errors:
        raise ImportFailed(collected.issues)
    result = ImportResult(warnings=collected.warnings, ignored=collected.ignored, dry_run=dry_run)
    with transaction.atomic():
        write(builder, result, progress)
        digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
        record_event(
            event_type="directory.import",
            action=Action.CREATE,
            object_type="directory.import",
            object_id=digest,
        )
        if dry_run:
            transaction.set_rollback(True)
    return result
