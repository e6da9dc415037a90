"""Areas' figures: added up from their providers' rows under the area's lock; the trend of each day."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from audits.models import Declaration, DeclarationStatus
from audits.periods import period_for
from common import bulk
from dashboards.models import (
    AreaRefreshRequest,
    AreaSnapshot,
    AreaTrendPoint,
    DeclarationState,
    ProviderSnapshot,
    TrendLabel,
)
from dashboards.selectors.versions import VersionFacts, reporting, today, version_facts
from dashboards.services.snapshots import _chunks, _refresh_batch
from providers.models import OPEN_STATUSES, Provider
from scoring.models import RESCORE_TRIGGERS, ScoringRun
from scoring.specs import layout_keys
from standards.models import StandardVersion

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


# ---- areas ------------------------------------------------------------------------------


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
    counted = set(_counted(area_id=area_id, facts=facts).values_list("pk", flat=True))
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


# A trend point is one a day per area and standard: written again, it is replaced.
TREND_POINT_FIELDS = [
    "period",
    "label",
    "provider_count",
    "declared_count",
    "result_count",
    "musts_met_count",
    "average_score",
    "recorded_at",
]


def _upsert_points(points: list[AreaTrendPoint]) -> None:
    AreaTrendPoint.objects.bulk_create(
        points,
        update_conflicts=True,
        unique_fields=["area", "standard", "day"],
        update_fields=TREND_POINT_FIELDS,
    )


def _counted(*, area_id: int, facts: VersionFacts) -> QuerySet[Provider]:
    """The providers an area's figures count: open ones of the types the version applies to."""
    return Provider.objects.filter(
        area_id=area_id, status__in=OPEN_STATUSES, provider_type__in=sorted(facts.applies_to)
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
    _upsert_points(
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
        ]
    )


def rebuild_area_trend(*, area_id: int, standard_id: int, until: dt.date | None = None) -> int:
    """Rebuild an area's trend from the history scoring keeps: every run and every submission
    of its providers, replayed day by day. Returns the number of points written."""
    until = until or today()
    _standard, version = reporting(standard_id=standard_id)
    if version is None:
        return 0
    facts = version_facts(version)
    counted = list(_counted(area_id=area_id, facts=facts).values_list("pk", flat=True))
    events: list[tuple[dt.datetime, int, tuple[Any, ...]]] = []
    for batch in _chunks(counted):
        for provider_id, created, score, musts, trigger, decl_id, submitted in (
            bulk.among(
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
    _upsert_points(points)
    return len(points)
