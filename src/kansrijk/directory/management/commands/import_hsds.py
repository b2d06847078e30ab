"""``kansrijk import-hsds PATH``: import Open Referral HSDS 3.0 data into the social map.

PATH is a JSON file (a service or organization document, a list or HSDA page of them, or the
tabular form as JSON), a folder of .json files, or a tabular data package folder
(``datapackage.json`` and HSDS CSV files such as ``services.csv``). Everything is checked first;
with any error every bad row is listed (file, row, field, reason), the command exits non-zero and
nothing changes. Otherwise everything is written in one transaction. Importing the same data again
updates by id and creates no duplicates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kansrijk.directory.hsds.importer import ImportFailed, import_hsds
from kansrijk.directory.management.progress import add_progress_option, progress_for

#: At most this many issues are printed; the count says how many there are in all.
MAX_PRINTED_ISSUES = 10_000


class Command(BaseCommand):
    help = "Import HSDS 3.0 data (JSON or a tabular CSV data package) into the social map."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", type=Path, help="JSON file, folder of JSON files, or CSV data package folder"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and write, then roll back"
        )
        add_progress_option(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        progress = progress_for(self.stdout, options)
        try:
            result = import_hsds(path, dry_run=options["dry_run"], progress=progress)
        except ImportFailed as failure:
            errors = failure.errors
            for issue in failure.issues[:MAX_PRINTED_ISSUES]:
                label = "ERROR" if issue.level == "error" else "warning"
                self.stderr.write(f"{label}: {issue}")
            raise CommandError(f"{path}: {len(errors)} error(s), nothing was imported.") from None
        for issue in result.warnings[:MAX_PRINTED_ISSUES]:
            self.stderr.write(f"warning: {issue}")
        if result.ignored:
            ignored = ", ".join(
                f"{name} ({count})" for name, count in sorted(result.ignored.items())
            )
            self.stdout.write(f"Not stored (Kansrijk does not keep these HSDS parts): {ignored}")
        created = (
            ", ".join(f"{name} {count}" for name, count in sorted(result.created.items()) if count)
            or "-"
        )
        updated = (
            ", ".join(f"{name} {count}" for name, count in sorted(result.updated.items()) if count)
            or "-"
        )
        prefix = "Dry run (rolled back): " if result.dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}created: {created}; updated: {updated}; "
                f"services changed: {result.services_changed}, unchanged: {result.services_unchanged}."
            )
        )
