"""Gaps: a provider's, one with its history, an area's; who may change them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from accounts.access import HEALTH_THEMES, access_for
from providers.models import Area, Provider
from providers.visibility import can_change_gaps, health_only, visible_areas, visible_providers
from scoring.models import ACTIVE_GAP_STATUSES, Gap, GapStatus
from scoring.selectors.results import provider_for

# ---- gaps ---------------------------------------------------------------------------------


@dataclass
class ProviderGaps:
    provider: Provider
    gaps: list[Gap]
    health_only: bool
    can_change: bool
    include_closed: bool
    closed_count: int


def _health_filter(gaps: QuerySet[Gap], only_health: bool) -> QuerySet[Gap]:
    return gaps.filter(theme__in=sorted(HEALTH_THEMES)) if only_health else gaps


def gaps_for(*, user: Any, provider_id: int, include_closed: bool = False) -> ProviderGaps:
    provider = provider_for(user=user, provider_id=provider_id)
    only_health = health_only(user=user, provider=provider)
    gaps = _health_filter(
        Gap.objects.filter(provider=provider).select_related("standard", "resolved_by_run"),
        only_health,
    )
    closed = gaps.exclude(status__in=ACTIVE_GAP_STATUSES)
    shown = gaps if include_closed else gaps.filter(status__in=ACTIVE_GAP_STATUSES)
    order = {GapStatus.OPEN: 0, GapStatus.IN_PROGRESS: 1, GapStatus.ACCEPTED: 2}
    strength_order = {"must": 0, "should": 1, "good_practice": 2}
    listed = sorted(
        shown,
        key=lambda g: (
            order.get(GapStatus(g.status), 3),
            strength_order.get(g.strength, 3),
            g.requirement_key,
        ),
    )
    return ProviderGaps(
        provider=provider,
        gaps=listed,
        health_only=only_health,
        can_change=can_change_gaps(user=user, provider=provider) and not only_health,
        include_closed=include_closed,
        closed_count=closed.count(),
    )


@dataclass
class GapDetail:
    gap: Gap
    provider: Provider
    can_change: bool
    events: list[Any]

    @property
    def closed_because(self) -> str:
        """Why a superseded gap closed, as its history says."""
        return next((e.note for e in self.events if e.action == "superseded"), "")


def gap_for(*, user: Any, provider_id: int, gap_id: int) -> GapDetail:
    provider = provider_for(user=user, provider_id=provider_id)
    only_health = health_only(user=user, provider=provider)
    gap = _health_filter(
        Gap.objects.filter(provider=provider).select_related(
            "standard", "opened_by_run", "resolved_by_run", "superseded_by_version"
        ),
        only_health,
    ).get(pk=gap_id)
    return GapDetail(
        gap=gap,
        provider=provider,
        can_change=can_change_gaps(user=user, provider=provider) and not only_health,
        events=list(gap.events.select_related("actor", "run")),
    )


@dataclass
class AreaGaps:
    area: Area
    gaps: QuerySet[Gap]
    health_only: bool
    by_status: dict[str, int]


def gaps_for_area(*, user: Any, area_code: str, status: str | None = None) -> AreaGaps:
    """Active gaps of the providers of an area that the user may see."""
    area = visible_areas(user=user).get(code=area_code)
    access = access_for(user)
    only_health = not access.reads_everything and area.pk not in access.area_ids
    providers = visible_providers(user=user).filter(area=area)
    gaps = _health_filter(
        Gap.objects.filter(provider__in=providers, status__in=ACTIVE_GAP_STATUSES), only_health
    )
    by_status = {row["status"]: row["n"] for row in gaps.values("status").annotate(n=Count("pk"))}
    if status:
        gaps = gaps.filter(status=status)
    return AreaGaps(
        area=area,
        gaps=gaps.select_related("provider").order_by("provider__name", "requirement_key"),
        health_only=only_health,
        by_status=by_status,
    )
