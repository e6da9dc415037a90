"""Writes for scoring: score declarations, run national re-scores, keep gaps.

One path scores everything: `_score_batch` takes providers with their declarations, loads
their answers and current results in a query each, judges them with the engine and writes only
what changed (runs with COPY on PostgreSQL), then opens, re-opens and resolves gaps. A single
submission is a batch of one; a re-score chunk is a batch of a few hundred.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from accounts.models import User
from accounts.services import record
from audits.models import Declaration, DeclarationStatus
from providers.models import OPEN_STATUSES, Provider
from providers.selectors import area_by_code, current_provider_for
from scoring import bulk
from scoring.engine import (
    ENGINE_VERSION,
    GAP_STRENGTHS,
    OUTCOME_BY_CODE,
    AnswerTuple,
    RequirementSpec,
    VersionSpec,
    score,
    score_tables,
)
from scoring.models import (
    ACTIVE_GAP_STATUSES,
    CLOSED_GAP_STATUSES,
    ChunkStatus,
    Gap,
    GapEvent,
    GapStatus,
    JobStatus,
    RescoreChunk,
    RescoreJob,
    ScoringRun,
    Trigger,
)
from scoring.specs import (
    VersionInfo,
    compiled_for,
    layout_id_for,
    version_info,
)
from standards.models import Requirement, StandardVersion, VersionStatus

logger = logging.getLogger(__name__)

LONDON = ZoneInfo("Europe/London")
SCORING_QUEUE = "scoring"
RESCORE_QUEUE = "rescore"


class RescoreError(Exception):
    """A re-score cannot start (no such standard, version or area)."""


def assessment_date() -> dt.date:
    """Today in England: the assessment date of runs started now."""
    return timezone.localdate(timezone.now(), timezone=LONDON)


def chunk_size() -> int:
    return int(getattr(settings, "SCORING_CHUNK_SIZE", 1000))


def _dashboards(hook: str, **kwargs: Any) -> None:
    """Tell the area dashboards (if installed) which providers' results or gaps changed.

    The hooks run in this transaction under their own savepoint and never raise.
    """
    if not apps.is_installed("dashboards"):
        return
    from dashboards import hooks

    getattr(hooks, hook)(**kwargs)


# ---- loading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A provider to score, with the declaration to score."""

    provider_id: int
    provider_type: str
    provider_open: bool
    declaration_id: int
    submitted_at: dt.datetime


@dataclass(frozen=True)
class Current:
    run_id: int
    declaration_id: int
    submitted_at: dt.datetime
    content_hash: str
    engine_version: str
    layout_id: int
    outcomes: str


def _aware(value: Any) -> dt.datetime:
    """Raw queries give SQLite's datetimes as naive UTC (or text); PostgreSQL's are aware."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    return value


def load_answers(declaration_ids: Sequence[int]) -> dict[int, dict[str, AnswerTuple]]:
    """Every answer of these declarations, in one query, by declaration and requirement key.

    Values are typed as `audits.models.Answer.value` gives them: an empty text is no answer.
    """
    where, params = bulk.id_in("declaration_id", declaration_ids)
    rows = bulk.fetch(
        "SELECT declaration_id, requirement_key, answer_type, not_applicable,"
        " value_bool, value_number, value_date, value_text, value_choices"
        f" FROM audits_answer WHERE {where}",
        params,
    )
    answers: dict[int, dict[str, AnswerTuple]] = {}
    load_json = bulk.load_json
    # The same sets of choices come up again and again: parse each once. (Rules only read them.)
    parsed: dict[Any, Any] = {}
    for (
        declaration_id,
        key,
        answer_type,
        not_applicable,
        bool_,
        number,
        date,
        text,
        choices,
    ) in rows:
        if not_applicable:
            value = None
        elif answer_type == "yes_no":
            value = bool_
        elif answer_type == "number":
            value = number
        elif answer_type == "date":
            value = date
        elif answer_type == "multiple_choice":
            if choices is None:
                value = None
            elif isinstance(choices, str):
                value = parsed.get(choices)
                if value is None:
                    value = parsed[choices] = load_json(choices)
            else:
                value = choices
        else:
            value = None if text == "" else text
        mine = answers.get(declaration_id)
        if mine is None:
            mine = answers[declaration_id] = {}
        mine[key] = (answer_type, value, not_applicable)  # an engine.Answer, as a plain tuple
    return answers


def _load_current(version_id: int, provider_ids: Sequence[int]) -> dict[int, Current]:
    where, params = bulk.id_in("c.provider_id", provider_ids)
    rows = bulk.fetch(
        "SELECT c.provider_id, c.run_id, c.declaration_id, d.submitted_at, r.content_hash,"
        " r.engine_version, r.layout_id, r.outcomes"
        " FROM scoring_currentresult c"
        " JOIN scoring_scoringrun r ON r.id = c.run_id"
        " JOIN audits_declaration d ON d.id = c.declaration_id"
        f" WHERE c.version_id = %s AND {where}",
        [version_id, *params],
    )
    return {
        row[0]: Current(row[1], row[2], _aware(row[3]), row[4], row[5], row[6], row[7])
        for row in rows
    }


def _existing_runs(
    info: VersionInfo, on: dt.date, declaration_ids: Sequence[int]
) -> dict[int, tuple[int, str]]:
    """Runs already made from exactly these inputs: declaration id → (run id, outcomes)."""
    where, params = bulk.id_in("declaration_id", declaration_ids)
    rows = bulk.fetch(
        "SELECT declaration_id, id, outcomes FROM scoring_scoringrun"
        " WHERE version_id = %s AND engine_version = %s"
        f" AND assessed_on = %s AND {where}",
        [info.id, ENGINE_VERSION, on, *params],
    )
    return {row[0]: (row[1], row[2]) for row in rows}


# ---- the scoring path ---------------------------------------------------------------------


@dataclass
class BatchResult:
    scored: int = 0
    unchanged: int = 0
    runs_written: int = 0
    made_current: dict[int, int] = field(default_factory=dict)  # provider id → run id
    gaps_opened: int = 0
    gaps_reopened: int = 0
    gaps_resolved: int = 0
    gaps_superseded: int = 0

    def add(self, other: BatchResult) -> None:
        self.scored += other.scored
        self.unchanged += other.unchanged
        self.runs_written += other.runs_written
        self.made_current.update(other.made_current)
        self.gaps_opened += other.gaps_opened
        self.gaps_reopened += other.gaps_reopened
        self.gaps_resolved += other.gaps_resolved
        self.gaps_superseded += other.gaps_superseded


RUN_COLUMNS = (
    "provider_id",
    "declaration_id",
    "version_id",
    "content_hash",
    "engine_version",
    "assessed_on",
    "trigger",
    "job_id",
    "created_at",
    "layout_id",
    "outcomes",
    "errors",
    "score",
    "section_scores",
    "counts",
    "all_musts_met",
    "pass_count",
    "fail_count",
)


# The columns of scoring_run_inputs_unique: what a run is pinned to.
RUN_INPUTS = ("declaration_id", "version_id", "engine_version", "assessed_on")
# Batches this small (single submissions) insert runs one by one; larger ones use COPY.
SMALL_BATCH = 4


@dataclass
class _Change:
    item: Item
    spec: VersionSpec
    codes: str  # the outcomes, one letter each
    run_id: int = 0


def _score_batch(
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
    current = _load_current(info.id, [i.provider_id for i in items])
    answers = load_answers([i.declaration_id for i in items])
    layouts: dict[str, int] = {}
    pending: list[tuple[_Change, list[Any]]] = []
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
        pending.append((_Change(item, spec, codes), row))

    # The same inputs scored before (a repeated task, or a declaration scored again today)
    # reuse their run: no duplicates.
    if len(pending) <= SMALL_BATCH:
        for change, row in pending:
            change.run_id, inserted = bulk.insert_or_find(
                "scoring_scoringrun", RUN_COLUMNS, row, RUN_INPUTS
            )
            result.runs_written += inserted
    else:
        existing = _existing_runs(info, on, [c.item.declaration_id for c, _ in pending])
        new_rows: list[tuple[_Change, list[Any]]] = []
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
    bulk.upsert_current(
        [
            (c.item.provider_id, info.id, info.standard_id, c.run_id, c.item.declaration_id, now)
            for c in moving
        ]
    )
    result.made_current = {c.item.provider_id: c.run_id for c in moving}
    if info.sets_gaps:
        _sync_gaps(
            [c for c in moving if c.item.provider_open], info=info, on=on, now=now, result=result
        )
    if result.made_current:
        _dashboards(
            "after_results",
            provider_ids=list(result.made_current),
            standard_id=info.standard_id,
            reason=trigger,
        )
    return result


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


def _sync_gaps(
    changes: Sequence[_Change],
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
    where, params = bulk.id_in("provider_id", provider_ids)
    existing: dict[int, dict[str, tuple[int, str, dt.date | None]]] = defaultdict(dict)
    for gap_id, provider_id, key, status, accepted_until in bulk.fetch(
        "SELECT id, provider_id, requirement_key, status, accepted_until FROM scoring_gap"
        f" WHERE standard_id = %s AND {where}",
        [info.standard_id, *params],
    ):
        existing[provider_id][key] = (gap_id, status, accepted_until)
    inserts: list[tuple[int, RequirementSpec, int]] = []  # provider id, requirement, run id
    reopen: list[tuple[int, int, str]] = []  # gap id, run id, note
    resolve: list[tuple[int, int, str]] = []  # gap id, run id, note
    supersede: list[tuple[int, int, str]] = []  # gap id, run id, note
    standard_id = info.standard_id
    for change in changes:
        pid = change.item.provider_id
        gaps = existing.get(pid, {})
        run_id = change.run_id
        tables = score_tables(change.spec)
        codes = change.codes
        if not gaps:
            # No gaps yet (a first result): only failures matter, and they are all new gaps.
            for index, requirement in tables.gap_requirements:
                if codes[index] in "feu":
                    inserts.append((pid, requirement, run_id))
            continue
        for requirement, code, fails_unanswered in zip(
            change.spec.requirements, change.codes, tables.fails_unanswered, strict=True
        ):
            gap = gaps.get(requirement.key)
            # Failures of must and should requirements: fail, error, not answered.
            if fails_unanswered and (code == "f" or code == "e" or code == "u"):
                if gap is None:
                    inserts.append((pid, requirement, run_id))
                elif gap[1] in CLOSED_GAP_STATUSES:
                    label = OUTCOME_BY_CODE[code].label
                    reopen.append((gap[0], run_id, f"{label} again"))
                elif gap[1] == GapStatus.ACCEPTED and gap[2] is not None and gap[2] < on:
                    reopen.append((gap[0], run_id, "The acceptance expired"))
            elif gap is None or gap[1] not in ACTIVE_GAP_STATUSES:
                continue
            elif code == "p":
                resolve.append((gap[0], run_id, ""))
            elif code == "n":
                resolve.append((gap[0], run_id, "The requirement does not apply on this run"))
            elif not fails_unanswered and code in "feu":
                supersede.append(
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
                supersede.append((gap[0], run_id, note))

    _insert_gaps(inserts, standard_id=standard_id, now=now)
    result.gaps_opened += len(inserts)
    events: list[GapEvent] = []
    if reopen:
        _reopen(reopen, now=now, events=events)
        result.gaps_reopened += len(reopen)
    if resolve:
        bulk.resolve_gaps([(gap_id, run_id) for gap_id, run_id, _ in resolve], now=now)
        events += _run_events(resolve, action="resolved", status=GapStatus.RESOLVED, now=now)
        result.gaps_resolved += len(resolve)
    if supersede:
        Gap.objects.filter(pk__in=[g for g, _, _ in supersede]).update(
            status=GapStatus.SUPERSEDED,
            superseded_by_version_id=info.id,
            closed_at=now,
            updated_at=now,
            row_version=F("row_version") + 1,
        )
        events += _run_events(supersede, action="superseded", status=GapStatus.SUPERSEDED, now=now)
        result.gaps_superseded += len(supersede)
    _write_events(events)


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


def _write_events(events: Sequence[GapEvent]) -> None:
    """Gap events from a run, written with COPY (there may be thousands in a chunk)."""
    bulk.insert_rows(
        "scoring_gapevent",
        EVENT_COLUMNS,
        [(e.gap_id, e.at, e.action, e.status, e.actor_id, e.run_id, e.note) for e in events],
    )


def _reopen(
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
    events += _run_events(reopen, action="reopened", status=GapStatus.OPEN, now=now)


def _run_events(
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
                        f"{_event_note(target)}",
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
        _dashboards(
            "after_gaps", provider_ids=[from_provider_id, to_provider_id], standard_id=standard_id
        )
    return moved


# ---- scoring one declaration --------------------------------------------------------------


def _latest_declarations(standard_id: int, provider_ids: Sequence[int]) -> dict[int, Item]:
    """Each provider's latest submitted declaration of any version of the standard."""
    where, params = bulk.id_in("p.id", provider_ids)
    rows = bulk.fetch(
        "SELECT p.id, p.provider_type, p.status, d.id, d.submitted_at"
        " FROM providers_provider p"
        " JOIN audits_declaration d ON d.provider_id = p.id"
        " JOIN standards_standardversion v ON v.id = d.version_id"
        f" WHERE v.standard_id = %s AND d.status = %s AND {where}",
        [standard_id, DeclarationStatus.SUBMITTED.value, *params],
    )
    latest: dict[int, Item] = {}
    for provider_id, provider_type, status, declaration_id, submitted in rows:
        submitted_at = _aware(submitted)
        item = Item(
            provider_id, provider_type, status in OPEN_STATUSES, declaration_id, submitted_at
        )
        mine = latest.get(provider_id)
        if mine is None or (submitted_at, declaration_id) > (
            mine.submitted_at,
            mine.declaration_id,
        ):
            latest[provider_id] = item
    return latest


def score_declaration(
    *, declaration_id: int, trigger: str = Trigger.SUBMISSION, on: dt.date | None = None
) -> BatchResult:
    """Score a submitted declaration against its version, and against the standard's published
    version too when that is a newer one. Scoring the same inputs again writes nothing."""
    on = on or assessment_date()
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
    for version in versions:
        with transaction.atomic():
            bulk.results_can_wait_for_disk()
            bulk.lock_providers([provider.pk])
            result.add(_score_batch([item], info=version_info(version), on=on, trigger=trigger))
    return result


def queue_scoring(*, declaration_id: int) -> bool:
    """Queue the scoring of a submission. Never raises: if the broker is down, the submission
    is already saved and the periodic sweep queues it later."""
    from scoring.tasks import score_declaration_task

    try:
        score_declaration_task.apply_async(
            kwargs={"declaration_id": declaration_id},
            queue=SCORING_QUEUE,
            retry=True,
            retry_policy={
                "max_retries": 2,
                "interval_start": 0,
                "interval_step": 0.2,
                "interval_max": 0.5,
            },
        )
    except Exception:
        logger.warning(
            "Could not queue the scoring of declaration %s; the sweep will queue it",
            declaration_id,
            exc_info=True,
        )
        return False
    return True


# ---- national re-scores -------------------------------------------------------------------


def _resolve_version(standard_slug: str, version: str | None) -> StandardVersion:
    versions = StandardVersion.objects.select_related("standard").filter(
        standard__slug=standard_slug
    )
    if version:
        found = versions.filter(version=version).first()
        if found is None:
            raise RescoreError(f"there is no version {version} of {standard_slug}")
        if found.status == VersionStatus.DRAFT:
            raise RescoreError(f"version {version} of {standard_slug} is a draft; publish it first")
        return found
    found = versions.filter(status=VersionStatus.PUBLISHED).first()
    if found is None:
        raise RescoreError(f"{standard_slug} has no published version")
    return found


@transaction.atomic
def start_rescore(
    *,
    standard_slug: str,
    version: str | None = None,
    area_code: str | None = None,
    trigger: str = Trigger.COMMAND,
    requested_by: User | None = None,
    on: dt.date | None = None,
    size: int | None = None,
    enqueue: bool = True,
) -> RescoreJob:
    """Start re-scoring the latest submitted declaration of every open provider the version
    applies to (or of one area), in chunks queued on the `rescore` queue once this commits."""
    target = _resolve_version(standard_slug, version)
    area = None
    if area_code:
        area = area_by_code(area_code)
        if area is None:
            raise RescoreError(f"there is no area with the code {area_code}")
    types: set[str] = set()
    for applies_to in Requirement.objects.filter(version=target).values_list(
        "applies_to", flat=True
    ):
        types.update(applies_to)
    providers = Provider.objects.filter(status__in=OPEN_STATUSES, provider_type__in=sorted(types))
    if area is not None:
        providers = providers.filter(area=area)
    declared = Declaration.objects.filter(
        provider=OuterRef("pk"),
        status=DeclarationStatus.SUBMITTED,
        version__standard_id=target.standard_id,
    )
    ids = list(providers.filter(Exists(declared)).order_by("pk").values_list("pk", flat=True))
    size = size or chunk_size()
    now = timezone.now()
    job = RescoreJob.objects.create(
        version=target,
        area=area,
        trigger=trigger,
        assessed_on=on or assessment_date(),
        engine_version=ENGINE_VERSION,
        provider_count=len(ids),
        chunk_count=(len(ids) + size - 1) // size,
        requested_by=requested_by,
        status=JobStatus.RUNNING if ids else JobStatus.DONE,
        finished_at=None if ids else now,
    )
    chunks = RescoreChunk.objects.bulk_create(
        [
            RescoreChunk(
                job=job,
                number=n + 1,
                provider_ids=ids[start : start + size],
                size=len(ids[start : start + size]),
                queued_at=now,
                queued_count=1 if enqueue else 0,
            )
            for n, start in enumerate(range(0, len(ids), size))
        ]
    )
    if enqueue:
        chunk_ids = [c.pk for c in chunks]
        transaction.on_commit(lambda: _enqueue_chunks(chunk_ids))
    return job


def _enqueue_chunks(chunk_ids: Iterable[int]) -> int:
    """Queue chunks; a chunk that cannot be queued now is queued again by the sweep."""
    from scoring.tasks import rescore_chunk_task

    queued = 0
    for chunk_id in chunk_ids:
        try:
            rescore_chunk_task.apply_async(kwargs={"chunk_id": chunk_id}, queue=RESCORE_QUEUE)
        except Exception:
            logger.warning(
                "Could not queue re-score chunk %s; the sweep will", chunk_id, exc_info=True
            )
            break
        queued += 1
    return queued


def run_chunk(*, chunk_id: int) -> BatchResult | None:
    """Score one chunk of a re-score in one transaction. Running it again does nothing."""
    now = timezone.now()
    started = (
        RescoreChunk.objects.filter(pk=chunk_id)
        .exclude(status=ChunkStatus.DONE)
        .update(status=ChunkStatus.RUNNING, attempts=F("attempts") + 1, started_at=now)
    )
    if not started:
        return None
    with transaction.atomic():
        # A second delivery of the same chunk waits here, then finds it done.
        chunk = (
            RescoreChunk.objects.select_for_update(of=("self",), no_key=True)
            .select_related("job__version")
            .get(pk=chunk_id)
        )
        if chunk.status == ChunkStatus.DONE:
            return None
        job = chunk.job
        info = version_info(job.version)
        bulk.results_can_wait_for_disk()
        bulk.lock_providers(chunk.provider_ids)
        latest = _latest_declarations(info.standard_id, chunk.provider_ids)
        applies = set()
        for applies_to in Requirement.objects.filter(version_id=info.id).values_list(
            "applies_to", flat=True
        ):
            applies.update(applies_to)
        items = [
            latest[pid]
            for pid in chunk.provider_ids
            if pid in latest and latest[pid].provider_open and latest[pid].provider_type in applies
        ]
        result = _score_batch(
            items, info=info, on=job.assessed_on, trigger=job.trigger, job_id=job.pk
        )
        pause = float(getattr(settings, "SCORING_CHUNK_PAUSE_SECONDS", 0) or 0)
        if pause:
            time.sleep(pause)  # only for tests of what a killed worker leaves behind
        chunk.status = ChunkStatus.DONE
        chunk.finished_at = timezone.now()
        chunk.changed_count = len(result.made_current)
        chunk.save(update_fields=["status", "finished_at", "changed_count"])
        _finish_job_if_done(job.pk)
    return result


def _finish_job_if_done(job_id: int) -> None:
    job = RescoreJob.objects.select_for_update(no_key=True).get(pk=job_id)
    if job.status == JobStatus.DONE:
        return
    if not RescoreChunk.objects.filter(job_id=job_id).exclude(status=ChunkStatus.DONE).exists():
        job.status = JobStatus.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at"])


def run_job_inline(*, job_id: int) -> None:
    """Run every unfinished chunk of a job in this process (no broker or worker needed)."""
    for chunk_id in (
        RescoreChunk.objects.filter(job_id=job_id)
        .exclude(status=ChunkStatus.DONE)
        .values_list("pk", flat=True)
    ):
        run_chunk(chunk_id=chunk_id)


def requeue_stale_chunks(*, older_than: dt.timedelta | None = None) -> int:
    """Queue again the chunks not finished in time (a lost message or a killed worker).

    Keep the limit well under the Redis visibility timeout: this brings back a chunk whose
    worker died long before Redis would redeliver it. A chunk queued twice is harmless.
    """
    if older_than is None:
        older_than = dt.timedelta(
            seconds=int(getattr(settings, "SCORING_CHUNK_REQUEUE_AFTER", 900))
        )
    cutoff = timezone.now() - older_than
    stale = list(
        RescoreChunk.objects.exclude(status=ChunkStatus.DONE)
        .filter(queued_at__lt=cutoff)
        .exclude(started_at__gte=cutoff)
        .values_list("pk", flat=True)[:1000]
    )
    if not stale:
        return 0
    RescoreChunk.objects.filter(pk__in=stale).update(
        queued_at=timezone.now(), queued_count=F("queued_count") + 1
    )
    return _enqueue_chunks(stale)


def nightly_rescore(*, on: dt.date | None = None) -> list[RescoreJob]:
    """Re-score every standard's published version, so that date-based rules stay true."""
    jobs = []
    recent = timezone.now() - dt.timedelta(hours=20)
    for version in StandardVersion.objects.select_related("standard").filter(
        status=VersionStatus.PUBLISHED
    ):
        if RescoreJob.objects.filter(
            version=version, area__isnull=True, status=JobStatus.RUNNING, created_at__gte=recent
        ).exists():
            logger.info("A re-score of %s is still running; not starting another", version)
            continue
        jobs.append(
            start_rescore(
                standard_slug=version.standard.slug,
                version=version.version,
                trigger=Trigger.NIGHTLY,
                on=on,
            )
        )
    return jobs


# ---- the sweep ----------------------------------------------------------------------------


def unscored_declarations(*, min_age: dt.timedelta = dt.timedelta(minutes=2)) -> list[int]:
    """Submitted declarations with no run (the latest revision of each), oldest first."""
    later = Declaration.objects.filter(
        provider_id=OuterRef("provider_id"),
        version_id=OuterRef("version_id"),
        period=OuterRef("period"),
        status=DeclarationStatus.SUBMITTED,
        revision__gt=OuterRef("revision"),
    )
    scored = ScoringRun.objects.filter(declaration_id=OuterRef("pk"))
    return list(
        Declaration.objects.filter(
            status=DeclarationStatus.SUBMITTED, submitted_at__lt=timezone.now() - min_age
        )
        .exclude(Exists(scored))
        .exclude(Exists(later))
        .order_by("submitted_at", "pk")
        .values_list("pk", flat=True)[:1000]
    )


def sweep(*, min_age: dt.timedelta = dt.timedelta(minutes=2)) -> dict[str, int]:
    """The periodic safety net: queue unscored submissions, re-queue stale chunks, expire
    acceptances and move closed providers' gaps to their successors."""
    queued = sum(queue_scoring(declaration_id=pk) for pk in unscored_declarations(min_age=min_age))
    return {
        "declarations_queued": queued,
        "chunks_requeued": requeue_stale_chunks(),
        "acceptances_expired": expire_acceptances(),
        "gaps_moved": move_gaps_of_closed_providers(),
    }


def expire_acceptances(*, on: dt.date | None = None) -> int:
    on = on or assessment_date()
    with transaction.atomic():
        ids = list(
            Gap.objects.select_for_update(no_key=True)
            .filter(status=GapStatus.ACCEPTED, accepted_until__lt=on)
            .values_list("pk", flat=True)
        )
        events: list[GapEvent] = []
        if ids:
            _reopen(
                [(g, None, "The acceptance expired") for g in ids],
                now=timezone.now(),
                events=events,
            )
            GapEvent.objects.bulk_create(events)
            _dashboards(
                "after_gaps",
                provider_ids=set(
                    Gap.objects.filter(pk__in=ids).values_list("provider_id", flat=True)
                ),
            )
    return len(ids)


def move_gaps_of_closed_providers() -> int:
    """Active gaps of providers that have closed follow them to the provider carrying on."""
    moved = 0
    closed = (
        Provider.objects.exclude(status__in=OPEN_STATUSES)
        .filter(gaps__status__in=ACTIVE_GAP_STATUSES)
        .distinct()
    )
    for provider in closed[:500]:
        successor = current_provider_for(provider)
        if successor is None or successor.pk == provider.pk:
            continue
        with transaction.atomic():
            bulk.lock_providers([provider.pk, successor.pk])
            moved += move_gaps(from_provider_id=provider.pk, to_provider_id=successor.pk)
    return moved


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
            _dashboards(
                "after_gaps",
                provider_ids=set(
                    Gap.objects.filter(standard_id=version.standard_id, updated_at=now).values_list(
                        "provider_id", flat=True
                    )
                ),
                standard_id=version.standard_id,
            )
    return {"superseded": len(withdrawn), "carried_with_changes": carried}


def on_version_published(*, version_id: int) -> RescoreJob | None:
    """A published version closes withdrawn requirements' gaps and re-scores the nation."""
    version = StandardVersion.objects.select_related("standard").get(pk=version_id)
    if version.status != VersionStatus.PUBLISHED:
        return None
    carry_over_gaps(version=version)
    return start_rescore(
        standard_slug=version.standard.slug, version=version.version, trigger=Trigger.PUBLISH
    )


# ---- people changing gaps -----------------------------------------------------------------


class GapChanged(Exception):
    """Someone else changed the gap after it was loaded; nothing was saved."""


# Statuses a person may set; resolved and superseded come only from runs and versions.
SETTABLE_STATUSES = (GapStatus.OPEN, GapStatus.IN_PROGRESS, GapStatus.ACCEPTED)


def can_change_gaps(*, user: Any, provider: Provider) -> bool:
    """Provider editors of the provider and area officers of its area; site admins."""
    from accounts.access import access_for
    from providers.visibility import editable_providers

    access = access_for(user)
    if access.site_admin or (provider.area_id is not None and provider.area_id in access.area_ids):
        return True
    return editable_providers(user=user).filter(pk=provider.pk).exists()


def update_gap(
    *,
    gap_id: int,
    actor: User,
    status: str,
    action_plan: str = "",
    owner: str = "",
    due_date: dt.date | None = None,
    accepted_reason: str = "",
    accepted_until: dt.date | None = None,
    row_version: int | None = None,
    on: dt.date | None = None,
) -> Gap:
    """Plan action on a gap, or accept it until a date. Raises ValidationError with a message per
    field, GapChanged if it changed since `row_version`, PermissionDenied if not allowed."""
    on = on or assessment_date()
    with transaction.atomic():
        gap = (
            Gap.objects.select_for_update(of=("self",), no_key=True)
            .select_related("provider")
            .get(pk=gap_id)
        )
        if not can_change_gaps(user=actor, provider=gap.provider):
            raise PermissionDenied("You cannot change this provider's gaps")
        if row_version is not None and gap.row_version != row_version:
            raise GapChanged(gap)
        errors = validate_gap_change(
            gap=gap,
            status=status,
            action_plan=action_plan,
            owner=owner,
            due_date=due_date,
            accepted_reason=accepted_reason,
            accepted_until=accepted_until,
            on=on,
        )
        if errors:
            raise ValidationError(errors)
        before = {
            "status": gap.status,
            "action_plan": gap.action_plan,
            "owner": gap.owner,
            "due_date": gap.due_date.isoformat() if gap.due_date else None,
            "accepted_reason": gap.accepted_reason,
            "accepted_until": gap.accepted_until.isoformat() if gap.accepted_until else None,
        }
        gap.status = status
        gap.action_plan = action_plan.strip()
        gap.owner = owner.strip()
        gap.due_date = due_date
        if status == GapStatus.ACCEPTED:
            gap.accepted_reason = accepted_reason.strip()
            gap.accepted_until = accepted_until
        gap.updated_at = timezone.now()
        gap.row_version += 1
        gap.save()
        after = {
            "status": gap.status,
            "action_plan": gap.action_plan,
            "owner": gap.owner,
            "due_date": gap.due_date.isoformat() if gap.due_date else None,
            "accepted_reason": gap.accepted_reason,
            "accepted_until": gap.accepted_until.isoformat() if gap.accepted_until else None,
        }
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        action = {
            GapStatus.IN_PROGRESS: "action planned",
            GapStatus.ACCEPTED: "accepted",
            GapStatus.OPEN: "set to open",
        }[GapStatus(status)]
        if before["status"] == status:
            action = "plan updated" if status != GapStatus.ACCEPTED else "acceptance updated"
        GapEvent.objects.create(
            gap=gap,
            action=action,
            status=gap.status,
            actor=actor,
            note=_event_note(gap),
        )
        record(actor=actor, action=f"gap {action}", obj=gap, changes=changes)
        _dashboards("after_gaps", provider_ids=[gap.provider_id], standard_id=gap.standard_id)
    return gap


NOTE_MAX_LENGTH = 2000


def add_gap_note(*, gap_id: int, actor: User, note: str) -> GapEvent:
    """A note in the gap's history, open or closed. It changes nothing else, so it never
    conflicts with someone planning the gap at the same time."""
    with transaction.atomic():
        gap = Gap.objects.select_related("provider").get(pk=gap_id)
        if not can_change_gaps(user=actor, provider=gap.provider):
            raise PermissionDenied("You cannot change this provider's gaps")
        text = note.strip()
        if not text:
            raise ValidationError({"note": "Enter a note"})
        if len(text) > NOTE_MAX_LENGTH:
            raise ValidationError(
                {"note": f"The note must be {NOTE_MAX_LENGTH:,} characters or fewer"}
            )
        event = GapEvent.objects.create(
            gap=gap, action="note added", status=gap.status, actor=actor, note=text
        )
        record(actor=actor, action="gap note added", obj=gap, changes={"note": text})
    return event


def _event_note(gap: Gap) -> str:
    if gap.status == GapStatus.ACCEPTED:
        return f"Accepted until {gap.accepted_until:%-d %B %Y}: {gap.accepted_reason}"
    if gap.status == GapStatus.IN_PROGRESS:
        return f"Owner {gap.owner}, due {gap.due_date:%-d %B %Y}: {gap.action_plan}"
    return gap.action_plan


def validate_gap_change(
    *,
    gap: Gap,
    status: str,
    action_plan: str,
    owner: str,
    due_date: dt.date | None,
    accepted_reason: str,
    accepted_until: dt.date | None,
    on: dt.date,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if gap.status in CLOSED_GAP_STATUSES:
        errors["status"] = (
            "This gap is closed. It opens again if a new result fails the requirement"
        )
        return errors
    if status not in SETTABLE_STATUSES:
        errors["status"] = "Select what is happening with this gap"
        return errors
    if status == GapStatus.IN_PROGRESS:
        if not action_plan.strip():
            errors["action_plan"] = "Enter the action plan"
        if not owner.strip():
            errors["owner"] = "Enter who owns the action"
        if due_date is None:
            errors.setdefault("due_date", "Enter the date the action is due")
    if status == GapStatus.ACCEPTED:
        if not accepted_reason.strip():
            errors["accepted_reason"] = "Enter why the gap is accepted"
        if accepted_until is None:
            errors.setdefault("accepted_until", "Enter the date the acceptance ends")
        elif accepted_until <= on:
            errors["accepted_until"] = "The date the acceptance ends must be in the future"
    if len(action_plan) > 5000:
        errors["action_plan"] = "The action plan must be 5,000 characters or fewer"
    if len(owner) > 200:
        errors["owner"] = "The owner must be 200 characters or fewer"
    if len(accepted_reason) > 2000:
        errors["accepted_reason"] = "The reason must be 2,000 characters or fewer"
    return errors


__all__ = [
    "RESCORE_QUEUE",
    "SCORING_QUEUE",
    "BatchResult",
    "GapChanged",
    "RescoreError",
    "assessment_date",
    "can_change_gaps",
    "carry_over_gaps",
    "expire_acceptances",
    "load_answers",
    "move_gaps",
    "nightly_rescore",
    "on_version_published",
    "queue_scoring",
    "requeue_stale_chunks",
    "run_chunk",
    "run_job_inline",
    "score_declaration",
    "start_rescore",
    "sweep",
    "update_gap",
]
