"""Generated answers for the demonstration declarations. Never used in production.

Answers come from a random number generator seeded by the provider, so a provider's answers are
the same every time; each provider has a "strength" that decides how often an answer meets its
requirement's rule, so an area shows a realistic spread of strong and weak provision.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils.text import slugify

from standards.models import Requirement
from standards.rules import NotApplicable, RuleError, evaluate

NOT_APPLICABLE_REASONS = [
    "We have no pupils in the year groups this is about.",
    "This does not apply to a setting of our size: we have no children who need it at present.",
    "We do not offer this phase of education.",
    "The local authority does this for us under our service level agreement.",
]
TEXT_ANSWERS = [
    "Mrs A Khan, SEND link governor",
    "The curriculum and standards committee",
    "Mr D Okafor, vice-chair of governors",
    "Ms R Patel, assistant principal for inclusion",
    "The learning support manager, Ms J Evans",
]
EVIDENCE_NOTES = [
    "Minutes of the governing body meeting, held in the school office.",
    "Reviewed at the spring term meeting; copy available on request.",
    "Records kept in the SENCO's folder on the staff shared drive.",
    "Training log signed by each member of staff.",
]


def strength_for(rng: random.Random) -> float:
    """How likely each answer is to meet its requirement: some weak, most middling, some strong."""
    roll = rng.random()
    if roll < 0.2:
        return rng.uniform(0.35, 0.6)
    if roll < 0.7:
        return rng.uniform(0.65, 0.86)
    return rng.uniform(0.88, 0.98)


def _rule_dates(rule: Any) -> list[dt.date]:
    found: list[dt.date] = []
    if isinstance(rule, dict):
        if rule.get("op") in ("date_on_or_before", "date_on_or_after") and "date" in rule:
            found.append(dt.date.fromisoformat(str(rule["date"])))
        for value in rule.values():
            found.extend(_rule_dates(value))
    elif isinstance(rule, list):
        for value in rule:
            found.extend(_rule_dates(value))
    return found


def _rule_ops(rule: Any) -> set[str]:
    ops: set[str] = set()
    if isinstance(rule, dict):
        if "op" in rule:
            ops.add(str(rule["op"]))
        for value in rule.values():
            ops |= _rule_ops(value)
    elif isinstance(rule, list):
        for value in rule:
            ops |= _rule_ops(value)
    return ops


def _candidates(
    requirement: Requirement, rng: random.Random, slug: str, anchor: dt.date
) -> list[Any]:
    """Plausible answers of the requirement's type, good and bad."""
    options = requirement.answer_options
    answer_type = requirement.answer_type
    if answer_type == "yes_no":
        return [True, False]
    if answer_type == "number":
        low = Decimal(str(options.get("min") or 0))
        high = Decimal(str(options["max"])) if options.get("max") is not None else None
        if options.get("unit") == "%":
            pool: list[int] = [100, 100, 98, 96, 95, 93, 91, 90, 88, 85, 82, 80, 76, 70, 64, 55, 40]
            values = [Decimal(v) for v in pool] + [Decimal("87.5"), Decimal("92.5")]
        else:
            values = [Decimal(v) for v in (0, 0, 1, 2, 3, 4, 5, 6, 8, 10, 12)]
        return [v for v in values if v >= low and (high is None or v <= high)]
    if answer_type == "date":
        past = [anchor - dt.timedelta(days=d) for d in (14, 40, 75, 120, 170, 230, 300, 350)]
        old = [anchor - dt.timedelta(days=d) for d in (420, 560, 760, 1000, 1300, 1700)]
        dates = past + old
        thresholds = _rule_dates(requirement.rule)
        for day in thresholds:
            dates += [day - dt.timedelta(days=90), day - dt.timedelta(days=400)]
        if "date_on_or_after" in _rule_ops(requirement.rule):
            dates += [anchor + dt.timedelta(days=d) for d in (180, 400, 700, 1000)]
        latest = anchor + dt.timedelta(days=1500)
        return [d for d in dates if d <= latest and d.year >= 1990]
    if answer_type == "single_choice":
        return [c["value"] for c in requirement.choices]
    if answer_type == "multiple_choice":
        choices: list[str] = [c["value"] for c in requirement.choices]
        subsets = [list(choices)]
        subsets += [[v for v in choices if v != left_out] for left_out in choices]
        subsets += [sorted(rng.sample(choices, k=max(1, len(choices) // 2)), key=choices.index)]
        subsets.append([])
        return subsets
    if answer_type == "url":
        return [f"https://www.{slug}.example.org/send/{slugify(requirement.key.lower())}"]
    return [rng.choice(TEXT_ANSWERS)]


def passes(
    requirement: Requirement, value: Any, on: dt.date, answers: dict[str, Any]
) -> bool | None:
    """Whether the value meets the rule; None when the rule does not apply (an unmet `if`)."""
    try:
        return evaluate(requirement.rule, value, on=on, answers=answers)
    except NotApplicable:
        return None
    except RuleError:
        return False


def generate_answers(
    requirements: Iterable[Requirement],
    *,
    rng: random.Random,
    strength: float,
    slug: str,
    anchor: dt.date,
) -> dict[str, dict[str, Any]]:
    """A complete set of answers: key → fields for Answer (value, not_applicable, evidence)."""
    generated: dict[str, dict[str, Any]] = {}
    values: dict[str, Any] = {}
    for requirement in requirements:
        want = rng.random() < strength
        candidates = _candidates(requirement, rng, slug, anchor)
        rng.shuffle(candidates)
        chosen = candidates[0]
        applies = True
        for candidate in candidates:
            outcome = passes(requirement, candidate, anchor, values)
            if outcome is None:
                applies = False
                break
            if outcome == want:
                chosen = candidate
                break
        row: dict[str, Any] = {"value": chosen, "not_applicable": False, "reason": ""}
        if requirement.allow_not_applicable and (not applies or rng.random() < 0.05):
            reason = (
                "This only applies to us in circumstances that do not apply this year."
                if not applies
                else rng.choice(NOT_APPLICABLE_REASONS)
            )
            row = {"value": None, "not_applicable": True, "reason": reason}
        else:
            values[requirement.key] = chosen
        row["evidence_url"] = ""
        row["evidence_note"] = ""
        roll = rng.random()
        if requirement.evidence_required or roll < 0.35:
            if requirement.evidence_required and roll < 0.3:
                row["evidence_note"] = rng.choice(EVIDENCE_NOTES)
            else:
                row["evidence_url"] = (
                    f"https://www.{slug}.example.org/send/evidence/{slugify(requirement.key.lower())}"
                )
        elif roll < 0.5:
            row["evidence_note"] = rng.choice(EVIDENCE_NOTES)
        generated[requirement.key] = row
    return generated


def improve_answers(
    requirements: Iterable[Requirement],
    answers: dict[str, dict[str, Any]],
    *,
    rng: random.Random,
    slug: str,
    anchor: dt.date,
    share: float = 0.6,
) -> dict[str, dict[str, Any]]:
    """A revision's answers: a copy in which about `share` of the answers that did not meet their
    requirement now do (the provider acted on its gaps)."""
    improved = {key: dict(row) for key, row in answers.items()}
    values = {k: r["value"] for k, r in improved.items() if not r["not_applicable"]}
    for requirement in requirements:
        row = improved.get(requirement.key)
        if row is None or row["not_applicable"]:
            continue
        if passes(requirement, row["value"], anchor, values) is not False:
            continue
        if rng.random() >= share:
            continue
        for candidate in _candidates(requirement, rng, slug, anchor):
            if passes(requirement, candidate, anchor, values):
                row["value"] = values[requirement.key] = candidate
                break
    return improved
