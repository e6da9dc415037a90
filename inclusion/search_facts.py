"""A setting's public page: what it is, its specialist places, and facts its area has accepted.

Only facts from the setting's latest submitted declaration, and only if the area accepted that
declaration, are shown; only answers the reviewer accepted; never a person's name (no SENCO
name, no contact name), never a score.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from audits.models import Answer, AnswerReviewState, Declaration
from inclusion.models import PlaceKind, SpecialistPlace
from inclusion.needs import NeedType
from inclusion.search import (
    SETTING_TYPES,
    latest_accepted_declarations,
    latest_published_plans,
)
from providers.models import OPEN_STATUSES, Provider

# Links families use: the SEN information report (schools), what other settings publish instead,
# and the accessibility plan.
LINK_FACTS = (
    ("SCH-SEN-INFORMATION-REPORT", "SEN information report"),
    ("SETTING-SEND-INFORMATION-PUBLISHED", "What the setting says about its SEND support"),
    ("EY-SEND-INFORMATION-FOR-PARENTS", "How the setting supports children with SEND"),
    ("SCH-ACCESSIBILITY-PLAN-PUBLISHED", "Accessibility plan"),
)
PARENT_FACTS = (
    ("SETTING-INFORM-PARENTS", "Parents told when their child gets extra help"),
    ("SCH-PARENT-MEETINGS", "Parents of children on SEN support met 3 times a year or more"),
)
SENCO_QUALIFICATION = "SCH-SENCO-QUALIFICATION"
SENCO_APPOINTED = "SCH-SENCO-APPOINTED-DATE"
FACT_KEYS = (
    *(k for k, _ in LINK_FACTS),
    *(k for k, _ in PARENT_FACTS),
    SENCO_QUALIFICATION,
    SENCO_APPOINTED,
)

OFSTED_REPORT_URL = "https://reports.ofsted.gov.uk/provider/21/{urn}"


@dataclass(frozen=True)
class Fact:
    label: str
    text: str = ""
    url: str = ""


@dataclass(frozen=True)
class PlaceRow:
    kind: str
    needs: str
    ages: str
    places: int | None
    area_name: str


@dataclass
class SettingPage:
    provider: Provider
    age_range: str
    places: list[PlaceRow] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    confirmed_on: dt.datetime | None = None
    confirmed_by: str = ""
    website: str = ""
    inspection_url: str = ""


def _safe_url(value: str) -> str:
    """A web address to link to: http or https only, with a host."""
    text = (value or "").strip()
    if text and "://" not in text:
        text = f"https://{text}"
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https"} or not parts.netloc or " " in text:
        return ""
    return text


def _ages(low: int | None, high: int | None) -> str:
    if low is None and high is None:
        return "Not known"
    if low is None:
        return f"Up to {high}"
    if high is None:
        return f"From {low}"
    return f"{low} to {high}"


def public_setting(*, provider_id: int) -> Provider | None:
    """An open setting anyone may see, or None."""
    return (
        Provider.objects.filter(
            pk=provider_id, status__in=OPEN_STATUSES, provider_type__in=SETTING_TYPES
        )
        .select_related("area")
        .first()
    )


def _senco(answers: dict[str, Answer], today: dt.date) -> Fact | None:
    answer = answers.get(SENCO_QUALIFICATION)
    if answer is None or answer.not_applicable or not answer.value_text:
        return None
    label = "SENCO qualification"
    value = answer.value_text
    if value in {"npq_senco", "nasenco"}:
        return Fact(label, "Meets the rule. The SENCO has the SENCO qualification.")
    if value == "not_required":
        return Fact(label, "Meets the rule. The SENCO does not need the new qualification.")
    appointed = answers.get(SENCO_APPOINTED)
    new = (
        appointed is not None
        and appointed.value_date is not None
        and appointed.value_date > today.replace(year=today.year - 3)
    )
    if new:
        return Fact(label, "The SENCO is new. They have 3 years to get the qualification.")
    if value == "studying":
        return Fact(label, "Does not meet the rule yet. The SENCO is studying for it now.")
    return Fact(label, "Does not meet the rule. The SENCO does not have the qualification.")


def setting_page(*, provider: Provider, today: dt.date | None = None) -> SettingPage:
    """Everything the public page of one setting shows."""
    today = today or dt.date.today()
    page = SettingPage(
        provider=provider,
        age_range=_ages(provider.statutory_low_age, provider.statutory_high_age),
        website=_safe_url(provider.website),
        inspection_url=OFSTED_REPORT_URL.format(urn=provider.urn)
        if provider.urn and provider.urn.isdigit()
        else "",
    )
    for place in (
        SpecialistPlace.objects.filter(
            plan__in=latest_published_plans(), confirmed=True, provider=provider
        )
        .select_related("plan__area")
        .order_by("kind", "pk")
    ):
        needs = ", ".join(
            NeedType(c).label if c in NeedType.values else c for c in place.need_types or []
        )
        page.places.append(
            PlaceRow(
                kind=PlaceKind(place.kind).label,
                needs=needs or "Not given",
                ages=_ages(place.age_low, place.age_high),
                places=place.places,
                area_name=place.plan.area.name,
            )
        )
    declaration: Declaration | None = (
        latest_accepted_declarations()
        .filter(provider=provider)
        .select_related("provider__area")
        .first()
    )
    if declaration is None:
        return page
    answers = {
        a.requirement_key: a
        for a in Answer.objects.filter(
            declaration=declaration,
            requirement_key__in=FACT_KEYS,
            review_state=AnswerReviewState.ACCEPTED,
        )
    }
    for key, label in LINK_FACTS:
        answer = answers.get(key)
        url = _safe_url(answer.value_text) if answer and not answer.not_applicable else ""
        if url:
            page.facts.append(Fact(label, url=url))
    for key, label in PARENT_FACTS:
        answer = answers.get(key)
        if answer and not answer.not_applicable and answer.value_number is not None:
            page.facts.append(Fact(label, f"{answer.value_number.normalize():f}% of children"))
    senco = _senco(answers, today)
    if senco is not None:
        page.facts.append(senco)
    if page.facts:
        page.confirmed_on = declaration.reviewed_at
        page.confirmed_by = provider.area.name if provider.area else ""
    return page
