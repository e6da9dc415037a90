"""Scoring's shared basics: the assessment date, queues, and announcing changes."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.dispatch import Signal
from django.utils import timezone

from scoring import signals

logger = logging.getLogger(__name__)


def _announce(signal: Signal, **kwargs: Any) -> None:
    for receiver, outcome in signal.send_robust(sender=None, **kwargs):
        if isinstance(outcome, Exception):
            logger.error("%s failed on %s", receiver, kwargs, exc_info=outcome)


def announce_results(*, provider_ids: Iterable[int], standard_id: int | None, trigger: str) -> None:
    """Tell listeners (the dashboards) which providers' results changed, in this transaction."""
    _announce(
        signals.results_changed,
        provider_ids=sorted(set(provider_ids)),
        standard_id=standard_id,
        trigger=trigger,
    )


def announce_gaps(*, provider_ids: Iterable[int], standard_id: int | None = None) -> None:
    """Tell listeners (the dashboards) which providers' gaps changed, in this transaction."""
    _announce(signals.gaps_changed, provider_ids=sorted(set(provider_ids)), standard_id=standard_id)


LONDON = ZoneInfo("Europe/London")
SCORING_QUEUE = "scoring"
RESCORE_QUEUE = "rescore"
# The names the tasks are registered under (services queue them by name).
SCORE_TASK = "scoring.score_declaration"
RESCORE_CHUNK_TASK = "scoring.rescore_chunk"


class RescoreError(Exception):
    """A re-score cannot start (no such standard, version or area)."""


def assessment_date() -> dt.date:
    """Today in England: the assessment date of runs started now."""
    return timezone.localdate(timezone.now(), timezone=LONDON)


def chunk_size() -> int:
    return int(getattr(settings, "SCORING_CHUNK_SIZE", 1000))


def aware(value: Any) -> dt.datetime:
    """Raw queries give SQLite's datetimes as naive UTC (or text); PostgreSQL's are aware."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    return value
