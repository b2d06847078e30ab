"""The instrument document: its JSON schema, the checks beyond the schema, and its canonical form.

An instrument is exchanged as one JSON document (docs/assessments.md describes it)::

    {"code": "analysetool", "name": "Analysetool Kansrijke Start", "version": "2021.1",
     "kind": "coalition",
     "scale": {"min": 1, "max": 5, "labels": ["…", "…", "…", "…", "…"], "allow_unknown": true},
     "parts": [{"code": "problematiek", "name": "Problematiek",
                "statements": [{"code": "P01", "text": "…"}]}],
     "description": "…", "source": "…", "example_text": false}

``validate(document)`` returns every problem at once, each with the JSON path where it is
(``parts[1].statements[3].code``), so a publisher can fix the file in one go. ``checksum`` is
taken over the canonical form (keys sorted, texts stripped), so the same content imported again
is recognised whatever the layout of the file.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import jsonschema
from django.utils.translation import gettext as _

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"
INSTRUMENT_CODE_PATTERN = r"^[a-z0-9][a-z0-9-]{0,39}$"
MAX_STATEMENTS = 500
MAX_SCALE_STEPS = 11

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://kansrijk.nl/schemas/instrument.schema.json",
    "title": "Kansrijk assessment instrument",
    "type": "object",
    "additionalProperties": False,
    "required": ["code", "name", "version", "kind", "scale", "parts"],
    "properties": {
        "code": {
            "type": "string",
            "pattern": INSTRUMENT_CODE_PATTERN,
            "description": "Stable code of the instrument: lower-case letters, digits and '-'.",
        },
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "version": {
            "type": "string",
            "pattern": r"^\S(.{0,38}\S)?$",
            "description": "The version of this document, e.g. '2021.1'. A changed text needs a new version.",
        },
        "kind": {"enum": ["coalition", "professional", "regional"]},
        "description": {"type": "string", "maxLength": 5000},
        "source": {
            "type": "string",
            "maxLength": 2000,
            "description": "Who publishes the text, and where and when.",
        },
        "example_text": {
            "type": "boolean",
            "description": "true: the statements are example text, not the official text.",
        },
        "scale": {
            "type": "object",
            "additionalProperties": False,
            "required": ["min", "max", "labels", "allow_unknown"],
            "properties": {
                "min": {"type": "integer", "minimum": -10, "maximum": 10},
                "max": {"type": "integer", "minimum": -10, "maximum": 10},
                "labels": {
                    "type": "array",
                    "minItems": 2,
                    "maxItems": MAX_SCALE_STEPS,
                    "items": {"type": "string", "minLength": 1, "maxLength": 100},
                    "description": "One label per score, from min to max.",
                },
                "allow_unknown": {
                    "type": "boolean",
                    "description": "Whether 'weet niet' (don't know) may be answered.",
                },
            },
        },
        "parts": {
            "type": "array",
            "minItems": 1,
            "maxItems": 50,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["code", "name", "statements"],
                "properties": {
                    "code": {"type": "string", "pattern": CODE_PATTERN},
                    "name": {"type": "string", "minLength": 1, "maxLength": 300},
                    "statements": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": MAX_STATEMENTS,
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["code", "text"],
                            "properties": {
                                "code": {"type": "string", "pattern": CODE_PATTERN},
                                "text": {"type": "string", "minLength": 1, "maxLength": 1000},
                            },
                        },
                    },
                },
            },
        },
    },
}

_VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document: where (a JSON path, ``$`` for the whole) and why."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def _path(parts: Any) -> str:
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out.replace("$.", "", 1) if out.startswith("$.") else out


def _schema_message(error: jsonschema.ValidationError) -> str:
    """The schema error in the user's language (the common cases), else jsonschema's text."""
    validator = error.validator
    value = error.validator_value
    if validator == "required":
        missing = [name for name in value if name not in (error.instance or {})]
        return _("%(names)s is missing.") % {"names": ", ".join(missing)}
    if validator == "additionalProperties":
        extra = sorted(set(error.instance or {}) - set(error.schema.get("properties", {})))
        return _("Unknown key(s): %(names)s.") % {"names": ", ".join(extra)}
    if validator == "type":
        return _("Must be of type %(type)s.") % {"type": value}
    if validator == "enum":
        return _("Must be one of: %(values)s.") % {"values": ", ".join(map(str, value))}
    if validator == "pattern":
        return _("%(value)r is not a valid code or version (allowed: %(pattern)s).") % {
            "value": error.instance,
            "pattern": value,
        }
    if validator in {"minLength", "minItems"}:
        return _("Must not be empty.") if value == 1 else _("Too short.")
    if validator in {"maxLength", "maxItems"}:
        return _("Too long (at most %(n)s).") % {"n": value}
    if validator in {"minimum", "maximum"}:
        return _("Must lie between -10 and 10.")
    return str(error.message)


def validate(document: Any) -> list[Problem]:
    """Every problem of ``document``; an empty list when it can be imported."""
    if not isinstance(document, dict):
        return [Problem("$", _("The document must be a JSON object."))]
    problems = [
        Problem(_path(error.absolute_path), _schema_message(error))
        for error in sorted(_VALIDATOR.iter_errors(document), key=lambda e: list(e.absolute_path))
    ]
    if problems:
        return problems
    scale = document["scale"]
    if scale["max"] <= scale["min"]:
        problems.append(Problem("scale.max", _("Must be higher than scale.min.")))
    else:
        steps = scale["max"] - scale["min"] + 1
        if steps > MAX_SCALE_STEPS:
            problems.append(Problem("scale", _("At most %(n)s scores.") % {"n": MAX_SCALE_STEPS}))
        elif len(scale["labels"]) != steps:
            problems.append(
                Problem(
                    "scale.labels",
                    _(
                        "Give one label per score: %(steps)s labels for %(min)s to %(max)s, not %(n)s."
                    )
                    % {
                        "steps": steps,
                        "min": scale["min"],
                        "max": scale["max"],
                        "n": len(scale["labels"]),
                    },
                )
            )
    seen_parts: dict[str, Any] = {}
    seen_statements: dict[str, Any] = {}
    total = 0
    for p, part in enumerate(document["parts"]):
        problems += _repeated_code(
            seen_parts,
            part["code"],
            p,
            f"parts[{p}].code",
            _("Part code %(code)r occurs twice (also parts[%(other)s])."),
        )
        for s, statement in enumerate(part["statements"]):
            total += 1
            where = f"parts[{p}].statements[{s}]"
            problems += _repeated_code(
                seen_statements,
                statement["code"],
                where,
                f"{where}.code",
                _("Statement code %(code)r occurs twice (also %(other)s)."),
            )
            if not statement["text"].strip():
                problems.append(Problem(f"{where}.text", _("Must not be empty.")))
    if total > MAX_STATEMENTS:
        problems.append(
            Problem("parts", _("At most %(n)s statements in all.") % {"n": MAX_STATEMENTS})
        )
    return problems


def _repeated_code(
    seen: dict[str, Any], code: str, place: Any, path: str, message: str
) -> list[Problem]:
    """A problem at ``path`` when an earlier place has ``code`` too (``message`` names the code
    and that place); ``seen`` keeps the first place of each code."""
    first = seen.setdefault(code, place)
    if first == place:
        return []
    return [Problem(path, message % {"code": code, "other": first})]


def canonical(document: dict[str, Any]) -> dict[str, Any]:
    """The document with its texts stripped and optional keys filled in (a valid document)."""
    scale = document["scale"]
    return {
        "code": document["code"],
        "name": document["name"].strip(),
        "version": document["version"],
        "kind": document["kind"],
        "description": document.get("description", "").strip(),
        "source": document.get("source", "").strip(),
        "example_text": bool(document.get("example_text", False)),
        "scale": {
            "min": scale["min"],
            "max": scale["max"],
            "labels": [label.strip() for label in scale["labels"]],
            "allow_unknown": scale["allow_unknown"],
        },
        "parts": [
            {
                "code": part["code"],
                "name": part["name"].strip(),
                "statements": [
                    {"code": s["code"], "text": " ".join(s["text"].split())}
                    for s in part["statements"]
                ],
            }
            for part in document["parts"]
        ],
    }


def checksum(document: dict[str, Any]) -> str:
    """SHA-256 of the content (the canonical form without the version label)."""
    content = {k: v for k, v in canonical(document).items() if k != "version"}
    data = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


def schema_json() -> str:
    """The JSON schema as published in docs/assessments.md."""
    return json.dumps(SCHEMA, indent=2, ensure_ascii=False)
