"""Writes for impact previews, by capability:

- `previews`: starting a preview, its chunks, finishing it;
- `gaps`: what publishing would do to a provider's gaps (no writes);
- `report`: the report of a finished preview;
- `drafts`: a draft's last change.
"""

from impact.drafts import draft_hash
from impact.services.drafts import note_draft_changed
from impact.services.gaps import GapChanges, carried_over, gap_changes
from impact.services.previews import (
    PREVIEW_CHUNK_TASK,
    PreviewError,
    provider_rows,
    requeue_stale_chunks,
    run_chunk,
    run_preview_inline,
    start_preview,
)

__all__ = [
    "PREVIEW_CHUNK_TASK",
    "GapChanges",
    "PreviewError",
    "carried_over",
    "draft_hash",
    "gap_changes",
    "note_draft_changed",
    "provider_rows",
    "requeue_stale_chunks",
    "run_chunk",
    "run_preview_inline",
    "start_preview",
]
