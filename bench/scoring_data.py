"""Generated answers with a realistic spread, for the scoring benchmark and demonstrations.

For each requirement a pool of candidate answers of its type is judged with the reference
evaluator (`standards.rules.evaluate`) into answers that meet its rule and answers that do
not. A provider has a "quality" (the chance that an answer meets its rule); it leaves a few
questions unanswered and says "not applicable" where that is allowed, now and then.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from standards.rules import NotApplicable, RuleError, evaluate

UNANSWERED = 0.02
NOT_APPLICABLE = 0.03


@dataclass
class Pools:
    key: str
    answer_type: str
    allow_not_applicable: bool
    good: list[Any] = field(default_factory=list)
    bad: list[Any] = field(default_factory=list)


def _candidates(
    answer_type: str, options: dict[str, Any], on: dt.date, rng: random.Random
) -> list[Any]:
    if answer_type == "yes_no":
        return [True, False]
    if answer_type == "number":
        low = Decimal(str(options["min"] if options.get("min") is not None else 0))
        high = Decimal(str(options["max"] if options.get("max") is not None else max(low, 0) + 100))
        values = {low, high}
        for _ in range(40):
            number = Decimal(rng.randint(int(low * 4), int(high * 4))) / 4
            values.add(number.quantize(Decimal("1")) if options.get("integer") else number)
        return sorted(values)
    if answer_type == "date":
        return [
            on - dt.timedelta(days=d)
            for d in (-40, 0, 10, 45, 100, 200, 300, 360, 400, 500, 800, 1200, 2000)
        ]
    if answer_type == "single_choice":
        return [c["value"] for c in options.get("choices", [])]
    if answer_type == "multiple_choice":
        values = [c["value"] for c in options.get("choices", [])]
        sets = [[], values, values[:1], values[1:]]
        for _ in range(12):
            sets.append(sorted(rng.sample(values, rng.randint(1, len(values)))))
        return sets
    if answer_type == "url":
        return [
            "https://www.school.example.org/send",
            "https://send.example.org/local-offer",
            "http://www.school.example.org/send",
            "www.school.example.org",
            "https://localhost/send",
        ]
    return ["Jo Smith, SENCO", "A", "  ", "Our SEN information report, reviewed each term"]


def pools_for(requirement: Any, on: dt.date, rng: random.Random) -> Pools:
    """Answers that meet, and do not meet, a requirement's rule (its `then`, for an `if`)."""
    rule = requirement.rule
    while rule["op"] == "if":
        rule = rule["then"]
    options = {"type": requirement.answer_type, **requirement.answer_options}
    pools = Pools(requirement.key, requirement.answer_type, requirement.allow_not_applicable)
    for value in _candidates(requirement.answer_type, options, on, rng):
        try:
            passed = evaluate(rule, value, on=on, answers={})
        except (RuleError, NotApplicable):
            continue
        (pools.good if passed else pools.bad).append(value)
    if not pools.bad:
        pools.bad = list(pools.good)
    if not pools.good:
        pools.good = list(pools.bad)
    return pools


def answers_for(
    pools: list[Pools], quality: float, rng: random.Random
) -> list[tuple[Pools, Any, bool]]:
    """(pools, value, not applicable) for each requirement a provider answers."""
    chosen = []
    for pool in pools:
        roll = rng.random()
        if roll < UNANSWERED:
            continue
        if pool.allow_not_applicable and roll < UNANSWERED + NOT_APPLICABLE:
            chosen.append((pool, None, True))
            continue
        source = pool.good if rng.random() < quality else pool.bad
        chosen.append((pool, rng.choice(source), False))
    return chosen


def quality(rng: random.Random) -> float:
    """Most providers meet most requirements; a few struggle."""
    return min(0.995, max(0.4, rng.betavariate(9, 1.3)))
