"""Reviewing a submitted declaration: an area's review of all of it, an ICB's of its health
answers, kept apart."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.access import HEALTH_THEMES
from accounts.models import User
from accounts.services import record
from audits.models import (
    AnswerReviewState,
    Declaration,
    Reviewer,
    ReviewStatus,
)
from audits.selectors import later_submitted_revision
from audits.services.errors import Conflict, ReviewRefused
from providers.visibility import review_refusal, review_scope

MAX_CHALLENGE = 2000


def reviewable_keys(*, user: User, declaration: Declaration) -> set[str] | None:
    """Requirement keys this person may review on this declaration; None means all of them."""
    scope = review_scope(user=user, provider=declaration.provider)
    if scope == "all":
        return None
    if scope == "health":
        return set(
            declaration.answers.filter(requirement__theme__in=HEALTH_THEMES).values_list(
                "requirement_key", flat=True
            )
        )
    raise PermissionDenied("You cannot review this declaration.")


def require_reviewer(*, user: User, declaration: Declaration) -> None:
    """Refuse (ReviewRefused, with the reason) anyone who may not review this declaration: out
    of their scope, or their own work (they submitted it or changed its answers)."""
    refusal = review_refusal(user=user, declaration=declaration)
    if refusal is not None:
        raise ReviewRefused(refusal)


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
    require_reviewer(user=reviewer, declaration=current)
    if current.is_draft:
        raise Conflict("Only a submitted declaration can be reviewed.")
    later = later_submitted_revision(current)
    if later is not None:
        raise Conflict(f"Revision {later.revision} has been submitted since: review that instead.")
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
