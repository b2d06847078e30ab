"""``kansrijk load_situations``: load (or refresh) the national catalogue of situations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kansrijk.situations.exceptions import CatalogueError
from kansrijk.situations.services import load_catalogue


class Command(BaseCommand):
    help = (
        "Load the life domains and the risk and protective factors of Kansrijke Start from the "
        "catalogue shipped with the app (situations/data/catalogue.json). Safe to run again: "
        "rows are matched by code and only changes are written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file",
            type=Path,
            default=None,
            help="A catalogue JSON file (default: the one shipped with the app).",
        )

    def handle(self, *args: Any, file: Path | None = None, **options: Any) -> None:
        try:
            result = load_catalogue(file)
        except CatalogueError as exc:
            raise CommandError(str(exc)) from exc
        for table, counts in result.tables().items():
            self.stdout.write(counts.report(table))
        self.stdout.write(self.style.SUCCESS("Situations catalogue loaded."))
