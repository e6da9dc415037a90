"""Score the demo in this process, give it a history and bring the dashboards up to date.

Never used in production. `seed_demo` calls `score_demo` after creating the declarations, so
that the first page anyone opens shows results, gaps, a trend and the official statistics,
without waiting for a worker:

1. Every submitted declaration without a result is scored as on the day it was submitted, by
   the scoring service in this process, not through the broker: earlier revisions one by one,
   then each provider's latest declaration a week's submissions at a time, as a re-score chunk.
   Its run, the gaps it opened or resolved and their events are dated when the declaration was
   submitted, so the area's trend has a point for each day on which something was submitted.
   A second revision that puts things right resolves the gaps of the first.
2. Some gaps are given an action plan (a few of them now past their due date) or accepted.
3. Everything is re-scored for today, as `rescore --inline` does.
4. The dashboards add up what changed, as their refresh task would.

Running it again when every submitted declaration has a result does nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from accounts.models import User
from audits.models import Declaration, DeclarationStatus
from common.output import Output
from dashboards import official
from dashboards.models import StatisticsDataset
from dashboards.services import import_statistics, refresh_requested
from providers.demo import DEMO_HEADTEACHER_SCHOOL_URN
from scoring.engine import ENGINE_VERSION
from scoring.models import (
    CurrentResult,
    Gap,
    GapEvent,
    GapStatus,
    RescoreChunk,
    RescoreJob,
    ScoringRun,
    Trigger,
)
from scoring.services import (
    BatchResult,
    run_chunk,
    run_job_inline,
    score_declaration,
    start_rescore,
    update_gap,
)
from standards.models import StandardVersion
from standards.selectors import current_version

DEMO_STANDARD = "send-statutory-baseline"
# The area whose officer plans and accepts gaps in the demo: Westminster.
GAP_AREA_CODE = "213"
PLANNED_SHARE = 0.08
ACCEPTED_SHARE = 0.04
OWNERS = [
    "Ms R Patel, SENCO",
    "Mr D Okafor, deputy headteacher",
    "Mrs A Khan, SEND link governor",
    "The learning support manager",
    "Ms J Evans, inclusion lead",
]
PLANS = [
    "Update the SEN information report and publish it on the website.",
    "Review the policy with governors at the next full governing body meeting.",
    "Book whole-staff training for the spring term and record attendance.",
    "Agree the arrangements in writing with the local authority's SEND team.",
    "Add the missing sections and ask the link governor to check them.",
]
ACCEPTANCES = [
    "Covered by the local authority's arrangement for small settings until it is reviewed.",
    "The building work that makes this possible is funded and due to finish next year.",
]


@dataclass
class DemoScoring:
    declarations: int = 0
    runs: int = 0
    gaps_opened: int = 0
    gaps_resolved: int = 0
    planned: int = 0
    accepted: int = 0
    rescored: int = 0
    areas: int = 0

    def add(self, done: BatchResult) -> None:
        self.runs += done.runs_written
        self.gaps_opened += done.gaps_opened
        self.gaps_resolved += done.gaps_resolved

    def line(self) -> str:
        return (
            f"Demo scoring: declarations scored {self.declarations}, runs {self.runs}, gaps"
            f" opened {self.gaps_opened}, resolved {self.gaps_resolved}, planned"
            f" {self.planned}, accepted {self.accepted}; re-scored for today"
            f" {self.rescored}; areas added up {self.areas}"
        )


def unscored_submissions() -> list[tuple[int, int, dt.datetime]]:
    """Submitted declarations without a run, oldest submission first:
    (id, provider id, submitted at)."""
    scored = ScoringRun.objects.filter(declaration_id=OuterRef("pk"))
    return [
        (pk, provider_id, submitted_at)
        for pk, provider_id, submitted_at in Declaration.objects.filter(
            status=DeclarationStatus.SUBMITTED
        )
        .exclude(Exists(scored))
        .order_by("submitted_at", "pk")
        .values_list("pk", "provider_id", "submitted_at")
        if submitted_at is not None
    ]


def score_demo(
    *, stdout: Output | None = None, version: StandardVersion | None = None
) -> DemoScoring:
    """Score the demo's declarations on `version` (by default the published one)."""
    report = DemoScoring()
    pending = unscored_submissions()
    if not pending:
        return report
    version = version or current_version(slug=DEMO_STANDARD)
    if version is None:
        return report
    in_force = version.effective_from
    latest = _latest_submissions()
    with transaction.atomic():
        # Earlier revisions first, one by one, as each was scored when it was submitted...
        for declaration_id, provider_id, submitted_at in pending:
            if latest.get(provider_id) == declaration_id:
                continue
            day = timezone.localdate(submitted_at)
            report.add(
                score_declaration(
                    declaration_id=declaration_id,
                    trigger=Trigger.SUBMISSION if day >= in_force else Trigger.NIGHTLY,
                    on=max(day, in_force),
                )
            )
        # ... then each provider's latest, a week's submissions at a time, as the re-score
        # command scores a chunk (a declaration made before the version came into force is
        # scored on the day it did).
        weeks: dict[dt.date, list[int]] = defaultdict(list)
        for declaration_id, provider_id, submitted_at in pending:
            if latest.get(provider_id) == declaration_id:
                day = max(timezone.localdate(submitted_at), in_force)
                weeks[day - dt.timedelta(days=day.weekday())].append(provider_id)
        for week, provider_ids in sorted(weeks.items()):
            report.add(_score_week(version, max(week, in_force), provider_ids))
        report.declarations = len(pending)
        _date_history([pk for pk, _, _ in pending], in_force=in_force)
        report.planned, report.accepted = _plan_and_accept_gaps()
    job = start_rescore(
        standard_slug=DEMO_STANDARD, version=version.version, trigger=Trigger.COMMAND, enqueue=False
    )
    run_job_inline(job_id=job.pk)
    job.refresh_from_db()
    report.rescored = job.provider_count
    report.areas = refresh_requested(hold_rescore=False).areas
    if stdout:
        stdout.write(report.line() + "\n")
    return report


def _latest_submissions() -> dict[int, int]:
    """Provider id → its latest submitted declaration of the demo standard."""
    latest: dict[int, int] = {}
    for provider_id, declaration_id in (
        Declaration.objects.filter(
            status=DeclarationStatus.SUBMITTED, version__standard__slug=DEMO_STANDARD
        )
        .order_by("submitted_at", "pk")
        .values_list("provider_id", "pk")
    ):
        latest[provider_id] = declaration_id
    return latest


def _score_week(version: StandardVersion, on: dt.date, provider_ids: list[int]) -> BatchResult:
    """Score these providers' latest declarations through a one-chunk re-score job run in this
    process, then let the job go: its runs read as the submissions' own."""
    job = RescoreJob.objects.create(
        version=version,
        trigger=Trigger.SUBMISSION,
        assessed_on=on,
        engine_version=ENGINE_VERSION,
        provider_count=len(provider_ids),
        chunk_count=1,
    )
    chunk = RescoreChunk.objects.create(
        job=job, number=1, provider_ids=sorted(provider_ids), size=len(provider_ids)
    )
    done = run_chunk(chunk_id=chunk.pk) or BatchResult()
    job.delete()
    return done


def _date_history(declaration_ids: list[int], *, in_force: dt.date) -> None:
    """Date each run, and what it did to gaps, when its declaration was submitted (or when the
    version came into force, if that was later)."""
    runs = ScoringRun.objects.filter(declaration_id__in=declaration_ids, job_id__isnull=True)
    runs.update(
        created_at=Subquery(
            Declaration.objects.filter(pk=OuterRef("declaration_id")).values("submitted_at")[:1]
        )
    )
    if in_force > dt.date.min:
        start = timezone.make_aware(dt.datetime.combine(in_force, dt.time(2)))
        runs.filter(created_at__lt=start).update(created_at=start)
    run_ids = list(runs.values_list("pk", flat=True))

    def when(column: str) -> Subquery:
        return Subquery(ScoringRun.objects.filter(pk=OuterRef(column)).values("created_at")[:1])

    Gap.objects.filter(opened_by_run_id__in=run_ids).update(
        opened_at=when("opened_by_run_id"), updated_at=when("opened_by_run_id")
    )
    Gap.objects.filter(resolved_by_run_id__in=run_ids).update(
        resolved_at=when("resolved_by_run_id"),
        closed_at=when("resolved_by_run_id"),
        updated_at=when("resolved_by_run_id"),
    )
    GapEvent.objects.filter(run_id__in=run_ids).update(at=when("run_id"))
    CurrentResult.objects.filter(run_id__in=run_ids).update(updated_at=when("run_id"))


def _plan_and_accept_gaps() -> tuple[int, int]:
    """The headteacher plans action on one of their school's gaps; the area officer has planned
    some of the area's (a few now overdue) and accepted a few. Dated a few days after each gap
    opened."""
    today = timezone.localdate()
    headteacher = User.objects.filter(email="headteacher@example.org").first()
    officer = User.objects.filter(email="officer@example.org").first()
    open_gaps = Gap.objects.filter(status=GapStatus.OPEN).select_related("provider__area")
    planned = accepted = 0
    changed: list[tuple[int, dt.datetime]] = []
    school_gap = (
        open_gaps.filter(provider__urn=DEMO_HEADTEACHER_SCHOOL_URN)
        .order_by("-strength", "requirement_key")
        .first()
    )
    if headteacher is not None and school_gap is not None:
        update_gap(
            gap_id=school_gap.pk,
            actor=headteacher,
            status=GapStatus.IN_PROGRESS,
            owner=OWNERS[0],
            action_plan=PLANS[0],
            due_date=today + dt.timedelta(days=45),
        )
        planned += 1
        changed.append((school_gap.pk, school_gap.opened_at + dt.timedelta(days=12)))
    if officer is not None:
        rng = random.Random("demo-gap-plans")
        for gap in (
            open_gaps.filter(provider__area__code=GAP_AREA_CODE)
            .exclude(provider__urn=DEMO_HEADTEACHER_SCHOOL_URN)
            .order_by("provider_id", "requirement_key")
        ):
            roll = rng.random()
            set_on = gap.opened_at + dt.timedelta(days=rng.randrange(2, 15))
            if set_on >= timezone.now():
                continue
            if roll < PLANNED_SHARE:
                # Due a few weeks after it was planned: those planned early are now overdue.
                due = timezone.localdate(set_on) + dt.timedelta(days=rng.randrange(21, 70))
                update_gap(
                    gap_id=gap.pk,
                    actor=officer,
                    status=GapStatus.IN_PROGRESS,
                    owner=rng.choice(OWNERS),
                    action_plan=rng.choice(PLANS),
                    due_date=due,
                )
                planned += 1
            elif roll < PLANNED_SHARE + ACCEPTED_SHARE:
                update_gap(
                    gap_id=gap.pk,
                    actor=officer,
                    status=GapStatus.ACCEPTED,
                    accepted_reason=rng.choice(ACCEPTANCES),
                    accepted_until=today + dt.timedelta(days=rng.randrange(90, 300)),
                )
                accepted += 1
            else:
                continue
            changed.append((gap.pk, set_on))
    for gap_id, at in changed:
        GapEvent.objects.filter(gap_id=gap_id, actor__isnull=False).update(at=at)
        Gap.objects.filter(pk=gap_id).update(updated_at=at)
    return planned, accepted


def statistics_loaded() -> bool:
    """Whether every official statistics file the project holds is loaded, as it is now."""
    loaded = dict(StatisticsDataset.objects.values_list("key", "sha256"))
    for spec in official.DATASETS:
        path = official.find_file(spec, official.DATA_DIR)
        if path is None:
            continue
        if loaded.get(spec.key) != hashlib.sha256(path.read_bytes()).hexdigest():
            return False
    return True


def load_statistics(*, stdout: Output | None = None) -> int:
    """Load the official statistics unless they are loaded already. Returns the datasets loaded."""
    if statistics_loaded():
        return 0
    reports = import_statistics()
    loaded = [r for r in reports if not r.missing]
    if stdout:
        stdout.write(
            f"Official statistics: {len(loaded)} datasets, "
            f"{sum(r.figures for r in loaded):,} figures\n"
        )
    return len(loaded)
