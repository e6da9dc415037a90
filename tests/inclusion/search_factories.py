"""Data for the family search tests: published plans, accepted declarations, placed settings."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from audits.models import Answer, AnswerReviewState, Reviewer, ReviewStatus
from inclusion.models import EntrySource, InclusionPlan, PlaceKind, PlanStatus, SpecialistPlace
from inclusion.search import DECLARED_NEEDS_KEYS
from providers.models import Area, Provider
from standards.models import StandardVersion
from tests.audits.factories import make_submitted_declaration
from tests.providers.factories import ProviderFactory
from tests.standards.builders import document, make_version, requirement_doc

NEEDS_KEY = DECLARED_NEEDS_KEYS[0]
SCHOOLS = ["mainstream_school", "special_school"]


def place(provider: Provider, **fields: Any) -> dict[str, Any]:
    return {"provider": provider, **fields}


def make_plan(
    area: Area,
    places: list[dict[str, Any]],
    *,
    year: str = "2026/27",
    version: int = 1,
    status: str = PlanStatus.PUBLISHED,
) -> InclusionPlan:
    """A plan built as a draft, its places added, then published (or left as it is)."""
    plan = InclusionPlan.objects.create(area=area, academic_year=year, version=version)
    for fields in places:
        values = {
            "kind": PlaceKind.RESOURCED_PROVISION,
            "need_types": ["ASD"],
            "places": 10,
            "on_roll": 8,
            "source": EntrySource.OFFICER,
            "confirmed": True,
            **fields,
        }
        SpecialistPlace.objects.create(plan=plan, **values)
    if status != PlanStatus.DRAFT:
        plan.status = status
        plan.published_at = timezone.now()
        plan.content_hash = "0" * 64
        plan.save()
    return plan


def family_version() -> StandardVersion:
    """A published standard with the requirements a setting's public page reads."""
    doc = document()
    doc["standard"]["slug"] = "family-facts"
    extra = [
        requirement_doc(
            key="SCH-SEN-INFORMATION-REPORT",
            applies_to=SCHOOLS,
            answer={"type": "url"},
            rule={"op": "https_url"},
        ),
        requirement_doc(
            key="SCH-ACCESSIBILITY-PLAN-PUBLISHED",
            applies_to=SCHOOLS,
            answer={"type": "url"},
            rule={"op": "https_url"},
        ),
        requirement_doc(
            key="SCH-PARENT-MEETINGS",
            applies_to=SCHOOLS,
            answer={"type": "number", "min": 0, "max": 100},
            rule={"op": "number_at_least", "value": 90},
        ),
        requirement_doc(
            key="SCH-SENCO-APPOINTED-DATE",
            applies_to=SCHOOLS,
            answer={"type": "date"},
            rule={"op": "answered"},
        ),
        requirement_doc(
            key="SCH-SENCO-QUALIFICATION",
            applies_to=SCHOOLS,
            answer={
                "type": "single_choice",
                "choices": [
                    {"value": v, "label": v}
                    for v in ("npq_senco", "nasenco", "not_required", "studying", "none")
                ],
            },
            rule={"op": "choice_in", "values": ["npq_senco", "nasenco", "not_required"]},
        ),
        requirement_doc(
            key="SCH-SENCO-NAME",
            applies_to=SCHOOLS,
            answer={"type": "text"},
            rule={"op": "answered"},
        ),
        requirement_doc(
            key=NEEDS_KEY,
            applies_to=SCHOOLS,
            answer={
                "type": "multiple_choice",
                "choices": [{"value": v, "label": v} for v in ("asd", "slcn", "mld", "semh", "hi")],
            },
            rule={"op": "answered"},
        ),
    ]
    doc["sections"][0]["requirements"].extend(extra)
    return make_version(doc, publish=True)


def declare(
    provider: Provider,
    version: StandardVersion,
    answers: dict[str, Any],
    *,
    accepted: bool = True,
    **kwargs: Any,
):
    declaration = make_submitted_declaration(
        provider=provider, version=version, answers=answers, **kwargs
    )
    if accepted:
        declaration.review_status = ReviewStatus.ACCEPTED
        declaration.reviewed_at = timezone.now()
        declaration.save()
        Answer.objects.filter(declaration=declaration).update(
            review_state=AnswerReviewState.ACCEPTED, reviewed_as=Reviewer.AREA
        )
    return declaration


def setting(area: Area, **fields: Any) -> Provider:
    values = {"area": area, "statutory_low_age": 4, "statutory_high_age": 11}
    values.update(fields)
    return ProviderFactory(**values)
