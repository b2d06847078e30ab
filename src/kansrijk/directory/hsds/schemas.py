"""The HSDS 3.0 JSON Schemas, read from ``kansrijk/directory/hsds_schema/`` (never from outside the app).

- ``service_validator()``: a full service document.
- ``organization_validator()``: a full organization document; built from the organization
  definition plus ``services`` as an array of full service documents, which is what the upstream
  ``compiled/organization.json`` says at 3.4 MB.
- ``service_list_validator()`` / ``organization_list_validator()``: list items of the API pages.
- ``table_validator(name)``: one row of a table of the tabular (CSV) form; the row must carry the
  columns of ``required`` and ``tabular_required``.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.protocols import Validator

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "hsds_schema"


@cache
def load_schema(name: str) -> dict[str, Any]:
    with (SCHEMA_DIR / name).open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def _validator(schema: dict[str, Any]) -> Validator:
    return Draft202012Validator(
        schema, format_checker=FormatChecker(formats=["uuid", "email", "date"])
    )


@cache
def service_validator() -> Validator:
    return _validator(load_schema("service_with_definitions.json"))


def organization_schema() -> dict[str, Any]:
    service = load_schema("service_with_definitions.json")
    definitions = copy.deepcopy(service["definitions"])
    service_body = {key: value for key, value in service.items() if key != "definitions"}
    definitions["service"] = service_body
    schema = copy.deepcopy(definitions["organization"])
    schema["properties"]["services"] = {
        "name": "services",
        "type": "array",
        "title": "Services",
        "items": {"$ref": "#/definitions/service"},
    }
    schema["definitions"] = definitions
    return schema


@cache
def organization_validator() -> Validator:
    return _validator(organization_schema())


@cache
def service_list_validator() -> Validator:
    return _validator(load_schema("service_list.json"))


@cache
def organization_list_validator() -> Validator:
    return _validator(load_schema("organization_list.json"))


@cache
def table_schema(name: str) -> dict[str, Any]:
    """The schema of one row of table ``name`` (``service``, ``location``, …) in the tabular form."""
    tables = load_schema("tabular.json")["properties"]
    schema = copy.deepcopy(tables[name]["items"])
    # A CSV row has no nested arrays or objects.
    schema["properties"] = {
        key: value
        for key, value in schema["properties"].items()
        if value.get("type") not in ("array", "object", None)
    }
    schema["required"] = sorted(
        set(schema.get("required", [])) | set(schema.get("tabular_required", []))
    )
    return schema


@cache
def table_validator(name: str) -> Validator:
    return _validator(table_schema(name))


@cache
def table_names() -> dict[str, str]:
    """File name → table name, e.g. ``services.csv`` → ``service``."""
    tables = load_schema("tabular.json")["properties"]
    return {value["items"]["path"]: name for name, value in tables.items()}
