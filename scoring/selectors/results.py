"""Results: a provider's current result, explained requirement by requirement."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import Q

from accounts.access import HEALTH_THEMES
from audits.models import (
    FIELD_FOR_TYPE,
    VALUE_FIELDS,
    Declaration,
    DeclarationStatus,
    display_answer,
)
from audits.models import Answer as AnswerRow
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
from scoring.models import CurrentResult, ScoringRun
from scoring.specs import (
    ExplainedVersion,
    explained_version,
    layout_keys,
    spec_for_keys,
    version_info,
)
from standards.models import Requirement, Standard, StandardVersion
from standards.rules import format_date

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


def _standard_and_latest(
    slug: str | None, provider: Provider
) -> tuple[Standard | None, Declaration | None]:
    """The standard asked for; else that of the provider's latest submission; else the default.
    With it, the provider's latest submitted declaration of that standard. Without a slug, the
    latest submission of all is also the latest of its own standard: one query finds both."""
    if slug:
        standard = Standard.objects.filter(slug=slug).first()
        if standard is None:
            return None, None
        return standard, latest_submitted_declaration(provider=provider, standard=standard)
    latest = (
        Declaration.objects.filter(provider=provider, status=DeclarationStatus.SUBMITTED)
        .select_related("version__standard")
        .order_by("-submitted_at", "-pk")
        .first()
    )
    if latest is not None:
        return latest.version.standard, latest
    # Nothing submitted, so nothing submitted against the default standard either.
    return Standard.objects.filter(slug=DEFAULT_STANDARD).first(), None


def result_status(
    *, user: Any, provider_id: int, standard_slug: str | None = None
) -> dict[str, Any]:
    """The small JSON the result page polls while scoring is under way."""
    provider = provider_for(user=user, provider_id=provider_id)
    _, latest = _standard_and_latest(standard_slug, provider)
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
    standard, latest = _standard_and_latest(standard_slug, provider)
    result = Result(
        provider=provider,
        standard=standard,
        health_only=health_only(user=user, provider=provider),
        latest_declaration=latest,
        pending=False,
    )
    if standard is None:
        return result
    # The standard's current results and, beside a national standard, those of the local
    # standards extending it: one query.
    wanted = Q(standard=standard)
    related = ["version__standard", "run__declaration__version"]
    if standard.area_code:
        related.append("version__extends__standard")
    else:
        wanted |= Q(version__extends__standard=standard)
    found = list(
        CurrentResult.objects.filter(wanted, provider=provider)
        .select_related(*related)
        .order_by("-version__effective_from", "-version__created_at", "pk")
    )
    currents = [c for c in found if c.standard_id == standard.pk]
    # Scoring is under way while the latest submission has no run; a current result of it is
    # one, so the question needs no query then.
    result.pending = (
        latest is not None
        and not any(c.run.declaration_id == latest.pk for c in found)
        and not ScoringRun.objects.filter(declaration=latest).exists()
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
        result.local_results = [c for c in found if c.standard_id != standard.pk]
    _explain(result, chosen.run, chosen.version)
    return result


class _Answer(NamedTuple):
    """What explaining a requirement needs of its answer, read as plain values."""

    answer_type: str
    not_applicable: bool
    text: str  # as the answer reads (Answer.display_value)
    reason: str  # why it does not apply


ANSWER_FIELDS = ("requirement_key", "requirement_id", "answer_type", "not_applicable")


def _answers(run: ScoringRun, scored: ExplainedVersion) -> dict[str, _Answer]:
    """A declaration's answers by requirement key, as the result shows them: one query, plain
    values. Each answer reads with its own requirement's options: the scored version's, or the
    version it was declared against (both kept in the cache); any other (a local standard's),
    read in one query more."""
    rows = list(
        AnswerRow.objects.filter(declaration_id=run.declaration_id)
        .order_by()
        .values_list(*ANSWER_FIELDS, "not_applicable_reason", *VALUE_FIELDS)
    )
    options = scored.options
    declared = run.declaration.version
    if declared.pk != scored.spec.version_id and any(row[1] not in options for row in rows):
        options = {**options, **explained_version(version_info(declared)).options}
    missing = {row[1] for row in rows if row[1] not in options}
    if missing:
        read = Requirement.objects.filter(pk__in=missing).order_by()
        options = {**options, **dict(read.values_list("pk", "answer_options"))}
    found = {}
    for key, requirement_id, answer_type, not_applicable, reason, *values in rows:
        value = values[VALUE_FIELDS.index(FIELD_FOR_TYPE[answer_type])]
        if not_applicable:
            text = "Not applicable"
        elif value is None or value == "":
            text = "Not answered"
        else:
            text = display_answer(value, options[requirement_id])
        found[key] = _Answer(answer_type, not_applicable, text, reason)
    return found


def _explain(result: Result, run: ScoringRun, version: StandardVersion) -> None:
    info = version_info(version)
    explained = explained_version(info)
    spec = spec_for_keys(info, layout_keys([run.layout_id])[run.layout_id])
    outcomes = [OUTCOME_BY_CODE[c] for c in run.outcomes]
    scores = score(spec, outcomes)
    result.scores = scores
    parts = contributions(spec, outcomes, scores)
    answers = _answers(run, explained)
    errors = run.errors or {}
    rows: dict[str, SectionRow] = {}
    for section in spec.sections:
        stored = scores.sections.get(section.code)
        rows[section.code] = SectionRow(
            code=section.code,
            title=section.title,
            weight=section.weight,
            score=stored.score if stored else 0.0,
            count=stored.count if stored else 0,
            weight_sum=stored.weight_sum if stored else 0.0,
        )
    for requirement, outcome, part in zip(spec.requirements, outcomes, parts, strict=True):
        if result.health_only and requirement.theme not in HEALTH_THEMES:
            continue
        answer = answers.get(requirement.key)
        rows[requirement.section].requirements.append(
            RequirementRow(
                key=requirement.key,
                title=requirement.title,
                strength=requirement.strength,
                theme=requirement.theme,
                outcome=outcome,
                answer=_answer_text(answer, requirement),
                rule=explained.rules[requirement.key],
                why=_why(outcome, requirement, answer, run, version, errors),
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


def _answer_text(answer: _Answer | None, requirement: RequirementSpec) -> str:
    if answer is None:
        return "No answer"
    if answer.answer_type != requirement.answer_type:
        return f"{answer.text} (given to an earlier question of a different type)"
    text = answer.text
    if answer.not_applicable and answer.reason:
        text += f": {answer.reason}"
    return text


def _why(
    outcome: Outcome,
    spec: RequirementSpec,
    answer: _Answer | None,
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
        changed = answer is not None and answer.answer_type != spec.answer_type
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
    if answer is not None and answer.not_applicable and answer.answer_type == spec.answer_type:
        return "The provider said this does not apply, which this requirement allows."
    if spec.effective_to and on > spec.effective_to:
        return f"This duty ended on {format_date(spec.effective_to)}."
    return "The condition in the rule is not met, so this requirement does not apply."
