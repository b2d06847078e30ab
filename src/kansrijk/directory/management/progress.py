"""A progress line on the terminal with Django's own output (no extra dependency: a carriage
return and a count is all a long import needs)."""

from __future__ import annotations

import time

from django.core.management.base import OutputWrapper


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
