"""Writes for scoring, by capability:

- `runs`: the scoring path (judge a batch, write the runs that changed, make them current) and
  scoring one submitted declaration;
- `batch`: what a batch is scored from (answers, current results, latest declarations);
- `gaps`: gaps from runs, moving gaps to a successor, carrying gaps over to a new version;
- `gap_edits`: people planning, accepting and noting gaps;
- `rescore`: national re-scores in chunks;
- `sweep`: the periodic safety net;
- `common`: the assessment date, queue names, announcing changes (`scoring.signals`).
"""

from scoring.services.batch import BatchResult, load_answers
from scoring.services.common import RESCORE_QUEUE, SCORING_QUEUE, RescoreError, assessment_date
from scoring.services.gap_edits import (
    NOTE_MAX_LENGTH,
    GapChanged,
    add_gap_note,
    update_gap,
    validate_gap_change,
)
from scoring.services.gaps import carry_over_gaps, move_gaps
from scoring.services.rescore import (
    nightly_rescore,
    on_version_published,
    requeue_stale_chunks,
    run_chunk,
    run_job_inline,
    start_rescore,
)
from scoring.services.runs import queue_scoring, score_declaration
from scoring.services.sweep import (
    expire_acceptances,
    move_gaps_of_closed_providers,
    sweep,
    unscored_declarations,
)

__all__ = [
    "NOTE_MAX_LENGTH",
    "RESCORE_QUEUE",
    "SCORING_QUEUE",
    "BatchResult",
    "GapChanged",
    "RescoreError",
    "add_gap_note",
    "assessment_date",
    "carry_over_gaps",
    "expire_acceptances",
    "load_answers",
    "move_gaps",
    "move_gaps_of_closed_providers",
    "nightly_rescore",
    "on_version_published",
    "queue_scoring",
    "requeue_stale_chunks",
    "run_chunk",
    "run_job_inline",
    "score_declaration",
    "start_rescore",
    "sweep",
    "unscored_declarations",
    "update_gap",
    "validate_gap_change",
]
