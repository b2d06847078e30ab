"""`kansrijk load-indicators`: the seeded indicator catalogue, the national figures from the
programme's documents and the CBS population figures of the reference data. Safe to run again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kansrijk.monitoring.services import load_all


class Command(BaseCommand):
    help = "Load the indicator catalogue and the real figures the project ships. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_all()
        catalogue = result["catalogue"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Indicators: {catalogue['created']} created, {catalogue['updated']} updated; "
                f"{result['facts']} national figure(s); {result['reference_figures']} CBS "
                "population value(s). Bron: CBS, CC BY 4.0."
            )
        )
