"""Signal receivers: other apps announce events; scoring queues its work."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


def on_declaration_submitted(sender: Any, *, declaration_id: int, **kwargs: Any) -> None:
    """Sent on commit after a submission: queue its scoring on the `scoring` queue.

    If the broker is down the submission stays saved, and the periodic sweep queues it.
    """
    from scoring.services import queue_scoring

    queue_scoring(declaration_id=declaration_id)


def on_version_published(sender: Any, *, version_id: int, **kwargs: Any) -> None:
    """Sent on commit after a version is published: carry gaps over and re-score the nation."""
    from scoring.services import on_version_published as handle

    try:
        handle(version_id=version_id)
    except Exception:
        # Publishing has happened; a failed re-score start must not undo it or hide it.
        logger.exception("Could not start the re-score for published version %s", version_id)
