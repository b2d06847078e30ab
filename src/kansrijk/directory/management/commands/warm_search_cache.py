"""``kansrijk warm-search-cache``: render the result card of every visible service, in Dutch and
English, into the cache (``kansrijk.directory.search.cards``).

Run it after a deployment or a large import, when the cache is empty: a search page renders the
cards it does not find in the cache (about 1 ms each), so a cold cache makes the first searches
slower. Cards already cached for the service's current version are skipped; a service that
changes gets a new key, so the command never has to be run to show a change.

With ``--refresh`` it renders every card again, cached or not: a scheduled job, every few hours
(well within the cache's ``CARD_TTL`` of six hours; ``docs/operations.md``), so that the cards
never run out of the cache all at once and what changes a card without a new version of its
service (an organisation renamed in the admin, the verification badge coming due) shows.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from kansrijk.directory.management.progress import add_progress_option, progress_for
from kansrijk.directory.models import Service
from kansrijk.directory.search.cards import warm_cards


class Command(BaseCommand):
    help = "Render every visible service's result card into the cache (after a deployment)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--language",
            action="append",
            choices=[code for code, _name in settings.LANGUAGES],
            help="only this language (repeatable; default: all languages of the site)",
        )
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="render every card again, also those cached (a scheduled job: every few hours)",
        )
        add_progress_option(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        languages = options["language"] or [code for code, _name in settings.LANGUAGES]
        progress = progress_for(self.stdout, options)
        total = Service.objects.visible().count() * len(languages)
        done = 0

        def advance(count: int) -> None:
            nonlocal done
            done += count
            if progress:
                progress("Result cards", done, total)

        started = time.perf_counter()
        rendered = warm_cards(languages, progress=advance, refresh=options["refresh"])
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"{rendered} result cards rendered, {total - rendered} already cached "
                f"({', '.join(languages)}; {time.perf_counter() - started:.1f} s)."
            )
