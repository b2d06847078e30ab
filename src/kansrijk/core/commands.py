"""What the apps' management commands share: loading the reference data shipped with the app
(``LoadCommand``) and the ``--batch-size`` of the commands that work in batches
(``batch_size``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar

from django.core.management.base import BaseCommand, CommandError, CommandParser


class LoadCommand(BaseCommand):
    """A command that loads reference data shipped with the app (or the files its options name
    instead), says what it wrote and ends with ``done``; safe to run again.

    A subclass names its options in ``files`` (option → help; each gives a ``Path``, or ``None``
    for the file shipped with the app), the errors that mean a bad file in ``errors`` (the
    command then ends with their message, as a ``CommandError``), and implements ``load``: it is
    given the options by their names (``--data-dir``: ``data_dir``), loads, and returns the lines
    of the report."""

    files: ClassVar[Mapping[str, str]] = {}
    errors: ClassVar[tuple[type[Exception], ...]] = ()
    done: ClassVar[str] = ""

    def add_arguments(self, parser: CommandParser) -> None:
        for option, help_text in self.files.items():
            parser.add_argument(option, type=Path, default=None, help=help_text)

    def handle(self, *args: Any, **options: Any) -> None:
        paths = {name: options[name] for name in map(_dest, self.files)}
        try:
            report = list(self.load(**paths))
        except self.errors as exc:
            raise CommandError(str(exc)) from exc
        for line in report:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(self.done))

    def load(self, *args: Any, **paths: Any) -> Iterable[str]:
        raise NotImplementedError


def _dest(option: str) -> str:
    """The name under which argparse gives an option's value (``--data-dir``: ``data_dir``)."""
    return option.lstrip("-").replace("-", "_")


def batch_size(options: Mapping[str, Any]) -> int:
    """The ``--batch-size`` a command was given (how many rows one transaction handles);
    ``CommandError`` when it is below 1."""
    size: int = options["batch_size"]
    if size < 1:
        raise CommandError("--batch-size must be at least 1")
    return size
