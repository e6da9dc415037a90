"""The periodic safety net: unscored submissions, stale chunks, expired acceptances, closed
providers' gaps.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from audits.models import Declaration, DeclarationStatus
from common import bulk
from providers.models import OPEN_STATUSES, Provider
from providers.selectors import current_provider_for
from scoring.models import ACTIVE_GAP_STATUSES, Gap, GapEvent, GapStatus, ScoringRun
from scoring.services.common import announce_gaps, assessment_date
from scoring.services.gaps import move_gaps, reopen_gaps
from scoring.services.rescore import requeue_stale_chunks
from scoring.services.runs import queue_scoring

# ---- the sweep ----------------------------------------------------------------------------


def unscored_declarations(*, min_age: dt.timedelta = dt.timedelta(minutes=2)) -> list[int]:
    """Submitted declarations with no run (the latest revision of each), oldest first."""
    later = Declaration.objects.filter(
        provider_id=OuterRef("provider_id"),
        version_id=OuterRef("version_id"),
        period=OuterRef("period"),
        status=DeclarationStatus.SUBMITTED,
        revision__gt=OuterRef("revision"),
    )
    scored = ScoringRun.objects.filter(declaration_id=OuterRef("pk"))
    return list(
        Declaration.objects.filter(
            status=DeclarationStatus.SUBMITTED, submitted_at__lt=timezone.now() - min_age
        )
        .exclude(Exists(scored))
        .exclude(Exists(later))
        .order_by("submitted_at", "pk")
        .values_list("pk", flat=True)[:1000]
    )


def sweep(*, min_age: dt.timedelta = dt.timedelta(minutes=2)) -> dict[str, int]:
    """The periodic safety net: queue unscored submissions, re-queue stale chunks, expire
    acceptances and move closed providers' gaps to their successors."""
    queued = sum(queue_scoring(declaration_id=pk) for pk in unscored_declarations(min_age=min_age))
    return {
        "declarations_queued": queued,
        "chunks_requeued": requeue_stale_chunks(),
        "acceptances_expired": expire_acceptances(),
        "gaps_moved": move_gaps_of_closed_providers(),
    }


def expire_acceptances(*, on: dt.date | None = None) -> int:
    on = on or assessment_date()
    with transaction.atomic():
        ids = list(
            Gap.objects.select_for_update(no_key=True)
            .filter(status=GapStatus.ACCEPTED, accepted_until__lt=on)
            .values_list("pk", flat=True)
        )
        events: list[GapEvent] = []
        if ids:
            reopen_gaps(
                [(g, None, "The acceptance expired") for g in ids],
                now=timezone.now(),
                events=events,
            )
            GapEvent.objects.bulk_create(events)
            announce_gaps(
                provider_ids=set(
                    Gap.objects.filter(pk__in=ids).values_list("provider_id", flat=True)
                ),
            )
    return len(ids)


def move_gaps_of_closed_providers() -> int:
    """Active gaps of providers that have closed follow them to the provider carrying on."""
    moved = 0
    closed = (
        Provider.objects.exclude(status__in=OPEN_STATUSES)
        .filter(gaps__status__in=ACTIVE_GAP_STATUSES)
        .distinct()
    )
    for provider in closed[:500]:
        successor = current_provider_for(provider)
        if successor is None or successor.pk == provider.pk:
            continue
        with transaction.atomic():
            bulk.lock_providers([provider.pk, successor.pk])
            moved += move_gaps(from_provider_id=provider.pk, to_provider_id=successor.pk)
    return moved
