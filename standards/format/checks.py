"""The checks a schema cannot express: keys, rules, answers and their fit."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from standards.format.overlays import raises_without_extends
from standards.format.reading import Problem
from standards.format.schema import _at, _intact, _sort_key, schema_problems
from standards.format.unread import cited_before_reading
from standards.vocabulary import ANY_TYPE_OPERATORS, OPERATORS_BY_ANSWER_TYPE, AnswerType, Strength

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
    problems += raises_without_extends(document)
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

    if (
        requirement["strength"] == Strength.MUST
        and not any(citation.get("verified", True) for citation in requirement["citations"])
        and not cited_before_reading(key, requirement["citations"])
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
