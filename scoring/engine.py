"""The scoring engine: outcomes, XCCDF 1.2 default-model scores and explanations.

Pure Python with no database access, so that a single submission and a national re-score
judge answers in exactly the same way. `standards.rules.evaluate` is the reference evaluator;
`compile_rule` turns a rule into a closure that gives the same answer (or raises the same kind
of exception) for every value, with the assessment date's period bounds worked out once.
`tests/scoring/test_compiled_rules.py` proves the two agree on generated rules and answers.

See docs/scoring.md for the outcomes, how each maps to an XCCDF result, and worked examples.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from standards.rules import (
    NotApplicable,
    RuleError,
    _as_date,
    _as_number,
    subtract_period,
)

# Bump when a change to this module could change any outcome or score. Every run records it.
ENGINE_VERSION = "1.0"


class Outcome(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    NOT_YET_DUE = "not_yet_due"
    NOT_ANSWERED = "not_answered"
    ERROR = "error"

    @property
    def code(self) -> str:
        return OUTCOME_CODES[self]

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


# One letter per outcome: a run stores its outcomes as a string, one letter per requirement.
OUTCOME_CODES = {
    Outcome.PASS: "p",
    Outcome.FAIL: "f",
    Outcome.NOT_APPLICABLE: "n",
    Outcome.NOT_YET_DUE: "d",
    Outcome.NOT_ANSWERED: "u",
    Outcome.ERROR: "e",
}
OUTCOME_BY_CODE = {code: outcome for outcome, code in OUTCOME_CODES.items()}
OUTCOME_LABELS = {
    Outcome.PASS: "Met",
    Outcome.FAIL: "Not met",
    Outcome.NOT_APPLICABLE: "Not applicable",
    Outcome.NOT_YET_DUE: "Not yet due",
    Outcome.NOT_ANSWERED: "Not answered",
    Outcome.ERROR: "Could not be checked",
}
# The XCCDF 1.2 result each outcome is reported as (docs/scoring.md).
XCCDF_RESULT = {
    Outcome.PASS: "pass",
    Outcome.FAIL: "fail",
    Outcome.NOT_APPLICABLE: "notapplicable",
    Outcome.NOT_YET_DUE: "notselected",
    Outcome.NOT_ANSWERED: "fail",  # "notchecked" for good practice requirements
    Outcome.ERROR: "error",
}

MUST, SHOULD, GOOD_PRACTICE = "must", "should", "good_practice"
STRENGTHS = (MUST, SHOULD, GOOD_PRACTICE)
# Failures of these raise gaps.
GAP_STRENGTHS = frozenset({MUST, SHOULD})


def counts_as_failure(outcome: Outcome, strength: str) -> bool:
    """Fail and error always; not answered for must and should requirements."""
    if outcome in (Outcome.FAIL, Outcome.ERROR):
        return True
    return outcome is Outcome.NOT_ANSWERED and strength in GAP_STRENGTHS


def is_scored(outcome: Outcome, strength: str) -> bool:
    """Whether the outcome is in the XCCDF numerator and denominator."""
    return outcome is Outcome.PASS or counts_as_failure(outcome, strength)


# ---- compiled rules ---------------------------------------------------------------------

Test = Callable[[Any, Mapping[str, Any]], bool]
"""A compiled rule: (value, other answers by key) -> passes; may raise like `evaluate`."""


def compile_rule(rule: Mapping[str, Any], *, on: dt.date) -> Test:
    """A closure equivalent to `standards.rules.evaluate(rule, value, on=on, answers=answers)`."""
    op = rule["op"]
    if op == "if":
        other_key = rule["requirement"]
        condition = compile_rule(rule["condition"], on=on)
        then = compile_rule(rule["then"], on=on)

        def test_if(value: Any, answers: Mapping[str, Any]) -> bool:
            other = answers.get(other_key)
            if other is None or not condition(other, answers):
                raise NotApplicable(other_key)
            return then(value, answers)

        return test_if
    inner = compile_value_test(rule, on=on)

    def test(value: Any, answers: Mapping[str, Any]) -> bool:
        if value is None:
            return False
        return inner(value, answers)

    return test


def _number(value: Any) -> Decimal:
    # Answers' numbers are Decimals already; anything else goes the reference's way.
    return value if type(value) is Decimal else _as_number(value)


def _date(value: Any) -> dt.date:
    return value if type(value) is dt.date else _as_date(value)


def compile_value_test(rule: Mapping[str, Any], *, on: dt.date) -> Test:
    """A non-`if` rule for a value that is not None (the caller judges a missing answer)."""
    op = rule["op"]
    match op:
        case "answered":
            return lambda value, answers: value not in ("", [], None)
        case "is_yes" | "is_no":
            wanted = op == "is_yes"

            def yes_no(value: Any, answers: Mapping[str, Any]) -> bool:
                if not isinstance(value, bool):
                    raise RuleError(f"expected yes or no, got {value!r}")
                return value is wanted

            return yes_no
        case "number_at_least":
            least = _as_number(rule["value"])
            return lambda value, answers: _number(value) >= least
        case "number_at_most":
            most = _as_number(rule["value"])
            return lambda value, answers: _number(value) <= most
        case "number_between":
            low, high = _as_number(rule["min"]), _as_number(rule["max"])
            return lambda value, answers: low <= _number(value) <= high
        case "date_within":
            since = subtract_period(on, rule["period"])
            return lambda value, answers: since <= _date(value) <= on
        case "date_older_than":
            before = subtract_period(on, rule["period"])
            return lambda value, answers: _date(value) < before
        case "date_on_or_before":
            last = _as_date(rule["date"])
            return lambda value, answers: _date(value) <= last
        case "date_on_or_after":
            first = _as_date(rule["date"])
            return lambda value, answers: _date(value) >= first
        case "choice_in":
            allowed = list(rule["values"])

            def choice_in(value: Any, answers: Mapping[str, Any]) -> bool:
                if not isinstance(value, str):
                    raise RuleError(f"expected one choice, got {value!r}")
                return value in allowed

            return choice_in
        case "includes_all" | "includes_any":
            wanted_set = set(rule["values"])
            every = op == "includes_all"

            def includes(value: Any, answers: Mapping[str, Any]) -> bool:
                if not isinstance(value, list | tuple | set | frozenset):
                    raise RuleError(f"expected a list of choices, got {value!r}")
                chosen = set(value)
                return wanted_set <= chosen if every else bool(wanted_set & chosen)

            return includes
        case "https_url":
            return lambda value, answers: _https_url(value)
        case "text_present":
            min_length = rule.get("min_length", 1)

            def text_present(value: Any, answers: Mapping[str, Any]) -> bool:
                if not isinstance(value, str):
                    raise RuleError(f"expected text, got {value!r}")
                return len(value.strip()) >= min_length

            return text_present
        case "all_of":
            parts = [compile_rule(r, on=on) for r in rule["rules"]]
            return lambda value, answers: all(part(value, answers) for part in parts)
        case "any_of":
            parts = [compile_rule(r, on=on) for r in rule["rules"]]
            return lambda value, answers: any(part(value, answers) for part in parts)
    message = f"unknown operator {op!r}"

    def unknown(value: Any, answers: Mapping[str, Any]) -> bool:
        raise RuleError(message)

    return unknown


def _condition_keys(rules: Iterable[Mapping[str, Any]]) -> set[str]:
    found: set[str] = set()
    for rule in rules:
        if rule["op"] == "if":
            found.add(rule["requirement"])
            found |= _condition_keys([rule["condition"], rule["then"]])
        elif rule["op"] in ("all_of", "any_of"):
            found |= _condition_keys(rule["rules"])
    return found


_WHITESPACE = re.compile(r"\s")  # \s in a str pattern is exactly str.isspace()


_PRINTABLE_ASCII = re.compile(r"[!-~]*\Z")  # no spaces, no control characters


def _https_url(value: Any) -> bool:
    """`standards.rules.is_https_url`, the same for every string (see the property tests).

    Addresses that start "https://" and are plain printable ASCII take a short cut through
    the host part, splitting it as `urllib.parse.urlsplit` does; anything else goes the
    reference's way, with its whitespace scan done by the regex engine.
    """
    if not isinstance(value, str):
        return False
    if value.startswith("https://") and _PRINTABLE_ASCII.match(value):
        rest = value[8:]
        end = len(rest)
        for delimiter in "/?#":
            found = rest.find(delimiter)
            if found != -1 and found < end:
                end = found
        netloc = rest[:end]
        if "[" not in netloc and "]" not in netloc:
            host = netloc.rpartition("@")[2].partition(":")[0]
            return "." in host and not host.startswith(".")
    if _WHITESPACE.search(value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    host = parts.hostname or ""
    return parts.scheme == "https" and "." in host and not host.startswith(".")


# ---- what is scored ---------------------------------------------------------------------


@dataclass(frozen=True)
class SectionSpec:
    code: str
    title: str
    weight: float


@dataclass(frozen=True)
class RequirementSpec:
    key: str
    section: str  # section code
    strength: str
    weight: float
    answer_type: str
    rule: Mapping[str, Any]
    theme: str = ""
    title: str = ""
    allow_not_applicable: bool = False
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None


@dataclass(frozen=True)
class VersionSpec:
    """The requirements of a standard version that apply to one provider type, in order."""

    version_id: int
    content_hash: str
    effective_from: dt.date
    grace_period_days: int
    sections: tuple[SectionSpec, ...]
    requirements: tuple[RequirementSpec, ...]
    # Answer type of every requirement in the version, for the conditions of `if` rules.
    answer_types: Mapping[str, str] = field(default_factory=dict)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(r.key for r in self.requirements)

    @property
    def grace_ends(self) -> dt.date:
        """The first day on which failures count (the version's grace period has passed)."""
        return self.effective_from + dt.timedelta(days=self.grace_period_days)


class Answer(NamedTuple):
    """What the engine needs of an answer: its type, its typed value and "not applicable"."""

    answer_type: str
    value: Any
    not_applicable: bool = False


# The engine reads answers by position, so a plain (type, value, not applicable) tuple will do.
AnswerTuple = tuple[str, Any, bool]


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
                    requirement.key,
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


# ---- scores (XCCDF 1.2 default model) ---------------------------------------------------


@dataclass(frozen=True)
class SectionScore:
    code: str
    score: float  # 0..100
    count: int  # requirements scored
    weight_sum: float  # the sum of the scored requirements' weights

    def as_list(self) -> list[float | int]:
        return [round(self.score, 6), self.count, self.weight_sum]


@dataclass(frozen=True)
class Scores:
    score: float  # 0..100, the benchmark score of XCCDF's default model
    scored_count: int
    sections: dict[str, SectionScore]
    tally: dict[tuple[str, str], int]  # (outcome letter, strength) -> n, only those that occur
    all_musts_met: bool
    pass_count: int
    fail_count: int
    # The sum of the weights of the sections that count, the default model's denominator.
    section_weight_sum: float

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        """Outcome -> strength -> number of requirements, every pair present."""
        full = {o.value: dict.fromkeys(STRENGTHS, 0) for o in Outcome}
        for (code, strength), n in self.tally.items():
            full[OUTCOME_BY_CODE[code].value][strength] = n
        return full

    def counts_json(self) -> dict[str, dict[str, int]]:
        """The counts without zeros, as a run stores them."""
        stored: dict[str, dict[str, int]] = {}
        for (code, strength), n in self.tally.items():
            stored.setdefault(OUTCOME_BY_CODE[code].value, {})[strength] = n
        return stored

    def sections_json(self) -> dict[str, list[float | int]]:
        return {code: s.as_list() for code, s in self.sections.items()}


@dataclass(frozen=True)
class ScoreTables:
    """Per-requirement facts in spec order, for scoring many declarations quickly."""

    strengths: tuple[str, ...]
    weights: tuple[float, ...]
    sections: tuple[int, ...]  # index into spec.sections
    fails_unanswered: tuple[bool, ...]  # must and should: not answered counts as a failure
    # (index, requirement) of the must and should requirements, whose failures are gaps.
    gap_requirements: tuple[tuple[int, RequirementSpec], ...] = ()


def score_tables(spec: VersionSpec) -> ScoreTables:
    cached = spec.__dict__.get("_score_tables")
    if cached is None:
        index = {s.code: n for n, s in enumerate(spec.sections)}
        cached = ScoreTables(
            strengths=tuple(r.strength for r in spec.requirements),
            weights=tuple(float(r.weight) for r in spec.requirements),
            sections=tuple(index[r.section] for r in spec.requirements),
            fails_unanswered=tuple(r.strength in GAP_STRENGTHS for r in spec.requirements),
            gap_requirements=tuple(
                (n, r) for n, r in enumerate(spec.requirements) if r.strength in GAP_STRENGTHS
            ),
        )
        object.__setattr__(spec, "_score_tables", cached)  # specs are immutable; cache on them
    return cached


def codes_of(outcomes: Sequence[Outcome] | str) -> str:
    return outcomes if isinstance(outcomes, str) else "".join(OUTCOME_CODES[o] for o in outcomes)


def score(spec: VersionSpec, outcomes: Sequence[Outcome] | str) -> Scores:
    """Section and overall scores by XCCDF 1.2's default model (urn:xccdf:scoring:default).

    Each requirement (an XCCDF rule) that is scored counts 1 and scores 100 if it passes, else 0,
    times its weight. A section (an XCCDF group) scores the sum of its requirements' weighted
    scores divided by the sum of their weights; the overall score (the benchmark) does the same
    with the sections that scored anything, using the sections' weights.
    """
    codes = codes_of(outcomes)
    tables = score_tables(spec)
    size = len(spec.sections)
    weighted = [0.0] * size
    counted = [0] * size
    weight_sums = [0.0] * size
    all_musts_met = True
    pass_count = fail_count = 0
    for code, strength, weight, section, fails_unanswered in zip(
        codes,
        tables.strengths,
        tables.weights,
        tables.sections,
        tables.fails_unanswered,
        strict=True,
    ):
        if code == "p":
            pass_count += 1
            weighted[section] += 100.0 * weight
        elif code == "f" or code == "e" or (code == "u" and fails_unanswered):
            fail_count += 1
            if strength == MUST:
                all_musts_met = False
        else:
            continue
        counted[section] += 1
        weight_sums[section] += weight
    tally = dict(Counter(zip(codes, tables.strengths, strict=True)))
    sections: dict[str, SectionScore] = {}
    total = accumulator = 0.0
    groups = 0
    for n, group in enumerate(spec.sections):
        count, weight_sum = counted[n], weight_sums[n]
        section_score = weighted[n] / weight_sum if count and weight_sum else weighted[n]
        sections[group.code] = SectionScore(group.code, section_score, count, weight_sum)
        if not count:
            continue  # XCCDF skips groups with nothing counted
        total += section_score * group.weight
        accumulator += group.weight
        groups += 1
    overall = total / accumulator if groups and accumulator else total
    return Scores(
        score=overall,
        scored_count=pass_count + fail_count,
        sections=sections,
        tally=tally,
        all_musts_met=all_musts_met,
        pass_count=pass_count,
        fail_count=fail_count,
        section_weight_sum=accumulator,
    )


@dataclass(frozen=True)
class Contribution:
    """A requirement's part in the score: points of 100 available to it, and points it earned."""

    scored: bool
    section_points: float  # of the section's 100
    overall_points: float  # of the overall 100
    earned_section_points: float
    earned_overall_points: float


def contributions(
    spec: VersionSpec, outcomes: Sequence[Outcome], scores: Scores
) -> list[Contribution]:
    """Each requirement's contribution: 100 × weight ÷ section weight sum, then × section weight ÷ section weights."""
    section_weights = {s.code: s.weight for s in spec.sections}
    result = []
    for requirement, outcome in zip(spec.requirements, outcomes, strict=True):
        section = scores.sections[requirement.section]
        if not is_scored(outcome, requirement.strength) or not section.weight_sum:
            result.append(Contribution(False, 0.0, 0.0, 0.0, 0.0))
            continue
        in_section = 100.0 * requirement.weight / section.weight_sum
        share = (
            section_weights[requirement.section] / scores.section_weight_sum
            if scores.section_weight_sum
            else 0.0
        )
        earned = outcome is Outcome.PASS
        result.append(
            Contribution(
                True,
                in_section,
                in_section * share,
                in_section if earned else 0.0,
                in_section * share if earned else 0.0,
            )
        )
    return result


def decode(codes: str) -> list[Outcome]:
    return [OUTCOME_BY_CODE[c] for c in codes]


def keyed(keys: Iterable[str], outcomes: Iterable[Outcome]) -> dict[str, Outcome]:
    return dict(zip(keys, outcomes, strict=True))
