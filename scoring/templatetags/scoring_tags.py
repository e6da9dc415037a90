from __future__ import annotations

from django import template

from scoring.engine import Outcome
from scoring.models import GapStatus

register = template.Library()

OUTCOME_TAGS = {
    Outcome.PASS: "govuk-tag--green",
    Outcome.FAIL: "govuk-tag--red",
    Outcome.ERROR: "govuk-tag--red",
    Outcome.NOT_ANSWERED: "govuk-tag--orange",
    Outcome.NOT_APPLICABLE: "govuk-tag--grey",
    Outcome.NOT_YET_DUE: "govuk-tag--blue",
}
GAP_TAGS = {
    GapStatus.OPEN: "govuk-tag--red",
    GapStatus.IN_PROGRESS: "govuk-tag--yellow",
    GapStatus.ACCEPTED: "govuk-tag--purple",
    GapStatus.RESOLVED: "govuk-tag--green",
    GapStatus.SUPERSEDED: "govuk-tag--grey",
}


@register.inclusion_tag("standards/includes/status_tag.html")
def outcome_tag(outcome: Outcome) -> dict[str, str]:
    return {"label": outcome.label, "css": OUTCOME_TAGS.get(outcome, "")}


@register.inclusion_tag("standards/includes/status_tag.html")
def gap_status_tag(status: str) -> dict[str, str]:
    value = GapStatus(status)
    return {"label": value.label, "css": GAP_TAGS.get(value, "")}


@register.filter
def points(value: float | None) -> str:
    """A score or contribution to one decimal place, without a trailing ".0"."""
    if value is None:
        return ""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


@register.filter
def weight(value: float) -> str:
    return f"{value:g}"
