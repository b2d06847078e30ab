"""``kansrijk load_situations``: load (or refresh) the national catalogue of situations."""

from __future__ import annotations

from pathlib import Path

from kansrijk.core.commands import LoadCommand
from kansrijk.situations.exceptions import CatalogueError
from kansrijk.situations.services import load_catalogue


class Command(LoadCommand):
    help = (
        "Load the life domains and the risk and protective factors of Kansrijke Start from the "
        "catalogue shipped with the app (situations/data/catalogue.json). Safe to run again: "
        "rows are matched by code and only changes are written."
    )
    files = {"--file": "A catalogue JSON file (default: the one shipped with the app)."}
    errors = (CatalogueError,)
    done = "Situations catalogue loaded."

    def load(self, file: Path | None) -> list[str]:
        result = load_catalogue(file)
        return [counts.report(table) for table, counts in result.tables().items()]
