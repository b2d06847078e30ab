"""``kansrijk load-places``: load (or refresh) the CBS reference data shipped with the app."""

from __future__ import annotations

from pathlib import Path

from kansrijk.core.commands import LoadCommand
from kansrijk.core.loading import LoadCounts
from kansrijk.places.exceptions import ReferenceDataError
from kansrijk.places.services import ATTRIBUTION, load_reference_data


class Command(LoadCommand):
    help = (
        "Load provinces, GGD regions, youth care regions, municipalities and PC4 postcode areas "
        "from the CBS files shipped with the app. Safe to run again: only changes are written."
    )
    files = {
        "--data-dir": "Folder with the CSV files (default: the files in kansrijk/places/data/)."
    }
    errors = (ReferenceDataError,)
    done = f"Reference data loaded. {ATTRIBUTION}"

    def load(self, data_dir: Path | None) -> list[str]:
        counts = load_reference_data(data_dir=data_dir)
        return [
            LoadCounts(**numbers).report(table, "the files") for table, numbers in counts.items()
        ]
