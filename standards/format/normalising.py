"""Normalising a version document, parsing a version file, the canonical text and differences."""

from __future__ import annotations

import json
from typing import Any

from standards.format.checks import document_problems
from standards.format.overlays import overlay_problems, take_national_questions
from standards.format.reading import (
    DEFAULT_TEXT_MAX_LENGTH,
    FORMAT_VERSION,
    Problem,
    StandardFormatError,
    _jsonable,
    _normalise_numbers,
    read_text,
)
from standards.format.schema import _at, _sort_key
from standards.vocabulary import PROVIDER_TYPE_ORDER, AnswerType


def normalise(document: dict[str, Any]) -> dict[str, Any]:
    """Fill every default so that the document is in canonical form (see docs/standard-format.md).

    A national version's canonical form has no `extends` or `area`, so its hash is as before.
    """
    return _normalise_numbers(
        {
            "format": FORMAT_VERSION,
            "standard": {
                "slug": document["standard"]["slug"],
                "title": document["standard"]["title"].strip(),
                "owner": document["standard"]["owner"].strip(),
            },
            **_local_fields(document),
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


def _local_fields(document: dict[str, Any]) -> dict[str, Any]:
    if "extends" not in document:
        return {}
    extends = document["extends"]
    return {
        "extends": {"slug": extends["slug"], "version": extends["version"]},
        "area": document["area"],
    }


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
            **({"raises": requirement["raises"]} if requirement.get("raises") else {}),
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


def parse_version_text(text: str, national: dict[str, Any] | None = None) -> dict[str, Any]:
    """Validate a version file's text and return its canonical document, or raise with every problem.

    `national` is the canonical document of the national version a local standard extends (its
    `extends:`): raised requirements take the national question from it, and the local standard
    is checked against it. Without it, a local standard is checked as a file on its own.
    """
    raw = read_text(text)
    if not isinstance(raw, dict):
        raise StandardFormatError(
            [Problem("file", "the file must hold a mapping of fields, see docs/standard-format.md")]
        )
    document = _jsonable(raw)
    if national is not None:
        take_national_questions(document, national)
    problems = document_problems(document)
    if national is not None:
        problems = sorted(
            problems + overlay_problems(document, national, broken={p.place for p in problems}),
            key=lambda p: _sort_key(p.place),
        )
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
