"""Faults outside a plain re-score: the broker down during submissions, and a poison chunk."""

from __future__ import annotations

import statistics
import time
from typing import Any

from reliability.scenarios import Run, _job_progress, _requeue_stale, _retrying, say

SUBMISSIONS = 200


def _site_admin() -> Any:
    from accounts.models import Role, RoleGrant, User

    user, created = User.objects.get_or_create(
        email="faults-admin@example.org", defaults={"full_name": "Fault run"}
    )
    if created:
        RoleGrant.objects.create(user=user, role=Role.SITE_ADMIN)
    return user


def _complete_drafts(provider_ids: list[int], wanted: int, on: Any) -> list[Any]:
    """New drafts (each provider's answers copied, one number nudged) that can be submitted.

    The generated answers include values the forms refuse (blank text, addresses without
    https://) and no evidence: those answers are replaced by the first value that is accepted.
    """
    import random

    from audits.answers import AnswerErrors, AnswerInput, parse_answer
    from audits.models import Declaration
    from audits.services.submission import check_complete
    from bench.scoring import new_revisions
    from bench.scoring_data import pools_for

    rng = random.Random(7)
    accepted: dict[int, Any] = {}
    drafts = []
    for draft in Declaration.objects.filter(
        pk__in=new_revisions(provider_ids[: wanted * 2], submitted=False)
    ).order_by("pk"):
        missing, _errors = check_complete(draft)
        for answer in missing:
            requirement = answer.requirement
            answer.not_applicable, answer.not_applicable_reason = False, ""
            answer.evidence_note = answer.evidence_note or "Kept on file"
            tried = [accepted[requirement.pk]] if requirement.pk in accepted else []
            pools = pools_for(requirement, on, rng)
            for value in [*tried, *pools.good, *pools.bad]:
                answer.set_value(value)
                try:
                    parse_answer(requirement, AnswerInput.stored(answer), allow_blank=False)
                except AnswerErrors:
                    continue
                accepted[requirement.pk] = value
                break
            answer.needs_attention = False
            answer.save()
        if not check_complete(draft)[0]:
            drafts.append(draft)
        if len(drafts) == wanted:
            break
    return drafts


def _score_backlog() -> int:
    """Score the dataset's submitted declarations that no re-score covers (closed providers, types
    the standard leaves out): the benchmark inserts declarations without submitting them, where a
    real service would have scored each at submission. Otherwise the sweep, which takes the
    oldest 1,000 unscored declarations each time, would meet these before the 200."""
    import datetime as dt

    from scoring.services import score_declaration
    from scoring.services.sweep import unscored_declarations

    seen: set[int] = set()
    while True:
        batch = [pk for pk in unscored_declarations(min_age=dt.timedelta(0)) if pk not in seen]
        if not batch:
            return len(seen)
        for pk in batch:
            score_declaration(declaration_id=pk, trigger="sweep")
        seen.update(batch)


def broker_down(run: Run) -> None:
    """Stop Redis, submit 200 declarations through the submission service, start Redis again
    and let the sweep (sent every few seconds, as beat would every five minutes) queue them."""
    from audits.services import submit_declaration
    from common.tasks import send
    from scoring.models import ScoringRun

    admin = _site_admin()
    backlog_started = time.monotonic()
    say("broker_down_backlog_scored_first", _score_backlog())
    say("broker_down_backlog_s", f"{time.monotonic() - backlog_started:.0f}")
    candidates = sorted(run.clean)[:: max(1, len(run.clean) // (SUBMISSIONS * 2))]
    drafts = _complete_drafts(candidates, SUBMISSIONS, run.on)
    say("broker_down_drafts", len(drafts))
    if not drafts:
        raise RuntimeError("no complete draft to submit")
    run.redis.stop()
    timings: list[float] = []
    errors: dict[str, int] = {}
    for draft in drafts:
        started = time.perf_counter()
        try:
            submit_declaration(declaration=draft, user=admin)
        except Exception as exc:  # counted, and reported below: the page would show an error
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
        timings.append((time.perf_counter() - started) * 1000)
    ids = [d.pk for d in drafts]
    from audits.models import Declaration

    saved = Declaration.objects.filter(pk__in=ids, status="submitted").count()
    say("broker_down_submissions", len(drafts))
    say("broker_down_lost_submissions", len(drafts) - saved)
    say("broker_down_submit_errors", sum(errors.values()))
    if errors:
        say("broker_down_submit_error_kinds", ", ".join(f"{k} {v}" for k, v in errors.items()))
    say("broker_down_submit_p50_ms", f"{statistics.median(timings):.0f}")
    say("broker_down_submit_p95_ms", f"{statistics.quantiles(timings, n=20)[-1]:.0f}")
    run.redis.start()
    back = time.monotonic()
    deadline = back + run.timeout
    last_sweep = 0.0
    scored = 0
    while time.monotonic() < deadline:
        run.supervise()
        scored = _retrying(
            lambda: (
                ScoringRun.objects.filter(declaration_id__in=ids)
                .values("declaration_id")
                .distinct()
                .count()
            )
        )
        if scored == len(ids):
            break
        if time.monotonic() - last_sweep >= run.requeue_every:
            try:
                send("scoring.sweep", queue="default")
            except Exception as exc:
                print(f"# sweep not sent: {exc}", flush=True)
            last_sweep = time.monotonic()
        time.sleep(0.2)
    say("broker_down_scored", f"{scored} of {len(ids)}")
    say("broker_down_scored_after_s", f"{time.monotonic() - back:.1f}")
    runs = ScoringRun.objects.filter(declaration_id__in=ids).count()
    say("broker_down_duplicate_runs", runs - scored)
    say("broker_down_holds", "yes" if saved == len(ids) and scored == len(ids) else "NO")


def poison_chunk(run: Run) -> None:
    """One chunk whose task always raises (a provider id that is not a number): it must be
    marked failed after SCORING_CHUNK_MAX_ATTEMPTS attempts, and the rest of the job finish."""
    from django.conf import settings
    from django.db import transaction

    from reliability.checks import empty_results, verdict
    from scoring.models import ChunkStatus, RescoreChunk
    from scoring.services import start_rescore

    failed = getattr(ChunkStatus, "FAILED", None)
    if failed is None or not hasattr(settings, "SCORING_CHUNK_MAX_ATTEMPTS"):
        say(
            "poison_chunk_attempts",
            "not run: this code has no failed chunk status (ChunkStatus.FAILED) and no "
            "SCORING_CHUNK_MAX_ATTEMPTS setting, so a poison chunk is retried forever",
        )
        return
    most = int(settings.SCORING_CHUNK_MAX_ATTEMPTS)
    empty_results()
    started = time.monotonic()
    with transaction.atomic():  # chunks are queued when this commits
        job = start_rescore(standard_slug="send-statutory-baseline", on=run.on)
        chunks = list(RescoreChunk.objects.filter(job=job).order_by("number"))
        poison = chunks[len(chunks) // 2]
        poison.provider_ids = [*poison.provider_ids, "poison"]
        poison.save(update_fields=["provider_ids"])
    spared = set(run.clean) - set(poison.provider_ids)
    deadline = started + run.timeout + most * (run.requeue_after + 2 * run.requeue_every)
    last_requeue = time.monotonic()
    status = ""
    others_done = False
    while time.monotonic() < deadline:
        run.supervise()
        status = _retrying(
            lambda: RescoreChunk.objects.filter(pk=poison.pk).values_list("status", flat=True).get()
        )
        done, total, _ = _job_progress([job.pk])
        others_done = done == total - 1
        if status == failed and others_done:
            break
        if time.monotonic() - last_requeue >= run.requeue_every:
            _requeue_stale(run)
            last_requeue = time.monotonic()
        time.sleep(0.2)
    chunk = RescoreChunk.objects.get(pk=poison.pk)
    say("poison_chunk_max_attempts", most)
    say("poison_chunk_attempts", chunk.attempts)
    say("poison_chunk_status", chunk.status)
    say("poison_chunk_marked_failed_after_s", f"{time.monotonic() - started:.1f}")
    say("poison_other_chunks_done", "yes" if others_done else "no")
    say("poison_job_status", job.__class__.objects.get(pk=job.pk).status)
    result = verdict(run.clean, run.version_id, expected=spared)
    say("poison_lost_results", result.lost_results)
    say("poison_different_results", result.different_results)
    say("poison_duplicate_runs", result.duplicate_runs)
    ok = status == failed and others_done and chunk.attempts <= most and result.holds
    say("poison_holds", "yes" if ok else "NO")
