"""The faults, each injected in the middle of real work done by real Celery workers.

Each re-score fault starts from empty results (every provider is scored again), injects its
fault once a quarter of the chunks are done, waits for the job to finish and then checks what
must hold against the clean run's results (`reliability.checks`).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reliability.checks import Snapshot, empty_results, verdict
from reliability.processes import PrivateRedis, Worker

SLUG = "send-statutory-baseline"


def say(name: str, value: Any) -> None:
    print(f"{name}: {value}", flush=True)


@dataclass
class Run:
    """What every fault needs: the workers, the private Redis, the clean run's results."""

    worker: Worker
    redis: PrivateRedis
    database_name: str
    on: dt.date
    version_id: int
    requeue_after: int
    requeue_every: float
    timeout: float
    clean: Snapshot = field(default_factory=dict)
    clean_s: float = 0.0
    worker_restarts: int = 0

    def supervise(self) -> None:
        """Start the worker again if it exited, as systemd (`Restart=always`) would."""
        process = self.worker.process
        if process is not None and process.poll() is not None:
            print(f"# the worker exited ({process.returncode}); starting it again", flush=True)
            self.worker_restarts += 1
            self.worker.start()


# ---- helpers ------------------------------------------------------------------------------


def _retrying(fn: Callable[[], Any]) -> Any:
    """Run a read from the fault runner, reconnecting if its connection was terminated."""
    from django.db import InterfaceError, OperationalError, connection

    for _ in range(20):
        try:
            return fn()
        except (OperationalError, InterfaceError):
            connection.close()
            time.sleep(0.5)
    return fn()


def _job_progress(job_ids: list[int]) -> tuple[int, int, bool]:
    from scoring.models import ChunkStatus, JobStatus, RescoreChunk, RescoreJob

    def read() -> tuple[int, int, bool]:
        chunks = RescoreChunk.objects.filter(job_id__in=job_ids)
        done = chunks.filter(status=ChunkStatus.DONE).count()
        total = chunks.count()
        finished = (
            not RescoreJob.objects.filter(pk__in=job_ids).exclude(status=JobStatus.DONE).exists()
        )
        return done, total, finished

    return _retrying(read)


def _requeue_stale(run: Run) -> None:
    """The re-score part of the periodic sweep (`scoring.services.requeue_stale_chunks`), run
    here every few seconds rather than every five minutes. The rest of the sweep is left out
    while results are emptied, or it would score every declaration one by one."""
    from scoring.services import requeue_stale_chunks

    try:
        _retrying(lambda: requeue_stale_chunks(older_than=dt.timedelta(seconds=run.requeue_after)))
    except Exception as exc:  # the broker may be down: the next call tries again
        print(f"# requeue failed: {type(exc).__name__}: {exc}", flush=True)


def _wait(run: Run, job_ids: list[int], *, until: Callable[[int, int, bool], bool]) -> bool:
    deadline = time.monotonic() + run.timeout
    last_requeue = time.monotonic()
    while time.monotonic() < deadline:
        run.supervise()
        if until(*_job_progress(job_ids)):
            return True
        if time.monotonic() - last_requeue >= run.requeue_every:
            _requeue_stale(run)
            last_requeue = time.monotonic()
        time.sleep(0.1)
    return False


def _start(**kwargs: Any) -> int:
    from scoring.services import start_rescore

    return start_rescore(standard_slug=SLUG, **kwargs).pk


def _report(
    run: Run,
    name: str,
    job_ids: list[int],
    finished: bool,
    started: float,
    fault_at: float | None,
    expected: set[int] | None = None,
) -> None:
    from django.db import connection

    from scoring.models import RescoreChunk

    connection.close()
    ended = time.monotonic()
    say(f"{name}_job_finished", "yes" if finished else f"no (timed out after {run.timeout:.0f} s)")
    result = _retrying(lambda: verdict(run.clean, run.version_id, expected=expected))
    say(f"{name}_lost_results", result.lost_results)
    say(f"{name}_different_results", result.different_results)
    say(f"{name}_unexpected_results", result.unexpected_results)
    say(f"{name}_duplicate_runs", result.duplicate_runs)
    say(f"{name}_current_results_per_provider_max", result.current_results_per_provider_max)
    if fault_at is not None:
        say(f"{name}_recovery_s", f"{ended - fault_at:.1f}")
    say(f"{name}_job_s", f"{ended - started:.1f}")
    attempts = _retrying(
        lambda: list(
            RescoreChunk.objects.filter(job_id__in=job_ids).values_list("attempts", flat=True)
        )
    )
    say(f"{name}_chunks_run_again", sum(1 for a in attempts if a > 1))
    say(f"{name}_holds", "yes" if finished and result.holds else "NO")


def _rescore_with_fault(run: Run, name: str, inject: Callable[[], None]) -> None:
    empty_results()
    restarts = run.worker_restarts
    started = time.monotonic()
    job_ids = [_start(on=run.on)]
    _wait(run, job_ids, until=lambda done, total, _f: done >= max(1, total // 4))
    done, total, _ = _job_progress(job_ids)
    say(f"{name}_chunks_done_at_fault", f"{done} of {total}")
    fault_at = time.monotonic()
    inject()
    finished = _wait(run, job_ids, until=lambda _d, _t, finished: finished)
    _report(run, name, job_ids, finished, started, fault_at)
    say(f"{name}_worker_restarts", run.worker_restarts - restarts)


# ---- the clean run ------------------------------------------------------------------------


def clean_run(run: Run) -> None:
    from reliability.checks import snapshot

    empty_results()
    started = time.monotonic()
    job_ids = [_start(on=run.on)]
    finished = _wait(run, job_ids, until=lambda _d, _t, finished: finished)
    run.clean_s = time.monotonic() - started
    if not finished:
        raise RuntimeError("the clean re-score did not finish")
    run.clean = snapshot(run.version_id)
    say("clean_rescore_s", f"{run.clean_s:.1f}")
    say("clean_results", len(run.clean))


# ---- the faults ---------------------------------------------------------------------------


def kill_worker(run: Run) -> None:
    """SIGKILL the pool process scoring a chunk (as the kernel's out-of-memory killer would)."""

    def inject() -> None:
        child = run.worker.busiest_child()
        say("kill_worker_killed_pid", child.pid)
        child.kill()

    _rescore_with_fault(run, "kill_worker", inject)


def kill_all_workers(run: Run) -> None:
    """SIGKILL the whole worker, parent and pool, then start a new one (a lost machine). Its
    unacknowledged chunks wait in Redis for the visibility timeout; the sweep re-queues them
    sooner."""

    def inject() -> None:
        run.worker.kill_all()
        run.worker.start()

    _rescore_with_fault(run, "kill_all_workers", inject)


def redis_restart(run: Run) -> None:
    """Restart the (private, unpersisted) Redis: every queued message is lost."""

    def inject() -> None:
        run.redis.stop()
        time.sleep(2)
        run.redis.start()

    _rescore_with_fault(run, "redis_restart", inject)


def pg_terminate(run: Run) -> None:
    """pg_terminate_backend on every connection to this run's database."""

    def inject() -> None:
        import os
        from urllib.parse import urlsplit, urlunsplit

        import psycopg

        from bench.runner import _libpq

        url = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres"))
        with psycopg.connect(_libpq(url), autocommit=True) as conn:
            killed = conn.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                [run.database_name],
            ).fetchone()[0]
        say("pg_terminate_connections_terminated", killed)

    _rescore_with_fault(run, "pg_terminate", inject)


def double_rescore(run: Run) -> None:
    """Two national re-scores of the same version, started at the same moment."""
    from django.db import connection

    empty_results()
    barrier = threading.Barrier(2)
    job_ids: list[int] = []

    def start() -> None:
        try:
            barrier.wait()
            job_ids.append(_start(on=run.on))
        finally:
            connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    say("double_rescore_jobs_started", len(job_ids))
    finished = _wait(run, job_ids, until=lambda _d, _t, finished: finished)
    _report(run, "double_rescore", job_ids, finished, started, None)
