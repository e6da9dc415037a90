"""Signal receivers: what the apps below announce reaches the dashboards.

- `scoring.signals.results_changed`: inside the scoring transaction, after a batch has written
  results and gaps (the reason is the run's trigger).
- `scoring.signals.gaps_changed`: inside the transaction of anything else that changes gaps (a
  person planning or accepting one, acceptances expiring, gaps moving to a successor, gaps
  closed by a new version).
- a new draft declaration (`post_save` of `audits.Declaration`), once it is committed;
- a local inclusion plan saved or removed (`post_save`, `post_delete` of
  `inclusion.InclusionPlan`): its area's plan coverage, kept in the cache, is forgotten.

Each of the first three only records which providers changed (one INSERT, in the caller's
transaction, under a savepoint: a failure is logged and never undoes the scoring). The work is
left to a queued task (`dashboards.refresh`), at most one queued at a time per process: a few
seconds later for submissions and gaps, a minute later for re-scores, whose requests wait until
the re-score has finished so that each area is added up once rather than once per chunk.
`refresh_dashboards` rebuilds everything, and `refresh_dashboards --pending` does the task's
work at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from dashboards import coverage, services
from scoring.models import RESCORE_TRIGGERS

logger = logging.getLogger(__name__)


def reason_for(trigger: str) -> str:
    if trigger in RESCORE_TRIGGERS:
        return "rescore"
    if trigger in ("submission", "sweep"):
        return "submission"
    return trigger or "other"


def on_results_changed(
    sender: Any,
    *,
    provider_ids: Iterable[int],
    standard_id: int | None = None,
    trigger: str = "submission",
    **kwargs: Any,
) -> None:
    record_changes(provider_ids=provider_ids, standard_id=standard_id, reason=reason_for(trigger))


def on_gaps_changed(
    sender: Any, *, provider_ids: Iterable[int], standard_id: int | None = None, **kwargs: Any
) -> None:
    record_changes(provider_ids=provider_ids, standard_id=standard_id, reason="gaps")


def on_declaration_saved(
    sender: Any, *, instance: Any, created: bool = False, **kwargs: Any
) -> None:
    """A new draft changes its provider's status on the dashboards ("in progress") before any
    scoring happens."""
    if not created or kwargs.get("raw"):
        return
    provider_id = instance.provider_id
    transaction.on_commit(
        lambda: record_changes(provider_ids=[provider_id], standard_id=None, reason="declaration")
    )


def record_changes(*, provider_ids: Iterable[int], standard_id: int | None, reason: str) -> None:
    """Record which providers changed, in the caller's transaction under a savepoint, and queue
    the refresh once it commits. Never raises."""
    ids = sorted(set(provider_ids))
    if not ids:
        return
    try:
        with transaction.atomic():
            services.note_changes(provider_ids=ids, standard_id=standard_id, reason=reason)
    except Exception:
        logger.exception("Could not record dashboard changes for providers %s", ids[:20])
        return
    transaction.on_commit(lambda: services.queue_refresh(rescore=reason == "rescore"))


def on_plan_changed(sender: Any, *, instance: Any, **kwargs: Any) -> None:
    """A local inclusion plan saved (published, superseded) or removed: its area's coverage is
    worked out again from the next view (common.shared_cache.forget: now and at commit)."""
    coverage.forget_coverage(area_id=instance.area_id)
