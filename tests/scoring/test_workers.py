"""Real Celery workers on Redis: a submission scored through the broker, a national re-score,
and a worker killed in the middle of a re-score (nothing lost, one current result each)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection, connections

from audits.models import Declaration
from audits.signals import declaration_submitted
from core.celery import app
from scoring import services
from scoring.models import (
    ChunkStatus,
    CurrentResult,
    JobStatus,
    RescoreChunk,
    RescoreJob,
    ScoringRun,
)
from tests.providers.factories import ProviderFactory
from tests.scoring.builders import SLUG, declare

ROOT = Path(__file__).resolve().parents[2]


def wait_for(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture(autouse=True)
def _no_worker_sessions_left(django_db_blocker):
    """Workers' connections to the test database end with the test, so that the database can
    be dropped when the run ends (a killed worker's session takes a moment to go)."""
    yield
    if connection.vendor != "postgresql":
        return
    others = (
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
    )
    deadline = time.monotonic() + 10
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        while True:
            cursor.execute(others)
            if not cursor.fetchall():
                return
            if time.monotonic() > deadline:
                cursor.execute(f"SELECT pg_terminate_backend(pid) FROM ({others}) AS s")
                return
            time.sleep(0.2)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_on_redis_scores_a_submission_and_a_rescore(version, area, monkeypatch):
    schools = [ProviderFactory(area=area) for _ in range(3)]
    declarations = [declare(school, version) for school in schools]
    # The worker thread's database connection closes after each task, so that none is left
    # open on the test database when the test ends.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    with start_worker(
        app,
        pool="solo",
        perform_ping_check=False,
        shutdown_timeout=20,
        queues=["scoring", "rescore"],
    ):
        # What audits.services.submit_declaration sends once its transaction commits.
        declaration_submitted.send(sender=Declaration, declaration_id=declarations[0].pk)
        wait_for(
            lambda: ScoringRun.objects.filter(declaration=declarations[0]).exists(),
            30,
            "the submission's result",
        )
        job = services.start_rescore(standard_slug=SLUG, size=2)  # queued as it commits
        wait_for(
            lambda: RescoreJob.objects.get(pk=job.pk).status == JobStatus.DONE,
            30,
            "the re-score to finish",
        )
    assert CurrentResult.objects.count() == 3
    assert ScoringRun.objects.count() == 3  # the first school's result was not duplicated


def _database_url() -> str:
    conf = connection.settings_dict
    auth = f"{quote(conf['USER'])}:{quote(conf['PASSWORD'])}@" if conf["USER"] else ""
    port = f":{conf['PORT']}" if conf["PORT"] else ""
    return f"postgres://{auth}{conf['HOST'] or '127.0.0.1'}{port}/{conf['NAME']}"


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "core",
            "worker",
            "--pool=prefork",
            "-c",
            "2",
            "-Q",
            "rescore,scoring",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname=killtest{os.getpid()}-{time.monotonic_ns()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so that it can be killed whole
    )


def _kill(worker: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.killpg(worker.pid, sig)
    except ProcessLookupError:
        return
    worker.wait(timeout=30)


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_killing_a_worker_mid_rescore_loses_nothing(version, area, tmp_path):
    providers = [ProviderFactory(area=area) for _ in range(120)]
    for provider in providers:
        declare(provider, version)
    visibility = 4
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "settings.test",
        "DATABASE_URL": _database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        # Queues of their own, so no other worker on this Redis server takes these tasks.
        "CELERY_KEY_PREFIX": f"killtest-{uuid.uuid4().hex}:",
        # Redis redelivers a message not acknowledged within this time; short for the test.
        "CELERY_VISIBILITY_TIMEOUT": str(visibility),
        # Each chunk waits before it commits, so the kill lands in the middle of chunks.
        "SCORING_CHUNK_PAUSE_SECONDS": "0.3",
    }
    log = tmp_path / "worker.log"
    first = _worker(env, log)
    second = None
    try:
        started = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "rescore",
                "--standard",
                SLUG,
                "--chunk-size",
                "5",
                "--no-wait",
                # The deploy check refuses this test's short visibility timeout; the re-score
                # needs none of it.
                "--skip-checks",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert "120 providers in 24 chunks" in started.stdout
        job = RescoreJob.objects.get(trigger="command")
        chunks_of_job = RescoreChunk.objects.filter(job=job)
        wait_for(
            # Some chunks done and one under way (its attempt counted), so that the kill lands
            # in the middle of a chunk rather than between two.
            lambda: (
                chunks_of_job.filter(status=ChunkStatus.DONE).count() >= 4
                and chunks_of_job.filter(status=ChunkStatus.RUNNING, attempts__gte=1).exists()
            ),
            40,
            "some chunks to finish and another to start",
        )
        _kill(first, signal.SIGKILL)  # the whole worker: parent and both children, mid-chunk
        killed_at = time.monotonic()
        done_at_kill = RescoreChunk.objects.filter(job=job, status=ChunkStatus.DONE).count()
        assert done_at_kill < 24, "the re-score finished before the worker could be killed"
        # The unacknowledged chunks come back once the visibility timeout has passed.
        time.sleep(max(0.0, visibility + 0.5 - (time.monotonic() - killed_at)))
        second = _worker(env, log)
        try:
            wait_for(
                lambda: RescoreJob.objects.get(pk=job.pk).status == JobStatus.DONE,
                60,
                "the re-score to finish after the restart",
            )
        except AssertionError as exc:
            chunks = list(
                RescoreChunk.objects.filter(job=job).values_list("number", "status", "attempts")
            )
            raise AssertionError(f"{exc}\n{chunks}\n{log.read_text()[-4000:]}") from exc
    finally:
        for worker in (first, second):
            if worker is not None:
                _kill(worker, signal.SIGTERM)
    chunks = list(RescoreChunk.objects.filter(job=job))
    assert all(c.status == ChunkStatus.DONE for c in chunks)
    assert sum(c.size for c in chunks) == 120
    # Some chunk was started twice: the killed worker's, delivered again.
    assert any(c.attempts >= 2 for c in chunks), log.read_text()[-3000:]
    assert CurrentResult.objects.count() == 120
    assert set(CurrentResult.objects.values_list("provider_id", flat=True)) == {
        p.pk for p in providers
    }
    assert ScoringRun.objects.count() == 120  # no duplicates from the repeated chunks


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_poison_chunk_on_a_real_worker_fails_after_its_attempts(
    version, area, monkeypatch, settings
):
    """A chunk whose scoring always raises is tried SCORING_CHUNK_MAX_ATTEMPTS times through the
    broker, then marked failed; the job finishes with its other chunks done."""
    from unittest import mock

    from scoring.services import rescore

    settings.SCORING_CHUNK_MAX_ATTEMPTS = 3
    schools = [ProviderFactory(area=area) for _ in range(4)]
    for school in schools:
        declare(school, version)
    poisoned = schools[0].pk
    real = rescore.score_batch

    def score_batch(items, **kwargs):
        if any(item.provider_id == poisoned for item in items):
            raise ValueError("poisoned provider")
        return real(items, **kwargs)

    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    with (
        mock.patch.object(rescore, "score_batch", side_effect=score_batch),
        start_worker(
            app,
            pool="solo",
            perform_ping_check=False,
            shutdown_timeout=20,
            queues=["rescore"],
        ),
    ):
        job = services.start_rescore(standard_slug=SLUG, size=2)
        wait_for(
            lambda: RescoreJob.objects.get(pk=job.pk).status == JobStatus.DONE,
            60,
            "the re-score to finish",
        )
    chunks = {c.number: c for c in RescoreChunk.objects.filter(job=job)}
    assert (chunks[1].status, chunks[1].attempts) == (ChunkStatus.FAILED, 3)
    assert "poisoned provider" in chunks[1].failure
    assert (chunks[2].status, chunks[2].attempts) == (ChunkStatus.DONE, 1)
    assert set(CurrentResult.objects.values_list("provider_id", flat=True)) == {
        s.pk for s in schools[2:]
    }
