"""Reads for scoring: results with their explanations, gaps and re-score progress.

Every read about providers takes the user and sees only what `providers.visibility` allows;
anything else raises DoesNotExist (pages answer 404). Integrated care board officers who see a
provider only through their ICB see only its health requirements' results and gaps.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet, Sum

from accounts.access import HEALTH_THEMES, access_for
from audits.models import Answer as AnswerRow
from audits.models import Declaration, DeclarationStatus
from providers.models import Area, Provider
from providers.visibility import health_only, visible_areas, visible_providers
from scoring.engine import (
    OUTCOME_BY_CODE,
    STRENGTHS,
    Contribution,
    Outcome,
    RequirementSpec,
    Scores,
    contributions,
    is_scored,
    score,
)
from scoring.models import (
    ACTIVE_GAP_STATUSES,
    ChunkStatus,
    CurrentResult,
    Gap,
    GapStatus,
    JobStatus,
    OutcomeLayout,
    RescoreChunk,
    RescoreJob,
    ScoringRun,
)
from scoring.services import can_change_gaps
from scoring.specs import spec_for_keys, version_info
from standards.models import Requirement, Section, Standard, StandardVersion
from standards.rules import describe_rule, format_date
from standards.selectors import requirement_lookup

DEFAULT_STANDARD = "send-statutory-baseline"


def provider_for(*, user: Any, provider_id: int) -> Provider:
    """A provider the user may see; raises Provider.DoesNotExist otherwise."""
    return visible_providers(user=user).get(pk=provider_id)


# ---- results ------------------------------------------------------------------------------


@dataclass
class RequirementRow:
    key: str
    title: str
    strength: str
    theme: str
    outcome: Outcome
    answer: str
    rule: str
    why: str
    contribution: Contribution

    @property
    def counts_as_failure(self) -> bool:
        return self.outcome is Outcome.ERROR or (
            self.outcome in (Outcome.FAIL, Outcome.NOT_ANSWERED)
            and is_scored(self.outcome, self.strength)
        )


@dataclass
class SectionRow:
    code: str
    title: str
    weight: float
    score: float
    count: int
    weight_sum: float
    requirements: list[RequirementRow] = field(default_factory=list)


@dataclass
class CountRow:
    outcome: Outcome
    by_strength: list[int]
    total: int


@dataclass
class Result:
    provider: Provider
    standard: Standard | None
    health_only: bool
    latest_declaration: Declaration | None
    pending: bool
    current: CurrentResult | None = None
    run: ScoringRun | None = None
    version: StandardVersion | None = None
    sections: list[SectionRow] = field(default_factory=list)
    counts: list[CountRow] = field(default_factory=list)
    other_results: list[CurrentResult] = field(default_factory=list)
    scores: Scores | None = None

    @property
    def has_result(self) -> bool:
        return self.run is not None

    @property
    def failure_count(self) -> int:
        return sum(r.counts_as_failure for s in self.sections for r in s.requirements)


def latest_submitted_declaration(*, provider: Provider, standard: Standard) -> Declaration | None:
    return (
        Declaration.objects.filter(
            provider=provider, status=DeclarationStatus.SUBMITTED, version__standard=standard
        )
        .select_related("version")
        .order_by("-submitted_at", "-pk")
        .first()
    )


def _standard(slug: str | None, provider: Provider) -> Standard | None:
    """The standard asked for; else that of the provider's latest submission; else the default."""
    if slug:
        return Standard.objects.filter(slug=slug).first()
    latest = (
        Declaration.objects.filter(provider=provider, status=DeclarationStatus.SUBMITTED)
        .order_by("-submitted_at", "-pk")
        .values_list("version__standard_id", flat=True)
        .first()
    )
    if latest is not None:
        return Standard.objects.get(pk=latest)
    return Standard.objects.filter(slug=DEFAULT_STANDARD).first()


def result_status(
    *, user: Any, provider_id: int, standard_slug: str | None = None
) -> dict[str, Any]:
    """The small JSON the result page polls while scoring is under way."""
    provider = provider_for(user=user, provider_id=provider_id)
    standard = _standard(standard_slug, provider)
    if standard is None:
        return {"state": "none"}
    latest = latest_submitted_declaration(provider=provider, standard=standard)
    if latest is None:
        return {"state": "none"}
    if ScoringRun.objects.filter(declaration=latest).exists():
        return {"state": "ready", "declaration": latest.pk}
    return {"state": "pending", "declaration": latest.pk}


def result_for(
    *,
    user: Any,
    provider_id: int,
    standard_slug: str | None = None,
    version_label: str | None = None,
) -> Result:
    provider = provider_for(user=user, provider_id=provider_id)
    standard = _standard(standard_slug, provider)
    only_health = health_only(user=user, provider=provider)
    latest = (
        latest_submitted_declaration(provider=provider, standard=standard) if standard else None
    )
    pending = latest is not None and not ScoringRun.objects.filter(declaration=latest).exists()
    result = Result(
        provider=provider,
        standard=standard,
        health_only=only_health,
        latest_declaration=latest,
        pending=pending,
    )
    if standard is None:
        return result
    currents = list(
        CurrentResult.objects.filter(provider=provider, standard=standard)
        .select_related("version", "run", "declaration")
        .order_by("-version__effective_from", "-version__created_at")
    )
    if not currents:
        return result
    chosen = currents[0]
    if version_label:
        matching = [c for c in currents if c.version.version == version_label]
        if not matching:
            raise CurrentResult.DoesNotExist(version_label)
        chosen = matching[0]
    result.current = chosen
    result.run = chosen.run
    result.version = chosen.version
    result.other_results = [c for c in currents if c.pk != chosen.pk]
    _explain(result, chosen.run, chosen.version)
    return result


def _explain(result: Result, run: ScoringRun, version: StandardVersion) -> None:
    layout = OutcomeLayout.objects.get(pk=run.layout_id)
    info = version_info(version)
    spec = spec_for_keys(info, tuple(layout.keys))
    outcomes = [OUTCOME_BY_CODE[c] for c in run.outcomes]
    scores = score(spec, outcomes)
    result.scores = scores
    parts = contributions(spec, outcomes, scores)
    requirements = {
        r.key: r for r in Requirement.objects.filter(version=version).select_related("section")
    }
    sections = {s.code: s for s in Section.objects.filter(version=version)}
    answers = {
        a.requirement_key: a
        for a in AnswerRow.objects.filter(declaration_id=run.declaration_id).select_related(
            "requirement"
        )
    }
    lookup = requirement_lookup(version)
    errors = run.errors or {}
    rows: dict[str, SectionRow] = {}
    for code, section in sorted(sections.items(), key=lambda item: item[1].order):
        stored = scores.sections.get(code)
        rows[code] = SectionRow(
            code=code,
            title=section.title,
            weight=section.weight,
            score=stored.score if stored else 0.0,
            count=stored.count if stored else 0,
            weight_sum=stored.weight_sum if stored else 0.0,
        )
    for requirement_spec, outcome, part in zip(spec.requirements, outcomes, parts, strict=True):
        if result.health_only and requirement_spec.theme not in HEALTH_THEMES:
            continue
        requirement = requirements[requirement_spec.key]
        answer = answers.get(requirement_spec.key)
        rows[requirement_spec.section].requirements.append(
            RequirementRow(
                key=requirement.key,
                title=requirement.title,
                strength=requirement.strength,
                theme=requirement.theme,
                outcome=outcome,
                answer=_answer_text(answer, requirement),
                rule=describe_rule(
                    requirement.rule,
                    {"type": requirement.answer_type, **requirement.answer_options},
                    lookup.get,
                ),
                why=_why(outcome, requirement_spec, requirement, answer, run, version, errors),
                contribution=part,
            )
        )
    result.sections = [s for s in rows.values() if s.requirements]
    shown = [r for s in result.sections for r in s.requirements]
    result.counts = [
        CountRow(
            outcome=o,
            by_strength=[
                sum(1 for r in shown if r.outcome is o and r.strength == s) for s in STRENGTHS
            ],
            total=sum(1 for r in shown if r.outcome is o),
        )
        for o in Outcome
    ]


def _answer_text(answer: AnswerRow | None, requirement: Requirement) -> str:
    if answer is None:
        return "No answer"
    if answer.answer_type != requirement.answer_type:
        return f"{answer.display_value} (given to an earlier question of a different type)"
    text = answer.display_value
    if answer.not_applicable and answer.not_applicable_reason:
        text += f": {answer.not_applicable_reason}"
    return text


def _why(
    outcome: Outcome,
    spec: RequirementSpec,
    requirement: Requirement,
    answer: AnswerRow | None,
    run: ScoringRun,
    version: StandardVersion,
    errors: dict[str, str],
) -> str:
    on = run.assessed_on
    if outcome is Outcome.PASS:
        return "The answer meets the rule."
    if outcome is Outcome.FAIL:
        return "The answer does not meet the rule."
    if outcome is Outcome.ERROR:
        return f"The answer could not be checked ({errors.get(spec.key, 'unknown problem')}), so it counts as not met."
    if outcome is Outcome.NOT_ANSWERED:
        changed = answer is not None and answer.answer_type != requirement.answer_type
        base = (
            "The question changed type in this version, so the earlier answer does not count."
            if changed
            else "No answer was given."
        )
        if spec.strength == "good_practice":
            return base + " Good practice left unanswered is not scored."
        return base + " It counts as not met."
    if outcome is Outcome.NOT_YET_DUE:
        if spec.effective_from and on < spec.effective_from:
            return f"This duty starts on {format_date(spec.effective_from)}: reported, not scored."
        if on < version.effective_from:
            return (
                f"This version of the standard applies from {format_date(version.effective_from)}."
            )
        grace_ends = version.effective_from + dt.timedelta(days=version.grace_period_days)
        return (
            f"Not met, but the grace period runs until {format_date(grace_ends - dt.timedelta(days=1))}:"
            " reported, not scored."
        )
    # not applicable
    if (
        answer is not None
        and answer.not_applicable
        and answer.answer_type == requirement.answer_type
    ):
        return "The provider said this does not apply, which this requirement allows."
    if spec.effective_to and on > spec.effective_to:
        return f"This duty ended on {format_date(spec.effective_to)}."
    return "The condition in the rule is not met, so this requirement does not apply."


# ---- gaps ---------------------------------------------------------------------------------


@dataclass
class ProviderGaps:
    provider: Provider
    gaps: list[Gap]
    health_only: bool
    can_change: bool
    include_closed: bool
    closed_count: int


def _health_filter(gaps: QuerySet[Gap], only_health: bool) -> QuerySet[Gap]:
    return gaps.filter(theme__in=sorted(HEALTH_THEMES)) if only_health else gaps


def gaps_for(*, user: Any, provider_id: int, include_closed: bool = False) -> ProviderGaps:
    provider = provider_for(user=user, provider_id=provider_id)
    only_health = health_only(user=user, provider=provider)
    gaps = _health_filter(
        Gap.objects.filter(provider=provider).select_related("standard", "resolved_by_run"),
        only_health,
    )
    closed = gaps.exclude(status__in=ACTIVE_GAP_STATUSES)
    shown = gaps if include_closed else gaps.filter(status__in=ACTIVE_GAP_STATUSES)
    order = {GapStatus.OPEN: 0, GapStatus.IN_PROGRESS: 1, GapStatus.ACCEPTED: 2}
    strength_order = {"must": 0, "should": 1, "good_practice": 2}
    listed = sorted(
        shown,
        key=lambda g: (
            order.get(GapStatus(g.status), 3),
            strength_order.get(g.strength, 3),
            g.requirement_key,
        ),
    )
    return ProviderGaps(
        provider=provider,
        gaps=listed,
        health_only=only_health,
        can_change=can_change_gaps(user=user, provider=provider) and not only_health,
        include_closed=include_closed,
        closed_count=closed.count(),
    )


@dataclass
class GapDetail:
    gap: Gap
    provider: Provider
    can_change: bool
    events: list[Any]

    @property
    def closed_because(self) -> str:
        """Why a superseded gap closed, as its history says."""
        return next((e.note for e in self.events if e.action == "superseded"), "")


def gap_for(*, user: Any, provider_id: int, gap_id: int) -> GapDetail:
    provider = provider_for(user=user, provider_id=provider_id)
    only_health = health_only(user=user, provider=provider)
    gap = _health_filter(
        Gap.objects.filter(provider=provider).select_related(
            "standard", "opened_by_run", "resolved_by_run", "superseded_by_version"
        ),
        only_health,
    ).get(pk=gap_id)
    return GapDetail(
        gap=gap,
        provider=provider,
        can_change=can_change_gaps(user=user, provider=provider) and not only_health,
        events=list(gap.events.select_related("actor", "run")),
    )


@dataclass
class AreaGaps:
    area: Area
    gaps: QuerySet[Gap]
    health_only: bool
    by_status: dict[str, int]


def gaps_for_area(*, user: Any, area_code: str, status: str | None = None) -> AreaGaps:
    """Active gaps of the providers of an area that the user may see."""
    area = visible_areas(user=user).get(code=area_code)
    access = access_for(user)
    only_health = not access.reads_everything and area.pk not in access.area_ids
    providers = visible_providers(user=user).filter(area=area)
    gaps = _health_filter(
        Gap.objects.filter(provider__in=providers, status__in=ACTIVE_GAP_STATUSES), only_health
    )
    by_status = {row["status"]: row["n"] for row in gaps.values("status").annotate(n=Count("pk"))}
    if status:
        gaps = gaps.filter(status=status)
    return AreaGaps(
        area=area,
        gaps=gaps.select_related("provider").order_by("provider__name", "requirement_key"),
        health_only=only_health,
        by_status=by_status,
    )


# ---- re-scores ----------------------------------------------------------------------------


def can_see_rescores(user: Any) -> bool:
    access = access_for(user)
    return access.reads_everything or access.standards_admin


@dataclass(frozen=True)
class JobProgress:
    job_id: int
    total_chunks: int
    done_chunks: int
    total_providers: int
    done_providers: int
    changed: int
    finished: bool
    requeued: int

    @property
    def percent(self) -> int:
        if not self.total_chunks:
            return 100
        return int(100 * self.done_chunks / self.total_chunks)

    def as_json(self) -> dict[str, Any]:
        return {
            "job": self.job_id,
            "done_chunks": self.done_chunks,
            "total_chunks": self.total_chunks,
            "done_providers": self.done_providers,
            "total_providers": self.total_providers,
            "changed": self.changed,
            "finished": self.finished,
            "state": "done" if self.finished else "running",
        }


def job_progress(*, job_id: int) -> JobProgress:
    job = RescoreJob.objects.get(pk=job_id)
    done = RescoreChunk.objects.filter(job_id=job_id, status=ChunkStatus.DONE).aggregate(
        chunks=Count("pk"), providers=Sum("size"), changed=Sum("changed_count")
    )
    requeued = RescoreChunk.objects.filter(job_id=job_id, queued_count__gt=1).count()
    return JobProgress(
        job_id=job_id,
        total_chunks=job.chunk_count,
        done_chunks=done["chunks"] or 0,
        total_providers=job.provider_count,
        done_providers=done["providers"] or 0,
        changed=done["changed"] or 0,
        finished=job.status == JobStatus.DONE,
        requeued=requeued,
    )


def rescore_jobs(*, user: Any) -> QuerySet[RescoreJob]:
    if not can_see_rescores(user):
        return RescoreJob.objects.none()
    return RescoreJob.objects.select_related("version__standard", "area", "requested_by")


def rescore_job(*, user: Any, job_id: int) -> RescoreJob:
    return rescore_jobs(user=user).get(pk=job_id)


def chunk_counts(*, job: RescoreJob) -> dict[str, int]:
    """How many of the job's chunks are queued, running and done."""
    counts = dict.fromkeys(ChunkStatus.values, 0)
    for row in job.chunks.values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts
