"""What is scored (a version's requirements for a provider type) and judging answers against it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scoring.engine.inputs import AnswerTuple, VersionSpec
from scoring.engine.outcomes import OUTCOME_BY_CODE, Outcome
from scoring.engine.rules import Test, _condition_keys, compile_rule, compile_value_test
from scoring.engine.scores import score_tables
from standards.rules import NotApplicable, RuleError


@dataclass
class Judged:
    codes: str  # one letter per requirement (OUTCOME_CODES)
    errors: dict[str, str]

    @property
    def outcomes(self) -> list[Outcome]:
        return [OUTCOME_BY_CODE[c] for c in self.codes]


NOT_APPLICABLE_NOT_ALLOWED = (
    "the answer says “not applicable”, which this requirement does not allow"
)


class CompiledSpec:
    """A VersionSpec with its rules compiled for one assessment date. Reuse it for many answers."""

    def __init__(self, spec: VersionSpec, *, on: dt.date):
        self.spec = spec
        self.on = on
        self.version_not_in_force = on < spec.effective_from
        self.in_grace = on < spec.grace_ends
        # (key, answer type, allows "not applicable", the rule for any value (None included),
        # the rule for a given value (None for `if` rules), fixed outcome letter)
        self.items: list[tuple[str, str, bool, Test, Test | None, str]] = []
        for requirement in spec.requirements:
            fixed = ""
            if requirement.effective_to is not None and on > requirement.effective_to:
                fixed = "n"
            elif self.version_not_in_force or (
                requirement.effective_from is not None and on < requirement.effective_from
            ):
                fixed = "d"
            self.items.append(
                (
                    requirement.answer_key or requirement.key,
                    requirement.answer_type,
                    requirement.allow_not_applicable,
                    compile_rule(requirement.rule, on=on),
                    None
                    if requirement.rule["op"] == "if"
                    else compile_value_test(requirement.rule, on=on),
                    fixed,
                )
            )
        self.tables = score_tables(spec)
        # The keys `if` rules look at: the only other answers a rule ever reads.
        self.condition_keys = frozenset(_condition_keys(r.rule for r in spec.requirements))

    def judge(self, answers: Mapping[str, AnswerTuple]) -> Judged:
        """The outcome of every requirement, in the spec's order, for one declaration's answers.

        Pass p, fail f, not applicable n, not yet due d, not answered u, error e.
        """
        answer_types = self.spec.answer_types
        # Values of other answers, for `if` conditions: only answers of the type the version asks.
        values: dict[str, Any] = {}
        for key in self.condition_keys:
            answer = answers.get(key)
            if (
                answer is not None
                and answer[1] is not None
                and not answer[2]
                and answer_types.get(key) == answer[0]
            ):
                values[key] = answer[1]
        codes: list[str] = []
        errors: dict[str, str] = {}
        for key, answer_type, allow_not_applicable, test, value_test, fixed in self.items:
            if fixed:
                codes.append(fixed)
                continue
            answer = answers.get(key)
            value = None
            # An answer given to a question of another type (a new version changed it) is no answer.
            if answer is not None and answer[0] == answer_type:
                if answer[2]:
                    if allow_not_applicable:
                        codes.append("n")
                    else:
                        errors[key] = NOT_APPLICABLE_NOT_ALLOWED
                        codes.append("e")
                    continue
                value = answer[1]
            if value_test is not None and value is None:
                codes.append("u")  # what the rule gives for no answer: not met, not answered
                continue
            try:
                passed = (test if value_test is None else value_test)(value, values)
            except NotApplicable:
                codes.append("n")
                continue
            except RuleError as exc:
                errors[key] = str(exc)
                codes.append("e")
                continue
            except Exception as exc:  # never skip silently: anything unexpected is an error
                errors[key] = f"{type(exc).__name__}: {exc}"
                codes.append("e")
                continue
            codes.append("u" if value is None else "p" if passed else "f")
        text = "".join(codes)
        if self.in_grace:
            # In the version's grace period, failures are reported as not yet due.
            text = text.replace("f", "d").replace("u", "d")
        return Judged(codes=text, errors=errors)
