"""`kansrijk import-indicators PATH`: import indicator values (a CSV file) or a folder with
``values.csv`` and optionally ``indicators.csv``.

All or nothing: on any problem nothing is written, every bad row is printed as
``file, row N, column: reason`` and the command exits with status 1. A progress bar shows on a
terminal (``--progress`` forces it, ``--no-progress`` hides it). Columns: docs/monitoring.md.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kansrijk.monitoring.importing import ImportFailed, Problem, import_path


def describe(problem: Problem) -> str:
    where = [problem.file]
    if problem.row:
        where.append(f"row {problem.row}")
    if problem.column:
        where.append(problem.column)
    return f"{', '.join(where)}: {problem.reason}"


class ProgressBar:
    """A one-line text progress bar on standard error."""

    WIDTH = 30

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        share = done / total if total else 1.0
        filled = round(share * self.WIDTH)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        seconds = time.monotonic() - self.started
        self.stream.write(f"\r[{bar}] {share:4.0%} {done:,}/{total:,} lines, {seconds:.0f} s")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


class Command(BaseCommand):
    help = (
        "Import indicator values from a CSV file, or a folder with values.csv and optionally "
        "indicators.csv. All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", help="values CSV file, or a folder with values.csv/indicators.csv"
        )
        parser.add_argument("--progress", dest="progress", action="store_true", default=None)
        parser.add_argument("--no-progress", dest="progress", action="store_false")

    def handle(self, *args: Any, path: str, progress: bool | None, **options: Any) -> None:
        show = sys.stderr.isatty() if progress is None else progress
        bar = ProgressBar(self.stderr) if show else None
        try:
            report = import_path(path, progress=bar)
        except ImportFailed as failure:
            if bar is not None:
                bar.close()
            for problem in failure.report.problems:
                self.stderr.write(describe(problem))
            raise CommandError(
                f"{len(failure.report.problems)} problem(s); nothing was imported."
            ) from None
        if bar is not None:
            bar.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.rows} value(s): {report.created} created, {report.updated} updated; "
                f"{report.indicators_created} indicator(s) created, "
                f"{report.indicators_updated} updated."
            )
        )
