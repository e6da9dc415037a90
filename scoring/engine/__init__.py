"""The scoring engine: outcomes, XCCDF 1.2 default-model scores and explanations.

Pure Python with no database access, so that a single submission and a national re-score
judge answers in exactly the same way. `standards.rules.evaluate` is the reference evaluator;
`compile_rule` turns a rule into a closure that gives the same answer (or raises the same kind
of exception) for every value, with the assessment date's period bounds worked out once.
`tests/scoring/test_compiled_rules.py` proves the two agree on generated rules and answers.

See docs/scoring.md for the outcomes, how each maps to an XCCDF result, and worked examples.

The package, by capability: `outcomes` (outcomes, codes, strengths), `rules` (compiled rules),
`inputs` (specs and answers), `judging` (judging answers), `scores` (scores and contributions).
"""

from scoring.engine.inputs import Answer, AnswerTuple, RequirementSpec, SectionSpec, VersionSpec
from scoring.engine.judging import NOT_APPLICABLE_NOT_ALLOWED, CompiledSpec, Judged
from scoring.engine.outcomes import (
    ENGINE_VERSION,
    GAP_STRENGTHS,
    GOOD_PRACTICE,
    MUST,
    OUTCOME_BY_CODE,
    OUTCOME_CODES,
    OUTCOME_LABELS,
    SHOULD,
    STRENGTHS,
    XCCDF_RESULT,
    Outcome,
    counts_as_failure,
    decode,
    is_scored,
    keyed,
)
from scoring.engine.rules import Test, _https_url, compile_rule, compile_value_test
from scoring.engine.scores import (
    Contribution,
    Scores,
    ScoreTables,
    SectionScore,
    codes_of,
    contributions,
    score,
    score_tables,
)

__all__ = [
    "ENGINE_VERSION",
    "GAP_STRENGTHS",
    "GOOD_PRACTICE",
    "MUST",
    "NOT_APPLICABLE_NOT_ALLOWED",
    "OUTCOME_BY_CODE",
    "OUTCOME_CODES",
    "OUTCOME_LABELS",
    "SHOULD",
    "STRENGTHS",
    "XCCDF_RESULT",
    "Answer",
    "AnswerTuple",
    "CompiledSpec",
    "Contribution",
    "Judged",
    "Outcome",
    "RequirementSpec",
    "ScoreTables",
    "Scores",
    "SectionScore",
    "SectionSpec",
    "Test",
    "VersionSpec",
    "_https_url",
    "codes_of",
    "compile_rule",
    "compile_value_test",
    "contributions",
    "counts_as_failure",
    "decode",
    "is_scored",
    "keyed",
    "score",
    "score_tables",
]
