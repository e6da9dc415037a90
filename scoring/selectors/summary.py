"""A provider's result in brief, for pages of other apps (the self-audit page)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse

from providers.models import Provider
from scoring.selectors.gaps import gaps_for
from scoring.selectors.results import result_for


def provider_score_summary(*, user: Any, provider: Provider) -> dict[str, Any] | None:
    """The provider's latest score and open gaps, for the self-audit page; None before any
    result, or if the user may not see the provider's result. The dict may have: "score" (text,
    e.g. "72%"), "all_musts_met" (bool), "scored_at" (datetime), "open_gaps" (int),
    "result_url" and "gaps_url" (str), "in_progress" (bool: scoring is under way). A health-only
    reader gets no "score" and no "all_musts_met"."""
    try:
        result = result_for(user=user, provider_id=provider.pk)
        gaps = gaps_for(user=user, provider_id=provider.pk)
    except ObjectDoesNotExist:
        return None
    if result.latest_declaration is None and not result.has_result:
        return None
    summary: dict[str, Any] = {
        "in_progress": result.pending,
        "result_url": reverse("scoring:result", args=[provider.pk]),
        "gaps_url": reverse("scoring:gaps", args=[provider.pk]),
    }
    if result.has_result:
        # Before the first result there are no gaps yet, rather than none.
        summary["open_gaps"] = len(gaps.gaps)
    # A health-only reader (an ICB officer who sees the provider through the ICB) gets no
    # overall score and no "all musts met", as on the result page.
    if result.scores is not None and not result.health_only:
        summary["score"] = f"{result.scores.score:.0f}%"
        summary["all_musts_met"] = result.scores.all_musts_met
    if result.run is not None:
        summary["scored_at"] = result.run.created_at
    return summary
