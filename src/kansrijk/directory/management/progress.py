"""A progress line on the terminal with Django's own output (no extra dependency: a carriage
return and a count is all a long import needs)."""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from typing import Any

from django.core.management.base import CommandParser, OutputWrapper


class Progress:
    """``Progress(stdout)(label, done, total)`` rewrites one line, at most ten times a second."""

    def __init__(self, stdout: OutputWrapper) -> None:
        self.stdout = stdout
        self._last = 0.0
        self._label = ""

    def __call__(self, label: str, done: int, total: int) -> None:
        now = time.monotonic()
        if label == self._label and done < total and now - self._last < 0.1:
            return
        self._last, self._label = now, label
        width = 30
        filled = int(width * done / total) if total else width
        bar = "#" * filled + "-" * (width - filled)
        self.stdout.write(f"\r{label:<28} [{bar}] {done}/{total}", ending="")
        if done >= total:
            self.stdout.write("")
        self.stdout.flush()


def add_progress_option(parser: CommandParser) -> None:
    """The ``--progress`` option of a long command (``progress_for`` reads it)."""
    parser.add_argument(
        "--progress", action="store_true", help="show progress even when not on a terminal"
    )


def progress_for(stdout: OutputWrapper, options: Mapping[str, Any]) -> Progress | None:
    """A command's progress line: when ``--progress`` asks for it, or when the output is a
    terminal and the verbosity is not 0; else ``None``."""
    if options["progress"] or (sys.stdout.isatty() and options["verbosity"] >= 1):
        return Progress(stdout)
    return None
