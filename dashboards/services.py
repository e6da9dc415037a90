"""Writes for the dashboards: keep the aggregates up to date, and load official statistics.

The scoring jobs call `dashboards.hooks` after they write results or gaps; a hook records
which providers changed (`note_changes`, one INSERT in the scoring transaction) and queues the
refresh task, whose work is `refresh_requested`: recalculate those providers' rows
(`refresh_provider_snapshots`, set-based reads and one COPY per batch), then add up their
areas (`refresh_area`). `refresh_all` rebuilds everything (`manage.py refresh_dashboards`).
Nothing here reads answers: only providers, declarations' status, current results and gaps.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from audits.models import Declaration, DeclarationStatus
from audits.periods import period_for
from dashboards import official
from dashboards.models import (
    AreaRefreshRequest,
    AreaSnapshot,
    AreaTrendPoint,
    DeclarationState,
    GeographicLevel,
    OfficialStatistic,
    ProviderRefreshRequest,
    ProviderSnapshot,
    ScoreBand,
    StatisticsDataset,
    TrendLabel,
)
from providers.models import OPEN_STATUSES, Area, AreaCodeAlias, Provider
from scoring.engine import OUTCOME_BY_CODE, counts_as_failure
from scoring.models import (
    ACTIVE_GAP_STATUSES,
    CurrentResult,
    Gap,
    GapStatus,
    OutcomeLayout,
    ScoringRun,
)
from standards.models import Requirement, Section, Standard, StandardVersion, VersionStatus

logger = logging.getLogger(__name__)

DEFAULT_STANDARD = "send-statutory-baseline"
HEALTH_THEME = "health"
BATCH = 2000
RESCORE_TRIGGERS = frozenset({"command", "nightly", "publish", "manual"})
# Reasons an area is refreshed, most telling first: the trend point of the day keeps the first.
REASONS = ("rescore", "submission", "gaps", "declaration", "other")
LABEL_FOR_REASON = {
    "rescore": TrendLabel.RESCORE,
    "submission": TrendLabel.SUBMISSIONS,
    "gaps": TrendLabel.GAPS,
}
LABEL_ORDER = [
    TrendLabel.RESCORE,
    TrendLabel.SUBMISSIONS,
    TrendLabel.DECLARED,
    TrendLabel.GAPS,
    TrendLabel.OTHER,
]


def today() -> dt.date:
    return timezone.localdate()


def score_band(score: float | None) -> str:
    """The band of a score as it is shown: rounded half up to a whole number."""
    if score is None:
        return ScoreBand.NO_RESULT
    shown = int(score + 0.5)
    if shown < 50:
        return ScoreBand.UNDER_50
    if shown < 70:
        return ScoreBand.FROM_50
    if shown < 90:
        return ScoreBand.FROM_70
    return ScoreBand.FROM_90


# ---- what a version asks ----------------------------------------------------------------


@dataclass(frozen=True)
class RequirementFacts:
    key: str
    title: str
    section: str
    strength: str
    theme: str
    order: int
    applies_to: frozenset[str] = frozenset()


@dataclass(frozen=True)
class VersionFacts:
    """The parts of a version the dashboards need, read once per version."""

    id: int
    label: str
    sections: tuple[tuple[str, str], ...]  # (code, title) in order
    requirements: dict[str, RequirementFacts]
    applies_to: frozenset[str]

    @property
    def health_keys(self) -> frozenset[str]:
        return frozenset(k for k, r in self.requirements.items() if r.theme == HEALTH_THEME)


@lru_cache(maxsize=32)
def _facts(version_id: int, content_hash: str, status: str) -> VersionFacts:
    version = StandardVersion.objects.get(pk=version_id)
    sections = tuple(
        Section.objects.filter(version_id=version_id).order_by("order").values_list("code", "title")
    )
    requirements: dict[str, RequirementFacts] = {}
    applies: set[str] = set()
    rows = (
        Requirement.objects.filter(version_id=version_id)
        .order_by("section__order", "order")
        .values_list("key", "title", "section__code", "strength", "theme", "applies_to")
    )
    for order, (key, title, section, strength, theme, applies_to) in enumerate(rows):
        requirements[key] = RequirementFacts(
            key, title, section, strength, theme, order, frozenset(applies_to or [])
        )
        applies.update(applies_to or [])
    return VersionFacts(
        id=version_id,
        label=version.version,
        sections=sections,
        requirements=requirements,
        applies_to=frozenset(applies),
    )


def version_facts(version: StandardVersion) -> VersionFacts:
    if version.status == VersionStatus.DRAFT:
        _facts.cache_clear()
    return _facts(version.pk, version.content_hash, version.status)


_layouts: dict[int, tuple[str, ...]] = {}


def layout_keys(layout_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """The requirement keys of outcome layouts. Layouts never change once written: each is
    read once per process."""
    wanted = sorted(set(layout_ids))
    missing = [i for i in wanted if i not in _layouts]
    if missing:
        for pk, keys in OutcomeLayout.objects.filter(pk__in=missing).values_list("pk", "keys"):
            _layouts[pk] = tuple(keys)
    return {i: _layouts.get(i, ()) for i in wanted}


def clear_caches() -> None:
    """For tests, whose databases reuse ids."""
    from dashboards import selectors

    _facts.cache_clear()
    _layouts.clear()
    _reporting.clear()
    selectors.clear_caches()


def standard_by_slug(slug: str | None = None) -> Standard | None:
    return Standard.objects.filter(slug=slug or DEFAULT_STANDARD).first()


def published_version(standard_id: int) -> StandardVersion | None:
    """The version the dashboards report against: the published one, else the latest
    superseded or withdrawn one (never a draft)."""
    versions = (
        StandardVersion.objects.select_related("standard")
        .filter(standard_id=standard_id)
        .exclude(status=VersionStatus.DRAFT)
    )
    published = versions.filter(status=VersionStatus.PUBLISHED).first()
    if published is not None:
        return published
    return versions.order_by("-effective_from", "-created_at").first()


# Which version each standard reports against, read at most every REPORTING_TTL seconds per
# process: a newly published version shows within that time.
REPORTING_TTL = 30.0
_reporting: dict[str, tuple[float, Standard | None, StandardVersion | None]] = {}


def reporting(
    *, standard_id: int | None = None, slug: str | None = None
) -> tuple[Standard | None, StandardVersion | None]:
    key = f"id:{standard_id}" if standard_id else f"slug:{slug or DEFAULT_STANDARD}"
    hit = _reporting.get(key)
    if hit is not None and time.monotonic() - hit[0] < REPORTING_TTL:
        return hit[1], hit[2]
    standard = (
        Standard.objects.filter(pk=standard_id).first() if standard_id else standard_by_slug(slug)
    )
    version = published_version(standard.pk) if standard else None
    _reporting[key] = (time.monotonic(), standard, version)
    return standard, version


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
    with connection.cursor() as cursor, cursor.copy(sql) as copy:  # type: ignore[attr-defined]
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
                else _facts(result.version_id, result.content_hash, result.version_status)
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


# ---- areas ------------------------------------------------------------------------------


def request_area_refresh(*, area_ids: Iterable[int], standard_id: int, reason: str) -> int:
    """Ask for areas to be added up again. Insert-only, so parallel scoring never waits."""
    wanted = sorted({a for a in area_ids if a is not None})
    AreaRefreshRequest.objects.bulk_create(
        [AreaRefreshRequest(area_id=a, standard_id=standard_id, reason=reason) for a in wanted]
    )
    return len(wanted)


def refresh_requested_areas(
    *, area_ids: Iterable[int] | None = None, limit: int | None = None
) -> int:
    """Add up every area asked for since it was last added up (or only some of them). Safe to
    run at once in many workers: each area is recalculated under its row lock from committed
    snapshots."""
    pending: dict[tuple[int, int], tuple[int, set[str]]] = {}
    requests = AreaRefreshRequest.objects.order_by("pk")
    if area_ids is not None:
        requests = requests.filter(area_id__in=sorted(set(area_ids)))
    for pk, area_id, standard_id, reason in requests.values_list(
        "pk", "area_id", "standard_id", "reason"
    ):
        last, reasons = pending.get((area_id, standard_id), (0, set()))
        reasons.add(reason)
        pending[(area_id, standard_id)] = (max(last, pk), reasons)
    done = 0
    for (area_id, standard_id), (last, reasons) in pending.items():
        if limit is not None and done >= limit:
            break
        refresh_area(area_id=area_id, standard_id=standard_id, reasons=reasons, up_to=last)
        done += 1
    return done


@dataclass
class _Totals:
    providers: int = 0
    declared: int = 0
    results: int = 0
    musts_met: int = 0
    score_sum: float = 0.0

    def as_json(self) -> dict[str, float | int]:
        return {
            "providers": self.providers,
            "declared": self.declared,
            "results": self.results,
            "musts_met": self.musts_met,
            "score_sum": round(self.score_sum, 4),
        }


@dataclass
class AreaFigures:
    totals: _Totals = field(default_factory=_Totals)
    in_progress: int = 0
    by_type: dict[str, _Totals] = field(default_factory=lambda: defaultdict(_Totals))
    by_phase: dict[str, _Totals] = field(default_factory=lambda: defaultdict(_Totals))
    sections: dict[str, list[float]] = field(default_factory=dict)
    requirements: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    gaps: Counter[str] = field(default_factory=Counter)
    health: Counter[str] = field(default_factory=Counter)


SNAPSHOT_COLUMNS = (
    "provider_type",
    "phase",
    "period",
    "declaration_status",
    "score",
    "all_musts_met",
    "section_scores",
    "layout_id",
    "outcomes",
    "open_gaps",
    "in_progress_gaps",
    "accepted_gaps",
    "open_must_gaps",
    "health_met",
    "health_failed",
    "health_must_failed",
    "health_open_gaps",
)


def add_up(rows: Iterable[Sequence[Any]], *, period: str) -> AreaFigures:
    """Totals over provider snapshot rows (SNAPSHOT_COLUMNS, in order)."""
    figures = AreaFigures()
    by_layout: dict[int, list[str]] = defaultdict(list)
    for (
        provider_type,
        phase,
        row_period,
        state,
        score,
        musts_met,
        section_scores,
        layout_id,
        outcomes,
        open_gaps,
        in_progress_gaps,
        accepted_gaps,
        open_must_gaps,
        health_met,
        health_failed,
        health_must_failed,
        health_open_gaps,
    ) in rows:
        declared = row_period == period and state == DeclarationState.SUBMITTED
        if row_period == period and state == DeclarationState.IN_PROGRESS:
            figures.in_progress += 1
        for totals in (figures.totals, figures.by_type[provider_type], figures.by_phase[phase]):
            totals.providers += 1
            totals.declared += declared
            if score is not None:
                totals.results += 1
                totals.musts_met += bool(musts_met)
                totals.score_sum += score
        for code, section_score in (section_scores or {}).items():
            slot = figures.sections.setdefault(code, [0, 0.0, 0])
            slot[0] += 1
            slot[1] += section_score
            slot[2] += section_score >= 99.9999
        if layout_id is not None and outcomes:
            by_layout[layout_id].append(outcomes)
        figures.gaps["open"] += open_gaps
        figures.gaps["in_progress"] += in_progress_gaps
        figures.gaps["accepted"] += accepted_gaps
        figures.gaps["open_must"] += open_must_gaps
        if health_met or health_failed:
            figures.health["providers"] += 1
            figures.health["met"] += health_met
            figures.health["failed"] += health_failed
            figures.health["all_musts_met"] += health_must_failed == 0
        figures.health["open_gaps"] += health_open_gaps
    keys = layout_keys(by_layout)
    for layout_id, strings in by_layout.items():
        layout = keys.get(layout_id, ())
        # One pass per requirement position over every provider's outcome letters.
        for key, letters in zip(layout, zip(*strings, strict=False), strict=False):
            figures.requirements[key].update(letters)
    return figures


def refresh_area(
    *,
    area_id: int,
    standard_id: int,
    reasons: Iterable[str] = ("other",),
    up_to: int | None = None,
    on: dt.date | None = None,
) -> AreaSnapshot:
    """Add up an area's provider snapshots under the area's row lock; record the day's trend
    point. Six queries, whatever the size of the area."""
    on = on or today()
    period = period_for(on)
    _standard, version = reporting(standard_id=standard_id)
    if version is not None:
        _complete_area(area_id=area_id, standard_id=standard_id, version=version, period=period)
    with transaction.atomic():
        snapshot = (
            AreaSnapshot.objects.select_for_update()
            .filter(area_id=area_id, standard_id=standard_id)
            .first()
        )
        if snapshot is None:
            AreaSnapshot.objects.bulk_create(
                [AreaSnapshot(area_id=area_id, standard_id=standard_id)], ignore_conflicts=True
            )
            snapshot = AreaSnapshot.objects.select_for_update().get(
                area_id=area_id, standard_id=standard_id
            )
        rows = ProviderSnapshot.objects.filter(
            standard_id=standard_id, area_id=area_id
        ).values_list(*SNAPSHOT_COLUMNS)
        figures = add_up(rows, period=period)
        totals = figures.totals
        snapshot.version = version
        snapshot.period = period
        snapshot.provider_count = totals.providers
        snapshot.declared_count = totals.declared
        snapshot.in_progress_count = figures.in_progress
        snapshot.result_count = totals.results
        snapshot.musts_met_count = totals.musts_met
        snapshot.score_sum = round(totals.score_sum, 4)
        snapshot.average_score = (
            round(totals.score_sum / totals.results, 4) if totals.results else None
        )
        snapshot.declared_pct = (
            round(100 * totals.declared / totals.providers, 4) if totals.providers else None
        )
        snapshot.musts_met_pct = (
            round(100 * totals.musts_met / totals.results, 4) if totals.results else None
        )
        snapshot.open_must_gaps = figures.gaps["open_must"]
        snapshot.by_type = {k: v.as_json() for k, v in sorted(figures.by_type.items())}
        snapshot.by_phase = {k: v.as_json() for k, v in sorted(figures.by_phase.items())}
        snapshot.sections = {
            code: {"results": n, "score_sum": round(total, 4), "full": full}
            for code, (n, total, full) in figures.sections.items()
        }
        snapshot.requirements = {k: dict(v) for k, v in figures.requirements.items()}
        snapshot.gaps = dict(figures.gaps)
        snapshot.health = dict(figures.health)
        snapshot.refreshed_at = timezone.now()
        snapshot.save()
        last = (
            AreaTrendPoint.objects.filter(area_id=area_id, standard_id=standard_id)
            .order_by("-day")
            .first()
        )
        if last is None and rebuild_area_trend(area_id=area_id, standard_id=standard_id, until=on):
            last = (
                AreaTrendPoint.objects.filter(area_id=area_id, standard_id=standard_id)
                .order_by("-day")
                .first()
            )
        _record_point(snapshot, last=last, on=on, reasons=set(reasons))
        requests = AreaRefreshRequest.objects.filter(area_id=area_id, standard_id=standard_id)
        if up_to is not None:
            requests = requests.filter(pk__lte=up_to)
        requests.delete()
    return snapshot


def _complete_area(
    *, area_id: int, standard_id: int, version: StandardVersion, period: str
) -> None:
    """Give every provider the area counts a row, and take away rows of providers it no longer
    counts (opened, closed or moved without anything being scored): two reads when nothing
    is missing."""
    facts = version_facts(version)
    counted = set(
        Provider.objects.filter(
            area_id=area_id,
            status__in=OPEN_STATUSES,
            provider_type__in=sorted(facts.applies_to),
        ).values_list("pk", flat=True)
    )
    have = set(
        ProviderSnapshot.objects.filter(standard_id=standard_id, area_id=area_id).values_list(
            "provider_id", flat=True
        )
    )
    different = sorted(counted ^ have)
    for batch in _chunks(different):
        _refresh_batch(batch, standard_id=standard_id, facts=facts, period=period)


def _label(reasons: set[str]) -> str:
    for reason in REASONS:
        if reason in reasons:
            return LABEL_FOR_REASON.get(reason, TrendLabel.OTHER)
    return TrendLabel.OTHER


def _point_figures(point: AreaSnapshot | AreaTrendPoint) -> tuple[Any, ...]:
    return (
        point.provider_count,
        point.declared_count,
        point.result_count,
        point.musts_met_count,
        None if point.average_score is None else round(point.average_score, 4),
    )


def _record_point(
    snapshot: AreaSnapshot, *, last: AreaTrendPoint | None, on: dt.date, reasons: set[str]
) -> None:
    """Keep one point a day: today's is updated in place; a day on which nothing changed
    (apart from a re-score, worth showing) adds nothing."""
    figures = _point_figures(snapshot)
    label = _label(reasons)
    if last is not None and last.day == on:
        if LABEL_ORDER.index(TrendLabel(last.label)) < LABEL_ORDER.index(TrendLabel(label)):
            label = last.label
    elif (
        last is not None
        and label != TrendLabel.RESCORE
        and last.period == period_for(on)
        and _point_figures(last) == figures
    ):
        return
    AreaTrendPoint.objects.bulk_create(
        [
            AreaTrendPoint(
                area_id=snapshot.area_id,
                standard_id=snapshot.standard_id,
                day=on,
                period=period_for(on),
                label=label,
                provider_count=figures[0],
                declared_count=figures[1],
                result_count=figures[2],
                musts_met_count=figures[3],
                average_score=figures[4],
                recorded_at=timezone.now(),
            )
        ],
        update_conflicts=True,
        unique_fields=["area", "standard", "day"],
        update_fields=[
            "period",
            "label",
            "provider_count",
            "declared_count",
            "result_count",
            "musts_met_count",
            "average_score",
            "recorded_at",
        ],
    )


def rebuild_area_trend(*, area_id: int, standard_id: int, until: dt.date | None = None) -> int:
    """Rebuild an area's trend from the history scoring keeps: every run and every submission
    of its providers, replayed day by day. Returns the number of points written."""
    until = until or today()
    _standard, version = reporting(standard_id=standard_id)
    if version is None:
        return 0
    facts = version_facts(version)
    counted = list(
        Provider.objects.filter(
            area_id=area_id,
            status__in=OPEN_STATUSES,
            provider_type__in=sorted(facts.applies_to),
        ).values_list("pk", flat=True)
    )
    events: list[tuple[dt.datetime, int, tuple[Any, ...]]] = []
    for batch in _chunks(counted):
        for provider_id, created, score, musts, trigger, decl_id, submitted in (
            _among(
                ScoringRun.objects.filter(version__standard_id=standard_id), "provider_id", batch
            )
            .order_by()
            .values_list(
                "provider_id",
                "created_at",
                "score",
                "all_musts_met",
                "trigger",
                "declaration_id",
                "declaration__submitted_at",
            )
        ):
            events.append((created, 1, (provider_id, score, musts, trigger, decl_id, submitted)))
        for provider_id, declared_period, submitted in (
            Declaration.objects.filter(
                provider_id__in=batch,
                version__standard_id=standard_id,
                status=DeclarationStatus.SUBMITTED,
            )
            .order_by()
            .values_list("provider_id", "period", "submitted_at")
        ):
            if submitted is not None:
                events.append((submitted, 0, (provider_id, declared_period)))
    events.sort(key=lambda e: (e[0], e[1]))
    state: dict[int, tuple[dt.datetime, int, float, bool]] = {}
    declared: dict[str, set[int]] = defaultdict(set)
    points: list[AreaTrendPoint] = []
    days = [timezone.localdate(e[0]) for e in events]
    index = 0
    while index < len(events):
        day = days[index]
        if day > until:
            break
        rescored = scored = False
        while index < len(events) and days[index] == day:
            _when, kind, data = events[index]
            index += 1
            if kind == 0:
                declared[data[1]].add(data[0])
                continue
            scored = True
            provider_id, score, musts, trigger, decl_id, submitted = data
            mine = state.get(provider_id)
            if mine is not None and (mine[0], mine[1]) > (submitted, decl_id):
                continue
            state[provider_id] = (submitted, decl_id, float(score), bool(musts))
            rescored = rescored or trigger in RESCORE_TRIGGERS
        results = len(state)
        total = sum(s[2] for s in state.values())
        points.append(
            AreaTrendPoint(
                area_id=area_id,
                standard_id=standard_id,
                period=period_for(day),
                day=day,
                label=TrendLabel.RESCORE
                if rescored
                else TrendLabel.SUBMISSIONS
                if scored
                else TrendLabel.DECLARED,
                provider_count=len(counted),
                declared_count=len(declared[period_for(day)]),
                result_count=results,
                musts_met_count=sum(1 for s in state.values() if s[3]),
                average_score=round(total / results, 4) if results else None,
            )
        )
    AreaTrendPoint.objects.bulk_create(
        points,
        update_conflicts=True,
        unique_fields=["area", "standard", "day"],
        update_fields=[
            "period",
            "label",
            "provider_count",
            "declared_count",
            "result_count",
            "musts_met_count",
            "average_score",
            "recorded_at",
        ],
    )
    return len(points)


# ---- everything -------------------------------------------------------------------------


@dataclass
class RefreshReport:
    providers: int = 0
    areas: int = 0
    trend_points: int = 0


def refresh_all(
    *,
    standard_slug: str | None = None,
    area_codes: Sequence[str] | None = None,
    rebuild_trend: bool = False,
    on: dt.date | None = None,
) -> RefreshReport:
    """Recalculate every provider and area (or only some areas'), from scratch."""
    report = RefreshReport()
    standard = standard_by_slug(standard_slug)
    if standard is None:
        return report
    providers = Provider.objects.all()
    areas = Area.objects.all()
    if area_codes:
        areas = areas.filter(code__in=list(area_codes))
        providers = providers.filter(area__in=areas)
    ids = list(providers.order_by("pk").values_list("pk", flat=True))
    if not area_codes:
        # Rows of providers that no longer exist or moved out of every area.
        ProviderSnapshot.objects.filter(standard=standard).exclude(provider_id__in=ids).delete()
    version = published_version(standard.pk)
    if version is None:
        return report
    facts = version_facts(version)
    period = period_for(on or today())
    for batch in _chunks(ids):
        _refresh_batch(batch, standard_id=standard.pk, facts=facts, period=period)
        report.providers += len(batch)
    for area_id in areas.order_by("pk").values_list("pk", flat=True):
        if rebuild_trend:
            AreaTrendPoint.objects.filter(area_id=area_id, standard=standard).delete()
        refresh_area(area_id=area_id, standard_id=standard.pk, reasons={"other"}, on=on)
        report.areas += 1
    report.trend_points = AreaTrendPoint.objects.filter(standard=standard).count()
    return report


# ---- requests from the scoring jobs ------------------------------------------------------

# Seconds between the first request and the task that handles it.
SUBMISSION_DELAY = 3
RESCORE_DELAY = 60
QUEUED_KEY = "dashboards:refresh-queued"


def note_changes(
    *, provider_ids: Iterable[int], standard_id: int | None = None, reason: str = "other"
) -> int:
    """Record that these providers' results, gaps or declarations changed: one INSERT, so that
    it costs the caller's transaction next to nothing. The refresh task does the work."""
    ids = sorted(set(provider_ids))
    ProviderRefreshRequest.objects.bulk_create(
        [
            ProviderRefreshRequest(provider_id=i, standard_id=standard_id, reason=reason)
            for i in ids
        ],
        batch_size=5000,
    )
    return len(ids)


def queue_refresh(*, rescore: bool = False) -> bool:
    """Queue the refresh task, unless this process queued it a moment ago. Never raises: the
    requests stay in their tables for the next task (or `refresh_dashboards --pending`)."""
    from django.core.cache import cache

    from dashboards.tasks import refresh_areas_task

    delay = RESCORE_DELAY if rescore else SUBMISSION_DELAY
    if not cache.add(QUEUED_KEY, True, timeout=delay):
        return False
    try:
        refresh_areas_task.apply_async(queue="default", countdown=delay, retry=False)
    except Exception:
        cache.delete(QUEUED_KEY)
        logger.warning("Could not queue the dashboards' refresh", exc_info=True)
        return False
    return True


def rescore_running() -> bool:
    from scoring.models import JobStatus, RescoreJob

    recent = timezone.now() - dt.timedelta(hours=6)
    return RescoreJob.objects.filter(status=JobStatus.RUNNING, created_at__gte=recent).exists()


@dataclass
class Pending:
    providers: int = 0
    areas: int = 0
    waiting: bool = False


def refresh_requested(*, hold_rescore: bool | None = None) -> Pending:
    """The refresh task's work: recalculate the providers asked for, then add up their areas.
    While a re-score runs, what it asked for waits until it has finished, so that each area is
    added up once rather than once per chunk; everything else goes ahead."""
    if hold_rescore is None:
        hold_rescore = rescore_running()
    done = Pending()
    requests = ProviderRefreshRequest.objects.all()
    if hold_rescore:
        requests = requests.exclude(reason="rescore")
    wanted: dict[tuple[int | None, str], set[int]] = defaultdict(set)
    last = 0
    for pk, provider_id, standard_id, reason in requests.order_by("pk").values_list(
        "pk", "provider_id", "standard_id", "reason"
    ):
        wanted[(standard_id, reason)].add(provider_id)
        last = pk
    for (standard_id, reason), ids in wanted.items():
        refresh_provider_snapshots(provider_ids=ids, standard_id=standard_id, reason=reason)
        done.providers += len(ids)
    if last:
        requests.filter(pk__lte=last).delete()
    if hold_rescore:
        others = set(
            AreaRefreshRequest.objects.exclude(reason="rescore").values_list("area_id", flat=True)
        )
        done.areas = refresh_requested_areas(area_ids=others) if others else 0
        done.waiting = (
            ProviderRefreshRequest.objects.filter(reason="rescore").exists()
            or AreaRefreshRequest.objects.filter(reason="rescore").exists()
        )
    else:
        done.areas = refresh_requested_areas()
    return done


# ---- official statistics ----------------------------------------------------------------


@dataclass
class DatasetReport:
    key: str
    file: str = ""
    rows_read: int = 0
    figures: int = 0
    suppressed: int = 0
    derived: int = 0
    unmapped: set[str] = field(default_factory=set)
    conflicts: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    missing: bool = False

    def lines(self) -> list[str]:
        if self.missing:
            return [f"{self.key}: no file found"]
        lines = [
            f"{self.key}: {self.file}: rows read {self.rows_read}, figures loaded {self.figures}"
            f" (not published: {self.suppressed}; calculated: {self.derived})"
        ]
        if self.unmapped:
            lines.append(
                f"  rows of authorities that are not areas today, skipped: {', '.join(sorted(self.unmapped))}"
            )
        if self.conflicts:
            lines.append(
                f"  rows whose two codes disagree, skipped: {', '.join(sorted(self.conflicts))}"
            )
        lines += [f"  {error}" for error in self.errors[:20]]
        return lines


class AreaCodes:
    """Finds an area from the codes a statistics row carries."""

    def __init__(self) -> None:
        self.by_code: dict[str, int] = {}
        self.by_gss: dict[str, int] = {}
        for pk, code, gss in Area.objects.values_list("pk", "code", "gss_code"):
            self.by_code[code] = pk
            self.by_gss[gss.upper()] = pk
        for code, area_id in AreaCodeAlias.objects.values_list("code", "area_id"):
            self.by_gss.setdefault(code.upper(), area_id)

    def find(self, old_code: str, new_code: str) -> tuple[int | None, bool]:
        """(area id, whether the two codes name different areas)."""
        by_old = self.by_code.get(old_code.strip()) if old_code.strip() else None
        by_new = self.by_gss.get(new_code.strip().upper()) if new_code.strip() else None
        if by_old is not None and by_new is not None and by_old != by_new:
            return None, True
        return (by_old if by_old is not None else by_new), False


def import_statistics(*, folder: Path | None = None) -> list[DatasetReport]:
    """Load every official dataset from `folder` (default: dashboards/data). Each dataset's
    figures are replaced as a whole, in one transaction."""
    folder = folder or official.DATA_DIR
    codes = AreaCodes()
    reports = []
    for spec in official.DATASETS:
        path = official.find_file(spec, folder)
        report = DatasetReport(key=spec.key)
        if path is None:
            report.missing = True
            reports.append(report)
            continue
        report.file = path.name
        _import_dataset(spec, path, codes, report)
        reports.append(report)
    from dashboards import selectors

    selectors.clear_caches()
    return reports


def _import_dataset(
    spec: official.DatasetSpec, path: Path, codes: AreaCodes, report: DatasetReport
) -> None:
    data = path.read_bytes()
    figures: dict[tuple[str, str, str], OfficialStatistic] = {}
    # For adding up national and regional figures: (measure, period, geo) → [sum, suppressed].
    sums: dict[tuple[str, str, str, str], list[Any]] = {}
    latest = ""
    for row in official.read_rows(data):
        if spec.topic is not None and row.get("breakdown_topic", "").strip() != spec.topic:
            continue
        report.rows_read += 1
        period = row.get("time_period", "").strip()
        level_text = row.get("geographic_level", "Local authority").strip().lower()
        if level_text == "national":
            level, geo, area_id = GeographicLevel.NATIONAL, official.ENGLAND_CODE, None
        elif level_text == "regional":
            level, geo, area_id = GeographicLevel.REGIONAL, row.get("region_code", "").strip(), None
        elif level_text == "local authority":
            found, conflict = codes.find(row.get("old_la_code", ""), row.get("new_la_code", ""))
            label = f"{row.get('la_name', '').strip()} ({row.get('old_la_code', '').strip()}, {row.get('new_la_code', '').strip()})"
            if conflict:
                report.conflicts.add(label)
                continue
            if found is None:
                report.unmapped.add(label)
                continue
            level, area_id = GeographicLevel.LOCAL_AUTHORITY, found
            geo = ""
        else:
            continue
        if not period or (level == GeographicLevel.REGIONAL and not geo):
            continue
        latest = max(latest, period)
        for column, measure in spec.measures.items():
            if column not in row:
                continue
            cell = official.read_cell(row[column])
            if cell.error:
                report.errors.append(f"{period} {geo or area_id} {column}: {cell.error}")
                continue
            if not cell.present:
                continue
            figure = OfficialStatistic(
                measure=measure,
                time_period=period,
                level=level,
                geo_code=geo,
                area_id=area_id,
                value=cell.value,
                suppression=cell.suppression,
            )
            figures[(measure, period, f"{level}:{geo or area_id}")] = figure
            if not spec.has_totals and level == GeographicLevel.LOCAL_AUTHORITY:
                for total_level, total_geo in (
                    (GeographicLevel.NATIONAL, official.ENGLAND_CODE),
                    (GeographicLevel.REGIONAL, row.get("region_code", "").strip()),
                ):
                    if not total_geo:
                        continue
                    slot = sums.setdefault(
                        (measure, period, total_level, total_geo), [Decimal(0), False]
                    )
                    if cell.value is None:
                        slot[1] = True
                    else:
                        slot[0] += cell.value
    area_codes = dict(Area.objects.values_list("pk", "code"))
    for figure in figures.values():
        if figure.area_id is not None:
            figure.geo_code = area_codes[figure.area_id]
    derived = _derived_totals(spec, sums)
    rows = [f for f in figures.values()] + derived
    report.figures = len(rows)
    report.suppressed = sum(1 for f in rows if f.suppression)
    report.derived = len(derived)
    with transaction.atomic():
        dataset, _ = StatisticsDataset.objects.update_or_create(
            key=spec.key,
            defaults={
                "title": spec.title,
                "publisher": spec.publisher,
                "release": spec.release,
                "url": spec.url,
                "reference": spec.reference(latest),
                "file_name": path.name,
                "sha256": hashlib.sha256(data).hexdigest(),
                "rows_read": report.rows_read,
                "rows_loaded": len(rows),
                "imported_at": timezone.now(),
            },
        )
        OfficialStatistic.objects.filter(dataset=dataset).delete()
        # The same figure may come from another dataset file (a newer release): it wins.
        OfficialStatistic.objects.filter(
            measure__in=sorted(set(spec.measures.values())),
            time_period__in=sorted({f.time_period for f in rows}),
        ).delete()
        for figure in rows:
            figure.dataset = dataset
        OfficialStatistic.objects.bulk_create(rows, batch_size=2000)


def _derived_totals(
    spec: official.DatasetSpec, sums: dict[tuple[str, str, str, str], list[Any]]
) -> list[OfficialStatistic]:
    """England's and the regions' figures, added up from the areas' (for files without them).
    A total over any suppressed area figure is itself not published."""
    rows: list[OfficialStatistic] = []
    counts: dict[tuple[str, str, str, str], list[Any]] = {}
    percentages = set(spec.derived_percentages)
    for (measure, period, level, geo), (total, suppressed) in sums.items():
        counts[(measure, period, level, geo)] = [total, suppressed]
        if measure in percentages:
            continue
        rows.append(
            OfficialStatistic(
                measure=measure,
                time_period=period,
                level=level,
                geo_code=geo,
                value=None if suppressed else total,
                suppression="x" if suppressed else "",
                derived=True,
            )
        )
    for measure, (numerator, denominator) in spec.derived_percentages.items():
        for (m, period, level, geo), (total, suppressed) in list(counts.items()):
            if m != denominator:
                continue
            top = counts.get((numerator, period, level, geo))
            if top is None:
                continue
            unknown = suppressed or top[1] or not total
            rows.append(
                OfficialStatistic(
                    measure=measure,
                    time_period=period,
                    level=level,
                    geo_code=geo,
                    value=None
                    if unknown
                    else (Decimal(100) * top[0] / total).quantize(Decimal("0.0001")),
                    suppression="x" if unknown else "",
                    derived=True,
                )
            )
    return rows
