"""Writes for declarations, by capability: starting and revising (`declarations`), answering
(`answers`), submitting (`submission`), reviewing (`reviews`) and rounds (`rounds`); how they
refuse is in `errors`. The names below are the ones other apps and the doors use."""

from audits.periods import today
from audits.selectors import DEFAULT_STANDARD, check_complete
from audits.services.answers import change_answers, save_answer, save_answers
from audits.services.declarations import (
    StartResult,
    applicable_requirements,
    declarable_periods,
    start_declaration,
    start_revision,
)
from audits.services.errors import (
    Conflict,
    IncompleteDeclaration,
    ReviewRefused,
    StaleAnswer,
    StaleDeclaration,
)
from audits.services.reviews import (
    MAX_CHALLENGE,
    require_reviewer,
    review_declaration,
    reviewable_keys,
)
from audits.services.rounds import open_round
from audits.services.submission import submit_declaration

__all__ = [
    "DEFAULT_STANDARD",
    "MAX_CHALLENGE",
    "Conflict",
    "IncompleteDeclaration",
    "ReviewRefused",
    "StaleAnswer",
    "StaleDeclaration",
    "StartResult",
    "applicable_requirements",
    "change_answers",
    "check_complete",
    "declarable_periods",
    "open_round",
    "require_reviewer",
    "review_declaration",
    "reviewable_keys",
    "save_answer",
    "save_answers",
    "start_declaration",
    "start_revision",
    "submit_declaration",
    "today",
]
