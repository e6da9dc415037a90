from django import template

from standards.models import VersionStatus
from standards.vocabulary import AnswerType, Strength, Theme

register = template.Library()

STATUS_TAG_CLASSES: dict[str, str] = {
    VersionStatus.DRAFT: "govuk-tag--grey",
    VersionStatus.PUBLISHED: "govuk-tag--green",
    VersionStatus.SUPERSEDED: "govuk-tag--yellow",
    VersionStatus.WITHDRAWN: "govuk-tag--red",
}
STRENGTH_TAG_CLASSES: dict[str, str] = {
    Strength.MUST: "govuk-tag--red",
    Strength.SHOULD: "govuk-tag--orange",
    Strength.GOOD_PRACTICE: "govuk-tag--blue",
}


@register.inclusion_tag("standards/includes/status_tag.html")
def version_status_tag(status: str) -> dict[str, str]:
    return {"label": VersionStatus(status).label, "css": STATUS_TAG_CLASSES.get(status, "")}


@register.inclusion_tag("standards/includes/status_tag.html")
def strength_tag(strength: str) -> dict[str, str]:
    labels: dict[str, str] = {
        Strength.MUST: "Must",
        Strength.SHOULD: "Should",
        Strength.GOOD_PRACTICE: "Good practice",
    }
    return {"label": labels.get(strength, strength), "css": STRENGTH_TAG_CLASSES.get(strength, "")}


@register.filter
def answer_type_label(value: str) -> str:
    return AnswerType(value).label if value in AnswerType.values else value


@register.filter
def theme_label(value: str) -> str:
    return Theme(value).label if value in Theme.values else value


@register.filter
def strength_label(value: str) -> str:
    return Strength(value).label if value in Strength.values else value
