"""Reads for scoring: results with their explanations, gaps and re-score progress.

Every read about providers takes the user and sees only what `providers.visibility` allows;
anything else raises DoesNotExist (pages answer 404). Integrated care board officers who see a
provider only through their ICB see only its health requirements' results and gaps.

By capability: `results`, `gaps`, `rescores`, and `summary` (a result in brief for other apps'
pages).
"""

from scoring.selectors.gaps import (
    AreaGaps,
    GapDetail,
    ProviderGaps,
    gap_for,
    gaps_for,
    gaps_for_area,
)
from scoring.selectors.rescores import (
    JobProgress,
    can_see_rescores,
    chunk_counts,
    failed_chunks,
    job_progress,
    rescore_job,
    rescore_jobs,
)
from scoring.selectors.results import (
    RequirementRow,
    Result,
    SectionRow,
    latest_submitted_declaration,
    provider_for,
    result_for,
    result_status,
)
from scoring.selectors.summary import provider_score_summary

__all__ = [
    "AreaGaps",
    "GapDetail",
    "JobProgress",
    "ProviderGaps",
    "RequirementRow",
    "Result",
    "SectionRow",
    "can_see_rescores",
    "chunk_counts",
    "failed_chunks",
    "gap_for",
    "gaps_for",
    "gaps_for_area",
    "job_progress",
    "latest_submitted_declaration",
    "provider_for",
    "provider_score_summary",
    "rescore_job",
    "rescore_jobs",
    "result_for",
    "result_status",
]
