"""`kansrijk import-pathways FILE`: import pathways from JSON or from the Excel template.

All or nothing: on any problem nothing is written, each problem is printed as
``file, sheet, row, field: reason`` and the command exits with status 1. See
docs/pathways-import.md for the columns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kansrijk.pathways.importing import ImportFailed, ImportProblem, import_pathways
from kansrijk.pathways.template import build_template


def _line(problem: ImportProblem) -> str:
    return f"warning: {problem}" if problem.level == "warning" else str(problem)


class Command(BaseCommand):
    help = "Import pathways (zorgpaden) from a JSON or .xlsx file; all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="The .json or .xlsx file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report, but write nothing."
        )
        parser.add_argument(
            "--template",
            metavar="PATH",
            help="Write the empty Excel template to PATH instead of importing.",
        )

    def handle(
        self, *args: Any, file: str | None, dry_run: bool, template: str | None, **options: Any
    ) -> None:
        if template:
            Path(template).write_bytes(build_template())
            self.stdout.write(self.style.SUCCESS(f"Template written to {template}"))
            return
        if not file:
            raise CommandError("Give the file to import (or --template PATH).")
        try:
            result = import_pathways(file, dry_run=dry_run)
        except ImportFailed as failure:
            for problem in failure.problems:
                self.stderr.write(_line(problem))
            raise CommandError(f"{len(failure.errors)} problem(s); nothing was imported.") from None
        for problem in result.warnings:
            self.stderr.write(_line(problem))
        prefix = "Dry run, nothing written: " if dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}{result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged; {result.published} version(s) published, "
                f"{result.drafts} draft(s) saved."
            )
        )
