"""National re-scores: a job of chunks, each scored in one transaction on the `rescore` queue."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.utils import timezone

from accounts.models import User
from audits.models import Declaration, DeclarationStatus
from common import bulk
from common import tasks as celery_policy
from providers.models import OPEN_STATUSES, Provider
from providers.selectors import area_by_code
from scoring.engine import ENGINE_VERSION
from scoring.models import (
    UNFINISHED_CHUNK_STATUSES,
    ChunkStatus,
    JobStatus,
    RescoreChunk,
    RescoreJob,
    Trigger,
)
from scoring.services.batch import BatchResult, latest_declarations
from scoring.services.common import (
    RESCORE_CHUNK_TASK,
    RESCORE_QUEUE,
    RescoreError,
    assessment_date,
    chunk_size,
)
from scoring.services.gaps import carry_over_gaps
from scoring.services.runs import score_batch
from scoring.specs import version_info
from standards.models import Requirement, StandardVersion, VersionStatus

logger = logging.getLogger(__name__)


# ---- national re-scores -------------------------------------------------------------------


def _resolve_version(standard_slug: str, version: str | None) -> StandardVersion:
    versions = StandardVersion.objects.select_related("standard").filter(
        standard__slug=standard_slug
    )
    if version:
        found = versions.filter(version=version).first()
        if found is None:
            raise RescoreError(f"there is no version {version} of {standard_slug}")
        if found.status == VersionStatus.DRAFT:
            raise RescoreError(f"version {version} of {standard_slug} is a draft; publish it first")
        return found
    found = versions.filter(status=VersionStatus.PUBLISHED).first()
    if found is None:
        raise RescoreError(f"{standard_slug} has no published version")
    return found


@transaction.atomic
def start_rescore(
    *,
    standard_slug: str,
    version: str | None = None,
    area_code: str | None = None,
    trigger: str = Trigger.COMMAND,
    requested_by: User | None = None,
    on: dt.date | None = None,
    size: int | None = None,
    enqueue: bool = True,
) -> RescoreJob:
    """Start re-scoring the latest submitted declaration of every open provider the version
    applies to (or of one area), in chunks queued on the `rescore` queue once this commits."""
    target = _resolve_version(standard_slug, version)
    area = None
    if area_code:
        area = area_by_code(area_code)
        if area is None:
            raise RescoreError(f"there is no area with the code {area_code}")
    types: set[str] = set()
    for applies_to in Requirement.objects.filter(version=target).values_list(
        "applies_to", flat=True
    ):
        types.update(applies_to)
    providers = Provider.objects.filter(status__in=OPEN_STATUSES, provider_type__in=sorted(types))
    if area is not None:
        providers = providers.filter(area=area)
    declared = Declaration.objects.filter(
        Q(version__standard_id=target.standard_id)
        | Q(local_version__standard_id=target.standard_id),
        provider=OuterRef("pk"),
        status=DeclarationStatus.SUBMITTED,
    )
    ids = list(providers.filter(Exists(declared)).order_by("pk").values_list("pk", flat=True))
    size = size or chunk_size()
    now = timezone.now()
    job = RescoreJob.objects.create(
        version=target,
        area=area,
        trigger=trigger,
        assessed_on=on or assessment_date(),
        engine_version=ENGINE_VERSION,
        provider_count=len(ids),
        chunk_count=(len(ids) + size - 1) // size,
        requested_by=requested_by,
        status=JobStatus.RUNNING if ids else JobStatus.DONE,
        finished_at=None if ids else now,
    )
    chunks = RescoreChunk.objects.bulk_create(
        [
            RescoreChunk(
                job=job,
                number=n + 1,
                provider_ids=ids[start : start + size],
                size=len(ids[start : start + size]),
                queued_at=now,
                queued_count=1 if enqueue else 0,
            )
            for n, start in enumerate(range(0, len(ids), size))
        ]
    )
    if enqueue:
        chunk_ids = [c.pk for c in chunks]
        transaction.on_commit(lambda: _enqueue_chunks(chunk_ids))
    return job


def _enqueue_chunks(chunk_ids: Iterable[int]) -> int:
    """Queue chunks; a chunk that cannot be queued now is queued again by the sweep."""
    queued = 0
    for chunk_id in chunk_ids:
        try:
            celery_policy.send(
                RESCORE_CHUNK_TASK, kwargs={"chunk_id": chunk_id}, queue=RESCORE_QUEUE
            )
        except Exception:
            logger.warning(
                "Could not queue re-score chunk %s; the sweep will", chunk_id, exc_info=True
            )
            break
        queued += 1
    return queued


def max_attempts() -> int:
    return max(1, int(getattr(settings, "SCORING_CHUNK_MAX_ATTEMPTS", 3)))


def run_chunk(*, chunk_id: int) -> BatchResult | None:
    """Score one chunk of a re-score in one transaction. Running it again does nothing.

    Each start counts as an attempt, committed before the work begins, so that a worker killed
    in the middle still leaves its mark. A chunk started more than SCORING_CHUNK_MAX_ATTEMPTS
    times, or that fails on its last attempt, is marked failed; one that runs out of time is
    split in two instead (a chunk of one provider that runs out of time is marked failed).
    Other errors are raised, for the task to retry.
    """
    limit = max_attempts()
    with transaction.atomic():  # committed at once: the attempt counts even if the worker dies
        started = RescoreChunk.objects.filter(
            pk=chunk_id, status__in=UNFINISHED_CHUNK_STATUSES
        ).update(status=ChunkStatus.RUNNING, attempts=F("attempts") + 1, started_at=timezone.now())
    if not started:
        return None
    attempts = RescoreChunk.objects.values_list("attempts", flat=True).get(pk=chunk_id)
    if attempts > limit:
        fail_chunk(
            chunk_id=chunk_id,
            reason=f"Did not finish in {limit} attempt{'s' if limit != 1 else ''}.",
        )
        return None
    try:
        return _score_chunk(chunk_id)
    except SoftTimeLimitExceeded:
        split_chunk(chunk_id=chunk_id)
        return None
    except Exception as exc:
        if attempts < limit or isinstance(exc, celery_policy.TRANSIENT):
            raise
        logger.warning("Re-score chunk %s failed on its last attempt", chunk_id, exc_info=True)
        fail_chunk(
            chunk_id=chunk_id,
            reason=f"Failed on attempt {attempts} of {limit}: {type(exc).__name__}: {exc}",
        )
        return None


def _score_chunk(chunk_id: int) -> BatchResult | None:
    with transaction.atomic():
        # A second delivery of the same chunk waits here, then finds it finished.
        chunk = (
            RescoreChunk.objects.select_for_update(of=("self",), no_key=True)
            .select_related("job__version")
            .get(pk=chunk_id)
        )
        if chunk.status not in UNFINISHED_CHUNK_STATUSES:
            return None
        job = chunk.job
        info = version_info(job.version)
        bulk.results_can_wait_for_disk()
        bulk.lock_providers(chunk.provider_ids)
        latest = latest_declarations(info.standard_id, chunk.provider_ids)
        applies = set()
        for applies_to in Requirement.objects.filter(version_id=info.id).values_list(
            "applies_to", flat=True
        ):
            applies.update(applies_to)
        items = [
            latest[pid]
            for pid in chunk.provider_ids
            if pid in latest and latest[pid].provider_open and latest[pid].provider_type in applies
        ]
        result = score_batch(
            items, info=info, on=job.assessed_on, trigger=job.trigger, job_id=job.pk
        )
        pause = float(getattr(settings, "SCORING_CHUNK_PAUSE_SECONDS", 0) or 0)
        if pause:
            time.sleep(pause)  # only for tests of what a killed worker leaves behind
        chunk.status = ChunkStatus.DONE
        chunk.finished_at = timezone.now()
        chunk.changed_count = len(result.made_current)
        chunk.save(update_fields=["status", "finished_at", "changed_count"])
        _finish_job_if_done(job.pk)
    return result


@transaction.atomic
def fail_chunk(*, chunk_id: int, reason: str) -> bool:
    """Mark an unfinished chunk failed, say so at ERROR, and finish its job if it was the last."""
    chunk = (
        RescoreChunk.objects.select_for_update(of=("self",), no_key=True)
        .select_related("job__version__standard")
        .get(pk=chunk_id)
    )
    if chunk.status not in UNFINISHED_CHUNK_STATUSES:
        return False
    chunk.status = ChunkStatus.FAILED
    chunk.finished_at = timezone.now()
    chunk.failure = reason[:300]
    chunk.save(update_fields=["status", "finished_at", "failure"])
    logger.error(
        "Re-score %s (%s %s): chunk %s (id %s, %s providers, %s attempts) failed: %s",
        chunk.job_id,
        chunk.job.version.standard.slug,
        chunk.job.version.version,
        chunk.number,
        chunk.pk,
        chunk.size,
        chunk.attempts,
        reason,
    )
    _finish_job_if_done(chunk.job_id)
    return True


def split_chunk(*, chunk_id: int) -> list[int]:
    """A chunk that ran out of time becomes two halves, each queued with fresh attempts: the
    chunk itself keeps the first half and a new chunk takes the second. A chunk of one
    provider cannot be split: it is marked failed."""
    with transaction.atomic():
        chunk = RescoreChunk.objects.select_for_update(of=("self",), no_key=True).get(pk=chunk_id)
        if chunk.status not in UNFINISHED_CHUNK_STATUSES:
            return []
        if chunk.size <= 1:
            split = False
        else:
            split = True
            job = RescoreJob.objects.select_for_update(no_key=True).get(pk=chunk.job_id)
            ids = list(chunk.provider_ids)
            half = (len(ids) + 1) // 2
            now = timezone.now()
            last = RescoreChunk.objects.filter(job_id=job.pk).aggregate(n=Max("number"))["n"]
            second = RescoreChunk.objects.create(
                job=job,
                number=(last or 0) + 1,
                provider_ids=ids[half:],
                size=len(ids) - half,
                queued_at=now,
                queued_count=1,
            )
            chunk.provider_ids, chunk.size = ids[:half], half
            chunk.status, chunk.attempts, chunk.started_at = ChunkStatus.QUEUED, 0, None
            chunk.queued_at, chunk.queued_count = now, F("queued_count") + 1
            chunk.save(
                update_fields=[
                    "provider_ids",
                    "size",
                    "status",
                    "attempts",
                    "started_at",
                    "queued_at",
                    "queued_count",
                ]
            )
            job.chunk_count = F("chunk_count") + 1
            job.save(update_fields=["chunk_count"])
            chunk_ids = [chunk.pk, second.pk]
            logger.warning(
                "Re-score %s: chunk %s ran out of time; split into chunks %s and %s",
                job.pk,
                chunk.number,
                chunk.number,
                second.number,
            )
            transaction.on_commit(lambda: _enqueue_chunks(chunk_ids))
    if not split:
        fail_chunk(chunk_id=chunk_id, reason="Ran out of time scoring its one provider.")
        return []
    return chunk_ids


def _finish_job_if_done(job_id: int) -> None:
    job = RescoreJob.objects.select_for_update(no_key=True).get(pk=job_id)
    if job.status == JobStatus.DONE:
        return
    if not RescoreChunk.objects.filter(
        job_id=job_id, status__in=UNFINISHED_CHUNK_STATUSES
    ).exists():
        job.status = JobStatus.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at"])


def run_job_inline(*, job_id: int) -> None:
    """Run every unfinished chunk of a job in this process (no broker or worker needed): each
    with its attempts, as a worker would, and the halves of any chunk split on the way."""
    while True:
        pending = list(
            RescoreChunk.objects.filter(job_id=job_id, status__in=UNFINISHED_CHUNK_STATUSES)
            .order_by("number")
            .values_list("pk", flat=True)
        )
        if not pending:
            return
        for chunk_id in pending:
            for _ in range(max_attempts() + 1):
                try:
                    run_chunk(chunk_id=chunk_id)
                except Exception:
                    logger.warning(
                        "Re-score chunk %s failed; trying again", chunk_id, exc_info=True
                    )
                    continue
                break


def requeue_stale_chunks(*, older_than: dt.timedelta | None = None) -> int:
    """Queue again the chunks not finished in time (a lost message or a killed worker).

    Keep the limit well under the Redis visibility timeout: this brings back a chunk whose
    worker died long before Redis would redeliver it. A chunk queued twice is harmless.
    A chunk never started since it was queued counts the requeue as an attempt (its message
    was lost); one that has used its attempts is marked failed instead of queued again.
    """
    if older_than is None:
        older_than = dt.timedelta(
            seconds=int(getattr(settings, "SCORING_CHUNK_REQUEUE_AFTER", 900))
        )
    cutoff = timezone.now() - older_than
    stale = (
        RescoreChunk.objects.filter(status__in=UNFINISHED_CHUNK_STATUSES)
        .filter(queued_at__lt=cutoff)
        .exclude(started_at__gte=cutoff)
    )
    limit = max_attempts()
    for chunk_id, attempts in stale.filter(attempts__gte=limit).values_list("pk", "attempts")[
        :1000
    ]:
        fail_chunk(
            chunk_id=chunk_id,
            reason=f"Did not finish in {attempts} attempt{'s' if attempts != 1 else ''}.",
        )
    ids = list(stale.values_list("pk", flat=True)[:1000])
    if not ids:
        return 0
    now = timezone.now()
    with transaction.atomic():
        RescoreChunk.objects.filter(pk__in=ids, status=ChunkStatus.QUEUED).update(
            attempts=F("attempts") + 1
        )
        RescoreChunk.objects.filter(pk__in=ids).update(
            queued_at=now, queued_count=F("queued_count") + 1
        )
    return _enqueue_chunks(ids)


def nightly_rescore(*, on: dt.date | None = None) -> list[RescoreJob]:
    """Re-score every standard's published version, so that date-based rules stay true."""
    jobs = []
    recent = timezone.now() - dt.timedelta(hours=20)
    for version in StandardVersion.objects.select_related("standard").filter(
        status=VersionStatus.PUBLISHED
    ):
        if RescoreJob.objects.filter(
            version=version, area__isnull=True, status=JobStatus.RUNNING, created_at__gte=recent
        ).exists():
            logger.info("A re-score of %s is still running; not starting another", version)
            continue
        jobs.append(
            start_rescore(
                standard_slug=version.standard.slug,
                version=version.version,
                trigger=Trigger.NIGHTLY,
                on=on,
            )
        )
    return jobs


def on_version_published(*, version_id: int) -> RescoreJob | None:
    """A published version closes withdrawn requirements' gaps and re-scores the nation."""
    version = StandardVersion.objects.select_related("standard").get(pk=version_id)
    if version.status != VersionStatus.PUBLISHED:
        return None
    carry_over_gaps(version=version)
    return start_rescore(
        standard_slug=version.standard.slug, version=version.version, trigger=Trigger.PUBLISH
    )
