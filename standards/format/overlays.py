"""Local standards: a version that extends one national version (`extends:`).

A local standard adds sections and requirements, and may raise a threshold on a national
requirement: a requirement of its own, with `raises: NATIONAL-KEY`, that asks the national
question (so the provider answers once) and judges the answer by a stricter rule of the same
operator. It never removes a national requirement, never lowers a threshold and never weakens a
must; the checks here refuse all three and name the place. Nothing here touches the database:
the national version comes in as its canonical document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from standards.format.reading import Problem
from standards.format.schema import _at, _intact
from standards.rules import describe_condition, subtract_period

# The operators whose threshold has an order, so that a stricter rule exists. Yes or no,
# choices, web addresses, text and combinations have none and cannot be raised.
ORDERED_OPERATORS = frozenset(
    {
        "number_at_least",
        "number_at_most",
        "number_between",
        "date_within",
        "date_older_than",
        "date_on_or_before",
        "date_on_or_after",
    }
)
STRENGTH_RANK = {"good_practice": 0, "should": 1, "must": 2}
# What a raised requirement takes from the national one when the file leaves it out.
NATIONAL_QUESTION_FIELDS = ("question", "guidance", "theme", "applies_to", "answer")
_REFERENCE_DAY = dt.date(2001, 1, 31)


def national_requirements(national: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        requirement["key"]: requirement
        for section in national["sections"]
        for requirement in section["requirements"]
    }


def _requirements(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    sections = document.get("sections")
    for s_index, section in enumerate(sections if isinstance(sections, list) else []):
        listed = section.get("requirements") if isinstance(section, dict) else None
        for r_index, requirement in enumerate(listed if isinstance(listed, list) else []):
            if isinstance(requirement, dict):
                found.append((f"sections[{s_index}].requirements[{r_index}]", requirement))
    return found


def take_national_questions(document: dict[str, Any], national: dict[str, Any]) -> None:
    """Give each raised requirement the national question and answer it leaves out (in place)."""
    by_key = national_requirements(national)
    for _, requirement in _requirements(document):
        source = by_key.get(requirement.get("raises"))  # type: ignore[arg-type]
        if source is not None:
            for field in NATIONAL_QUESTION_FIELDS:
                requirement.setdefault(field, source[field])


def raises_without_extends(document: Any) -> list[Problem]:
    """`raises:` means something only in a local standard."""
    if not isinstance(document, dict) or "extends" in document:
        return []
    return [
        Problem(
            _at(place, "raises"),
            "only a local standard (with extends:) can raise a national requirement's threshold",
        )
        for place, requirement in _requirements(document)
        if "raises" in requirement
    ]


def compare_rules(local: dict[str, Any], national: dict[str, Any]) -> int:
    """1 if the local rule is stricter than the national one, 0 if the same, -1 if less strict.

    Both rules have the same ordered operator. A range is stricter only if neither end is wider.
    """
    op = national["op"]
    if op == "number_at_least":
        return _sign(local["value"] - national["value"])
    if op == "number_at_most":
        return _sign(national["value"] - local["value"])
    if op == "number_between":
        low = _sign(local["min"] - national["min"])
        high = _sign(national["max"] - local["max"])
        return -1 if min(low, high) < 0 else max(low, high)
    if op in ("date_within", "date_older_than"):
        # The start of a shorter period is later: within it is stricter, older than it is not.
        local_start = subtract_period(_REFERENCE_DAY, local["period"])
        national_start = subtract_period(_REFERENCE_DAY, national["period"])
        later = _sign((local_start - national_start).days)
        return later if op == "date_within" else -later
    if op == "date_on_or_before":
        return _sign((dt.date.fromisoformat(national["date"]) - _day(local["date"])).days)
    if op == "date_on_or_after":
        return _sign((_day(local["date"]) - dt.date.fromisoformat(national["date"])).days)
    raise ValueError(f"operator {op!r} has no order")


def _day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _sign(value: float) -> int:
    return (value > 0) - (value < 0)


def _threshold(rule: dict[str, Any], answer: dict[str, Any]) -> str:
    try:
        return describe_condition(rule, answer)
    except (KeyError, ValueError, TypeError):
        return str(rule)


def overlay_problems(
    document: dict[str, Any], national: dict[str, Any], broken: Collection[str] = ()
) -> list[Problem]:
    """What a local standard may not do to the national version it extends, each at its place.

    `broken` holds the places of other problems; the parts at or under them are passed over.
    """
    label = f"{national['standard']['slug']} {national['version']}"
    problems: list[Problem] = []
    by_key = national_requirements(national)
    national_sections = {
        section["code"]: [r["key"] for r in section["requirements"]]
        for section in national["sections"]
    }
    sections = document.get("sections")
    for s_index, section in enumerate(sections if isinstance(sections, list) else []):
        code = section.get("code") if isinstance(section, dict) else None
        if isinstance(code, str) and code in national_sections:
            problems.append(
                Problem(
                    f"sections[{s_index}].code",
                    f"{code} is a section of the national version {label}; a local standard adds"
                    " sections of its own and cannot replace or remove national ones",
                )
            )
    raised_at: dict[str, str] = {}
    for place, requirement in _requirements(document):
        raised = requirement.get("raises")
        if isinstance(raised, str) and raised not in by_key:
            # (Reported even when the requirement is broken: that is why it is.)
            problems.append(
                Problem(_at(place, "raises"), f"there is no requirement {raised} in {label}")
            )
            continue
        if not _intact(place, broken):
            continue
        key = requirement.get("key")
        if isinstance(key, str) and key in by_key:
            problems.append(_redefinition(place, requirement, by_key[key], label))
        if isinstance(raised, str):
            if raised in raised_at:
                problems.append(
                    Problem(
                        _at(place, "raises"), f"{raised} is already raised at {raised_at[raised]}"
                    )
                )
            else:
                problems.extend(_raise_problems(place, requirement, by_key[raised], label))
            raised_at.setdefault(raised, place)
    return problems


def _redefinition(
    place: str, local: dict[str, Any], national: dict[str, Any], label: str
) -> Problem:
    key = national["key"]
    if STRENGTH_RANK.get(local.get("strength"), 2) < STRENGTH_RANK[national["strength"]]:  # type: ignore[arg-type]
        return Problem(
            _at(place, "strength"),
            f"{key} is {national['strength']} in {label}; a local standard never weakens a"
            " national requirement",
        )
    rule = local.get("rule")
    if (
        isinstance(rule, dict)
        and rule.get("op") == national["rule"]["op"]
        and national["rule"]["op"] in ORDERED_OPERATORS
        and _compare_or_none(rule, national["rule"]) == -1
    ):
        return Problem(
            _at(place, "rule"),
            f"lowers the threshold of {key} in {label}; a local standard never lowers a threshold",
        )
    return Problem(
        _at(place, "key"),
        f"{key} is a requirement of {label}; a local standard cannot change or remove a national"
        f" requirement (to raise its threshold, give a requirement a key of its own and raises: {key})",
    )


def _compare_or_none(local: dict[str, Any], national: dict[str, Any]) -> int | None:
    try:
        return compare_rules(local, national)
    except (KeyError, TypeError, ValueError):
        return None


def _normalised_or_none(normaliser: Any, value: Any) -> Any:
    try:
        return normaliser(value)
    except (KeyError, TypeError, AttributeError):
        return None


def _raise_problems(
    place: str, local: dict[str, Any], national: dict[str, Any], label: str
) -> list[Problem]:
    key = national["key"]
    problems: list[Problem] = []
    national_rule = national["rule"]
    rule = local.get("rule")
    if national_rule["op"] not in ORDERED_OPERATORS:
        problems.append(
            Problem(
                _at(place, "raises"),
                f"the rule of {key} ({national_rule['op']}) has no order, so its threshold cannot"
                " be raised; add a requirement with a question of its own instead",
            )
        )
    elif isinstance(rule, dict) and rule.get("op") != national_rule["op"]:
        problems.append(
            Problem(
                _at(place, "rule.op"),
                f"a raised threshold keeps the operator of {key} ({national_rule['op']})",
            )
        )
    elif isinstance(rule, dict):
        answer = national["answer"]
        order = _compare_or_none(rule, national_rule)
        if order == 0:
            problems.append(
                Problem(
                    _at(place, "rule"),
                    f"is the same as the rule of {key} ({_threshold(national_rule, answer)});"
                    " a raised threshold must be stricter",
                )
            )
        elif order == -1:
            problems.append(
                Problem(
                    _at(place, "rule"),
                    f"lowers the threshold of {key} (in {label}: {_threshold(national_rule, answer)};"
                    f" here: {_threshold(rule, answer)}); a local standard never lowers a threshold",
                )
            )
    if STRENGTH_RANK.get(local.get("strength"), 2) < STRENGTH_RANK[national["strength"]]:  # type: ignore[arg-type]
        problems.append(
            Problem(
                _at(place, "strength"),
                f"{key} is {national['strength']} in {label}; a raised threshold never weakens it",
            )
        )
    # The loader gave a raised requirement the national question where the file left it out.
    from standards.format.normalising import normalise_answer  # (normalising imports this module)

    given = {
        "question": local.get("question", "").strip()
        if isinstance(local.get("question"), str)
        else None,
        "answer": _normalised_or_none(normalise_answer, local.get("answer")),
    }
    for field in ("question", "answer"):
        if field in local and given[field] != national[field]:
            problems.append(
                Problem(
                    _at(place, field),
                    f"a raised threshold asks the question of {key} as it is; leave {field} out",
                )
            )
    applies_to = local.get("applies_to")
    if isinstance(applies_to, list) and set(applies_to) - set(national["applies_to"]):
        wider = ", ".join(sorted(set(applies_to) - set(national["applies_to"])))
        problems.append(
            Problem(_at(place, "applies_to"), f"{key} does not apply to {wider} in {label}")
        )
    if local.get("allow_not_applicable") and not national["allow_not_applicable"]:
        problems.append(
            Problem(
                _at(place, "allow_not_applicable"),
                f"{key} cannot be answered 'not applicable' in {label}; a raised threshold never"
                " weakens it",
            )
        )
    return problems
