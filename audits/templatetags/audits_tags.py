"""Tags and filters for the self-audit pages: status tags (never colour alone), dates, history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone

from audits.models import (
    Answer,
    AnswerReviewState,
    Declaration,
    DeclarationStatus,
    Reviewer,
    ReviewStatus,
)
from audits.selectors import TaskStatus
from standards.vocabulary import ProviderType

register = template.Library()

REVIEW_STATE_TAGS = {
    AnswerReviewState.SELF_DECLARED: ("Self-declared", "govuk-tag--grey"),
    AnswerReviewState.ACCEPTED: ("Accepted", "govuk-tag--green"),
    AnswerReviewState.CHALLENGED: ("Challenged", "govuk-tag--red"),
}
REVIEW_STATUS_TAGS = {
    ReviewStatus.NOT_REVIEWED: ("Not reviewed", "govuk-tag--grey"),
    ReviewStatus.ACCEPTED: ("Accepted", "govuk-tag--green"),
    ReviewStatus.RETURNED: ("Returned for changes", "govuk-tag--orange"),
}
DECLARATION_STATUS_TAGS = {
    DeclarationStatus.DRAFT: ("Draft", "govuk-tag--yellow"),
    DeclarationStatus.SUBMITTED: ("Submitted", "govuk-tag--blue"),
}
TASK_STATUS_TAGS = {
    TaskStatus.NOT_STARTED: "govuk-tag--blue",
    TaskStatus.IN_PROGRESS: "govuk-tag--light-blue",
}


@register.inclusion_tag("audits/includes/tag.html")
def review_state_tag(state: str) -> dict[str, str]:
    label, css = REVIEW_STATE_TAGS.get(state, (state, "govuk-tag--grey"))  # type: ignore[call-overload]
    return {"label": label, "css": css}


@register.inclusion_tag("audits/includes/tag.html")
def review_status_tag(status: str) -> dict[str, str]:
    label, css = REVIEW_STATUS_TAGS.get(status, (status, "govuk-tag--grey"))  # type: ignore[call-overload]
    return {"label": label, "css": css}


@register.inclusion_tag("audits/includes/tag.html")
def declaration_status_tag(declaration: Declaration) -> dict[str, str]:
    label, css = DECLARATION_STATUS_TAGS.get(declaration.status, (declaration.status, ""))  # type: ignore[call-overload]
    return {"label": label, "css": css}


@register.simple_tag
def task_status_class(status: str) -> str:
    return TASK_STATUS_TAGS.get(status, "")


@register.filter
def long_date(value: dt.date | dt.datetime | None) -> str:
    """1 September 2026."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return f"{value.day} {value:%B %Y}"


@register.filter
def long_datetime(value: dt.datetime | None) -> str:
    """10:32am on 1 September 2026, in UK time."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{hour}:{local.minute:02d}{suffix} on {local.day} {local:%B %Y}"


@register.filter
def person(user: Any) -> str:
    if user is None:
        return "someone whose account has been removed"
    return user.get_full_name() if hasattr(user, "get_full_name") else str(user)


@register.filter
def snapshot_text(snapshot: dict[str, Any] | None, answer: Answer) -> str:
    """An answer as the history recorded it, written as the pages show answers."""
    if not snapshot:
        return "Not answered"
    if snapshot.get("not_applicable"):
        reason = snapshot.get("not_applicable_reason") or ""
        return f"Not applicable: {reason}" if reason else "Not applicable"
    shown = Answer(answer_type=answer.answer_type, requirement=answer.requirement)
    value = snapshot.get("value")
    if value is not None:
        if answer.answer_type == "number":
            value = Decimal(str(value))
        elif answer.answer_type == "date":
            value = dt.date.fromisoformat(value)
    shown.set_value(value)
    return shown.display_value


@register.filter
def snapshot_evidence(snapshot: dict[str, Any] | None) -> str:
    if not snapshot:
        return ""
    parts = [snapshot.get("evidence_url") or "", snapshot.get("evidence_note") or ""]
    return " – ".join(p for p in parts if p)


@register.filter
def percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


@register.filter
def sentence(text: str) -> str:
    """Text ending with a full stop."""
    text = (text or "").strip()
    return text if not text or text[-1] in ".?!" else f"{text}."


@register.filter
def get_item(mapping: dict[str, Any] | None, key: str) -> Any:
    return (mapping or {}).get(key, "")


@register.filter
def reviewers(provider: Any) -> str:
    """Who may review the provider's declarations, to end "When you submit, … and {this}."."""
    if provider.provider_type == ProviderType.LOCAL_AUTHORITY:
        area = provider.area.name if provider.area_id else "your area"
        return (
            f"area officers for {area} can review it, and integrated care board officers "
            "can review its answers about health"
        )
    if provider.provider_type == ProviderType.INTEGRATED_CARE_BOARD:
        return "integrated care board officers can review its answers about health"
    return "your local authority can review it"


@register.filter
def reviewer_body(reviewed_as: str, provider: Any) -> str:
    """Who made a review (Reviewer.AREA or ICB), in words for the provider's pages."""
    if reviewed_as == Reviewer.ICB:
        if provider.provider_type == ProviderType.INTEGRATED_CARE_BOARD:
            return "integrated care board officers"
        return "your integrated care board"
    if provider.provider_type == ProviderType.LOCAL_AUTHORITY and provider.area_id:
        return f"area officers for {provider.area.name}"
    if provider.provider_type == ProviderType.INTEGRATED_CARE_BOARD:
        return "a site administrator"
    return "your local authority"
