"""``kansrijk load_menukaart``: load (or refresh) the interventions of the menukaart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kansrijk.interventions.exceptions import MenukaartError
from kansrijk.interventions.services import load_menukaart
from kansrijk.situations.exceptions import CatalogueError


class Command(BaseCommand):
    help = (
        "Load the interventions of the menukaart shipped with the app "
        "(interventions/data/menukaart.json) and link them to demo services of the social map. "
        "Safe to run again: interventions are matched by slug and only changes are written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file",
            type=Path,
            default=None,
            help="A menukaart JSON file (default: the one shipped with the app).",
        )

    def handle(self, *args: Any, file: Path | None = None, **options: Any) -> None:
        try:
            result = load_menukaart(file)
        except (MenukaartError, CatalogueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(result.report("interventions"))
        self.stdout.write(f"demo services linked: {result.service_links_added}")
        self.stdout.write(self.style.SUCCESS("Menukaart loaded."))
