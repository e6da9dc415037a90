"""Reads for declarations and their answers, rounds and reviews, scoped to what the person may
see."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, CharField, Count, F, Q, QuerySet, When

from accounts.access import HEALTH_THEMES, access_for
from audits.answers import AnswerErrors, AnswerInput, parse_answer
from audits.models import (
    Answer,
    AnswerChange,
    Declaration,
    DeclarationRound,
    DeclarationStatus,
)
from providers.models import Provider
from providers.visibility import editable_providers, health_only, visible_areas, visible_providers
from standards.models import Section, Standard, StandardVersion

DEFAULT_STANDARD = "send-statutory-baseline"


def answer_order() -> tuple[Any, ...]:
    """Answers in the order asked: the national sections first (their version extends nothing),
    then the area's local sections; each in section and requirement order."""
    return (
        F("requirement__version__extends").asc(nulls_first=True),
        "requirement__section__order",
        "requirement__order",
    )


def visible_declarations(*, user: Any) -> QuerySet[Declaration]:
    return Declaration.objects.select_related("provider", "version__standard").filter(
        provider__in=visible_providers(user=user)
    )


def editable_declarations(*, user: Any) -> QuerySet[Declaration]:
    return Declaration.objects.select_related("provider", "version__standard").filter(
        provider__in=editable_providers(user=user)
    )


def declaration_answers(*, user: Any, declaration: Declaration) -> QuerySet[Answer]:
    """The answers this person may read: all of them, or the health ones for ICB officers."""
    answers = declaration.answers.select_related(
        "requirement", "requirement__section", "reviewed_by"
    ).order_by(*answer_order())
    if health_only(user=user, provider=declaration.provider):
        answers = answers.filter(requirement__theme__in=HEALTH_THEMES)
    return answers


class TaskStatus:
    NOT_STARTED = "Not yet started"
    IN_PROGRESS = "In progress"
    COMPLETED = "Completed"
    CANNOT_START = "Cannot start yet"


def answer_errors(answer: Answer) -> dict[str, str]:
    """What submitting this answer as it stands would refuse, by field; empty when it is complete."""
    try:
        parse_answer(answer.requirement, AnswerInput.stored(answer), allow_blank=False)
    except AnswerErrors as exc:
        return exc.errors
    return {}


def answer_is_complete(answer: Answer) -> bool:
    return not answer_errors(answer)


ATTENTION_ERROR = "Check this answer and save it"


def check_complete(declaration: Declaration) -> tuple[list[Answer], dict[str, dict[str, str]]]:
    """The answers that stop the declaration being submitted, with their errors by requirement
    key: missing or refused (`answer_errors`), or copied from an earlier declaration and not yet
    checked ("needs_attention")."""
    missing: list[Answer] = []
    errors: dict[str, dict[str, str]] = {}
    for answer in declaration.answers.select_related("requirement", "requirement__section"):
        found = answer_errors(answer)
        if not found and answer.needs_attention:
            found = {"needs_attention": ATTENTION_ERROR}
        if found:
            missing.append(answer)
            errors[answer.requirement_key] = found
    return missing, errors


@dataclass
class SectionProgress:
    section: Section
    answers: list[Answer] = field(default_factory=list)
    # A section of the area's local standard (shown after the national sections, marked so).
    is_local: bool = False
    # Keys of the answers that are complete enough to submit (evidence included); filled in by
    # declaration_progress. When None, an answer counts as complete once it is answered.
    complete_keys: set[str] | None = None

    @property
    def answered(self) -> int:
        return sum(1 for a in self.answers if a.is_answered)

    def is_complete_answer(self, answer: Answer) -> bool:
        if self.complete_keys is None:
            return answer.is_answered
        return answer.requirement_key in self.complete_keys

    @property
    def completed(self) -> int:
        return sum(1 for a in self.answers if self.is_complete_answer(a))

    @property
    def next_answer(self) -> Answer | None:
        """The first answer still to give or check, else the first answer of the section."""
        for answer in self.answers:
            if not self.is_complete_answer(answer) or answer.needs_attention:
                return answer
        return self.answers[0] if self.answers else None

    @property
    def total(self) -> int:
        return len(self.answers)

    @property
    def attention(self) -> int:
        return sum(1 for a in self.answers if a.needs_attention)

    @property
    def challenged(self) -> int:
        return sum(1 for a in self.answers if a.review_state == "challenged")

    @property
    def status(self) -> str:
        if self.answered == 0:
            return TaskStatus.NOT_STARTED
        if self.completed < self.total or self.attention:
            return TaskStatus.IN_PROGRESS
        return TaskStatus.COMPLETED


@dataclass
class Progress:
    sections: list[SectionProgress]

    @property
    def answered(self) -> int:
        return sum(s.answered for s in self.sections)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)

    @property
    def attention(self) -> int:
        return sum(s.attention for s in self.sections)

    @property
    def challenged(self) -> int:
        return sum(s.challenged for s in self.sections)

    @property
    def answers(self) -> list[Answer]:
        return [a for s in self.sections for a in s.answers]

    @property
    def completed_sections(self) -> int:
        return sum(1 for s in self.sections if s.status == TaskStatus.COMPLETED)

    @property
    def is_complete(self) -> bool:
        return all(s.status == TaskStatus.COMPLETED for s in self.sections)


def declaration_progress(
    *, declaration: Declaration, answers: QuerySet[Answer] | None = None
) -> Progress:
    """The declaration's sections in order, each with its answers and task status.

    A section is completed when every answer in it could be submitted as it stands (evidence
    included, where it is required) and none is marked for attention.
    """
    grouped: dict[int, SectionProgress] = {}
    rows = (
        answers
        if answers is not None
        else declaration.answers.select_related("requirement", "requirement__section").order_by(
            *answer_order()
        )
    )
    for answer in rows:
        section = answer.requirement.section
        progress = grouped.setdefault(
            section.pk,
            SectionProgress(
                section=section,
                complete_keys=set(),
                is_local=section.version_id != declaration.version_id,
            ),
        )
        progress.answers.append(answer)
        if answer.is_answered and answer_is_complete(answer):
            assert progress.complete_keys is not None
            progress.complete_keys.add(answer.requirement_key)
    # National sections first, then the area's.
    return Progress(sections=sorted(grouped.values(), key=lambda s: (s.is_local, s.section.order)))


def provider_declarations(*, user: Any, provider: Provider) -> QuerySet[Declaration]:
    return (
        visible_declarations(user=user)
        .filter(provider=provider)
        .order_by("-period", "-version__effective_from", "-revision")
    )


def _for_period(
    declarations: QuerySet[Declaration], standard: Standard | None, period: str | None
) -> QuerySet[Declaration]:
    if standard is not None:
        declarations = declarations.filter(version__standard=standard)
    if period is not None:
        declarations = declarations.filter(period=period)
    return declarations.select_related("version__standard")


def current_draft(
    *, provider: Provider, standard: Standard | None = None, period: str | None = None
) -> Declaration | None:
    """The provider's draft, for a standard and academic year when given, against any version."""
    drafts = Declaration.objects.filter(provider=provider, status=DeclarationStatus.DRAFT)
    return _for_period(drafts, standard, period).order_by("-created_at", "-pk").first()


def latest_submitted(
    *, provider: Provider, standard: Standard | None = None, period: str | None = None
) -> Declaration | None:
    """The provider's latest submission, for a standard and academic year when given."""
    submitted = Declaration.objects.filter(provider=provider, status=DeclarationStatus.SUBMITTED)
    return _for_period(submitted, standard, period).order_by("-submitted_at", "-pk").first()


def visible_rounds(*, user: Any) -> QuerySet[DeclarationRound]:
    return DeclarationRound.objects.select_related("area", "version__standard").filter(
        area__in=visible_areas(user=user)
    )


def rounds_for_provider(*, provider: Provider) -> QuerySet[DeclarationRound]:
    if provider.area_id is None:
        return DeclarationRound.objects.none()
    return DeclarationRound.objects.select_related("version__standard").filter(
        area_id=provider.area_id
    )


@dataclass
class RoundStatus:
    round: DeclarationRound
    submitted: list[Provider]
    outstanding: list[Provider]

    @property
    def total(self) -> int:
        return len(self.submitted) + len(self.outstanding)


def round_status(*, declaration_round: DeclarationRound) -> RoundStatus:
    """Which providers of the area have submitted for the round, and which have not.

    A submission against any version of the round's standard for its year counts: a version
    published after the round was opened does not undo what providers have done.
    """
    version = declaration_round.version
    types = set(t for r in version.requirements.values_list("applies_to", flat=True) for t in r)
    providers = list(
        Provider.objects.filter(area=declaration_round.area, provider_type__in=types)
        .exclude(status="closed")
        .annotate(
            submitted_count=Count(
                "declarations",
                filter=Q(
                    declarations__version__standard_id=version.standard_id,
                    declarations__period=declaration_round.period,
                    declarations__status=DeclarationStatus.SUBMITTED,
                ),
            )
        )
        .order_by("name")
    )
    return RoundStatus(
        round=declaration_round,
        submitted=[p for p in providers if p.submitted_count],
        outstanding=[p for p in providers if not p.submitted_count],
    )


def round_providers(
    *, user: Any, declaration_round: DeclarationRound, status: RoundStatus
) -> tuple[list[tuple[Provider, Declaration | None]], list[tuple[Provider, Declaration | None]]]:
    """The round's providers this person may see: those that submitted, with their latest
    submission, and those that have not, with their draft if they have begun one.
    Declarations against any version of the round's standard count for the round."""
    visible_ids = set(
        visible_providers(user=user)
        .filter(area=declaration_round.area)
        .values_list("pk", flat=True)
    )
    for_round = Declaration.objects.filter(
        provider__area=declaration_round.area,
        version__standard_id=declaration_round.version.standard_id,
        period=declaration_round.period,
    )
    drafts = {d.provider_id: d for d in for_round.filter(status=DeclarationStatus.DRAFT)}
    latest = {}
    for d in for_round.filter(status=DeclarationStatus.SUBMITTED).order_by("submitted_at", "pk"):
        latest[d.provider_id] = d
    submitted = [(p, latest.get(p.pk)) for p in status.submitted if p.pk in visible_ids]
    outstanding = [(p, drafts.get(p.pk)) for p in status.outstanding if p.pk in visible_ids]
    return submitted, outstanding


# ---- the self-audit pages -------------------------------------------------------------------


def declaration_for_editing(*, user: Any, pk: int) -> Declaration | None:
    """A declaration this person may edit (any status), or None."""
    return (
        editable_declarations(user=user)
        .select_related("provider__area", "version__standard", "round")
        .filter(pk=pk)
        .first()
    )


def _later_revisions(declaration: Declaration) -> QuerySet[Declaration]:
    """The revisions after this one of the same provider, version and year, newest first."""
    return Declaration.objects.filter(
        provider_id=declaration.provider_id,
        version_id=declaration.version_id,
        period=declaration.period,
        revision__gt=declaration.revision,
    ).order_by("-revision")


def later_revision(declaration: Declaration) -> Declaration | None:
    """The newest revision after this one, draft or submitted; None if there is none."""
    return _later_revisions(declaration).first()


def later_submitted_revision(declaration: Declaration) -> Declaration | None:
    """The newest submitted revision after this one, which supersedes it; None if there is none."""
    return _later_revisions(declaration).filter(status=DeclarationStatus.SUBMITTED).first()


def declarations_for(
    *, provider: Provider, version: StandardVersion, period: str
) -> QuerySet[Declaration]:
    return Declaration.objects.filter(provider=provider, version=version, period=period).order_by(
        "-revision"
    )


def answer_history(*, user: Any, declaration: Declaration) -> QuerySet[AnswerChange]:
    """Every change to the answers this person may read, newest first."""
    return (
        AnswerChange.objects.filter(
            answer__in=declaration_answers(user=user, declaration=declaration)
        )
        .select_related("answer__requirement__section", "changed_by")
        .order_by("-changed_at", "-id")
    )


def reviewable_declarations(*, user: Any) -> QuerySet[Declaration]:
    """Submitted declarations this person may review, leaving out those already revised.

    Area officers review their area's providers; ICB officers the providers they see, when the
    declaration has health answers; site admins everything. Each has `queue_status`: the status
    of this person's kind of review, the area's (review_status) or the ICB's health review.
    """
    access = access_for(user)
    submitted = Declaration.objects.select_related(
        "provider__area", "version__standard", "submitted_by"
    ).filter(status=DeclarationStatus.SUBMITTED, revisions__isnull=True)
    if access.site_admin:
        return submitted.annotate(queue_status=F("review_status"))
    if not (access.area_ids or access.icb_ids):
        return submitted.none().annotate(queue_status=F("review_status"))
    reviews_all = Q(provider__area_id__in=access.area_ids)
    condition = reviews_all
    if access.icb_ids:
        with_health = Answer.objects.filter(requirement__theme__in=HEALTH_THEMES).values(
            "declaration_id"
        )
        condition |= Q(provider__in=visible_providers(user=user)) & Q(pk__in=with_health)
    return submitted.filter(condition).annotate(
        queue_status=Case(
            When(reviews_all, then=F("review_status")),
            default=F("health_review_status"),
            output_field=CharField(),
        )
    )
