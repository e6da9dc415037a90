"""Writes for declarations: start, answer, submit, revise, review; and declaration rounds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.access import HEALTH_THEMES, access_for
from accounts.models import User
from accounts.services import record
from audits.answers import AnswerErrors, AnswerInput, parse_answer
from audits.models import (
    Answer,
    AnswerChange,
    AnswerReviewState,
    Declaration,
    DeclarationRound,
    DeclarationStatus,
    Reviewer,
    ReviewStatus,
)
from audits.periods import is_valid_period, next_period, period_for
from audits.signals import declaration_submitted
from providers.models import Area, Provider
from providers.visibility import editable_providers, visible_providers
from standards.canonical import requirement_document
from standards.models import Requirement, StandardVersion, VersionStatus
from standards.selectors import current_version, requirements_for

DEFAULT_STANDARD = "send-statutory-baseline"
MAX_CHALLENGE = 2000


class StaleAnswer(Exception):
    """Someone else changed the answer after it was loaded; nothing was saved."""

    def __init__(self, current: Answer):
        self.current = current
        super().__init__(f"{current.requirement_key} was changed by someone else")


class StaleDeclaration(Exception):
    def __init__(self, current: Declaration):
        self.current = current
        super().__init__("The declaration was changed by someone else")


class IncompleteDeclaration(Exception):
    def __init__(self, missing: list[Answer], errors: dict[str, dict[str, str]]):
        self.missing = missing
        self.errors = errors
        super().__init__(f"{len(missing)} answers are missing or incomplete")


def today() -> dt.date:
    return timezone.localdate()


def _require_editor(user: User, provider: Provider) -> None:
    if not editable_providers(user=user).filter(pk=provider.pk).exists():
        raise PermissionDenied("You cannot edit this provider's declarations.")


def _require_draft(declaration: Declaration) -> None:
    if not declaration.is_draft:
        raise ValidationError(
            "A submitted declaration cannot be changed: start a revision instead."
        )


# ---- starting a declaration -----------------------------------------------------------------


@dataclass(frozen=True)
class StartResult:
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

    A new declaration starts from the answers of the provider's latest declaration, matched by
    requirement key; new and changed requirements are marked for attention, and an answer
    whose type changed is never copied.
    """
    _require_editor(user, provider)
    version = version or current_version(slug=DEFAULT_STANDARD)
    if version is None:
        raise ValidationError("There is no published standard to declare against.")
    period = period or period_for(today())
    _check_period(provider, period)
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
        raise ValidationError("Declare against the published version of the standard.")

    declaration = Declaration.objects.create(
        provider=provider,
        version=version,
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
    return list(
        requirements_for(
            version=declaration.version, provider_type=declaration.provider.provider_type
        )
    )


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
            answer.attention_reason = "New requirement in this version of the standard"
            attention += 1
        elif old is not None:
            if old.answer_type == requirement.answer_type:
                _copy_answer(old, answer)
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


def _copy_answer(old: Answer, new: Answer) -> None:
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


# ---- answering --------------------------------------------------------------------------------


@transaction.atomic
def save_answer(
    *,
    declaration: Declaration,
    requirement_key: str,
    data: AnswerInput,
    user: User,
    expected_row_version: int | None,
    complete: bool = False,
    confirm: bool = False,
) -> Answer:
    """Save one answer. Refuses (StaleAnswer) if someone else saved it since `expected_row_version`.

    With complete=True the answer must be given in full (Save and continue); otherwise a blank
    answer is kept as not answered (Save and come back later). Raises AnswerErrors naming fields.
    Saving an answer marked for attention unchanged confirms it with complete=True (the page's
    Save and continue) or confirm=True (the API, which sends only the answers it means).
    """
    _require_editor(user, declaration.provider)
    answer = (
        Answer.objects.select_for_update()
        .select_related("requirement", "declaration")
        .get(declaration=declaration, requirement_key=requirement_key)
    )
    _require_draft(answer.declaration)
    if expected_row_version is not None and answer.row_version != expected_row_version:
        raise StaleAnswer(answer)
    parsed = parse_answer(answer.requirement, data, allow_blank=not complete)
    before = answer.snapshot()
    answer.set_value(parsed.value)
    answer.not_applicable = parsed.not_applicable
    answer.not_applicable_reason = parsed.not_applicable_reason
    answer.evidence_url = parsed.evidence_url
    answer.evidence_note = parsed.evidence_note
    after = answer.snapshot()
    if before == after:
        if (complete or confirm) and answer.needs_attention:
            _confirm_answer(answer, user)
            Declaration.objects.filter(pk=declaration.pk).update(
                row_version=F("row_version") + 1, updated_at=timezone.now()
            )
        return answer
    answer.needs_attention = False
    answer.attention_reason = ""
    answer.row_version = F("row_version") + 1
    answer.updated_by = user
    answer.save()
    answer.refresh_from_db(fields=["row_version", "updated_at"])
    AnswerChange.objects.create(answer=answer, changed_by=user, old=before, new=after)
    Declaration.objects.filter(pk=declaration.pk).update(
        row_version=F("row_version") + 1, updated_at=timezone.now()
    )
    return answer


def _confirm_answer(answer: Answer, user: User) -> None:
    answer.needs_attention = False
    answer.attention_reason = ""
    answer.row_version = F("row_version") + 1
    answer.updated_by = user
    answer.save(
        update_fields=[
            "needs_attention",
            "attention_reason",
            "row_version",
            "updated_by",
            "updated_at",
        ]
    )
    answer.refresh_from_db(fields=["row_version", "updated_at"])


def save_answers(
    *,
    declaration: Declaration,
    answers: dict[str, AnswerInput],
    user: User,
    expected_declaration_version: int | None,
) -> list[Answer]:
    """Save many answers at once (the API's PATCH): all or nothing.

    Raises StaleDeclaration if the declaration changed since `expected_declaration_version`, and
    AnswerErrors with errors keyed "KEY.field" naming every bad answer.
    """
    with transaction.atomic():
        current = Declaration.objects.select_for_update().get(pk=declaration.pk)
        if (
            expected_declaration_version is not None
            and current.row_version != expected_declaration_version
        ):
            raise StaleDeclaration(current)
        _require_editor(user, current.provider)
        _require_draft(current)
        known = set(current.answers.values_list("requirement_key", flat=True))
        errors: dict[str, str] = {}
        for key in answers:
            if key not in known:
                errors[key] = "No requirement with this key applies to this declaration"
        if errors:
            raise AnswerErrors(errors)
        saved = []
        for key, data in answers.items():
            try:
                saved.append(
                    save_answer(
                        declaration=current,
                        requirement_key=key,
                        data=data,
                        user=user,
                        expected_row_version=None,
                        confirm=True,
                    )
                )
            except AnswerErrors as exc:
                errors.update({f"{key}.{field}": message for field, message in exc.errors.items()})
        if errors:
            transaction.set_rollback(True)
            raise AnswerErrors(errors)
        return saved


# ---- submitting and revising ------------------------------------------------------------------


def check_complete(declaration: Declaration) -> tuple[list[Answer], dict[str, dict[str, str]]]:
    """Answers that are missing, would be refused, or still need attention (copied from an
    earlier declaration and not yet checked), with their errors."""
    missing: list[Answer] = []
    errors: dict[str, dict[str, str]] = {}
    for answer in declaration.answers.select_related("requirement", "requirement__section"):
        data = AnswerInput(
            value=answer.value,
            not_applicable=answer.not_applicable,
            not_applicable_reason=answer.not_applicable_reason,
            evidence_url=answer.evidence_url,
            evidence_note=answer.evidence_note,
        )
        try:
            parse_answer(answer.requirement, data, allow_blank=False)
        except AnswerErrors as exc:
            missing.append(answer)
            errors[answer.requirement_key] = exc.errors
        else:
            if answer.needs_attention:
                missing.append(answer)
                errors[answer.requirement_key] = {
                    "needs_attention": "Check this answer and save it"
                }
    return missing, errors


@transaction.atomic
def submit_declaration(
    *, declaration: Declaration, user: User, expected_row_version: int | None = None
) -> Declaration:
    """Submit a complete draft. The scoring is queued once the transaction commits."""
    current = (
        Declaration.objects.select_for_update().select_related("provider").get(pk=declaration.pk)
    )
    _require_editor(user, current.provider)
    if expected_row_version is not None and current.row_version != expected_row_version:
        raise StaleDeclaration(current)
    _require_draft(current)
    missing, errors = check_complete(current)
    if missing:
        raise IncompleteDeclaration(missing, errors)
    current.status = DeclarationStatus.SUBMITTED
    current.submitted_by = user
    current.submitted_at = timezone.now()
    current.row_version = F("row_version") + 1
    current.save(
        update_fields=["status", "submitted_by", "submitted_at", "row_version", "updated_at"]
    )
    current.refresh_from_db()
    record(actor=user, action="declaration submitted", obj=current)
    declaration_id = current.pk
    transaction.on_commit(
        lambda: declaration_submitted.send(sender=Declaration, declaration_id=declaration_id)
    )
    return current


@transaction.atomic
def start_revision(*, declaration: Declaration, user: User) -> Declaration:
    """A new draft, copied from a submitted declaration, for the same version and period."""
    current = Declaration.objects.select_for_update().get(pk=declaration.pk)
    _require_editor(user, current.provider)
    if current.is_draft:
        return current
    draft = Declaration.objects.filter(
        provider_id=current.provider_id,
        version_id=current.version_id,
        period=current.period,
        status=DeclarationStatus.DRAFT,
    ).first()
    if draft is not None:
        return draft
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
        _copy_answer(old, new)
        answers.append(new)
    Answer.objects.bulk_create(answers)
    record(actor=user, action="revision started", obj=revision, changes={"revises": latest.pk})
    return revision


# ---- review -----------------------------------------------------------------------------------


def reviewable_keys(*, user: User, declaration: Declaration) -> set[str] | None:
    """Requirement keys this person may review on this declaration; None means all of them."""
    access = access_for(user)
    provider = declaration.provider
    if access.site_admin or provider.area_id in access.area_ids:
        return None
    if access.icb_ids and visible_providers(user=user).filter(pk=provider.pk).exists():
        return set(
            declaration.answers.filter(requirement__theme__in=HEALTH_THEMES).values_list(
                "requirement_key", flat=True
            )
        )
    raise PermissionDenied("You cannot review this declaration.")


def later_submitted_revision(declaration: Declaration) -> Declaration | None:
    """The newest submitted revision after this one, which supersedes it; None if there is none."""
    return (
        Declaration.objects.filter(
            provider_id=declaration.provider_id,
            version_id=declaration.version_id,
            period=declaration.period,
            revision__gt=declaration.revision,
            status=DeclarationStatus.SUBMITTED,
        )
        .order_by("-revision")
        .first()
    )


@transaction.atomic
def review_declaration(
    *,
    declaration: Declaration,
    reviewer: User,
    accept: bool,
    challenges: dict[str, str] | None = None,
    comment: str = "",
) -> Declaration:
    """Accept a submitted declaration, or return it with a comment on each challenged answer.

    An area officer (or site admin) reviews the whole declaration; an ICB officer its health
    answers only, recorded apart (health_review_*). Neither review withdraws or accepts an
    answer the other challenged, unless it challenges that answer itself.
    """
    current = (
        Declaration.objects.select_for_update().select_related("provider").get(pk=declaration.pk)
    )
    if current.is_draft:
        raise ValidationError("Only a submitted declaration can be reviewed.")
    later = later_submitted_revision(current)
    if later is not None:
        raise ValidationError(
            f"Revision {later.revision} has been submitted since: review that instead."
        )
    allowed = reviewable_keys(user=reviewer, declaration=current)
    challenges = {k: (v or "").strip() for k, v in (challenges or {}).items() if (v or "").strip()}
    comment = comment.strip()
    errors = {}
    for key, text in challenges.items():
        if allowed is not None and key not in allowed:
            errors[key] = "You can only challenge the answers you review"
        elif len(text) > MAX_CHALLENGE:
            errors[key] = f"The comment must be {MAX_CHALLENGE} characters or fewer"
    if len(comment) > MAX_CHALLENGE:
        errors["comment"] = (
            f"The comment on the declaration must be {MAX_CHALLENGE} characters or fewer"
        )
    if not accept and not challenges:
        errors["challenges"] = "Enter a comment on at least one answer you challenge"
    if accept and challenges:
        errors["challenges"] = "Accept the declaration, or return it with comments, not both"
    if errors:
        raise ValidationError(errors)
    role, other = (
        (Reviewer.AREA, Reviewer.ICB) if allowed is None else (Reviewer.ICB, Reviewer.AREA)
    )
    scope = (
        current.answers.all()
        if allowed is None
        else current.answers.filter(requirement_key__in=allowed)
    )
    own = scope.exclude(review_state=AnswerReviewState.CHALLENGED, reviewed_as=other)
    if accept:
        own.update(
            review_state=AnswerReviewState.ACCEPTED,
            review_comment="",
            reviewed_by=reviewer,
            reviewed_as=role,
        )
    else:
        # A challenge carried over from an earlier revision and not made again is withdrawn.
        own.filter(review_state=AnswerReviewState.CHALLENGED).exclude(
            requirement_key__in=challenges
        ).update(
            review_state=AnswerReviewState.SELF_DECLARED,
            review_comment="",
            reviewed_by=None,
            reviewed_as="",
        )
        for key, text in challenges.items():
            scope.filter(requirement_key=key).update(
                review_state=AnswerReviewState.CHALLENGED,
                review_comment=text,
                reviewed_by=reviewer,
                reviewed_as=role,
            )
    outcome = ReviewStatus.ACCEPTED if accept else ReviewStatus.RETURNED
    now = timezone.now()
    if allowed is None:
        current.review_status, current.reviewed_by = outcome, reviewer
        current.reviewed_at, current.review_comment = now, comment
    else:
        current.health_review_status, current.health_reviewed_by = outcome, reviewer
        current.health_reviewed_at, current.health_review_comment = now, comment
    current.row_version = F("row_version") + 1
    current.save()
    current.refresh_from_db()
    record(
        actor=reviewer,
        action="declaration accepted" if accept else "declaration returned",
        obj=current,
        changes={
            "challenged": sorted(challenges),
            "comment": comment,
            "health_only": allowed is not None,
        },
    )
    return current


# ---- rounds -----------------------------------------------------------------------------------


@transaction.atomic
def open_round(
    *, area: Area, version: StandardVersion, period: str, deadline: dt.date, user: User
) -> DeclarationRound:
    access = access_for(user)
    if not (access.site_admin or area.pk in access.area_ids):
        raise PermissionDenied("You cannot open a round for this area.")
    errors: dict[str, str] = {}
    if version.status != VersionStatus.PUBLISHED:
        errors["version"] = "Select a published version of the standard"
    current = period_for(today())
    if not is_valid_period(period):
        errors["period"] = "Enter an academic year, like 2026/27"
    elif period not in (current, next_period(current)):
        errors["period"] = (
            f"Open a round for this academic year ({current}) or the next ({next_period(current)})"
        )
    if deadline < today():
        errors["deadline"] = "The deadline must be today or in the future"
    # A round is for a standard and a year, whichever version is published by its deadline.
    if DeclarationRound.objects.filter(
        area=area, version__standard_id=version.standard_id, period=period
    ).exists():
        errors["period"] = "A round for this standard and academic year is already open"
    if errors:
        raise ValidationError(errors)
    declaration_round = DeclarationRound.objects.create(
        area=area, version=version, period=period, deadline=deadline, opened_by=user
    )
    Declaration.objects.filter(
        provider__area=area,
        version__standard_id=version.standard_id,
        period=period,
        round__isnull=True,
    ).update(round=declaration_round)
    record(actor=user, action="round opened", obj=declaration_round)
    return declaration_round
