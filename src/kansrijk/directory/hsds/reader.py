"""Reading HSDS 3.0 sources into one set of tables, as in the HSDS tabular form.

Accepted sources (``read_source(path)``):

- a JSON file holding a service document, an organization document (with nested services), a
  list of those, an HSDA page (``{"contents": [...]}``) or the tabular form as JSON
  (``{"services.csv": [...], ...}``);
- a folder of such ``.json`` files (read recursively, in name order);
- a folder that is a tabular data package: ``datapackage.json`` and/or CSV files named as in HSDS
  (``organizations.csv``, ``services.csv``, …), or the ``datapackage.json`` file itself.

Every file is held to the import limits (``kansrijk.core.import_limits``: file size, JSON depth,
length of a field); a value that a spreadsheet would run as a formula is flagged with a warning.

Nested documents are flattened into rows with the parent ids filled in (a phone inside a
location gets ``location_id``), so JSON and CSV go through the same rules afterwards. The same id
met twice is one object: its parent links are merged; different values for the same field are
reported. Every problem is collected as an ``Issue`` (file, row or JSON pointer, field, reason),
nothing stops at the first one.
"""

from __future__ import annotations

import contextlib
import csv
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kansrijk.core.import_limits import (
    InputRefused,
    check_file_size,
    field_problem,
    limits,
    load_json,
)
from kansrijk.core.spreadsheets import formula_warning
from kansrijk.directory.hsds import schemas

#: The tables Kansrijk stores, in load order.
TABLES = [
    "taxonomy",
    "taxonomy_term",
    "organization",
    "location",
    "address",
    "service",
    "service_at_location",
    "service_area",
    "contact",
    "phone",
    "language",
    "schedule",
    "cost_option",
    "attribute",
]
#: HSDS tables we read past (reported once as a warning with a count).
IGNORED_TABLES = frozenset(
    {
        "program",
        "funding",
        "required_document",
        "accessibility",
        "metadata",
        "meta_table_description",
        "organization_identifier",
    }
)
_NESTED_IGNORED = {
    "funding": "funding",
    "program": "program",
    "programs": "program",
    "required_documents": "required_document",
    "metadata": "metadata",
    "accessibility": "accessibility",
    "organization_identifiers": "organization_identifier",
}


@dataclass(frozen=True)
class Issue:
    file: str
    where: str
    field: str
    reason: str
    level: str = "error"

    def __str__(self) -> str:
        parts = [self.file or "-", self.where or "-", self.field or "-"]
        return f"{', '.join(parts)}: {self.reason}"


@dataclass
class Row:
    table: str
    data: dict[str, Any]
    file: str
    where: str
    #: Whether this source lists the object's children in full (so missing ones are removed).
    complete: bool = True


@dataclass
class Collected:
    rows: dict[str, dict[str, Row]] = field(default_factory=lambda: {table: {} for table in TABLES})
    issues: list[Issue] = field(default_factory=list)
    ignored: Counter[str] = field(default_factory=Counter)
    #: (file, where, field) of schema errors, so the rules do not report the same thing twice.
    schema_errors: set[tuple[str, str, str]] = field(default_factory=set)

    def error(self, file: str, where: str, field_name: str, reason: str) -> None:
        self.issues.append(Issue(file, where, field_name, reason))

    def warning(self, file: str, where: str, field_name: str, reason: str) -> None:
        self.issues.append(Issue(file, where, field_name, reason, level="warning"))

    def schema_error(self, file: str, where: str, field_name: str, reason: str) -> None:
        """An error in the form of the data: reported, and noted in ``schema_errors`` so that
        the import's own rules do not report the same field again."""
        self.schema_errors.add((file, where, field_name))
        self.error(file, where, field_name, reason)

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.level == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.level == "warning"]

    def add(
        self, table: str, data: dict[str, Any], file: str, where: str, *, complete: bool = True
    ) -> None:
        data = self._screened(data, file, where)
        raw_id = data.get("id")
        if not isinstance(raw_id, str) or not raw_id.strip():
            if (file, where, "id") not in self.schema_errors:
                self.error(file, where, "id", _("Every object needs an id (a UUID)."))
            return
        key = canonical_id(raw_id)
        existing = self.rows[table].get(key)
        if existing is None:
            self.rows[table][key] = Row(table, data, file, where, complete)
            return
        existing.complete = existing.complete or complete
        for name, value in data.items():
            if value is None or value == "":
                continue
            old = existing.data.get(name)
            if old is None or old == "":
                existing.data[name] = value
            elif old != value:
                self.error(
                    file,
                    where,
                    name,
                    _("The same %(table)s (id %(id)s) is also at %(other)s with a different value.")
                    % {"table": table, "id": key, "other": f"{existing.file}, {existing.where}"},
                )

    def _screened(self, data: dict[str, Any], file: str, where: str) -> dict[str, Any]:
        """``data`` without values over the length limit (each an error), with a warning for
        each value a spreadsheet would run as a formula."""
        kept: dict[str, Any] = {}
        for name, value in data.items():
            problem = field_problem(value)
            if problem is not None:
                self.error(file, where, name, problem)
                continue
            warning = formula_warning(value)
            if warning is not None:
                self.warning(file, where, name, warning)
            kept[name] = value
        return kept


def canonical_id(value: Any) -> str:
    """The key under which an object is collected: the canonical UUID text when it is one."""
    text = str(value).strip()
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return text.lower()


def _scalars(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if not isinstance(value, list | dict)}


def _items(data: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    value = data.get(key)
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


class _Flattener:
    def __init__(self, collected: Collected, file: str) -> None:
        self.c = collected
        self.file = file

    def _ignored(self, data: dict[str, Any]) -> None:
        for key, table in _NESTED_IGNORED.items():
            value = data.get(key)
            if isinstance(value, list):
                self.c.ignored[table] += len(value)
            elif isinstance(value, dict):
                self.c.ignored[table] += 1

    def _ignored_attributes(self, data: dict[str, Any], owner: str) -> None:
        """Count the attributes of ``owner`` (a location, an organization): only a service's
        are read."""
        if data.get("attributes"):
            self.c.ignored[f"attribute ({owner})"] += (
                len(data["attributes"]) if isinstance(data["attributes"], list) else 1
            )

    def _leaves(
        self, data: dict[str, Any], key: str, table: str, parent: dict[str, Any], where: str
    ) -> None:
        """Each object in ``data[key]`` as a row of ``table`` that points to ``parent`` (objects
        with nothing nested: addresses, languages, schedules, …)."""
        for index, item in _items(data, key):
            self.c.add(table, _scalars(item) | parent, self.file, f"{where}/{key}/{index}")

    def phone(self, data: dict[str, Any], parent: dict[str, Any], where: str) -> None:
        self.c.add("phone", _scalars(data) | parent, self.file, where)
        self._leaves(data, "languages", "language", {"phone_id": data.get("id")}, where)

    def contact(self, data: dict[str, Any], parent: dict[str, Any], where: str) -> None:
        self.c.add("contact", _scalars(data) | parent, self.file, where)
        for index, phone in _items(data, "phones"):
            self.phone(phone, {"contact_id": data.get("id")}, f"{where}/phones/{index}")

    def taxonomy_term(self, data: dict[str, Any], where: str) -> None:
        row = _scalars(data)
        detail = data.get("taxonomy_detail")
        if isinstance(detail, dict):
            self.c.add("taxonomy", _scalars(detail), self.file, f"{where}/taxonomy_detail")
            row.setdefault("taxonomy_id", detail.get("id"))
        self.c.add("taxonomy_term", row, self.file, where)

    def attribute(self, data: dict[str, Any], link_id: Any, link_entity: str, where: str) -> None:
        row = _scalars(data)
        row.setdefault("link_id", link_id)
        row.setdefault("link_entity", link_entity)
        term = data.get("taxonomy_term")
        if isinstance(term, dict):
            self.taxonomy_term(term, f"{where}/taxonomy_term")
            row.setdefault("taxonomy_term_id", term.get("id"))
        self.c.add("attribute", row, self.file, where)

    def location(self, data: dict[str, Any], where: str, organization_id: Any = None) -> None:
        row = _scalars(data)
        if organization_id:
            row.setdefault("organization_id", organization_id)
        self.c.add("location", row, self.file, where)
        parent = {"location_id": data.get("id")}
        self._leaves(data, "addresses", "address", parent, where)
        self._leaves(data, "languages", "language", parent, where)
        for index, contact in _items(data, "contacts"):
            self.contact(contact, parent, f"{where}/contacts/{index}")
        for index, phone in _items(data, "phones"):
            self.phone(phone, parent, f"{where}/phones/{index}")
        self._leaves(data, "schedules", "schedule", parent, where)
        self._ignored_attributes(data, "location")
        self._ignored(data)

    def organization(self, data: dict[str, Any], where: str, *, nested: bool = False) -> None:
        complete = not nested or any(key in data for key in ("contacts", "phones", "locations"))
        self.c.add("organization", _scalars(data), self.file, where, complete=complete)
        organization_id = data.get("id")
        parent = {"organization_id": organization_id}
        for index, contact in _items(data, "contacts"):
            self.contact(contact, parent, f"{where}/contacts/{index}")
        for index, phone in _items(data, "phones"):
            self.phone(phone, parent, f"{where}/phones/{index}")
        for index, location in _items(data, "locations"):
            self.location(location, f"{where}/locations/{index}", organization_id=organization_id)
        if not nested:
            for index, service in _items(data, "services"):
                self.service(service, f"{where}/services/{index}", organization_id=organization_id)
        self._ignored_attributes(data, "organization")
        self._ignored(data)

    def service(self, data: dict[str, Any], where: str, organization_id: Any = None) -> None:
        row = _scalars(data)
        organization = data.get("organization")
        if isinstance(organization, dict):
            self.organization(organization, f"{where}/organization", nested=True)
            row.setdefault("organization_id", organization.get("id"))
        if organization_id:
            row.setdefault("organization_id", organization_id)
        self.c.add("service", row, self.file, where)
        service_id = data.get("id")
        parent = {"service_id": service_id}
        for index, phone in _items(data, "phones"):
            self.phone(phone, parent, f"{where}/phones/{index}")
        self._leaves(data, "schedules", "schedule", parent, where)
        self._leaves(data, "service_areas", "service_area", parent, where)
        for index, link in _items(data, "service_at_locations"):
            link_where = f"{where}/service_at_locations/{index}"
            link_row = _scalars(link) | parent
            location = link.get("location")
            if isinstance(location, dict):
                self.location(location, f"{link_where}/location")
                link_row.setdefault("location_id", location.get("id"))
            self.c.add("service_at_location", link_row, self.file, link_where)
            link_parent = {"service_at_location_id": link.get("id")}
            for sub, contact in _items(link, "contacts"):
                self.contact(contact, link_parent, f"{link_where}/contacts/{sub}")
            for sub, phone in _items(link, "phones"):
                self.phone(phone, link_parent, f"{link_where}/phones/{sub}")
            self._leaves(link, "schedules", "schedule", link_parent, link_where)
        self._leaves(data, "languages", "language", parent, where)
        self._leaves(data, "cost_options", "cost_option", parent, where)
        for index, contact in _items(data, "contacts"):
            self.contact(contact, parent, f"{where}/contacts/{index}")
        for index, attribute in _items(data, "attributes"):
            self.attribute(attribute, service_id, "service", f"{where}/attributes/{index}")
        self._ignored(data)


# --- Documents --------------------------------------------------------------------------------------


def _document_kind(data: Any) -> str:
    if not isinstance(data, dict):
        return "unknown"
    if "openapi_url" in data and "version" in data:
        return "api"
    if "status" in data or "service_areas" in data or "service_at_locations" in data:
        return "service"
    if "location" in data and "service" in data:
        return "service_at_location"
    if "location_type" in data or "addresses" in data:
        return "location"
    if "taxonomy_detail" in data or ("code" in data and "taxonomy" in data):
        return "taxonomy_term"
    if (
        "services" in data
        or "website" in data
        or "year_incorporated" in data
        or "legal_status" in data
    ):
        return "organization"
    if {"name", "description"} <= set(data) and set(data) <= {
        "id",
        "name",
        "description",
        "uri",
        "version",
    }:
        return "taxonomy"
    return "unknown"


#: What a document that is neither an organization nor a service is (translated when reported).
_KIND_NAMES = {
    "api": gettext_lazy("an HSDA API description (version, profile, openapi_url)"),
    "service_at_location": gettext_lazy("a service_at_location document"),
    "location": gettext_lazy("a location document"),
    "taxonomy_term": gettext_lazy("a taxonomy_term document"),
    "taxonomy": gettext_lazy("a taxonomy document"),
    "unknown": gettext_lazy("not a recognisable HSDS document"),
}


#: Required by HSDS but taken from the postcode by the importer when absent (Dutch data often
#: leaves the province out; PC4 → municipality → province).
OPTIONAL_IN_NL = frozenset({"state_province"})


def _missing_field(error: Any) -> str:
    """The field a "required" schema error is about ("'name' is a required property")."""
    return str(error.message.split("'")[1]) if "'" in error.message else ""


def _hsds_errors(validator: Any, data: Any) -> Iterator[tuple[Any, list[Any], str]]:
    """The schema errors of ``data`` that count (a field HSDS requires is not one when it is
    optional in the Netherlands), each with its path and the reason an issue gives."""
    for error in validator.iter_errors(data):
        if error.validator == "required" and _missing_field(error) in OPTIONAL_IN_NL:
            continue
        reason = _("Not valid HSDS: %(message)s") % {"message": error.message}
        yield error, list(error.absolute_path), reason


def _schema_issues(collected: Collected, file: str, prefix: str, data: Any, validator: Any) -> None:
    for error, path, reason in _hsds_errors(validator, data):
        if error.validator == "required":
            where = prefix + "".join(f"/{part}" for part in path)
            field_name = _missing_field(error)
        else:
            field_name = str(path[-1]) if path and isinstance(path[-1], str) else ""
            parent_path = path[:-1] if field_name else path
            where = prefix + "".join(f"/{part}" for part in parent_path)
        collected.schema_error(file, where or "/", field_name, reason)


def _add_document(collected: Collected, file: str, where: str, data: Any) -> None:
    kind = _document_kind(data)
    if kind == "service":
        _schema_issues(collected, file, where, data, schemas.service_validator())
        _Flattener(collected, file).service(data, where or "/")
    elif kind == "organization":
        _schema_issues(collected, file, where, data, schemas.organization_validator())
        _Flattener(collected, file).organization(data, where or "/")
    else:
        collected.error(
            file,
            where or "/",
            "",
            _(
                "This is %(kind)s. Import organization or service documents, a list or HSDA page of "
                "them, or a tabular data package."
            )
            % {"kind": _KIND_NAMES.get(kind, kind)},
        )


def _read_json(collected: Collected, path: Path, name: str) -> None:
    try:
        check_file_size(path)
        with path.open(encoding="utf-8-sig") as handle:
            data = load_json(handle)
    except InputRefused as refused:
        collected.error(name, "", "", refused.message)
        return
    except UnicodeDecodeError:
        collected.error(name, "", "", _("The file is not UTF-8 text."))
        return
    except json.JSONDecodeError as error:
        collected.error(
            name,
            _("line %(line)s, column %(column)s") % {"line": error.lineno, "column": error.colno},
            "",
            _("Not valid JSON: %(message)s") % {"message": error.msg},
        )
        return
    if isinstance(data, dict) and data and all(str(key).endswith(".csv") for key in data):
        _read_tabular_json(collected, data, name)
        return
    if isinstance(data, dict) and isinstance(data.get("contents"), list) and "total_items" in data:
        data = data["contents"]
        prefix = "/contents"
    else:
        prefix = ""
    if isinstance(data, list):
        if not data:
            collected.warning(name, "", "", _("The file holds an empty list."))
        for index, item in enumerate(data):
            _add_document(collected, name, f"{prefix}/{index}", item)
    else:
        _add_document(collected, name, "", data)


# --- Tables ------------------------------------------------------------------------------------------


def _coerce_row(
    collected: Collected, table: str, raw: dict[str, Any], file: str, where: str
) -> dict[str, Any]:
    properties = schemas.table_schema(table)["properties"]
    row: dict[str, Any] = {}
    for key, value in raw.items():
        if key is None:
            collected.error(
                file, where, "", _("This row has more values than the header has columns.")
            )
            continue
        key = key.strip()
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            continue
        kind = properties.get(key, {}).get("type")
        if isinstance(value, str) and kind in ("number", "integer"):
            try:
                number = float(value.replace(",", ".")) if kind == "number" else int(value)
            except ValueError:
                collected.schema_error(
                    file, where, key, _("%(value)s is not a number.") % {"value": value}
                )
                continue
            value = int(number) if kind == "number" and float(number).is_integer() else number
        elif isinstance(value, str) and kind == "boolean":
            value = value.lower() in ("true", "1", "yes", "ja")
        row[key] = value
    return row


def _add_table_rows(
    collected: Collected, table: str, rows: Iterable[tuple[str, dict[str, Any]]], file: str
) -> None:
    if table in IGNORED_TABLES:
        collected.ignored[table] += sum(1 for _ in rows)
        return
    validator = schemas.table_validator(table)
    for where, raw in rows:
        row = _coerce_row(collected, table, raw, file, where)
        for error, path, reason in _hsds_errors(validator, row):
            if error.validator == "required":
                field_name = _missing_field(error)
            else:
                field_name = str(path[-1]) if path else ""
            collected.schema_error(file, where, field_name, reason)
        collected.add(table, row, file, where)


def _read_tabular_json(collected: Collected, data: dict[str, Any], file: str) -> None:
    names = schemas.table_names()
    for key, rows in data.items():
        table = names.get(key)
        if table is None:
            collected.warning(file, key, "", _("Not an HSDS table; skipped."))
            continue
        if not isinstance(rows, list):
            collected.error(file, key, "", _("A table must be a list of rows."))
            continue
        _add_table_rows(
            collected,
            table,
            (
                (_("%(table)s item %(number)s") % {"table": key, "number": index + 1}, row)
                for index, row in enumerate(rows)
                if isinstance(row, dict)
            ),
            file,
        )


def _datapackage_paths(collected: Collected, folder: Path) -> dict[str, str]:
    """File name → table name, from ``datapackage.json`` when it is usable."""
    names = dict(schemas.table_names())
    package = folder / "datapackage.json"
    if not package.exists():
        return names
    try:
        check_file_size(package)
        with package.open(encoding="utf-8-sig") as handle:
            data = load_json(handle)
        resources = data["resources"]
        for resource in resources:
            if resource.get("name") in schemas.load_schema("tabular.json")[
                "properties"
            ] and resource.get("path"):
                names[str(resource["path"])] = resource["name"]
    except InputRefused as refused:
        collected.error("datapackage.json", "", "", refused.message)
    except (ValueError, KeyError, TypeError, AttributeError):
        collected.warning(
            "datapackage.json",
            "",
            "",
            _(
                "Not a usable data package description; the tables are recognised by their HSDS file names."
            ),
        )
    return names


def _read_csv_folder(
    collected: Collected, folder: Path, progress: Callable[[int, int], None] | None
) -> None:
    names = _datapackage_paths(collected, folder)
    files = sorted(path for path in folder.iterdir() if path.suffix.lower() == ".csv")
    for done, path in enumerate(files):
        table = names.get(path.name)
        if table is None:
            collected.warning(path.name, "", "", _("Not an HSDS table; skipped."))
            continue
        try:
            check_file_size(path)
        except InputRefused as refused:
            collected.error(path.name, "", "", refused.message)
            continue
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle, _csv_fields_up_to_file():
                reader = csv.DictReader(handle)
                if not reader.fieldnames or "id" not in [
                    name.strip() for name in reader.fieldnames
                ]:
                    collected.error(path.name, _("row 1"), "id", _("The header has no id column."))
                    continue
                rows = [
                    (_("row %(number)s") % {"number": index + 2}, raw)
                    for index, raw in enumerate(reader)
                ]
        except UnicodeDecodeError:
            collected.error(path.name, "", "", _("The file is not UTF-8 text."))
            continue
        except csv.Error as error:
            collected.error(
                path.name, "", "", _("Not valid CSV: %(message)s") % {"message": str(error)}
            )
            continue
        _add_table_rows(collected, table, rows, path.name)
        if progress:
            progress(done + 1, len(files))


@contextlib.contextmanager
def _csv_fields_up_to_file() -> Iterator[None]:
    """The csv module refuses a field over 128 KB for the whole file, without saying which row;
    the file-size limit already bounds memory, so let the row checks name the row instead."""
    previous = csv.field_size_limit(max(limits().max_file_bytes, 131_072))
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def is_tabular_folder(folder: Path) -> bool:
    known = set(schemas.table_names())
    return (folder / "datapackage.json").exists() or any(
        path.name in known for path in folder.iterdir() if path.is_file()
    )


def read_source(path: Path, *, progress: Callable[[int, int], None] | None = None) -> Collected:
    """Read ``path`` (see the module doc) into tables and issues. Never raises for bad content."""
    collected = Collected()
    if not path.exists():
        collected.error(str(path), "", "", _("No such file or folder."))
        return collected
    if path.is_file() and path.name == "datapackage.json":
        path = path.parent
    if path.is_dir():
        if is_tabular_folder(path):
            _read_csv_folder(collected, path, progress)
            return collected
        files = sorted(candidate for candidate in path.rglob("*.json") if candidate.is_file())
        if not files:
            collected.error(
                str(path), "", "", _("The folder has no .json files and no HSDS CSV tables.")
            )
        for done, file in enumerate(files):
            _read_json(collected, file, str(file.relative_to(path)))
            if progress:
                progress(done + 1, len(files))
        return collected
    if path.suffix.lower() == ".csv":
        collected.error(
            path.name, "", "", _("Give the folder of the data package, not one CSV file.")
        )
        return collected
    _read_json(collected, path, path.name)
    return collected
