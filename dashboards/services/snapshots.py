"""Providers' dashboard rows: recalculated from declarations' status, current results and gaps."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from audits.models import Declaration, DeclarationStatus
from audits.periods import period_for
from dashboards.models import AreaRefreshRequest, DeclarationState, ProviderSnapshot, ScoreBand
from dashboards.selectors.versions import (
    HEALTH_THEME,
    VersionFacts,
    facts_for,
    reporting,
    score_band,
    today,
    version_facts,
)
from providers.models import OPEN_STATUSES, Provider
from scoring.engine import OUTCOME_BY_CODE, counts_as_failure
from scoring.models import ACTIVE_GAP_STATUSES, CurrentResult, Gap, GapStatus
from scoring.specs import layout_keys

BATCH = 2000


# ---- provider snapshots -----------------------------------------------------------------


@dataclass
class _Result:
    version_id: int
    version_status: str
    content_hash: str
    run_id: int
    created_at: dt.datetime
    score: float
    section_scores: dict[str, Any]
    all_musts_met: bool
    outcomes: str
    layout_id: int
    fail_count: int
    period: str


def _among(queryset: QuerySet[Any], column: str, ids: Sequence[int]) -> QuerySet[Any]:
    """`column IN ids`: on PostgreSQL as `= ANY(array)`, one parameter however many ids (Django
    builds a long IN list slowly)."""
    if connection.vendor == "postgresql":
        table = queryset.model._meta.db_table
        return queryset.extra(
            where=[f'"{table}"."{column}" = ANY(%s::bigint[])'], params=[list(ids)]
        )
    return queryset.filter(**{f"{column}__in": list(ids)})


def _chunks(ids: Sequence[int], size: int = BATCH) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def refresh_provider_snapshots(
    *,
    provider_ids: Iterable[int],
    standard_id: int | None = None,
    reason: str = "other",
    on: dt.date | None = None,
) -> set[int]:
    """Recalculate these providers' dashboard rows and ask for their areas to be added up
    again. Returns the ids of the areas asked for."""
    ids = sorted(set(provider_ids))
    if not ids:
        return set()
    standard, version = reporting(standard_id=standard_id)
    if standard is None or version is None:
        return set()
    facts = version_facts(version)
    period = period_for(on or today())
    areas: set[int] = set()
    for batch in _chunks(ids):
        areas |= _refresh_batch(batch, standard_id=standard.pk, facts=facts, period=period)
    request_area_refresh(area_ids=areas, standard_id=standard.pk, reason=reason)
    return areas


def request_area_refresh(*, area_ids: Iterable[int], standard_id: int, reason: str) -> int:
    """Ask for areas to be added up again. Insert-only, so parallel scoring never waits."""
    wanted = sorted({a for a in area_ids if a is not None})
    AreaRefreshRequest.objects.bulk_create(
        [AreaRefreshRequest(area_id=a, standard_id=standard_id, reason=reason) for a in wanted]
    )
    return len(wanted)


SNAPSHOT_FIELDS = [f for f in ProviderSnapshot._meta.concrete_fields if f.name != "id"]


def _write_snapshots(rows: list[dict[str, Any]], *, ids: Sequence[int], standard_id: int) -> None:
    """Replace the batch's rows (given as attribute: value): a delete and, on PostgreSQL, one
    COPY."""
    _among(ProviderSnapshot.objects.filter(standard_id=standard_id), "provider_id", ids).delete()
    if not rows:
        return
    if connection.vendor != "postgresql":
        ProviderSnapshot.objects.bulk_create(
            [ProviderSnapshot(**row) for row in rows], batch_size=500
        )
        return
    columns = ", ".join(f.column for f in SNAPSHOT_FIELDS)
    names = [f.attname for f in SNAPSHOT_FIELDS]
    sql = f"COPY dashboards_providersnapshot ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(
                [json.dumps(row[name]) if name == "section_scores" else row[name] for name in names]
            )


def _refresh_batch(
    ids: Sequence[int], *, standard_id: int, facts: VersionFacts, period: str
) -> set[int]:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One batch of dashboard rows is written at a time (they are replaced, not updated).
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [SNAPSHOT_LOCK, standard_id])
        return _refresh_locked(ids, standard_id=standard_id, facts=facts, period=period)


SNAPSHOT_LOCK = 73020


def _refresh_locked(
    ids: Sequence[int], *, standard_id: int, facts: VersionFacts, period: str
) -> set[int]:
    providers = list(
        _among(Provider.objects.all(), "id", ids).values_list(
            "pk", "name", "urn", "provider_type", "phase", "status", "area_id", "icb_id"
        )
    )
    areas = {row[6] for row in providers if row[6] is not None}
    # A provider that moved area or closed leaves its old area's figures too.
    areas |= set(
        _among(
            ProviderSnapshot.objects.filter(standard_id=standard_id, area__isnull=False),
            "provider_id",
            ids,
        ).values_list("area_id", flat=True)
    )
    counted = [p for p in providers if p[5] in OPEN_STATUSES and p[3] in facts.applies_to]
    if not counted:
        _write_snapshots([], ids=ids, standard_id=standard_id)
        return areas
    counted_ids = [p[0] for p in counted]
    results = _current_results(counted_ids, standard_id=standard_id, version_id=facts.id)
    declarations = _declaration_states(counted_ids, standard_id=standard_id, period=period)
    gaps = _gap_counts(counted_ids, standard_id=standard_id)
    layouts = layout_keys(r.layout_id for r in results.values())
    now = timezone.now()
    empty: dict[str, Any] = {
        "version_id": None,
        "run_id": None,
        "layout_id": None,
        "outcomes": "",
        "result_period": "",
        "score": None,
        "score_band": ScoreBand.NO_RESULT.value,
        "all_musts_met": None,
        "failed_count": 0,
        "section_scores": {},
        "health_met": 0,
        "health_failed": 0,
        "health_must_failed": 0,
    }
    rows: list[dict[str, Any]] = []
    for pk, name, urn, provider_type, phase, _status, area_id, icb_id in counted:
        state, last_submitted = declarations.get(pk, (DeclarationState.NOT_STARTED, None))
        result = results.get(pk)
        gap = gaps.get(pk, _GapCounts())
        row: dict[str, Any] = {
            "provider_id": pk,
            "standard_id": standard_id,
            "area_id": area_id,
            "icb_id": icb_id if area_id is None else None,
            "name": name,
            "urn": urn or "",
            "provider_type": provider_type,
            "phase": phase,
            "period": period,
            "declaration_status": str(state),
            "last_submitted_at": last_submitted,
            "open_gaps": gap.open,
            "in_progress_gaps": gap.in_progress,
            "accepted_gaps": gap.accepted,
            "open_must_gaps": gap.open_must,
            "health_open_gaps": gap.health_open,
            "earliest_due": gap.earliest_due,
            "refreshed_at": now,
            **empty,
        }
        if result is not None:
            score = max(0.0, min(100.0, float(result.score)))
            result_facts = (
                facts
                if result.version_id == facts.id
                else facts_for(result.version_id, result.content_hash, result.version_status)
            )
            health = _health_counts(
                layouts.get(result.layout_id, ()), result.outcomes, result_facts
            )
            row.update(
                version_id=result.version_id,
                run_id=result.run_id,
                layout_id=result.layout_id,
                outcomes=result.outcomes,
                result_period=result.period,
                score=score,
                score_band=str(score_band(score)),
                all_musts_met=result.all_musts_met,
                failed_count=result.fail_count,
                section_scores={
                    code: round(float(values[0]), 4)
                    for code, values in (result.section_scores or {}).items()
                    if values and len(values) > 1 and values[1]
                },
                health_met=health[0],
                health_failed=health[1],
                health_must_failed=health[2],
            )
        rows.append(row)
    _write_snapshots(rows, ids=ids, standard_id=standard_id)
    return areas


def _current_results(
    provider_ids: Sequence[int], *, standard_id: int, version_id: int
) -> dict[int, _Result]:
    """Each provider's current result: the reported version's, else its most recent one."""
    chosen: dict[int, _Result] = {}
    rows = _among(
        CurrentResult.objects.filter(standard_id=standard_id), "provider_id", provider_ids
    ).values_list(
        "provider_id",
        "version_id",
        "version__status",
        "version__content_hash",
        "run_id",
        "run__created_at",
        "run__score",
        "run__section_scores",
        "run__all_musts_met",
        "run__outcomes",
        "run__layout_id",
        "run__fail_count",
        "declaration__period",
    )
    for row in rows:
        result = _Result(*row[1:])
        mine = chosen.get(row[0])
        if mine is None or _preferred(result, mine, version_id):
            chosen[row[0]] = result
    return chosen


def _preferred(candidate: _Result, current: _Result, version_id: int) -> bool:
    if (candidate.version_id == version_id) != (current.version_id == version_id):
        return candidate.version_id == version_id
    return (candidate.created_at, candidate.run_id) > (current.created_at, current.run_id)


def _declaration_states(
    provider_ids: Sequence[int], *, standard_id: int, period: str
) -> dict[int, tuple[str, dt.datetime | None]]:
    states: dict[int, tuple[str, dt.datetime | None]] = {}
    rows = _among(
        Declaration.objects.filter(version__standard_id=standard_id), "provider_id", provider_ids
    ).values_list("provider_id", "period", "status", "submitted_at")
    order = {
        DeclarationState.NOT_STARTED: 0,
        DeclarationState.IN_PROGRESS: 1,
        DeclarationState.SUBMITTED: 2,
    }
    for provider_id, declared_period, status, submitted_at in rows:
        state, last = states.get(provider_id, (DeclarationState.NOT_STARTED, None))
        if submitted_at is not None and (last is None or submitted_at > last):
            last = submitted_at
        if declared_period == period:
            now_state = (
                DeclarationState.SUBMITTED
                if status == DeclarationStatus.SUBMITTED
                else DeclarationState.IN_PROGRESS
            )
            if order[now_state] > order[DeclarationState(state)]:
                state = now_state
        states[provider_id] = (state, last)
    return states


@dataclass
class _GapCounts:
    open: int = 0
    in_progress: int = 0
    accepted: int = 0
    open_must: int = 0
    health_open: int = 0
    earliest_due: dt.date | None = None


def _gap_counts(provider_ids: Sequence[int], *, standard_id: int) -> dict[int, _GapCounts]:
    counts: dict[int, _GapCounts] = defaultdict(_GapCounts)
    rows = (
        _among(
            Gap.objects.filter(standard_id=standard_id, status__in=ACTIVE_GAP_STATUSES),
            "provider_id",
            provider_ids,
        )
        .values_list("provider_id", "status", "strength", "theme", "due_date")
        .order_by()
    )
    for provider_id, status, strength, theme, due in rows:
        mine = counts[provider_id]
        if status == GapStatus.OPEN:
            mine.open += 1
        elif status == GapStatus.IN_PROGRESS:
            mine.in_progress += 1
            if due is not None and (mine.earliest_due is None or due < mine.earliest_due):
                mine.earliest_due = due
        else:
            mine.accepted += 1
        if strength == "must" and status in (GapStatus.OPEN, GapStatus.IN_PROGRESS):
            mine.open_must += 1
        if theme == HEALTH_THEME and status in (GapStatus.OPEN, GapStatus.IN_PROGRESS):
            mine.health_open += 1  # accepted gaps are not open, as for open_must
    return counts


def _health_counts(keys: Sequence[str], outcomes: str, facts: VersionFacts) -> tuple[int, int, int]:
    met = failed = must_failed = 0
    for key, code in zip(keys, outcomes, strict=False):
        requirement = facts.requirements.get(key)
        if requirement is None or requirement.theme != HEALTH_THEME:
            continue
        outcome = OUTCOME_BY_CODE.get(code)
        if outcome is None:
            continue
        if code == "p":
            met += 1
        elif counts_as_failure(outcome, requirement.strength):
            failed += 1
            if requirement.strength == "must":
                must_failed += 1
    return met, failed, must_failed
