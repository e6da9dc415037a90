"""Declarations for tests: built directly, quickly, without going through the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from audits.models import Answer, Declaration, DeclarationRound, DeclarationStatus
from audits.periods import period_for
from providers.models import Provider
from standards.models import StandardVersion
from standards.selectors import requirements_for
from tests.providers.factories import AreaFactory


def make_declaration(
    *,
    provider: Provider,
    version: StandardVersion,
    answers: dict[str, Any] | None = None,
    period: str = "2026/27",
    submitted: bool = False,
    revision: int = 1,
    not_applicable: dict[str, str] | None = None,
    evidence: dict[str, str] | None = None,
) -> Declaration:
    """A declaration with a row for every applicable requirement; `answers` maps key → typed value.

    Numbers may be given as int, float or str; dates as date or ISO string.
    """
    declaration = Declaration.objects.create(
        provider=provider,
        version=version,
        period=period,
        revision=revision,
        status=DeclarationStatus.SUBMITTED if submitted else DeclarationStatus.DRAFT,
        submitted_at=timezone.now() if submitted else None,
    )
    answers = answers or {}
    not_applicable = not_applicable or {}
    evidence = evidence or {}
    rows = []
    for requirement in requirements_for(version=version, provider_type=provider.provider_type):
        row = Answer(
            declaration=declaration,
            requirement=requirement,
            requirement_key=requirement.key,
            answer_type=requirement.answer_type,
        )
        if requirement.key in not_applicable:
            row.not_applicable = True
            row.not_applicable_reason = not_applicable[requirement.key]
        elif requirement.key in answers:
            row.set_value(_typed(requirement.answer_type, answers[requirement.key]))
        if requirement.key in evidence:
            row.evidence_url = evidence[requirement.key]
        rows.append(row)
    Answer.objects.bulk_create(rows)
    return declaration


def make_submitted_declaration(
    *,
    provider: Provider,
    version: StandardVersion,
    answers: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Declaration:
    return make_declaration(
        provider=provider, version=version, answers=answers, submitted=True, **kwargs
    )


def _typed(answer_type: str, value: Any) -> Any:
    if value is None:
        return None
    if answer_type == "number":
        return Decimal(str(value))
    if answer_type == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def health_version() -> StandardVersion:
    """The builders' school standard, as the default standard, with one health requirement."""
    from tests.standards.builders import document, make_version

    doc = document()
    doc["standard"]["slug"] = "send-statutory-baseline"
    doc["sections"][0]["requirements"].append(
        {
            "key": "SCH-HEALTH",
            "title": "Health advice given",
            "question": "Do you get health advice?",
            "theme": "health",
            "applies_to": ["mainstream_school"],
            "strength": "should",
            "answer": {"type": "yes_no"},
            "rule": {"op": "is_yes"},
            "citations": [{"document": "Doc", "reference": "1"}],
        }
    )
    return make_version(doc, publish=True)


class DeclarationRoundFactory(factory.django.DjangoModelFactory):
    """A round of this academic year, due in a month; give it the `version` to declare against."""

    class Meta:
        model = DeclarationRound

    area = factory.SubFactory(AreaFactory)
    period = factory.LazyFunction(lambda: period_for(timezone.localdate()))
    deadline = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))
