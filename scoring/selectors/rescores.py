"""Re-scores: their progress, for the people who may see them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from accounts.access import access_for
from scoring.models import ChunkStatus, JobStatus, RescoreChunk, RescoreJob

# ---- re-scores ----------------------------------------------------------------------------


def can_see_rescores(user: Any) -> bool:
    access = access_for(user)
    return access.reads_everything or access.standards_admin


@dataclass(frozen=True)
class JobProgress:
    job_id: int
    total_chunks: int
    done_chunks: int
    total_providers: int
    done_providers: int
    changed: int
    finished: bool
    requeued: int
    failed_chunks: int = 0
    failed_providers: int = 0

    @property
    def percent(self) -> int:
        if not self.total_chunks:
            return 100
        return int(100 * self.done_chunks / self.total_chunks)

    def as_json(self) -> dict[str, Any]:
        return {
            "job": self.job_id,
            "done_chunks": self.done_chunks,
            "total_chunks": self.total_chunks,
            "done_providers": self.done_providers,
            "total_providers": self.total_providers,
            "changed": self.changed,
            "finished": self.finished,
            "failed_chunks": self.failed_chunks,
            "failed_providers": self.failed_providers,
            "state": "done" if self.finished else "running",
        }


def job_progress(*, job_id: int) -> JobProgress:
    job = RescoreJob.objects.get(pk=job_id)
    done = RescoreChunk.objects.filter(job_id=job_id, status=ChunkStatus.DONE).aggregate(
        chunks=Count("pk"), providers=Sum("size"), changed=Sum("changed_count")
    )
    failed = RescoreChunk.objects.filter(job_id=job_id, status=ChunkStatus.FAILED).aggregate(
        chunks=Count("pk"), providers=Sum("size")
    )
    requeued = RescoreChunk.objects.filter(job_id=job_id, queued_count__gt=1).count()
    return JobProgress(
        job_id=job_id,
        total_chunks=job.chunk_count,
        done_chunks=done["chunks"] or 0,
        total_providers=job.provider_count,
        done_providers=done["providers"] or 0,
        changed=done["changed"] or 0,
        finished=job.status == JobStatus.DONE,
        requeued=requeued,
        failed_chunks=failed["chunks"] or 0,
        failed_providers=failed["providers"] or 0,
    )


def rescore_jobs(*, user: Any) -> QuerySet[RescoreJob]:
    if not can_see_rescores(user):
        return RescoreJob.objects.none()
    return (
        RescoreJob.objects.select_related("version__standard", "area", "requested_by")
        .annotate(failed_chunk_count=Count("chunks", filter=Q(chunks__status=ChunkStatus.FAILED)))
        .order_by("-created_at", "-id")
    )


def rescore_job(*, user: Any, job_id: int) -> RescoreJob:
    return rescore_jobs(user=user).get(pk=job_id)


def chunk_counts(*, job: RescoreJob) -> dict[str, int]:
    """How many of the job's chunks are queued, running, done and failed."""
    counts = dict.fromkeys(ChunkStatus.values, 0)
    for row in job.chunks.values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def failed_chunks(*, job_id: int) -> QuerySet[RescoreChunk]:
    """The job's chunks marked failed: their providers have no result from this re-score."""
    return RescoreChunk.objects.filter(job_id=job_id, status=ChunkStatus.FAILED).order_by("number")
