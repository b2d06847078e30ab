"""``kansrijk export-hsds PATH``: write the social map as HSDS 3.0 service documents.

- PATH ending in ``.json``: one file with a JSON list of full service documents;
- any other PATH: a folder (created when missing) with one ``<service id>.json`` per service.

Each document validates against the HSDS 3.0 compiled service schema, and ``import-hsds`` reads
both forms back. Defunct services are left out unless ``--include-defunct``; ``--municipality
GM0090`` limits the export to the services serving that municipality; ``--no-demo`` leaves
demo content out. The export is logged in the access log (``directory.export``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kansrijk.audit.models import Action
from kansrijk.audit.services import record_event
from kansrijk.directory.hsds.documents import service_document
from kansrijk.directory.management.progress import Progress, add_progress_option, progress_for
from kansrijk.directory.models import ServiceStatus
from kansrijk.directory.selectors import service_detail_queryset
from kansrijk.places.exceptions import UnknownMunicipality
from kansrijk.places.selectors import get_municipality

BATCH = 500


class Command(BaseCommand):
    help = "Export the social map as HSDS 3.0 JSON (a list in one .json file, or one file per service)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", type=Path, help="a .json file (one list) or a folder (one file per service)"
        )
        parser.add_argument("--include-defunct", action="store_true")
        parser.add_argument(
            "--municipality", help="only services serving this municipality (CBS code)"
        )
        parser.add_argument("--no-demo", action="store_true", help="leave demo content out")
        add_progress_option(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        queryset = service_detail_queryset().order_by("id")
        if not options["include_defunct"]:
            queryset = queryset.exclude(status=ServiceStatus.DEFUNCT)
        if options["no_demo"]:
            queryset = queryset.filter(is_demo=False)
        if options["municipality"]:
            try:
                municipality = get_municipality(options["municipality"])
                queryset = queryset.filter(service_areas__municipality=municipality)
            except UnknownMunicipality as error:
                raise CommandError(str(error)) from None
        ids = list(queryset.values_list("id", flat=True))
        progress = progress_for(self.stdout, options)
        single_file = path.suffix.lower() == ".json"
        try:
            if single_file:
                path.parent.mkdir(parents=True, exist_ok=True)
                with path.open("w", encoding="utf-8") as handle:
                    handle.write("[")
                    first = True
                    for document in self._documents(queryset, ids, progress):
                        handle.write("\n" if first else ",\n")
                        json.dump(document, handle, ensure_ascii=False)
                        first = False
                    handle.write("\n]\n")
            else:
                path.mkdir(parents=True, exist_ok=True)
                for document in self._documents(queryset, ids, progress):
                    with (path / f"{document['id']}.json").open("w", encoding="utf-8") as handle:
                        json.dump(document, handle, ensure_ascii=False, indent=2)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}") from None
        record_event(
            event_type="directory.export",
            action=Action.EXPORT,
            object_type="directory.service",
            object_id=len(ids),
        )
        self.stdout.write(self.style.SUCCESS(f"Exported {len(ids)} services to {path}."))

    def _documents(self, queryset: Any, ids: list[Any], progress: Progress | None) -> Any:
        for start in range(0, len(ids), BATCH):
            for service in queryset.filter(id__in=ids[start : start + BATCH]):
                yield service_document(service)
            if progress:
                progress("services", min(start + BATCH, len(ids)), len(ids))
