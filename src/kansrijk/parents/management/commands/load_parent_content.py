from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kansrijk.parents.content import load_content


class Command(BaseCommand):
    help = (
        "Load the national parent pages and cost items (parents/content/*.json). Adds what is "
        "missing; never overwrites an editor's change."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--update",
            action="store_true",
            help="Also rewrite texts that are still drafts with the files' version.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = load_content(update=options["update"])
        self.stdout.write(
            f"Parent content: {report.pages} new pages, {report.translations} new page texts, "
            f"{report.cost_items} new cost items, {report.cost_texts} new cost texts, "
            f"{report.updated} drafts rewritten."
        )
