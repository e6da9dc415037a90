"""Checking a version document against the JSON Schema, with messages a person can act on."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from functools import cache
from typing import Any

import jsonschema

from standards.format.reading import Problem, load_schema, place_of

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
REAL_DATES = jsonschema.FormatChecker(formats=())


@REAL_DATES.checks("date", raises=ValueError)
def _is_real_date(value: object) -> bool:
    # The schema's pattern judges the form; this judges whether the day exists.
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        dt.date.fromisoformat(value)
    return True


@cache
def _validator(definition: str | None) -> jsonschema.Draft202012Validator:
    schema = load_schema()
    if definition is not None:
        schema = {"$ref": f"#/$defs/{definition}", "$defs": schema["$defs"]}
    return jsonschema.Draft202012Validator(schema, format_checker=REAL_DATES)


def schema_problems(document: Any, definition: str | None = None) -> list[Problem]:
    """Problems by the JSON Schema: of a whole version, or of one of its $defs (`requirement`)."""
    validator = _validator(definition)
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for error in validator.iter_errors(document):
        # if/then branches report the same fault once per branch; report each place once.
        for leaf in _leaf_errors(error):
            place = place_of(leaf.absolute_path)
            message = _message_for(leaf)
            if (place, message) not in seen:
                seen.add((place, message))
                problems.append(Problem(place, message))
    return sorted(problems, key=lambda p: _sort_key(p.place))


def _leaf_errors(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    if error.context:
        leaves: list[jsonschema.ValidationError] = []
        for sub in error.context:
            leaves.extend(_leaf_errors(sub))
        return leaves
    return [error]


def _message_for(error: jsonschema.ValidationError) -> str:
    field = error.absolute_path[-1] if error.absolute_path else None
    instance: Any = error.instance
    expected: Any = error.validator_value
    schema: Any = error.schema
    if error.validator == "enum" and field == "op":
        return f"unknown operator {error.instance!r}"
    if error.validator == "enum" and field == "type":
        return f"unknown answer type {error.instance!r}"
    if error.validator == "enum" and field == "theme":
        return f"unknown theme {error.instance!r}"
    if error.validator == "enum" and isinstance(field, int):
        return f"unknown provider type {error.instance!r}"
    if error.validator == "enum":
        return f"{instance!r} is not one of {', '.join(map(repr, expected))}"
    if error.validator == "required":
        missing = [name for name in expected if name not in (instance or {})]
        return f"missing required field {', '.join(map(repr, missing))}"
    if error.validator == "additionalProperties":
        allowed = set(schema.get("properties", {}))
        extra = sorted(k for k in (instance or {}) if k not in allowed)
        return f"unexpected field {', '.join(map(repr, extra))}"
    if error.validator == "pattern":
        return f"{error.instance!r} is not in the expected form ({_pattern_hint(field)})"
    if error.validator == "const" and field == "op":
        return f"unknown operator {error.instance!r}"
    if error.validator == "dependentRequired":
        return "a local standard gives both extends and area (see docs/standard-format.md)"
    if error.validator == "format":
        return f"{instance!r} is not a real date ({error.cause})"
    return error.message


def _pattern_hint(field: Any) -> str:
    return {
        "key": "upper-case words joined by hyphens, e.g. SCH-SENCO-QUALIFICATION",
        "requirement": "upper-case words joined by hyphens, e.g. SCH-SENCO-QUALIFICATION",
        "code": "upper-case letters, digits and hyphens",
        "slug": "lower-case words joined by hyphens",
        "version": "digits and dots, e.g. 1.0",
        "period": "an ISO 8601 period such as P12M or P3Y",
        "date": "a date as YYYY-MM-DD",
        "effective_from": "a date as YYYY-MM-DD",
        "effective_to": "a date as YYYY-MM-DD",
        "value": "lower-case words joined by underscores",
        "area": "the local authority's three-digit code, e.g. 213",
        "raises": "the key of a national requirement, e.g. SCH-SENCO-QUALIFICATION",
    }.get(str(field), "see docs/standard-format.md")


def _sort_key(place: str) -> list[Any]:
    parts: list[Any] = []
    for chunk in place.replace("]", "").replace("[", ".").split("."):
        parts.append((0, int(chunk), "") if chunk.isdigit() else (1, 0, chunk))
    return parts


def _at(place: str, field: str) -> str:
    return f"{place}.{field}" if place else field


def _intact(place: str, broken: Collection[str]) -> bool:
    """No schema problem lies at or inside this place."""
    return not any(b == place or b.startswith((f"{place}.", f"{place}[")) for b in broken)


# The fields the semantic checks read: a requirement is checked only if all are present and sound.
