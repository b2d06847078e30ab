"""``kansrijk load-signalling``: load the default grading rules and the preconception guide."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kansrijk.signalling.exceptions import SignallingError
from kansrijk.signalling.services import load_default_guide, load_default_rules


class Command(BaseCommand):
    help = (
        "Load the grading rules (signalling/data/grading-rules-v1.json) and the Wegwijzer "
        "preconceptie (signalling/data/wegwijzer-preconceptie-v1.json), or other versions of "
        "them. Safe to run again: a published version that exists is left alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rules", type=Path, default=None, help="A rule set JSON file.")
        parser.add_argument("--guide", type=Path, default=None, help="A decision tree JSON file.")

    def handle(
        self, *args: Any, rules: Path | None = None, guide: Path | None = None, **options: Any
    ) -> None:
        try:
            loaded_rules = load_default_rules(rules)
            loaded_guide = load_default_guide(guide)
        except SignallingError as exc:
            raise CommandError(str(exc)) from exc
        for name, result in (("grading rules", loaded_rules), ("guide", loaded_guide)):
            state = "loaded" if result["created"] else "already there, left alone"
            self.stdout.write(f"{name} version {result['version']}: {state}")
        self.stdout.write(self.style.SUCCESS("Signalling data loaded."))
