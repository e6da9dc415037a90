"""The impact preview of a draft at national scale: 50,000 providers with submitted declarations.

Uses the scoring benchmark's dataset (built here if this benchmark runs alone) and its results
on version 1.0, loads version 1.1 as a draft, then measures, on PostgreSQL with Redis and the
re-score's two worker processes (`celery worker --pool=prefork -c 2`):

- impact_preview_s: the preview through the production path (chunks on the broker), from
  starting it to its report being stored;
- impact_preview_rows_written: rows inserted, updated or deleted in the results, gaps and
  dashboards tables while the preview ran (pg_stat_user_tables); it must be 0;
- impact_publish_rescore_s: publishing 1.1 and the national re-score it starts;
- impact_preview_vs_rescore: the preview's time ÷ that re-score's (target ≤ 1.5);
- impact_preview_mismatches: providers whose previewed score or "all musts met" differs from
  the result publishing then gave them (must be 0).

Registered in bench/runner.py's `benches()` as ("impact_preview", impact_preview.run).
"""

from __future__ import annotations

import time

from bench.runner import ROOT, Context, _libpq
from bench.scoring import (
    SLUG,
    Workers,
    _close_django,
    _setup_django,
    build_dataset,
    empty_broker,
    national_rescore,
    say,
)

DRAFT = ROOT / "standards" / "data" / "send-statutory-baseline-1.1.yaml"
TARGETS = {"impact_preview_vs_rescore": 1.5, "impact_preview_rows_written": 0}
# The tables the preview must never write: results, gaps and the dashboards' figures.
WATCHED = (
    "relname IN ('scoring_scoringrun', 'scoring_currentresult', 'scoring_outcomelayout',"
    " 'scoring_gap', 'scoring_gapevent') OR relname LIKE 'dashboards\\_%'"
)


def watched_rows_written(context: Context) -> int:
    """Inserts, updates and deletes of the watched tables, from PostgreSQL's statistics."""
    import psycopg

    _close_django()
    time.sleep(1.2)  # let the last backends' statistics arrive
    with psycopg.connect(_libpq(context.database_url)) as conn:
        return conn.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)"
            f" FROM pg_stat_user_tables WHERE {WATCHED}"
        ).fetchone()[0]


def table_counts(context: Context) -> dict[str, int]:
    import psycopg

    with psycopg.connect(_libpq(context.database_url)) as conn:
        return dict(
            conn.execute(
                "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del"
                f" FROM pg_stat_user_tables WHERE {WATCHED}"
            ).fetchall()
        )


def tables_written(context: Context, since: dict[str, int]) -> str:
    now = table_counts(context)
    return ", ".join(
        f"{name} {now[name] - since.get(name, 0)}"
        for name in sorted(now)
        if now[name] != since.get(name, 0)
    )


def settle(context: Context, *, quiet: float = 3.0, limit: float = 600) -> None:
    """Wait until nothing writes to the watched tables (a refresh still finishing)."""
    started = time.perf_counter()
    last, since = watched_rows_written(context), time.perf_counter()
    while time.perf_counter() - since < quiet and time.perf_counter() - started < limit:
        time.sleep(0.5)
        now = watched_rows_written(context)
        if now != last:
            last, since = now, time.perf_counter()


def _wait(check: object, what: str, limit: float = 1800) -> float:
    started = time.perf_counter()
    while not check():  # type: ignore[operator]
        if time.perf_counter() - started > limit:
            raise RuntimeError(f"{what} did not finish in {limit:.0f} s")
        time.sleep(0.05)
    return time.perf_counter() - started


def run(context: Context) -> None:
    _setup_django(context)
    from dashboards.services import refresh_requested
    from impact.models import ImpactPreview, PreviewStatus
    from impact.services import start_preview
    from scoring.models import CurrentResult, JobStatus, RescoreJob, Trigger
    from standards.models import StandardVersion
    from standards.selectors import current_version
    from standards.services import load_version, publish_version

    empty_broker()
    version = current_version(slug=SLUG)
    if version is None:
        started = time.perf_counter()
        counts = build_dataset(context)
        say("impact_dataset_build_s", f"{time.perf_counter() - started:.1f}")
        say("impact_providers", counts["providers"])
        version = current_version(slug=SLUG)
    assert version is not None
    workers = Workers(context)
    workers.start()
    try:
        if not CurrentResult.objects.filter(version=version).exists():
            seconds, _ = national_rescore()
            say("impact_first_rescore_s", f"{seconds:.2f}")
        # The dashboards add up what the re-scores changed a minute later, on the workers: do
        # it now, and let nothing queued run during the preview.
        workers.stop()
        refresh_requested(hold_rescore=False)
        empty_broker()
        draft = load_version(text=DRAFT.read_text(encoding="utf-8")).version
        label = draft.version
        _close_django()
        settle(context)
        workers.start()

        before = watched_rows_written(context)
        since = table_counts(context)
        started = time.perf_counter()
        preview = start_preview(slug=SLUG, version=label)
        _wait(
            lambda: ImpactPreview.objects.filter(pk=preview.pk, status=PreviewStatus.DONE).exists(),
            "the impact preview",
        )
        preview_s = time.perf_counter() - started
        preview.refresh_from_db()
        written = watched_rows_written(context) - before
        if written:
            say("impact_preview_rows_written_by_table", tables_written(context, since))
        say("impact_preview_providers", preview.provider_count)
        say("impact_preview_s", f"{preview_s:.2f}")
        say("impact_preview_rows_written", written)

        started = time.perf_counter()
        publish_version(slug=SLUG, version=label)
        published = StandardVersion.objects.get(standard__slug=SLUG, version=label)
        _wait(
            lambda: RescoreJob.objects.filter(
                version=published, trigger=Trigger.PUBLISH, status=JobStatus.DONE
            ).exists(),
            "the re-score on publishing",
        )
        rescore_s = time.perf_counter() - started
    finally:
        workers.stop()
    say("impact_publish_rescore_s", f"{rescore_s:.2f}")
    ratio = preview_s / rescore_s
    say("impact_preview_vs_rescore", f"{ratio:.2f}")

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM impact_providerimpact i"
            " LEFT JOIN scoring_currentresult c ON c.provider_id = i.provider_id"
            " AND c.version_id = %s"
            " LEFT JOIN scoring_scoringrun r ON r.id = c.run_id"
            " WHERE i.preview_id = %s AND (r.id IS NULL OR r.score <> i.new_score"
            " OR r.all_musts_met <> i.new_all_musts_met)",
            [published.pk, preview.pk],
        )
        mismatches = cursor.fetchone()[0]
    say("impact_preview_mismatches", mismatches)
    _close_django()

    context.target(
        "impact_preview_vs_rescore",
        ratio <= TARGETS["impact_preview_vs_rescore"],
        f"{ratio:.3g} > {TARGETS['impact_preview_vs_rescore']}",
    )
    context.target("impact_preview_rows_written", written == 0, f"{written} rows written")
    context.target("impact_preview_mismatches", mismatches == 0, f"{mismatches} providers differ")
