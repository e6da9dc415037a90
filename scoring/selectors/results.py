"""Results: a provider's current result, explained requirement by requirement."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from accounts.access import HEALTH_THEMES
from audits.models import Answer as AnswerRow
from audits.models import Declaration, DeclarationStatus
from providers.models import Provider
from providers.visibility import health_only, visible_providers
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
from scoring.models import CurrentResult, OutcomeLayout, ScoringRun
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
    # Beside a national result, the provider's results against its area's local standard (the
    # area's own requirements and raised thresholds), scored apart; beside a local result, the
    # national standard it extends.
    local_results: list[CurrentResult] = field(default_factory=list)
    extended: StandardVersion | None = None

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
    if standard.area_code:
        result.extended = chosen.version.extends
    else:
        result.local_results = list(
            CurrentResult.objects.filter(
                provider=provider, version__extends__standard=standard
            ).select_related("version__standard", "run")
        )
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
