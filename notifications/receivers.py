"""Signal receivers: other apps announce events; notifications queue the finding of who
should hear of them, once the change is committed.

If the broker is down the event is not lost: the sweep finds the events of the last day again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

RECENT_REVIEW = dt.timedelta(days=1)


def _queue(task: Callable[[], Any], what: str) -> None:
    def run() -> None:
        try:
            task()
        except Exception:
            logger.exception("Could not queue the notifications for %s", what)

    transaction.on_commit(run)


def on_round_saved(sender: Any, *, instance: Any, created: bool = False, **kwargs: Any) -> None:
    if not created or kwargs.get("raw"):
        return
    from notifications.tasks import round_opened_task

    round_id = instance.pk
    _queue(lambda: round_opened_task.delay(round_id=round_id), f"round {round_id}")


def on_declaration_saved(sender: Any, *, instance: Any, **kwargs: Any) -> None:
    """A review saves the declaration with its outcome and time: announce a recent one."""
    if kwargs.get("raw"):
        return
    since = timezone.now() - RECENT_REVIEW
    times = (instance.reviewed_at, instance.health_reviewed_at)
    if not any(at is not None and at >= since for at in times):
        return
    from notifications.tasks import declaration_reviewed_task

    declaration_id = instance.pk
    _queue(
        lambda: declaration_reviewed_task.delay(declaration_id=declaration_id),
        f"declaration {declaration_id}",
    )


def on_version_published(sender: Any, *, version_id: int, **kwargs: Any) -> None:
    """Sent on commit after publication."""
    from notifications.tasks import version_published_task

    try:
        version_published_task.delay(version_id=version_id)
    except Exception:
        logger.exception("Could not queue the notifications for version %s", version_id)
