"""Scores in the XCCDF 1.2 default model, and what each requirement contributed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from scoring.engine.inputs import RequirementSpec, VersionSpec
from scoring.engine.outcomes import (
    GAP_STRENGTHS,
    MUST,
    OUTCOME_BY_CODE,
    OUTCOME_CODES,
    STRENGTHS,
    Outcome,
    is_scored,
)

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
