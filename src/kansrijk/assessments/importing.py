"""Loading instrument documents (``kansrijk import-instrument FILE``), all or nothing.

``import_instrument`` checks the whole document first (``documents.validate``) and against what
is already loaded: the same version with the same content changes nothing; the same version
with other content is refused (a changed text needs a new version, so the rounds of the earlier
version keep their statements); a new version becomes the instrument's newest. Nothing is
written unless everything is right.

The instruments Kansrijk ships (``SHIPPED``) are in ``kansrijk/assessments/instruments/``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kansrijk.assessments import documents
from kansrijk.assessments.documents import Problem
from kansrijk.assessments.models import Instrument, InstrumentVersion, Part, Statement
from kansrijk.audit.models import Action
from kansrijk.audit.services import record_event
from kansrijk.core.import_limits import InputRefused, check_file_size, load_json

INSTRUMENT_DIR = Path(__file__).resolve().parent / "instruments"
SHIPPED = ("analysetool.json", "zelfscan.json", "checklist-regionale-samenwerking.json")


class InstrumentImportFailed(Exception):
    """Nothing was imported; ``problems`` says why, each with its place in the document."""

    def __init__(self, problems: list[Problem], source: str = "") -> None:
        self.problems = problems
        self.source = source
        super().__init__("; ".join(str(p) for p in problems))


@dataclass(frozen=True)
class ImportResult:
    version: InstrumentVersion
    created: bool

    @property
    def status(self) -> str:
        return "created" if self.created else "unchanged"


def read_document(path: str | Path) -> Any:
    """The parsed JSON of ``path``, held to the import limits (``kansrijk.core.import_limits``:
    file size, nesting); raises ``InstrumentImportFailed`` with a precise reason."""
    name = str(path)
    file = Path(path)

    def refuse(message: str) -> InstrumentImportFailed:
        return InstrumentImportFailed([Problem("$", message)], name)

    try:
        check_file_size(file)
        with file.open(encoding="utf-8-sig") as handle:
            return load_json(handle)
    except InputRefused as refusal:
        raise refuse(refusal.message) from None
    except UnicodeDecodeError:
        raise refuse(_("The file is not UTF-8 text.")) from None
    except json.JSONDecodeError as error:
        raise refuse(
            _("Not valid JSON: %(msg)s (line %(line)s, column %(col)s).")
            % {"msg": error.msg, "line": error.lineno, "col": error.colno}
        ) from None
    except OSError as error:
        raise refuse(
            _("Cannot read the file: %(error)s") % {"error": error.strerror or error}
        ) from None


def check(document: Any) -> list[Problem]:
    """The problems of ``document`` on its own and against the instruments already loaded."""
    problems = documents.validate(document)
    if problems:
        return problems
    instrument = Instrument.objects.filter(code=document["code"]).first()
    if instrument is None:
        return []
    if instrument.kind != document["kind"]:
        problems.append(
            Problem(
                "kind",
                _("%(code)s is a %(old)r instrument; a new version cannot change its kind.")
                % {"code": instrument.code, "old": instrument.kind},
            )
        )
    same_label = instrument.versions.filter(version=document["version"]).first()
    if same_label is not None and same_label.checksum != documents.checksum(document):
        problems.append(
            Problem(
                "version",
                _(
                    "Version %(version)s of %(code)s was imported before with other content. "
                    "Give the changed document a new version, so that earlier rounds keep "
                    "their statements."
                )
                % {"version": document["version"], "code": instrument.code},
            )
        )
    return problems


@transaction.atomic
def import_instrument(document: Any, *, source: str = "", dry_run: bool = False) -> ImportResult:
    """Load ``document``: a new version, or nothing when this version is loaded already."""
    problems = check(document)
    if problems:
        raise InstrumentImportFailed(problems, source)
    data = documents.canonical(document)
    instrument, _created = Instrument.objects.select_for_update().get_or_create(
        code=data["code"], defaults={"name": data["name"], "kind": data["kind"]}
    )
    existing = instrument.versions.filter(version=data["version"]).first()
    if existing is not None:
        return ImportResult(existing, created=False)
    number = (instrument.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = InstrumentVersion.objects.create(
        instrument=instrument,
        number=number,
        version=data["version"],
        name=data["name"],
        description=data["description"],
        scale_min=data["scale"]["min"],
        scale_max=data["scale"]["max"],
        scale_labels=data["scale"]["labels"],
        allow_unknown=data["scale"]["allow_unknown"],
        is_example=data["example_text"],
        source=data["source"],
        document=data,
        checksum=documents.checksum(data),
    )
    position = 0
    statements: list[Statement] = []
    for p, part_data in enumerate(data["parts"], start=1):
        part = Part.objects.create(
            version=version, code=part_data["code"], name=part_data["name"], position=p
        )
        for statement in part_data["statements"]:
            position += 1
            statements.append(
                Statement(
                    version=version,
                    part=part,
                    code=statement["code"],
                    text=statement["text"],
                    position=position,
                )
            )
    Statement.objects.bulk_create(statements)
    instrument.name = data["name"]
    instrument.current_version = version
    instrument.save(update_fields=["name", "current_version"])
    record_event(
        event_type="assessments.instrument.import",
        action=Action.CREATE,
        object_type="assessments.instrument_version",
        object_id=str(version.pk),
        purpose="coalition.assessment",
    )
    if dry_run:
        transaction.set_rollback(True)
    return ImportResult(version, created=True)


def import_file(path: str | Path, *, dry_run: bool = False) -> ImportResult:
    return import_instrument(read_document(path), source=str(path), dry_run=dry_run)


def load_shipped() -> list[ImportResult]:
    """Load the instruments Kansrijk ships (idempotent; used by the demo and by operators)."""
    return [import_file(INSTRUMENT_DIR / name) for name in SHIPPED]
