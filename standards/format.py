"""Reading and checking a standard version file.

`parse_version_file` turns YAML or JSON text into a normalised version document, or a list
of problems each named by its place in the file. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from standards.vocabulary import (
    ANY_TYPE_OPERATORS,
    OPERATORS_BY_ANSWER_TYPE,
    PROVIDER_TYPE_ORDER,
    AnswerType,
    Strength,
)

SCHEMA_PATH = Path(__file__).parent / "schema" / "standard-version.schema.json"
FORMAT_VERSION = 1
DEFAULT_TEXT_MAX_LENGTH = 500


@dataclass(frozen=True)
class Problem:
    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" if self.place else self.message


class StandardFormatError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@cache
def load_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def place_of(path: Iterable[Any]) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _jsonable(value: Any) -> Any:
    """YAML gives dates as date objects; the format and the canonical form use ISO strings."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def normalise_number(value: Any) -> Any:
    """Whole floats become ints so that 95 and 95.0 give the same canonical text."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _normalise_numbers(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _normalise_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise_numbers(v) for v in value]
    if isinstance(value, bool):
        return value
    return normalise_number(value)


class _Loader(yaml.SafeLoader):
    """safe_load, except that a value YAML recognises but cannot build (0x_) is a problem, not a crash."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read this value: {exc}", node.start_mark
            ) from exc

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Any:
        # YAML would keep the last of two equal keys silently; an author means only one of them.
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str | int | float | bool) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} appears twice here", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    # YAML reads 2026-02-30 as a date and fails; as text, the schema names the field it is in.
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def read_text(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader: plain data only
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        raise StandardFormatError(
            [Problem(where, f"not valid YAML or JSON: {exc.problem}")]
        ) from exc
    except yaml.YAMLError as exc:
        raise StandardFormatError([Problem("file", f"not valid YAML or JSON: {exc}")]) from exc


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
CHECKED_FIELDS = ("key", "applies_to", "strength", "answer", "rule", "citations")
CHECKED_OPTIONAL_FIELDS = ("effective_from", "effective_to")


def _checkable(requirement: dict[str, Any], place: str, broken: Collection[str]) -> bool:
    return all(field in requirement for field in CHECKED_FIELDS) and all(
        _intact(_at(place, field), broken) for field in CHECKED_FIELDS + CHECKED_OPTIONAL_FIELDS
    )


Lookup = dict[str, tuple[str, dict[str, Any] | None]]
"""Requirements by key: their place, and their document if it can be checked (else None)."""


def semantic_problems(document: Any, broken: Collection[str] = ()) -> list[Problem]:
    """The checks a schema cannot express: uniqueness, rules that fit their answers, references.

    `broken` holds the places of schema problems. The parts at or under them are passed over, so
    that the rest is still checked and an author sees every problem in one run.
    """
    problems: list[Problem] = []
    requirements: Lookup = {}
    section_codes: dict[str, str] = {}

    sections = document.get("sections") if isinstance(document, dict) else None
    for s_index, section in enumerate(sections if isinstance(sections, list) else []):
        s_place = f"sections[{s_index}]"
        if not isinstance(section, dict):
            continue
        code = section.get("code")
        if isinstance(code, str) and code in section_codes:
            problems.append(
                Problem(
                    f"{s_place}.code",
                    f"section code {code!r} is already used at {section_codes[code]}",
                )
            )
        elif isinstance(code, str):
            section_codes[code] = s_place
        listed = section.get("requirements")
        for r_index, requirement in enumerate(listed if isinstance(listed, list) else []):
            r_place = f"{s_place}.requirements[{r_index}]"
            key = requirement.get("key") if isinstance(requirement, dict) else None
            if not isinstance(key, str):
                continue
            if key in requirements:
                problems.append(
                    Problem(
                        f"{r_place}.key", f"key {key!r} is already used at {requirements[key][0]}"
                    )
                )
            else:
                checkable = _checkable(requirement, r_place, broken)
                requirements[key] = (r_place, requirement if checkable else None)

    for key, (r_place, checked) in requirements.items():
        if checked is not None:
            problems.extend(_requirement_problems(r_place, key, checked, requirements))
    return problems


def document_problems(document: Any) -> list[Problem]:
    """Every problem with a version document, in the order of their places."""
    problems = schema_problems(document)
    problems += semantic_problems(document, broken={p.place for p in problems})
    return sorted(problems, key=lambda p: _sort_key(p.place))


def requirement_problems(
    requirement: dict[str, Any], others: dict[str, dict[str, Any]]
) -> list[Problem]:
    """Check one requirement as the loader would, with places inside it (`rule.op`).

    `others` are the other requirements of its version by key, for the rules that refer to them.
    """
    problems = schema_problems(requirement, definition="requirement")
    if _checkable(requirement, "", {p.place for p in problems}):
        lookup: Lookup = {key: (key, doc) for key, doc in others.items()}
        lookup[requirement["key"]] = ("", requirement)
        problems += _requirement_problems("", requirement["key"], requirement, lookup)
    return sorted(problems, key=lambda p: _sort_key(p.place))


def _requirement_problems(
    r_place: str,
    key: str,
    requirement: dict[str, Any],
    requirements: Lookup,
) -> list[Problem]:
    problems: list[Problem] = []
    answer = requirement["answer"]
    if answer["type"] in (AnswerType.SINGLE_CHOICE, AnswerType.MULTIPLE_CHOICE):
        values = [choice["value"] for choice in answer["choices"]]
        for index, value in enumerate(values):
            if values.index(value) != index:
                problems.append(
                    Problem(
                        _at(r_place, f"answer.choices[{index}].value"),
                        f"choice {value!r} is repeated",
                    )
                )
    if answer["type"] == AnswerType.NUMBER:
        low, high = answer.get("min"), answer.get("max")
        if low is not None and high is not None and low > high:
            problems.append(Problem(_at(r_place, "answer"), "min is greater than max"))

    if requirement["strength"] == Strength.MUST and not any(
        citation.get("verified", True) for citation in requirement["citations"]
    ):
        problems.append(
            Problem(
                _at(r_place, "citations"),
                "a must requirement needs at least one citation that is not marked verified: false",
            )
        )
    start, end = requirement.get("effective_from"), requirement.get("effective_to")
    if start and end and start > end:
        problems.append(
            Problem(_at(r_place, "effective_to"), "effective_to is before effective_from")
        )

    problems.extend(
        rule_problems(_at(r_place, "rule"), requirement["rule"], key, requirement, requirements)
    )
    return problems


def rule_problems(
    place: str,
    rule: dict[str, Any],
    key: str,
    requirement: dict[str, Any],
    requirements: Lookup,
) -> list[Problem]:
    """Check that a rule fits the answer it judges, recursively."""
    problems: list[Problem] = []
    op = rule["op"]
    answer = requirement["answer"]
    answer_type = answer["type"]

    if op not in ANY_TYPE_OPERATORS and op not in OPERATORS_BY_ANSWER_TYPE.get(answer_type, ()):
        problems.append(
            Problem(
                f"{place}.op",
                f"operator {op!r} cannot judge a {answer_type!r} answer (it fits {_fits(op)})",
            )
        )
        return problems

    if op in ("choice_in", "includes_all", "includes_any"):
        known = {choice["value"] for choice in answer.get("choices", [])}
        for index, value in enumerate(rule["values"]):
            if value not in known:
                problems.append(
                    Problem(
                        f"{place}.values[{index}]", f"{value!r} is not one of the answer's choices"
                    )
                )
    elif op == "number_between" and rule["min"] > rule["max"]:
        problems.append(Problem(f"{place}", "min is greater than max"))
    elif op in ("all_of", "any_of"):
        for index, sub in enumerate(rule["rules"]):
            problems.extend(
                rule_problems(f"{place}.rules[{index}]", sub, key, requirement, requirements)
            )
    elif op == "if":
        other_key = rule["requirement"]
        if other_key == key:
            problems.append(
                Problem(f"{place}.requirement", "a condition must refer to another requirement")
            )
        elif other_key not in requirements:
            problems.append(
                Problem(
                    f"{place}.requirement", f"no requirement with key {other_key!r} in this version"
                )
            )
        elif (other := requirements[other_key][1]) is not None:
            # (None: that requirement has schema problems of its own, reported at its place.)
            missing = set(requirement["applies_to"]) - set(other["applies_to"])
            if missing:
                problems.append(
                    Problem(
                        f"{place}.requirement",
                        f"{other_key} does not apply to {', '.join(sorted(missing))},"
                        " so it cannot be the condition for this requirement",
                    )
                )
            problems.extend(
                rule_problems(
                    f"{place}.condition", rule["condition"], other_key, other, requirements
                )
            )
        problems.extend(
            rule_problems(f"{place}.then", rule["then"], key, requirement, requirements)
        )
    return problems


def _fits(op: str) -> str:
    types = [t for t, ops in OPERATORS_BY_ANSWER_TYPE.items() if op in ops]
    return ", ".join(repr(str(t)) for t in types) or "any answer type"


def normalise(document: dict[str, Any]) -> dict[str, Any]:
    """Fill every default so that the document is in canonical form (see docs/standard-format.md)."""
    return _normalise_numbers(
        {
            "format": FORMAT_VERSION,
            "standard": {
                "slug": document["standard"]["slug"],
                "title": document["standard"]["title"].strip(),
                "owner": document["standard"]["owner"].strip(),
            },
            "version": document["version"],
            "effective_from": document["effective_from"],
            "grace_period_days": document.get("grace_period_days", 0),
            "change_notes": (document.get("change_notes") or "").strip(),
            "sections": [
                {
                    "code": section["code"],
                    "title": section["title"].strip(),
                    "description": (section.get("description") or "").strip(),
                    "weight": section.get("weight", 1),
                    "requirements": [normalise_requirement(r) for r in section["requirements"]],
                }
                for section in document["sections"]
            ],
        }
    )


def normalise_answer(answer: dict[str, Any]) -> dict[str, Any]:
    answer_type = answer["type"]
    result: dict[str, Any] = {"type": answer_type}
    if answer_type == AnswerType.NUMBER:
        result.update(
            unit=answer.get("unit", ""),
            min=answer.get("min"),
            max=answer.get("max"),
            integer=answer.get("integer", False),
        )
    elif answer_type in (AnswerType.SINGLE_CHOICE, AnswerType.MULTIPLE_CHOICE):
        result["choices"] = [
            {"value": c["value"], "label": c["label"].strip()} for c in answer["choices"]
        ]
    elif answer_type == AnswerType.TEXT:
        result["max_length"] = answer.get("max_length", DEFAULT_TEXT_MAX_LENGTH)
    return result


def normalise_rule(rule: dict[str, Any]) -> dict[str, Any]:
    op = rule["op"]
    if op == "text_present":
        return {"op": op, "min_length": rule.get("min_length", 1)}
    if op in ("all_of", "any_of"):
        return {"op": op, "rules": [normalise_rule(r) for r in rule["rules"]]}
    if op == "if":
        return {
            "op": op,
            "requirement": rule["requirement"],
            "condition": normalise_rule(rule["condition"]),
            "then": normalise_rule(rule["then"]),
        }
    return dict(rule)


def normalise_requirement(requirement: dict[str, Any]) -> dict[str, Any]:
    return _normalise_numbers(
        {
            "key": requirement["key"],
            "title": requirement["title"].strip(),
            "question": requirement["question"].strip(),
            "guidance": (requirement.get("guidance") or "").strip(),
            "theme": requirement["theme"],
            "applies_to": sorted(requirement["applies_to"], key=PROVIDER_TYPE_ORDER.__getitem__),
            "strength": requirement["strength"],
            "weight": requirement.get("weight", 1),
            "answer": normalise_answer(requirement["answer"]),
            "rule": normalise_rule(requirement["rule"]),
            "allow_not_applicable": requirement.get("allow_not_applicable", False),
            "evidence_prompt": (requirement.get("evidence_prompt") or "").strip(),
            "evidence_required": requirement.get("evidence_required", False),
            "citations": [
                {
                    "document": c["document"].strip(),
                    "reference": str(c["reference"]).strip(),
                    "verified": c.get("verified", True),
                }
                for c in requirement["citations"]
            ],
            "effective_from": requirement.get("effective_from"),
            "effective_to": requirement.get("effective_to"),
        }
    )


def parse_version_text(text: str) -> dict[str, Any]:
    """Validate a version file's text and return its canonical document, or raise with every problem."""
    raw = read_text(text)
    if not isinstance(raw, dict):
        raise StandardFormatError(
            [Problem("file", "the file must hold a mapping of fields, see docs/standard-format.md")]
        )
    document = _jsonable(raw)
    problems = document_problems(document)
    if problems:
        raise StandardFormatError(problems)
    return normalise(document)


def canonical_text(document: dict[str, Any]) -> str:
    """Exactly what export_standard prints; its SHA-256 is the version's content hash."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def differing_places(old: Any, new: Any, place: str = "") -> list[str]:
    """The innermost places where two documents differ, in document order."""
    if isinstance(old, dict) and isinstance(new, dict):
        return [
            found
            for name in sorted(old.keys() | new.keys())
            for found in differing_places(old.get(name), new.get(name), _at(place, name))
        ]
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [
            found
            for index, pair in enumerate(zip(old, new, strict=True))
            for found in differing_places(*pair, f"{place}[{index}]")
        ]
    # As JSON, so that 95.0 and 95 (the same to Python, not to the hash) differ.
    return [] if json.dumps(old) == json.dumps(new) else [place]
