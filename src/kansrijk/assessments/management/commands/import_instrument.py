"""`kansrijk import-instrument FILE`: validate and load an assessment instrument (JSON).

All or nothing, over all the files given: on any problem nothing is written, each problem is printed as
``file: path: reason`` (``parts[1].statements[3].code: …``) and the command exits with status 1.
``--shipped`` loads the instruments Kansrijk ships; ``--schema`` prints the JSON schema.
See docs/assessments.md.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from kansrijk.assessments.documents import schema_json
from kansrijk.assessments.importing import (
    INSTRUMENT_DIR,
    SHIPPED,
    ImportResult,
    InstrumentImportFailed,
    import_file,
)


class Command(BaseCommand):
    help = "Validate and load an assessment instrument from a JSON file; all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files", nargs="*", metavar="FILE", help="Instrument documents (.json)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report, but write nothing."
        )
        parser.add_argument(
            "--shipped", action="store_true", help="Load the instruments Kansrijk ships."
        )
        parser.add_argument("--schema", action="store_true", help="Print the JSON schema.")

    def handle(
        self, *args: Any, files: list[str], dry_run: bool, shipped: bool, schema: bool, **opts: Any
    ) -> None:
        if schema:
            self.stdout.write(schema_json())
            return
        paths = list(files) + ([str(INSTRUMENT_DIR / name) for name in SHIPPED] if shipped else [])
        if not paths:
            raise CommandError("Give the file(s) to import, or --shipped.")
        failures = 0
        results: list[tuple[str, ImportResult]] = []
        with transaction.atomic():
            for path in paths:
                try:
                    results.append((path, import_file(path, dry_run=dry_run)))
                except InstrumentImportFailed as failure:
                    failures += len(failure.problems)
                    for problem in failure.problems:
                        self.stderr.write(f"{path}: {problem}")
            if failures:
                transaction.set_rollback(True)
                raise CommandError(f"{failures} problem(s); nothing was imported.")
        prefix = "Dry run, nothing written: " if dry_run else ""
        for path, result in results:
            version = result.version
            statements = version.document and sum(
                len(p["statements"]) for p in version.document["parts"]
            )
            what = "new version" if result.created else "already loaded, unchanged"
            self.stdout.write(
                self.style.SUCCESS(
                    f"{prefix}{path}: {version.instrument.code} {version.version} ({what}; "
                    f"{len(version.document['parts'])} parts, {statements} statements)"
                )
            )
