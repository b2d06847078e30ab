"""``kansrijk load-places``: load (or refresh) the CBS reference data shipped with the app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kansrijk.core.loading import LoadCounts
from kansrijk.places.exceptions import ReferenceDataError
from kansrijk.places.services import ATTRIBUTION, load_reference_data


class Command(BaseCommand):
    help = (
        "Load provinces, GGD regions, youth care regions, municipalities and PC4 postcode areas "
        "from the CBS files shipped with the app. Safe to run again: only changes are written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=None,
            help="Folder with the CSV files (default: the files in kansrijk/places/data/).",
        )

    def handle(self, *args: Any, data_dir: Path | None = None, **options: Any) -> None:
        try:
            counts = load_reference_data(data_dir=data_dir)
        except ReferenceDataError as exc:
            raise CommandError(str(exc)) from exc
        for table, numbers in counts.items():
            self.stdout.write(LoadCounts(**numbers).report(table, "the files"))
        self.stdout.write(self.style.SUCCESS(f"Reference data loaded. {ATTRIBUTION}"))
