"""Outcomes of a requirement, their one-letter codes and XCCDF results; strengths."""

from __future__ import annotations

import enum
from collections.abc import Iterable

# Bump when a change to the engine could change any outcome or score. Every run records it.
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


def decode(codes: str) -> list[Outcome]:
    return [OUTCOME_BY_CODE[c] for c in codes]


def keyed(keys: Iterable[str], outcomes: Iterable[Outcome]) -> dict[str, Outcome]:
    return dict(zip(keys, outcomes, strict=True))
