"""A small standard that exercises every outcome, and helpers to declare and score against it."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from audits.models import Declaration
from providers.models import Provider
from scoring import services
from scoring.models import CurrentResult, ScoringRun
from standards.models import StandardVersion
from tests.audits.factories import make_declaration
from tests.standards.builders import make_version

ON = dt.date(2026, 11, 30)  # a Monday; the assessment date of most tests
SLUG = "scoring-test"
CITE = [{"document": "Children and Families Act 2014", "reference": "s19"}]
SCHOOL = ["mainstream_school"]


def req(
    key: str, strength: str, answer: dict[str, Any], rule: dict[str, Any], **more: Any
) -> dict[str, Any]:
    return {
        "key": key,
        "title": more.pop("title", key.replace("-", " ").capitalize()),
        "question": f"{key}?",
        "theme": more.pop("theme", "governance"),
        "applies_to": more.pop("applies_to", SCHOOL),
        "strength": strength,
        "answer": answer,
        "rule": rule,
        "citations": CITE,
        **more,
    }


YES_NO = {"type": "yes_no"}
NUMBER = {"type": "number", "min": 0, "max": 100}
DATE = {"type": "date"}
URL = {"type": "url"}
TEXT = {"type": "text"}
CHOICES = [{"value": v, "label": v.capitalize()} for v in ("alpha", "beta", "gamma")]
ONE = {"type": "single_choice", "choices": CHOICES}
MANY = {"type": "multiple_choice", "choices": CHOICES}

# The worked example of docs/scoring.md: two sections, every outcome.
WORKED = {
    "format": 1,
    "standard": {"slug": SLUG, "title": "Scoring test standard", "owner": "Tests"},
    "version": "1.0",
    "effective_from": "2026-09-01",
    "sections": [
        {
            "code": "LEADERSHIP",
            "title": "Leadership",
            "weight": 2,
            "requirements": [
                req("L1-POLICY", "must", YES_NO, {"op": "is_yes"}, weight=2),
                req("L2-REVIEWED", "should", DATE, {"op": "date_within", "period": "P12M"}),
                req("L3-WEBSITE", "good_practice", URL, {"op": "https_url"}),
                req(
                    "L4-EXCEPTION",
                    "must",
                    TEXT,
                    {
                        "op": "if",
                        "requirement": "L1-POLICY",
                        "condition": {"op": "is_no"},
                        "then": {"op": "text_present"},
                    },
                ),
            ],
        },
        {
            "code": "OFFER",
            "title": "Local offer",
            "weight": 1,
            "requirements": [
                req("O1-COVERAGE", "must", NUMBER, {"op": "number_at_least", "value": 90}),
                req("O2-SENCO", "should", YES_NO, {"op": "is_yes"}, weight=3),
                req(
                    "O3-NEW-DUTY",
                    "should",
                    YES_NO,
                    {"op": "is_yes"},
                    effective_from="2027-09-01",
                ),
                req("O4-HEALTH", "must", YES_NO, {"op": "is_yes"}, theme="health"),
            ],
        },
    ],
}
# Answers giving: L1 pass, L2 fail, L3 not answered (good practice), L4 not applicable,
# O1 pass, O2 error (says "not applicable", which it does not allow), O3 not yet due,
# O4 not answered (must).
WORKED_ANSWERS: dict[str, Any] = {
    "L1-POLICY": True,
    "L2-REVIEWED": "2025-06-01",
    "O1-COVERAGE": 95,
    "O3-NEW-DUTY": True,
}
WORKED_NOT_APPLICABLE = {"O2-SENCO": "We have no SENCO"}
# Hand-computed (docs/scoring.md): Leadership 200/3, Offer 100/5, overall (2×200/3 + 20)/3.
WORKED_LEADERSHIP = 200 / 3
WORKED_OFFER = 20.0
WORKED_OVERALL = (2 * 200 / 3 + 20) / 3


def worked_document() -> dict[str, Any]:
    return copy.deepcopy(WORKED)


def worked_version(doc: dict[str, Any] | None = None, *, publish: bool = True) -> StandardVersion:
    return make_version(doc or worked_document(), publish=publish)


def declare(
    provider: Provider,
    version: StandardVersion,
    answers: dict[str, Any] | None = None,
    *,
    not_applicable: dict[str, str] | None = None,
    submitted_at: dt.datetime | None = None,
    **kwargs: Any,
) -> Declaration:
    declaration = make_declaration(
        provider=provider,
        version=version,
        answers=WORKED_ANSWERS if answers is None else answers,
        not_applicable=WORKED_NOT_APPLICABLE if not_applicable is None else not_applicable,
        submitted=True,
        **kwargs,
    )
    if submitted_at is not None:
        Declaration.objects.filter(pk=declaration.pk).update(submitted_at=submitted_at)
        declaration.refresh_from_db()
    return declaration


def score(declaration: Declaration, *, on: dt.date = ON) -> services.BatchResult:
    return services.score_declaration(declaration_id=declaration.pk, on=on)


def current_run(provider: Provider, version: StandardVersion) -> ScoringRun:
    return CurrentResult.objects.select_related("run").get(provider=provider, version=version).run


def row_counts() -> dict[str, int]:
    from scoring.models import Gap, GapEvent, RescoreChunk, RescoreJob

    return {
        model.__name__: model.objects.count()
        for model in (ScoringRun, CurrentResult, Gap, GapEvent, RescoreJob, RescoreChunk)
    }
