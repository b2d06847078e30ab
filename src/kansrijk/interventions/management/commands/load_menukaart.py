"""``kansrijk load_menukaart``: load (or refresh) the interventions of the menukaart."""

from __future__ import annotations

from pathlib import Path

from kansrijk.core.commands import LoadCommand
from kansrijk.interventions.exceptions import MenukaartError
from kansrijk.interventions.services import load_menukaart
from kansrijk.situations.exceptions import CatalogueError


class Command(LoadCommand):
    help = (
        "Load the interventions of the menukaart shipped with the app "
        "(interventions/data/menukaart.json) and link them to demo services of the social map. "
        "Safe to run again: interventions are matched by slug and only changes are written."
    )
    files = {"--file": "A menukaart JSON file (default: the one shipped with the app)."}
    errors = (MenukaartError, CatalogueError)
    done = "Menukaart loaded."

    def load(self, file: Path | None) -> list[str]:
        result = load_menukaart(file)
        return [
            result.report("interventions"),
            f"demo services linked: {result.service_links_added}",
        ]
