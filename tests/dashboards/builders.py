"""A small default standard and helpers to declare, score and add up, for the dashboard tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from audits.models import Declaration
from audits.periods import period_for
from providers.models import Provider
from scoring import services as scoring
from standards.models import StandardVersion
from tests.audits.factories import make_declaration
from tests.standards.builders import make_version

SLUG = "send-statutory-baseline"
TYPES = ["mainstream_school", "special_school", "local_authority", "integrated_care_board"]
CITE = [{"document": "Children and Families Act 2014", "reference": "s19"}]


def _req(key: str, strength: str, theme: str = "governance", **more: Any) -> dict[str, Any]:
    return {
        "key": key,
        "title": more.pop("title", f"Requirement {key}"),
        "question": f"{key}?",
        "theme": theme,
        "applies_to": more.pop("applies_to", TYPES),
        "strength": strength,
        "answer": {"type": "yes_no"},
        "rule": {"op": "is_yes"},
        "citations": CITE,
        **more,
    }


DOCUMENT = {
    "format": 1,
    "standard": {"slug": SLUG, "title": "SEND statutory baseline", "owner": "Tests"},
    "version": "1.0",
    "effective_from": "2024-09-01",
    "sections": [
        {
            "code": "LEADERSHIP",
            "title": "Leadership and policy",
            "weight": 1,
            "requirements": [
                _req("L1-POLICY", "must", title="SEND policy published"),
                _req("L2-REVIEW", "should", title="Policy reviewed every year"),
                _req("L3-GOVERNOR", "good_practice", title="A SEND governor is named"),
            ],
        },
        {
            "code": "HEALTH",
            "title": "Health",
            "weight": 1,
            "requirements": [
                _req("H1-NURSE", "must", "health", title="School nurse service agreed"),
                _req("H2-THERAPY", "should", "health", title="Therapy needs reviewed"),
            ],
        },
    ],
}
ALL_YES = {
    "L1-POLICY": True,
    "L2-REVIEW": True,
    "L3-GOVERNOR": True,
    "H1-NURSE": True,
    "H2-THERAPY": True,
}


def dashboard_version() -> StandardVersion:
    return make_version(DOCUMENT, publish=True)


def today() -> dt.date:
    return timezone.localdate()


def current_period() -> str:
    return period_for(today())


def declare(
    provider: Provider,
    version: StandardVersion,
    answers: dict[str, Any] | None = None,
    *,
    submitted: bool = True,
    period: str | None = None,
    submitted_at: dt.datetime | None = None,
    revision: int = 1,
) -> Declaration:
    declaration = make_declaration(
        provider=provider,
        version=version,
        answers=ALL_YES if answers is None else answers,
        period=period or current_period(),
        submitted=submitted,
        revision=revision,
    )
    if submitted_at is not None:
        Declaration.objects.filter(pk=declaration.pk).update(submitted_at=submitted_at)
        declaration.refresh_from_db()
    return declaration


def score(declaration: Declaration) -> scoring.BatchResult:
    return scoring.score_declaration(declaration_id=declaration.pk, on=today())


def declare_and_score(
    provider: Provider,
    version: StandardVersion,
    answers: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Declaration:
    declaration = declare(provider, version, answers, **kwargs)
    score(declaration)
    return declaration
