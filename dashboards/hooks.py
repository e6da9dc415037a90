"""What the scoring jobs call so that the dashboards stay up to date. One line at each place
(`scoring.services._dashboards`):

- `after_results(provider_ids=…, standard_id=…, reason=…)`: inside the scoring transaction,
  after a batch has written results and gaps (`_score_batch`; the reason is its trigger).
- `after_gaps(provider_ids=…, standard_id=…)`: inside the transaction of anything else that
  changes gaps (a person planning or accepting one, acceptances expiring, gaps moving to a
  successor, gaps closed by a new version).
- `after_declaration(provider_id=…)`: a new draft (connected in `dashboards.apps`).

Each only records which providers changed (one INSERT, in the caller's transaction, under a
savepoint: a failure is logged and never undoes the scoring). The work is left to a queued
task (`dashboards.refresh`), at most one queued at a time per process: a few seconds later for
submissions and gaps, a minute later for re-scores, whose requests wait until the re-score has
finished so that each area is added up once rather than once per chunk. `refresh_dashboards`
rebuilds everything, and `refresh_dashboards --pending` does the task's work at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction

logger = logging.getLogger(__name__)

# Triggers of scoring runs that re-score many providers at once.
RESCORE_TRIGGERS = frozenset({"command", "nightly", "publish", "manual", "rescore"})


def reason_for(trigger: str) -> str:
    if trigger in RESCORE_TRIGGERS:
        return "rescore"
    if trigger in ("submission", "sweep"):
        return "submission"
    return trigger or "other"


def after_results(
    *, provider_ids: Iterable[int], standard_id: int | None = None, reason: str = "submission"
) -> None:
    _refresh(provider_ids=provider_ids, standard_id=standard_id, reason=reason_for(reason))


def after_gaps(*, provider_ids: Iterable[int], standard_id: int | None = None) -> None:
    _refresh(provider_ids=provider_ids, standard_id=standard_id, reason="gaps")


def after_declaration(*, provider_id: int) -> None:
    _refresh(provider_ids=[provider_id], standard_id=None, reason="declaration")


def _refresh(*, provider_ids: Iterable[int], standard_id: int | None, reason: str) -> None:
    from dashboards import services

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
