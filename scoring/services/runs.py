"""The scoring path: judge a batch, write the runs that changed, make them current, keep gaps.

One path scores everything: `score_batch` takes providers with their declarations, loads
their answers and current results in a query each, judges them with the engine and writes only
what changed (runs with COPY on PostgreSQL), then opens, re-opens and resolves gaps. A single
submission is a batch of one; a re-score chunk is a batch of a few hundred.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from audits.models import Declaration, DeclarationStatus
from common import bulk
from common import tasks as celery_policy
from scoring.engine import ENGINE_VERSION, score
from scoring.models import Trigger
from scoring.services.batch import (
    RUN_COLUMNS,
    RUN_INPUTS,
    SMALL_BATCH,
    BatchResult,
    Change,
    Item,
    existing_runs,
    load_answers,
    load_current,
)
from scoring.services.common import SCORE_TASK, SCORING_QUEUE, announce_results, assessment_date
from scoring.services.gaps import sync_gaps
from scoring.specs import VersionInfo, compiled_for, layout_id_for, version_info
from standards.models import StandardVersion, VersionStatus

logger = logging.getLogger(__name__)


def score_batch(
    items: Sequence[Item],
    *,
    info: VersionInfo,
    on: dt.date,
    trigger: str,
    job_id: int | None = None,
) -> BatchResult:
    """Score providers against a version and write what changed. Call inside a transaction,
    holding the providers' locks."""
    result = BatchResult(scored=len(items))
    if not items:
        return result
    now = timezone.now()
    current = load_current(info.id, [i.provider_id for i in items])
    answers = load_answers([i.declaration_id for i in items])
    layouts: dict[str, int] = {}
    pending: list[tuple[Change, list[Any]]] = []
    for item in items:
        compiled = compiled_for(info, item.provider_type, on)
        spec = compiled.spec
        judged = compiled.judge(answers.get(item.declaration_id, {}))
        codes = judged.codes
        if item.provider_type not in layouts:
            layouts[item.provider_type] = layout_id_for(info, item.provider_type, spec)
        layout_id = layouts[item.provider_type]
        mine = current.get(item.provider_id)
        if (
            mine is not None
            and mine.declaration_id == item.declaration_id
            and mine.content_hash == info.content_hash
            and mine.engine_version == ENGINE_VERSION
            and mine.layout_id == layout_id
            and mine.outcomes == codes
        ):
            result.unchanged += 1
            continue
        scores = score(spec, codes)
        row = [
            item.provider_id,
            item.declaration_id,
            info.id,
            info.content_hash,
            ENGINE_VERSION,
            on,
            trigger,
            job_id,
            now,
            layout_id,
            codes,
            bulk.as_json(judged.errors or None),
            round(scores.score, 6),
            bulk.as_json(scores.sections_json()),
            bulk.as_json(scores.counts_json()),
            scores.all_musts_met,
            scores.pass_count,
            scores.fail_count,
        ]
        pending.append((Change(item, spec, codes), row))

    # The same inputs scored before (a repeated task, or a declaration scored again today)
    # reuse their run: no duplicates.
    if len(pending) <= SMALL_BATCH:
        for change, row in pending:
            change.run_id, inserted = bulk.insert_or_find(
                "scoring_scoringrun", RUN_COLUMNS, row, RUN_INPUTS
            )
            result.runs_written += inserted
    else:
        existing = existing_runs(info, on, [c.item.declaration_id for c, _ in pending])
        new_rows: list[tuple[Change, list[Any]]] = []
        for change, row in pending:
            found = existing.get(change.item.declaration_id)
            if found is not None:
                change.run_id = found[0]
            else:
                new_rows.append((change, row))
        ids = bulk.insert_with_ids("scoring_scoringrun", RUN_COLUMNS, [row for _, row in new_rows])
        for (change, _), run_id in zip(new_rows, ids, strict=True):
            change.run_id = run_id
        result.runs_written = len(ids)

    # A run becomes current unless the provider's current result is from a later declaration.
    moving = []
    for change, _ in pending:
        mine = current.get(change.item.provider_id)
        if mine is not None and (mine.submitted_at, mine.declaration_id) > (
            change.item.submitted_at,
            change.item.declaration_id,
        ):
            continue
        moving.append(change)
    upsert_current(
        [
            (c.item.provider_id, info.id, info.standard_id, c.run_id, c.item.declaration_id, now)
            for c in moving
        ]
    )
    result.made_current = {c.item.provider_id: c.run_id for c in moving}
    if info.sets_gaps:
        sync_gaps(
            [c for c in moving if c.item.provider_open], info=info, on=on, now=now, result=result
        )
    if result.made_current:
        announce_results(
            provider_ids=list(result.made_current),
            standard_id=info.standard_id,
            trigger=trigger,
        )
    return result


def upsert_current(rows: Sequence[tuple[int, int, int, int, int, Any]]) -> None:
    """Point each (provider, version)'s current result at a run, in one statement.

    Rows are (provider id, version id, standard id, run id, declaration id, updated at).
    """
    if not rows:
        return
    columns = "provider_id, version_id, standard_id, run_id, declaration_id, updated_at"
    conflict = (
        " ON CONFLICT (provider_id, version_id) DO UPDATE SET run_id = EXCLUDED.run_id,"
        " declaration_id = EXCLUDED.declaration_id, updated_at = EXCLUDED.updated_at"
    )
    with connection.cursor() as cursor:
        if bulk.is_postgres():
            ids = list(zip(*rows, strict=True))
            cursor.execute(
                f"INSERT INTO scoring_currentresult ({columns})"
                " SELECT *, %s::timestamptz FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[],"
                " %s::bigint[], %s::bigint[])" + conflict,
                [rows[0][5], *(bulk.int_array(column) for column in ids[:5])],
            )
            return
        for start in range(0, len(rows), 100):
            batch = rows[start : start + 100]
            cursor.execute(
                f"INSERT INTO scoring_currentresult ({columns}) VALUES "
                + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(batch))
                + conflict,
                [value for row in batch for value in row],
            )


# ---- scoring one declaration --------------------------------------------------------------


def score_declaration(
    *, declaration_id: int, trigger: str = Trigger.SUBMISSION, on: dt.date | None = None
) -> BatchResult:
    """Score a submitted declaration against its version, and against the standard's published
    version too when that is a newer one. Scoring the same inputs again writes nothing."""
    on = on or assessment_date()
    # The local version is read only for the few declarations that have one (its foreign key
    # gives None without a query otherwise): joining it on every score widened the statement
    # and its Python work for every declaration.
    declaration = (
        Declaration.objects.select_related("provider", "version")
        .filter(pk=declaration_id, status=DeclarationStatus.SUBMITTED)
        .first()
    )
    result = BatchResult()
    if declaration is None:
        return result
    provider = declaration.provider
    assert declaration.submitted_at is not None
    item = Item(
        provider.pk,
        provider.provider_type,
        provider.is_open,
        declaration.pk,
        declaration.submitted_at,
    )
    versions = [declaration.version]
    published = StandardVersion.objects.filter(
        standard_id=declaration.version.standard_id, status=VersionStatus.PUBLISHED
    ).first()
    if published is not None and published.pk != declaration.version_id:
        versions.append(published)
    if declaration.local_version is not None:
        # The local score: the area's own requirements and raised thresholds, in a result of
        # their own, so that the national score always uses the national rules.
        versions.append(declaration.local_version)
    for version in versions:
        with transaction.atomic():
            bulk.results_can_wait_for_disk()
            bulk.lock_providers([provider.pk])
            result.add(score_batch([item], info=version_info(version), on=on, trigger=trigger))
    return result


def queue_scoring(*, declaration_id: int) -> bool:
    """Queue the scoring of a submission. Never raises: if the broker is down, the submission
    is already saved and the periodic sweep queues it later."""
    try:
        celery_policy.send(
            SCORE_TASK,
            kwargs={"declaration_id": declaration_id},
            queue=SCORING_QUEUE,
            retry=True,
            retry_policy=celery_policy.PUBLISH_RETRY,
        )
    except Exception:
        logger.warning(
            "Could not queue the scoring of declaration %s; the sweep will queue it",
            declaration_id,
            exc_info=True,
        )
        return False
    return True
