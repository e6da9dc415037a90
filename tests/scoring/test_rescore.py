"""National re-scores: chunks recorded in the database, progress, the command, the sweep,
and the signals that queue scoring."""

import datetime as dt
from io import StringIO
from unittest import mock

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.management import CommandError, call_command
from django.utils import timezone

from audits.signals import declaration_submitted
from common import tasks as celery_policy
from scoring import services, tasks
from scoring.models import (
    ChunkStatus,
    CurrentResult,
    JobStatus,
    RescoreChunk,
    RescoreJob,
    ScoringRun,
    Trigger,
)
from scoring.selectors import job_progress
from scoring.services import rescore
from standards.signals import version_published
from tests.providers.factories import AreaFactory, ProviderFactory
from tests.scoring.builders import ON, SLUG, declare, worked_document, worked_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def nation(version, area):
    other_area = AreaFactory(name="Othershire")
    providers = [ProviderFactory(area=area) for _ in range(5)] + [
        ProviderFactory(area=other_area) for _ in range(2)
    ]
    for provider in providers:
        declare(provider, version)
    ProviderFactory(area=area)  # no declaration: not re-scored
    return providers


def test_a_rescore_is_split_into_chunks_recorded_in_the_database(version, nation):
    with mock.patch.object(rescore, "_enqueue_chunks") as enqueue:
        job = services.start_rescore(standard_slug=SLUG, on=ON, size=3)
    assert (job.provider_count, job.chunk_count, job.status) == (7, 3, JobStatus.RUNNING)
    chunks = list(job.chunks.order_by("number"))
    assert [c.size for c in chunks] == [3, 3, 1]
    assert sorted(p for c in chunks for p in c.provider_ids) == sorted(p.pk for p in nation)
    # Queued once the transaction commits (the test transaction never does).
    enqueue.assert_not_called()


def test_chunks_are_queued_on_commit_on_the_rescore_queue(
    version, nation, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(celery_policy, "send") as apply_async,
        django_capture_on_commit_callbacks(execute=True),
    ):
        job = services.start_rescore(standard_slug=SLUG, on=ON, size=4)
    assert apply_async.call_count == 2
    assert {c.kwargs["queue"] for c in apply_async.call_args_list} == {"rescore"}
    assert {c.kwargs["kwargs"]["chunk_id"] for c in apply_async.call_args_list} == set(
        job.chunks.values_list("pk", flat=True)
    )


def test_running_a_chunk_twice_does_the_work_once(version, nation):
    job = services.start_rescore(standard_slug=SLUG, on=ON, size=10, enqueue=False)
    chunk = job.chunks.get()
    first = services.run_chunk(chunk_id=chunk.pk)
    assert first is not None and first.runs_written == 7
    assert services.run_chunk(chunk_id=chunk.pk) is None
    chunk.refresh_from_db()
    job.refresh_from_db()
    assert (chunk.status, chunk.attempts, chunk.changed_count) == (ChunkStatus.DONE, 1, 7)
    assert job.status == JobStatus.DONE and job.finished_at is not None
    assert ScoringRun.objects.count() == 7


def test_progress_counts_done_chunks_and_providers(version, nation):
    job = services.start_rescore(standard_slug=SLUG, on=ON, size=3, enqueue=False)
    services.run_chunk(chunk_id=job.chunks.get(number=1).pk)
    progress = job_progress(job_id=job.pk)
    assert (progress.done_chunks, progress.total_chunks) == (1, 3)
    assert (progress.done_providers, progress.total_providers) == (3, 7)
    assert not progress.finished
    services.run_job_inline(job_id=job.pk)
    progress = job_progress(job_id=job.pk)
    assert progress.finished and progress.done_providers == 7
    assert CurrentResult.objects.count() == 7


def test_an_area_rescore_covers_only_that_area(version, nation, area):
    job = services.start_rescore(standard_slug=SLUG, area_code=area.code, on=ON, enqueue=False)
    assert job.provider_count == 5 and job.area == area


def test_closed_providers_are_not_rescored(version, nation):
    nation[0].status = "closed"
    nation[0].save()
    job = services.start_rescore(standard_slug=SLUG, on=ON, enqueue=False)
    assert job.provider_count == 6


def test_rescore_against_a_named_version_and_bad_arguments(version, nation):
    doc = worked_document()
    doc["version"] = "2.0"
    worked_version(doc)
    job = services.start_rescore(standard_slug=SLUG, version="1.0", on=ON, enqueue=False)
    assert job.version == version
    for kwargs, message in [
        ({"standard_slug": "nope"}, "no published version"),
        ({"standard_slug": SLUG, "version": "9.9"}, "no version 9.9"),
        ({"standard_slug": SLUG, "area_code": "ZZZ"}, "no area"),
    ]:
        with pytest.raises(services.RescoreError, match=message):
            services.start_rescore(**kwargs, enqueue=False)


def test_a_chunk_not_finished_in_time_is_queued_again(version, nation):
    job = services.start_rescore(standard_slug=SLUG, on=ON, size=3, enqueue=False)
    services.run_chunk(chunk_id=job.chunks.get(number=1).pk)
    long_ago = timezone.now() - dt.timedelta(hours=1)
    job.chunks.update(queued_at=long_ago)
    job.chunks.filter(number=2).update(status=ChunkStatus.RUNNING, started_at=long_ago)
    with mock.patch.object(celery_policy, "send") as apply_async:
        assert services.requeue_stale_chunks(older_than=dt.timedelta(minutes=15)) == 2
    requeued = {c.kwargs["kwargs"]["chunk_id"] for c in apply_async.call_args_list}
    assert requeued == set(job.chunks.filter(number__in=[2, 3]).values_list("pk", flat=True))
    assert set(job.chunks.values_list("number", "queued_count")) == {(1, 0), (2, 1), (3, 1)}
    # Recently queued chunks are left alone.
    with mock.patch.object(celery_policy, "send"):
        assert services.requeue_stale_chunks(older_than=dt.timedelta(minutes=15)) == 0


def test_the_command_runs_inline_and_prints_progress(version, nation):
    out = StringIO()
    call_command(
        "rescore",
        "--standard",
        SLUG,
        "--inline",
        "--chunk-size",
        "3",
        "--on",
        "2026-11-30",
        stdout=out,
    )
    text = out.getvalue()
    assert "7 providers in 3 chunks" in text
    assert "3 of 3 chunks done (7 of 7 providers, 7 with a new result)" in text
    assert "Finished" in text
    assert CurrentResult.objects.count() == 7


def test_the_command_can_start_and_return(version, nation):
    out = StringIO()
    with mock.patch.object(rescore, "_enqueue_chunks"):
        call_command("rescore", "--standard", SLUG, "--no-wait", stdout=out)
    job = RescoreJob.objects.get()
    assert f"/rescores/{job.pk}/" in out.getvalue()
    assert job.trigger == Trigger.COMMAND


def test_the_command_refuses_bad_input(version):
    with pytest.raises(CommandError, match="no version"):
        call_command("rescore", "--standard", SLUG, "--version", "7", stdout=StringIO())
    with pytest.raises(CommandError, match="--on"):
        call_command("rescore", "--standard", SLUG, "--on", "tomorrow", stdout=StringIO())


def test_the_command_waits_for_workers_and_gives_up_after_its_timeout(version, nation):
    with (
        mock.patch.object(rescore, "_enqueue_chunks"),
        pytest.raises(CommandError, match="Still running"),
    ):
        call_command("rescore", "--standard", SLUG, "--timeout", "0.6", stdout=StringIO())


def test_nightly_rescore_starts_one_job_per_published_version_and_not_twice(version, nation):
    with mock.patch.object(rescore, "_enqueue_chunks"):
        jobs = services.nightly_rescore(on=ON)
        assert [j.trigger for j in jobs] == [Trigger.NIGHTLY]
        assert services.nightly_rescore(on=ON) == []


def test_submitting_queues_scoring_on_the_scoring_queue(version, school):
    declaration = declare(school, version)
    with mock.patch.object(celery_policy, "send") as apply_async:
        declaration_submitted.send(sender=None, declaration_id=declaration.pk)
    apply_async.assert_called_once()
    assert apply_async.call_args.kwargs["queue"] == "scoring"
    assert apply_async.call_args.kwargs["kwargs"] == {"declaration_id": declaration.pk}


def test_a_broker_outage_loses_no_submission(version, school):
    declaration = declare(school, version)
    with mock.patch.object(celery_policy, "send", side_effect=OSError("down")):
        declaration_submitted.send(sender=None, declaration_id=declaration.pk)  # does not raise
    assert not ScoringRun.objects.exists()
    # The periodic sweep finds it once it is a couple of minutes old, and queues it.
    assert services.unscored_declarations() == []
    type(declaration).objects.filter(pk=declaration.pk).update(
        submitted_at=timezone.now() - dt.timedelta(minutes=5)
    )
    with mock.patch.object(celery_policy, "send") as apply_async:
        assert services.sweep()["declarations_queued"] == 1
    assert apply_async.call_args.kwargs["kwargs"] == {"declaration_id": declaration.pk}
    tasks.score_declaration_task.apply(kwargs={"declaration_id": declaration.pk})
    assert ScoringRun.objects.filter(declaration=declaration).exists()
    assert services.unscored_declarations() == []


def test_the_sweep_skips_revisions_that_were_replaced(version, school):
    old = declare(school, version, submitted_at=timezone.now() - dt.timedelta(days=1))
    new = declare(school, version, revision=2, submitted_at=timezone.now() - dt.timedelta(hours=1))
    assert services.unscored_declarations() == [new.pk]
    assert old.pk not in services.unscored_declarations()


def test_publishing_a_version_starts_a_rescore(version, nation):
    doc = worked_document()
    doc["version"] = "2.0"
    v2 = worked_version(doc)
    with mock.patch.object(rescore, "_enqueue_chunks"):
        version_published.send(sender=None, version_id=v2.pk)
    job = RescoreJob.objects.get()
    assert (job.version, job.trigger, job.provider_count) == (v2, Trigger.PUBLISH, 7)


def test_tasks_are_thin_and_idempotent(version, nation):
    job = services.start_rescore(standard_slug=SLUG, on=ON, enqueue=False)
    chunk = job.chunks.get()
    assert tasks.rescore_chunk_task.apply(kwargs={"chunk_id": chunk.pk}).get() == {
        "scored": 7,
        "changed": 7,
    }
    assert tasks.rescore_chunk_task.apply(kwargs={"chunk_id": chunk.pk}).get() is None
    declaration = nation[0].declarations.get()
    assert (
        tasks.score_declaration_task.apply(kwargs={"declaration_id": declaration.pk}).get()[
            "runs_written"
        ]
        == 0
    )
    assert tasks.score_declaration_task.acks_late is True
    assert tasks.rescore_chunk_task.acks_late is True
    with mock.patch.object(rescore, "_enqueue_chunks"):
        assert tasks.sweep_task.apply().get()["declarations_queued"] == 0
        assert len(tasks.nightly_rescore_task.apply().get()) == 1


# ---- chunks that keep failing: attempts, failure and splitting ----------------------------


def _poisoned(chunk_ids):
    """score_batch raising for the providers of the given chunks, as a poison chunk would."""
    real = rescore.score_batch
    poisoned = set()
    for ids in RescoreChunk.objects.filter(pk__in=chunk_ids).values_list("provider_ids", flat=True):
        poisoned.update(ids)

    def score_batch(items, **kwargs):
        if any(item.provider_id in poisoned for item in items):
            raise ValueError("poisoned provider")
        return real(items, **kwargs)

    return mock.patch.object(rescore, "score_batch", side_effect=score_batch)


def test_a_poison_chunk_is_failed_after_its_attempts_and_the_job_finishes(
    version, nation, settings, caplog
):
    settings.SCORING_CHUNK_MAX_ATTEMPTS = 3
    job = services.start_rescore(standard_slug=SLUG, on=ON, size=3, enqueue=False)
    poison = job.chunks.get(number=2)
    with _poisoned([poison.pk]):
        for attempt in (1, 2):
            with pytest.raises(ValueError, match="poisoned"):
                services.run_chunk(chunk_id=poison.pk)
            poison.refresh_from_db()
            # Each attempt is counted, although its work was rolled back.
            assert (poison.status, poison.attempts) == (ChunkStatus.RUNNING, attempt)
        caplog.set_level("ERROR", logger="scoring.services.rescore")
        assert services.run_chunk(chunk_id=poison.pk) is None  # the last attempt: no raise
        poison.refresh_from_db()
        assert (poison.status, poison.attempts) == (ChunkStatus.FAILED, 3)
        assert "ValueError: poisoned provider" in poison.failure
        services.run_job_inline(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.finished_at is not None
    assert set(job.chunks.values_list("number", "status")) == {
        (1, ChunkStatus.DONE),
        (2, ChunkStatus.FAILED),
        (3, ChunkStatus.DONE),
    }
    assert CurrentResult.objects.count() == 4  # every provider but the failed chunk's three
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1
    assert f"chunk 2 (id {poison.pk}, 3 providers, 3 attempts) failed" in errors[0].getMessage()
    progress = job_progress(job_id=job.pk)
    assert progress.finished
    assert (progress.failed_chunks, progress.failed_providers) == (1, 3)
    assert (progress.done_chunks, progress.done_providers) == (2, 4)
    # A failed chunk is never run or queued again.
    assert services.run_chunk(chunk_id=poison.pk) is None
    RescoreChunk.objects.filter(pk=poison.pk).update(queued_at=timezone.now() - dt.timedelta(1))
    with mock.patch.object(celery_policy, "send") as send:
        assert services.requeue_stale_chunks(older_than=dt.timedelta(minutes=15)) == 0
    send.assert_not_called()


def test_the_task_retries_a_poison_chunk_until_it_is_failed(version, nation, settings):
    settings.SCORING_CHUNK_MAX_ATTEMPTS = 2
    job = services.start_rescore(standard_slug=SLUG, on=ON, size=10, enqueue=False)
    chunk = job.chunks.get()
    with _poisoned([chunk.pk]):
        tasks.rescore_chunk_task.apply(kwargs={"chunk_id": chunk.pk})  # retried eagerly
    chunk.refresh_from_db()
    job.refresh_from_db()
    assert (chunk.status, chunk.attempts) == (ChunkStatus.FAILED, 2)
    assert job.status == JobStatus.DONE


def test_a_chunk_whose_workers_died_is_failed_on_its_next_delivery(version, nation, settings):
    settings.SCORING_CHUNK_MAX_ATTEMPTS = 3
    job = services.start_rescore(standard_slug=SLUG, on=ON, size=10, enqueue=False)
    chunk = job.chunks.get()
    # Three workers started it and were killed before it committed: each start was counted.
    RescoreChunk.objects.filter(pk=chunk.pk).update(status=ChunkStatus.RUNNING, attempts=3)
    with mock.patch.object(rescore, "score_batch") as score_batch:
        assert services.run_chunk(chunk_id=chunk.pk) is None
    score_batch.assert_not_called()
    chunk.refresh_from_db()
    assert (chunk.status, chunk.attempts) == (ChunkStatus.FAILED, 4)
    assert chunk.failure == "Did not finish in 3 attempts."
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and not ScoringRun.objects.exists()


def test_the_attempt_is_counted_in_its_own_committed_transaction(version, nation):
    job = services.start_rescore(standard_slug=SLUG, on=ON, size=10, enqueue=False)
    chunk = job.chunks.get()
    seen = []

    def atomic_spy(*args, **kwargs):
        seen.append(RescoreChunk.objects.get(pk=chunk.pk).attempts)
        return real_atomic(*args, **kwargs)

    real_atomic = rescore.transaction.atomic
    # By the time the scoring transaction opens, the attempt is already written.
    with mock.patch.object(rescore.transaction, "atomic", side_effect=atomic_spy):
        services.run_chunk(chunk_id=chunk.pk)
    assert seen[:2] == [0, 1]


def test_the_sweep_counts_lost_messages_and_fails_chunks_out_of_attempts(version, nation, settings):
    settings.SCORING_CHUNK_MAX_ATTEMPTS = 2
    job = services.start_rescore(standard_slug=SLUG, on=ON, size=3, enqueue=False)
    long_ago = timezone.now() - dt.timedelta(hours=1)
    job.chunks.update(queued_at=long_ago)
    # Chunk 1: started twice, its worker died each time. Chunk 2: started once, worker died.
    # Chunk 3: its message was lost, never started.
    job.chunks.filter(number=1).update(status=ChunkStatus.RUNNING, attempts=2, started_at=long_ago)
    job.chunks.filter(number=2).update(status=ChunkStatus.RUNNING, attempts=1, started_at=long_ago)
    with mock.patch.object(celery_policy, "send") as send:
        assert services.requeue_stale_chunks(older_than=dt.timedelta(minutes=15)) == 2
    assert {c.kwargs["kwargs"]["chunk_id"] for c in send.call_args_list} == set(
        job.chunks.filter(number__in=[2, 3]).values_list("pk", flat=True)
    )
    assert set(job.chunks.values_list("number", "status", "attempts")) == {
        (1, ChunkStatus.FAILED, 2),
        (2, ChunkStatus.RUNNING, 1),  # its next delivery counts
        (3, ChunkStatus.QUEUED, 1),  # the requeue counts: no delivery did
    }
    # Chunk 3's message is lost again, and again: its second requeue was its last attempt.
    for expected in [(ChunkStatus.QUEUED, 2), (ChunkStatus.FAILED, 2)]:
        job.chunks.update(queued_at=long_ago)
        with mock.patch.object(celery_policy, "send"):
            services.requeue_stale_chunks(older_than=dt.timedelta(minutes=15))
        assert job.chunks.values_list("status", "attempts").get(number=3) == expected


def test_a_chunk_out_of_time_is_split_in_two_with_fresh_attempts(
    version, nation, django_capture_on_commit_callbacks
):
    job = services.start_rescore(standard_slug=SLUG, on=ON, size=10, enqueue=False)
    chunk = job.chunks.get()
    with (
        mock.patch.object(rescore, "score_batch", side_effect=SoftTimeLimitExceeded()),
        mock.patch.object(celery_policy, "send") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.run_chunk(chunk_id=chunk.pk) is None
    chunks = list(job.chunks.order_by("number"))
    assert [(c.number, c.size, c.status, c.attempts) for c in chunks] == [
        (1, 4, ChunkStatus.QUEUED, 0),
        (2, 3, ChunkStatus.QUEUED, 0),
    ]
    assert sorted(p for c in chunks for p in c.provider_ids) == sorted(p.pk for p in nation)
    assert {c.kwargs["kwargs"]["chunk_id"] for c in send.call_args_list} == {c.pk for c in chunks}
    job.refresh_from_db()
    assert (job.chunk_count, job.status) == (2, JobStatus.RUNNING)
    services.run_job_inline(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and CurrentResult.objects.count() == 7


def test_a_chunk_of_one_provider_out_of_time_is_failed(version, nation, caplog):
    job = services.start_rescore(standard_slug=SLUG, on=ON, size=1, enqueue=False)
    chunk = job.chunks.get(number=1)
    caplog.set_level("ERROR", logger="scoring.services.rescore")
    with mock.patch.object(rescore, "score_batch", side_effect=SoftTimeLimitExceeded()):
        assert services.run_chunk(chunk_id=chunk.pk) is None
    chunk.refresh_from_db()
    assert (chunk.status, chunk.failure) == (
        ChunkStatus.FAILED,
        "Ran out of time scoring its one provider.",
    )
    assert job.chunks.count() == 7
    assert f"chunk 1 (id {chunk.pk}, 1 providers" in caplog.text


def test_the_command_and_the_page_name_failed_chunks(version, nation, settings):
    from django.test import Client

    from accounts.models import Role, User
    from accounts.services import grant_role

    settings.SCORING_CHUNK_MAX_ATTEMPTS = 1
    out = StringIO()
    real = rescore.score_batch

    def score_batch(items, **kwargs):
        if any(item.provider_id == nation[4].pk for item in items):
            raise ValueError("poisoned provider")
        return real(items, **kwargs)

    with (
        mock.patch.object(rescore, "score_batch", side_effect=score_batch),
        pytest.raises(CommandError, match="with 1 failed chunks \\(3 providers not re-scored\\)"),
    ):
        call_command("rescore", "--standard", SLUG, "--inline", "--chunk-size", "3", stdout=out)
    assert "Chunk 2 failed (3 providers, 1 attempts): Failed on attempt 1 of 1" in out.getvalue()
    job = RescoreJob.objects.get()
    user = User.objects.create_user("analyst@example.org", "pw-for-tests-123", full_name="A")
    grant_role(user=user, role=Role.NATIONAL_ANALYST)
    client = Client()
    client.force_login(user)
    response = client.get(f"/rescores/{job.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 chunk failed: 3 providers not re-scored" in page
    assert "Chunk 2 (3 providers, 1 attempt): Failed on attempt 1 of 1" in page
    assert "Finished with 1 failed chunk:" in page
    status = client.get(f"/rescores/{job.pk}/status.json").json()
    assert (status["finished"], status["failed_chunks"], status["failed_providers"]) == (
        True,
        1,
        3,
    )
    listing = client.get("/rescores/").content.decode()
    assert "Finished, 1 chunk failed" in listing
