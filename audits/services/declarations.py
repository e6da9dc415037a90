"""Starting a declaration, and starting a revision of a submitted one."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from accounts.models import User
from accounts.services import record
from audits.models import Answer, Declaration, DeclarationRound, DeclarationStatus
from audits.periods import is_valid_period, next_period, period_for, today
from audits.selectors import declaration_target, local_target
from audits.services.guards import require_editor
from providers.models import Provider
from standards.canonical import requirement_document
from standards.models import Requirement, StandardVersion, VersionStatus
from standards.selectors import requirements_for


@dataclass(frozen=True)
class StartResult:
    """The declaration to carry on with, and whether this call created it."""

    declaration: Declaration
    created: bool
    copied: int = 0
    attention: int = 0


def declarable_periods(*, provider: Provider) -> list[str]:
    """The academic years a declaration may be started for: this one, the next, and those of
    the rounds opened for the provider's area (the pages offer only these)."""
    current = period_for(today())
    periods = {current, next_period(current)}
    if provider.area_id:
        rounds = DeclarationRound.objects.filter(area_id=provider.area_id)
        periods.update(rounds.values_list("period", flat=True))
    return sorted(periods)


def _check_period(provider: Provider, period: str) -> None:
    if not is_valid_period(period):
        raise ValidationError({"period": "Enter an academic year, like 2026/27"})
    allowed = declarable_periods(provider=provider)
    if period not in allowed:
        # A far-off year would become the provider's latest declaration once submitted.
        raise ValidationError(
            {"period": f"Declare for one of these academic years: {', '.join(allowed)}"}
        )


@transaction.atomic
def start_declaration(
    *,
    provider: Provider,
    user: User,
    version: StandardVersion | None = None,
    period: str | None = None,
) -> StartResult:
    """Open the provider's draft for a version and period, or return the one already open.

    Without a version, the target is `audits.selectors.declaration_target`'s: the standard and
    year of the area's open round, else the default standard, against the version of a
    declaration already begun for them (even if since superseded), else the published one.
    A new declaration starts from the answers of the provider's latest declaration, matched by
    requirement key; new and changed requirements are marked for attention, and an answer
    whose type changed is never copied.
    """
    require_editor(user, provider)
    if version is None:
        target = declaration_target(provider=provider, period=period)
        version, period = target.version, target.period
    elif period is None:
        period = declaration_target(provider=provider, standard=version.standard).period
    local_version, _ = local_target(provider=provider, version=version)
    if version is None:
        raise ValidationError("There is no published standard to declare against.")
    _check_period(provider, period)
    if not requirements_for(version=version, provider_type=provider.provider_type).exists():
        raise ValidationError("None of the standard's requirements apply to this provider.")
    Provider.objects.select_for_update().filter(pk=provider.pk).first()
    existing = Declaration.objects.filter(provider=provider, version=version, period=period)
    draft = existing.filter(status=DeclarationStatus.DRAFT).first()
    if draft is not None:
        return StartResult(declaration=draft, created=False)
    latest = existing.order_by("-revision").first()
    if latest is not None:
        # Declared already for this version and period: the next step is a revision.
        return StartResult(declaration=latest, created=False)
    # Only now: a draft begun before its version was superseded is still returned above.
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationError(
            {
                "version": "Declare against the published version of the standard: this one is "
                + version.status
            }
        )

    declaration = Declaration.objects.create(
        provider=provider,
        version=version,
        local_version=local_version,
        period=period,
        created_by=user,
        round=DeclarationRound.objects.filter(
            area=provider.area, version__standard_id=version.standard_id, period=period
        ).first()
        if provider.area_id
        else None,
    )
    # The latest submitted declaration; a draft only if there is none. PostgreSQL puts NULLs
    # first in a descending sort, so nulls_last is needed for an abandoned draft not to win.
    source = (
        Declaration.objects.filter(provider=provider)
        .exclude(pk=declaration.pk)
        .order_by(F("submitted_at").desc(nulls_last=True), "-created_at", "-pk")
        .first()
    )
    copied, attention = _create_answers(declaration, source)
    if source is not None:
        declaration.carried_from = source
        declaration.save(update_fields=["carried_from"])
    record(actor=user, action="declaration started", obj=declaration, changes={"copied": copied})
    return StartResult(declaration=declaration, created=True, copied=copied, attention=attention)


def applicable_requirements(declaration: Declaration) -> list[Requirement]:
    """The questions the provider answers: the national version's, then the local version's own
    (a local requirement that raises a national threshold asks the national question, so it has
    no answer of its own)."""
    provider_type = declaration.provider.provider_type
    requirements = list(requirements_for(version=declaration.version, provider_type=provider_type))
    if declaration.local_version_id is not None:
        assert declaration.local_version is not None
        requirements += [
            r
            for r in requirements_for(
                version=declaration.local_version, provider_type=provider_type
            )
            if not r.raises
        ]
    return requirements


def _create_answers(declaration: Declaration, source: Declaration | None) -> tuple[int, int]:
    requirements = applicable_requirements(declaration)
    previous: dict[str, Answer] = {}
    same_version = source is not None and source.version_id == declaration.version_id
    if source is not None:
        previous = {a.requirement_key: a for a in source.answers.select_related("requirement")}
    answers, copied, attention = [], 0, 0
    for requirement in requirements:
        answer = Answer(
            declaration=declaration,
            requirement=requirement,
            requirement_key=requirement.key,
            answer_type=requirement.answer_type,
        )
        old = previous.get(requirement.key)
        if old is None and source is not None and not same_version:
            answer.needs_attention = True
            answer.attention_reason = (
                "New requirement in this version of the standard"
                if requirement.version_id == declaration.version_id
                else "New requirement of your area's local standard"
            )
            attention += 1
        elif old is not None:
            if old.answer_type == requirement.answer_type:
                copy_answer(old, answer)
                copied += 1
            else:
                answer.needs_attention = True
                answer.attention_reason = (
                    "The question changed, so your previous answer was not copied"
                )
                attention += 1
                answers.append(answer)
                continue
            if not same_version and _changed(old.requirement, requirement):
                answer.needs_attention = True
                answer.attention_reason = "This requirement changed in this version of the standard"
                attention += 1
        answers.append(answer)
    Answer.objects.bulk_create(answers)
    return copied, attention


def copy_answer(old: Answer, new: Answer) -> None:
    new.set_value(old.value)
    if old.not_applicable and not new.requirement.allow_not_applicable:
        new.set_value(None)
    else:
        new.not_applicable = old.not_applicable
        new.not_applicable_reason = old.not_applicable_reason
    new.evidence_url = old.evidence_url
    new.evidence_note = old.evidence_note
    new.copied_from = old


def _changed(old: Requirement, new: Requirement) -> bool:
    before, after = requirement_document(old), requirement_document(new)
    return any(
        before[k] != after[k] for k in ("question", "answer", "rule", "strength", "applies_to")
    )


@transaction.atomic
def start_revision(*, declaration: Declaration, user: User) -> StartResult:
    """A new draft, copied from a submitted declaration, for the same version and period; or
    the draft already open for them (created=False), which is the declaration itself if it is
    one."""
    current = Declaration.objects.select_for_update().get(pk=declaration.pk)
    require_editor(user, current.provider)
    if current.is_draft:
        return StartResult(declaration=current, created=False)
    draft = Declaration.objects.filter(
        provider_id=current.provider_id,
        version_id=current.version_id,
        period=current.period,
        status=DeclarationStatus.DRAFT,
    ).first()
    if draft is not None:
        return StartResult(declaration=draft, created=False)
    latest = (
        Declaration.objects.filter(
            provider_id=current.provider_id, version_id=current.version_id, period=current.period
        )
        .order_by("-revision")
        .first()
    )
    assert latest is not None
    revision = Declaration.objects.create(
        provider=current.provider,
        version=current.version,
        local_version=current.local_version,
        period=current.period,
        revision=latest.revision + 1,
        revises=latest,
        carried_from=latest,
        round=latest.round,
        created_by=user,
    )
    answers = []
    for old in latest.answers.select_related("requirement"):
        new = Answer(
            declaration=revision,
            requirement=old.requirement,
            requirement_key=old.requirement_key,
            answer_type=old.answer_type,
            review_state=old.review_state,
            review_comment=old.review_comment,
            reviewed_by_id=old.reviewed_by_id,
            reviewed_as=old.reviewed_as,
        )
        copy_answer(old, new)
        answers.append(new)
    Answer.objects.bulk_create(answers)
    record(actor=user, action="revision started", obj=revision, changes={"revises": latest.pk})
    return StartResult(declaration=revision, created=True, copied=len(answers))
