"""A published version with providers in every state a gap can be in, and a draft that changes
thresholds, strengths and requirements, to preview and then publish."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from providers.models import Provider, ProviderStatus
from scoring import services
from scoring.models import Gap, GapStatus
from scoring.services import assessment_date
from standards.models import StandardVersion
from tests.providers.factories import AreaFactory, ProviderFactory
from tests.scoring.builders import SLUG, YES_NO, declare, req, worked_document, worked_version

GOOD: dict[str, Any] = {
    "L1-POLICY": True,
    "L3-WEBSITE": "https://example.org/send",
    "O1-COVERAGE": 95,
    "O2-SENCO": True,
    "O4-HEALTH": True,
}


def draft_document() -> dict[str, Any]:
    """2.0: a lower coverage threshold, L2 made good practice, O2 withdrawn, a new must."""
    doc = worked_document()
    doc["version"] = "2.0"
    leadership, offer = doc["sections"]
    for requirement in leadership["requirements"]:
        if requirement["key"] == "L2-REVIEWED":
            requirement["strength"] = "good_practice"
    offer["requirements"] = [r for r in offer["requirements"] if r["key"] != "O2-SENCO"]
    for requirement in offer["requirements"]:
        if requirement["key"] == "O1-COVERAGE":
            requirement["rule"] = {"op": "number_at_least", "value": 80}
    offer["requirements"].append(
        req(
            "N1-NEW-DUTY",
            "must",
            YES_NO,
            {"op": "is_yes"},
            applies_to=["mainstream_school", "early_years_setting"],
        )
    )
    return doc


@dataclass
class Scenario:
    published: StandardVersion
    draft: StandardVersion
    providers: dict[str, Provider]


def build() -> Scenario:
    """Providers scored on 1.0 today, with open, planned, accepted (expired) and resolved gaps."""
    today = assessment_date()
    recent = (today - dt.timedelta(days=30)).isoformat()
    published = worked_version()
    area, other_area = AreaFactory(name="Ownshire"), AreaFactory(name="Otherham")
    p: dict[str, Provider] = {}

    def school(name: str, area_: Any = area, **kwargs: Any) -> Provider:
        p[name] = ProviderFactory(name=name, area=area_, **kwargs)
        return p[name]

    def declare_and_score(provider: Provider, answers: dict[str, Any], **kwargs: Any) -> None:
        declaration = declare(provider, published, answers, not_applicable={}, **kwargs)
        services.score_declaration(declaration_id=declaration.pk, on=today)

    # Fails L2 (old date), O4 (not answered) and O2 (error): three gaps.
    declare_and_score(
        school("worked"), {"L1-POLICY": True, "L2-REVIEWED": "2020-01-01", "O1-COVERAGE": 95}
    )
    declare_and_score(school("good"), {**GOOD, "L2-REVIEWED": recent})
    # Coverage 85: fails 90 now, passes 80 in the draft; the gap would close.
    declare_and_score(
        school("coverage", other_area), {**GOOD, "L2-REVIEWED": recent, "O1-COVERAGE": 85}
    )
    # L2 gap planned (superseded by the draft's good practice), O4 gap accepted until yesterday.
    planned = school("planned")
    declare_and_score(planned, {**GOOD, "L2-REVIEWED": "2020-01-01", "O4-HEALTH": False})
    Gap.objects.filter(provider=planned, requirement_key="L2-REVIEWED").update(
        status=GapStatus.IN_PROGRESS, action_plan="Review it", owner="SENCO", due_date=today
    )
    Gap.objects.filter(provider=planned, requirement_key="O4-HEALTH").update(
        status=GapStatus.ACCEPTED,
        accepted_reason="Building work",
        accepted_until=today - dt.timedelta(days=1),
    )
    # A resolved gap (O4 put right in a second revision) and an open one (O1).
    revised = school("revised")
    declare_and_score(
        revised,
        {**GOOD, "L2-REVIEWED": recent, "O4-HEALTH": False},
        submitted_at=timezone.now() - dt.timedelta(days=2),
    )
    declare_and_score(revised, {**GOOD, "L2-REVIEWED": recent, "O1-COVERAGE": 70}, revision=2)
    # Closed since it declared: not re-scored, but its gaps are carried over.
    closed = school("closed")
    declare_and_score(closed, {"L1-POLICY": True, "L2-REVIEWED": "2020-01-01", "O1-COVERAGE": 95})
    Provider.objects.filter(pk=closed.pk).update(status=ProviderStatus.CLOSED)
    # An early years setting: nothing in 1.0 applies to it, the draft's new duty does.
    nursery = school("nursery", provider_type="early_years_setting")
    declare(nursery, published, {}, not_applicable={})
    # A school that has not declared.
    school("silent")
    draft = worked_version(draft_document(), publish=False)
    return Scenario(published=published, draft=draft, providers=p)


def gap_states() -> dict[tuple[int, str], str]:
    return {
        (pid, key): status
        for pid, key, status in Gap.objects.values_list("provider_id", "requirement_key", "status")
    }


__all__ = ["SLUG", "Scenario", "build", "draft_document", "gap_states"]
