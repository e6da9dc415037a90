"""Gaps from runs: open, re-open, resolve and supersede; move them to a successor; carry them
over to a new version.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from common import bulk
from providers.models import OPEN_STATUSES, Provider
from scoring.engine import GAP_STRENGTHS, OUTCOME_BY_CODE, RequirementSpec, score_tables
from scoring.models import ACTIVE_GAP_STATUSES, CLOSED_GAP_STATUSES, Gap, GapEvent, GapStatus
from scoring.services.batch import BatchResult, Change
from scoring.services.common import announce_gaps
from scoring.specs import VersionInfo
from standards.models import Requirement, StandardVersion

# ---- gaps from runs -----------------------------------------------------------------------

# Columns a new gap is written with; the rest take their database defaults.
GAP_COLUMNS = (
    "provider_id",
    "standard_id",
    "requirement_key",
    "title",
    "strength",
    "theme",
    "opened_at",
    "opened_by_run_id",
    "updated_at",
)


@dataclass
class _GapPlan:
    """What a batch of changed results does to gaps: (provider id, requirement, run id) to
    open, and (gap id, run id, note) to re-open, resolve and supersede."""

    inserts: list[tuple[int, RequirementSpec, int]] = field(default_factory=list)
    reopen: list[tuple[int, int, str]] = field(default_factory=list)
    resolve: list[tuple[int, int, str]] = field(default_factory=list)
    supersede: list[tuple[int, int, str]] = field(default_factory=list)


def sync_gaps(
    changes: Sequence[Change],
    *,
    info: VersionInfo,
    on: dt.date,
    now: dt.datetime,
    result: BatchResult,
) -> None:
    """Open, re-open, resolve and supersede the gaps of providers whose result changed."""
    if not changes:
        return
    provider_ids = [c.item.provider_id for c in changes]
    _claim_predecessor_gaps(provider_ids, standard_id=info.standard_id, now=now)
    existing = _existing_gaps(provider_ids, standard_id=info.standard_id)
    plan = _GapPlan()
    for change in changes:
        _plan_change(change, existing.get(change.item.provider_id, {}), plan, info=info, on=on)
    _apply_plan(plan, info=info, now=now, result=result)


def _existing_gaps(
    provider_ids: list[int], *, standard_id: int
) -> dict[int, dict[str, tuple[int, str, dt.date | None]]]:
    """The providers' gaps under the standard: {provider id: {key: (id, status, accepted until)}}."""
    where, params = bulk.id_in("provider_id", provider_ids)
    existing: dict[int, dict[str, tuple[int, str, dt.date | None]]] = defaultdict(dict)
    for gap_id, provider_id, key, status, accepted_until in bulk.fetch(
        "SELECT id, provider_id, requirement_key, status, accepted_until FROM scoring_gap"
        f" WHERE standard_id = %s AND {where}",
        [standard_id, *params],
    ):
        existing[provider_id][key] = (gap_id, status, accepted_until)
    return existing


def _plan_change(
    change: Change,
    gaps: dict[str, tuple[int, str, dt.date | None]],
    plan: _GapPlan,
    *,
    info: VersionInfo,
    on: dt.date,
) -> None:
    """Add to the plan what one provider's changed result does to its gaps."""
    pid = change.item.provider_id
    run_id = change.run_id
    tables = score_tables(change.spec)
    codes = change.codes
    if not gaps:
        # No gaps yet (a first result): only failures matter, and they are all new gaps.
        for index, requirement in tables.gap_requirements:
            if codes[index] in "feu":
                plan.inserts.append((pid, requirement, run_id))
        return
    for requirement, code, fails_unanswered in zip(
        change.spec.requirements, change.codes, tables.fails_unanswered, strict=True
    ):
        gap = gaps.get(requirement.key)
        # Failures of must and should requirements: fail, error, not answered.
        if fails_unanswered and (code == "f" or code == "e" or code == "u"):
            if gap is None:
                plan.inserts.append((pid, requirement, run_id))
            elif gap[1] in CLOSED_GAP_STATUSES:
                label = OUTCOME_BY_CODE[code].label
                plan.reopen.append((gap[0], run_id, f"{label} again"))
            elif gap[1] == GapStatus.ACCEPTED and gap[2] is not None and gap[2] < on:
                plan.reopen.append((gap[0], run_id, "The acceptance expired"))
        elif gap is None or gap[1] not in ACTIVE_GAP_STATUSES:
            continue
        elif code == "p":
            plan.resolve.append((gap[0], run_id, ""))
        elif code == "n":
            plan.resolve.append((gap[0], run_id, "The requirement does not apply on this run"))
        elif not fails_unanswered and code in "feu":
            plan.supersede.append(
                (
                    gap[0],
                    run_id,
                    f"Version {info.label} of the standard makes this requirement "
                    f"{requirement.strength.replace('_', ' ')}",
                )
            )
    keys = set(change.spec.keys)
    for key, gap in gaps.items():
        if key not in keys and gap[1] in ACTIVE_GAP_STATUSES:
            note = (
                f"Version {info.label} of the standard no longer applies this requirement "
                "to this type of provider"
                if key in change.spec.answer_types
                else f"Version {info.label} of the standard no longer has this requirement"
            )
            plan.supersede.append((gap[0], run_id, note))


def _apply_plan(
    plan: _GapPlan, *, info: VersionInfo, now: dt.datetime, result: BatchResult
) -> None:
    """Write the plan: new gaps, status changes and their events; count them in the result."""
    _insert_gaps(plan.inserts, standard_id=info.standard_id, now=now)
    result.gaps_opened += len(plan.inserts)
    events: list[GapEvent] = []
    if plan.reopen:
        reopen_gaps(plan.reopen, now=now, events=events)
        result.gaps_reopened += len(plan.reopen)
    if plan.resolve:
        resolve_gaps([(gap_id, run_id) for gap_id, run_id, _ in plan.resolve], now=now)
        events += run_events(plan.resolve, action="resolved", status=GapStatus.RESOLVED, now=now)
        result.gaps_resolved += len(plan.resolve)
    if plan.supersede:
        Gap.objects.filter(pk__in=[g for g, _, _ in plan.supersede]).update(
            status=GapStatus.SUPERSEDED,
            superseded_by_version_id=info.id,
            closed_at=now,
            updated_at=now,
            row_version=F("row_version") + 1,
        )
        events += run_events(
            plan.supersede, action="superseded", status=GapStatus.SUPERSEDED, now=now
        )
        result.gaps_superseded += len(plan.supersede)
    write_events(events)


def _insert_gaps(
    inserts: Sequence[tuple[int, RequirementSpec, int]], *, standard_id: int, now: dt.datetime
) -> None:
    """New gaps: COPY lines on PostgreSQL (a first national re-score opens hundreds of
    thousands), with each requirement's part of the line escaped once."""
    if not inserts:
        return
    if not bulk.is_postgres():
        bulk.insert_rows(
            "scoring_gap",
            GAP_COLUMNS,
            [
                (pid, standard_id, r.key, r.title[:300], r.strength, r.theme, now, run_id, now)
                for pid, r, run_id in inserts
            ],
        )
        return
    stamp = bulk.copy_text(now)
    middle: dict[str, str] = {}
    lines = []
    for pid, requirement, run_id in inserts:
        part = middle.get(requirement.key)
        if part is None:
            part = middle[requirement.key] = "\t".join(
                bulk.copy_text(v)
                for v in (
                    requirement.key,
                    requirement.title[:300],
                    requirement.strength,
                    requirement.theme,
                )
            )
        lines.append(f"{pid}\t{standard_id}\t{part}\t{stamp}\t{run_id}\t{stamp}\n")
    bulk.copy_lines("scoring_gap", GAP_COLUMNS, lines)


EVENT_COLUMNS = ("gap_id", "at", "action", "status", "actor_id", "run_id", "note")


def write_events(events: Sequence[GapEvent]) -> None:
    """Gap events from a run, written with COPY (there may be thousands in a chunk)."""
    bulk.insert_rows(
        "scoring_gapevent",
        EVENT_COLUMNS,
        [(e.gap_id, e.at, e.action, e.status, e.actor_id, e.run_id, e.note) for e in events],
    )


def reopen_gaps(
    reopen: Sequence[tuple[int, int | None, str]], *, now: dt.datetime, events: list[GapEvent]
) -> None:
    Gap.objects.filter(pk__in=[g for g, _, _ in reopen]).update(
        status=GapStatus.OPEN,
        resolved_at=None,
        resolved_by_run_id=None,
        superseded_by_version_id=None,
        closed_at=None,
        updated_at=now,
        row_version=F("row_version") + 1,
    )
    events += run_events(reopen, action="reopened", status=GapStatus.OPEN, now=now)


def run_events(
    changes: Sequence[tuple[int, int | None, str]], *, action: str, status: str, now: dt.datetime
) -> list[GapEvent]:
    """One history entry per (gap id, run id, note) that a run changed."""
    return [
        GapEvent(gap_id=g, at=now, action=action, status=status, run_id=run_id, note=note)
        for g, run_id, note in changes
    ]


def _claim_predecessor_gaps(
    successor_ids: Sequence[int], *, standard_id: int, now: dt.datetime
) -> None:
    """Gaps of closed providers these providers succeeded (academy conversions) move to them."""
    where_a, params_a = bulk.id_in("l.provider_id", successor_ids)
    where_b, params_b = bulk.id_in("l.linked_provider_id", successor_ids)
    still_open = ", ".join(["%s"] * len(OPEN_STATUSES))
    open_values = [str(s) for s in OPEN_STATUSES]
    pairs = bulk.fetch(
        "SELECT l.provider_id, l.linked_provider_id FROM providers_providerlink l"
        " JOIN providers_provider p ON p.id = l.linked_provider_id"
        f" WHERE {where_a} AND l.direction = 'predecessor' AND p.status NOT IN ({still_open})"
        " UNION"
        " SELECT l.linked_provider_id, l.provider_id FROM providers_providerlink l"
        " JOIN providers_provider p ON p.id = l.provider_id"
        f" WHERE {where_b} AND l.direction = 'successor' AND p.status NOT IN ({still_open})",
        [*params_a, *open_values, *params_b, *open_values],
    )
    for successor_id, predecessor_id in sorted(set(pairs)):
        move_gaps(
            from_provider_id=predecessor_id,
            to_provider_id=successor_id,
            standard_id=standard_id,
            now=now,
        )


# What people decide about a gap, as opposed to what scoring records.
PLAN_FIELDS = ("status", "action_plan", "owner", "due_date", "accepted_reason", "accepted_until")


def move_gaps(
    *,
    from_provider_id: int,
    to_provider_id: int,
    standard_id: int | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Give a closed provider's active gaps to its successor; returns how many moved.

    Where the successor already has a gap for the same requirement, the predecessor's gap is
    closed as superseded, naming the successor, and the successor's gap carries on; if that gap
    is open with no plan of its own, it takes on the predecessor's plan or acceptance.
    """
    now = now or timezone.now()
    gaps = Gap.objects.filter(provider_id=from_provider_id, status__in=ACTIVE_GAP_STATUSES)
    if standard_id is not None:
        gaps = gaps.filter(standard_id=standard_id)
    moved = 0
    successor = Provider.objects.only("name", "urn").get(pk=to_provider_id)
    predecessor = Provider.objects.only("name", "urn").get(pk=from_provider_id)
    taken = {
        (g.standard_id, g.requirement_key): g
        for g in Gap.objects.filter(provider_id=to_provider_id)
    }
    events = []
    for gap in gaps:
        target = taken.get((gap.standard_id, gap.requirement_key))
        if target is not None:
            if target.status == GapStatus.OPEN and gap.status != GapStatus.OPEN:
                for field in PLAN_FIELDS:
                    setattr(target, field, getattr(gap, field))
                target.updated_at = now
                target.row_version += 1
                target.save(update_fields=[*PLAN_FIELDS, "updated_at", "row_version"])
                events.append(
                    GapEvent(
                        gap=target,
                        at=now,
                        action="plan carried over",
                        status=target.status,
                        note=f"From the gap of {predecessor.name} (URN {predecessor.urn}): "
                        f"{event_note(target)}",
                    )
                )
            gap.status = GapStatus.SUPERSEDED
            gap.closed_at = now
            note = f"Carried on by the gap of {successor.name} (URN {successor.urn})"
            action = "superseded"
        else:
            gap.provider_id = to_provider_id
            note = f"Moved from {predecessor.name} (URN {predecessor.urn}), which {successor.name} replaced"
            action = "moved to successor"
            moved += 1
        gap.updated_at = now
        gap.row_version += 1
        gap.save(update_fields=["provider", "status", "closed_at", "updated_at", "row_version"])
        events.append(GapEvent(gap=gap, at=now, action=action, status=gap.status, note=note))
    GapEvent.objects.bulk_create(events)
    if events:
        announce_gaps(provider_ids=[from_provider_id, to_provider_id], standard_id=standard_id)
    return moved


def event_note(gap: Gap) -> str:
    if gap.status == GapStatus.ACCEPTED:
        return f"Accepted until {gap.accepted_until:%-d %B %Y}: {gap.accepted_reason}"
    if gap.status == GapStatus.IN_PROGRESS:
        return f"Owner {gap.owner}, due {gap.due_date:%-d %B %Y}: {gap.action_plan}"
    return gap.action_plan


def resolve_gaps(pairs: Sequence[tuple[int, int]], *, now: Any) -> None:
    """Mark gaps resolved, each by its run: pairs of (gap id, run id)."""
    if not pairs:
        return
    with connection.cursor() as cursor:
        if bulk.is_postgres():
            cursor.execute(
                "UPDATE scoring_gap AS g SET status = 'resolved', resolved_at = %s,"
                " resolved_by_run_id = v.run_id, closed_at = %s, updated_at = %s,"
                " row_version = g.row_version + 1"
                " FROM unnest(%s::bigint[], %s::bigint[]) AS v(gap_id, run_id)"
                " WHERE g.id = v.gap_id",
                [
                    now,
                    now,
                    now,
                    bulk.int_array(p[0] for p in pairs),
                    bulk.int_array(p[1] for p in pairs),
                ],
            )
            return
        for gap_id, run_id in pairs:
            cursor.execute(
                "UPDATE scoring_gap SET status = 'resolved', resolved_at = %s,"
                " resolved_by_run_id = %s, closed_at = %s, updated_at = %s,"
                " row_version = row_version + 1 WHERE id = %s",
                [now, run_id, now, now, gap_id],
            )


# ---- a new version ------------------------------------------------------------------------


def carry_over_gaps(*, version: StandardVersion) -> dict[str, int]:
    """When a version is published, gaps carry over by key; gaps of requirements it withdraws,
    no longer applies to the provider's type, or makes good practice close as superseded,
    naming the version."""
    now = timezone.now()
    requirements = {r.key: r for r in Requirement.objects.filter(version=version)}
    active = Gap.objects.filter(standard_id=version.standard_id, status__in=ACTIVE_GAP_STATUSES)
    with transaction.atomic():
        closing: dict[int, str] = {}  # gap id → why it no longer stands
        for gap_id, key, provider_type in active.values_list(
            "pk", "requirement_key", "provider__provider_type"
        ).iterator(chunk_size=5000):
            requirement = requirements.get(key)
            if requirement is None:
                closing[gap_id] = "no longer has this requirement"
            elif requirement.strength not in GAP_STRENGTHS:
                closing[gap_id] = f"makes this requirement {requirement.strength.replace('_', ' ')}"
            elif provider_type not in requirement.applies_to:
                closing[gap_id] = "no longer applies this requirement to this type of provider"
        withdrawn = list(closing)
        Gap.objects.filter(pk__in=withdrawn).update(
            status=GapStatus.SUPERSEDED,
            superseded_by_version=version,
            closed_at=now,
            updated_at=now,
            row_version=F("row_version") + 1,
        )
        GapEvent.objects.bulk_create(
            [
                GapEvent(
                    gap_id=g,
                    at=now,
                    action="superseded",
                    status=GapStatus.SUPERSEDED,
                    note=f"Version {version.version} of the standard {why}",
                )
                for g, why in closing.items()
            ],
            batch_size=5000,
        )
        carried = 0
        for key, requirement in requirements.items():
            carried += (
                active.filter(requirement_key=key)
                .exclude(
                    title=requirement.title[:300],
                    strength=requirement.strength,
                    theme=requirement.theme,
                )
                .update(
                    title=requirement.title[:300],
                    strength=requirement.strength,
                    theme=requirement.theme,
                    updated_at=now,
                )
            )
        if withdrawn or carried:
            announce_gaps(
                provider_ids=set(
                    Gap.objects.filter(standard_id=version.standard_id, updated_at=now).values_list(
                        "provider_id", flat=True
                    )
                ),
                standard_id=version.standard_id,
            )
    return {"superseded": len(withdrawn), "carried_with_changes": carried}
