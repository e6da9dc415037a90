"""Reads for local inclusion plans, scoped to the person asking.

Area officers read and edit their own areas' plans, site admins every area's; national
analysts read every plan and change nothing; everyone else sees none (pages answer 404).
Published plans are public through `latest_published_plan`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from accounts.access import access_for
from accounts.models import AuditEvent
from inclusion.models import CommonSetting, InclusionPlan, PlanStatus, SpecialistPlace
from providers.models import Area, Provider
from providers.visibility import managed_areas


def plan_areas(*, user: Any) -> QuerySet[Area]:
    """Areas whose plans the person may read."""
    if access_for(user).reads_everything:
        return Area.objects.all()
    return managed_areas(user=user)


def can_read_plans(*, user: Any, area: Area) -> bool:
    """Whether the person may read the area's plans: `plan_areas` for one area, answered from
    their roles (read once a request) without a query."""
    access = access_for(user)
    return access.reads_everything or access.site_admin or area.pk in access.area_ids


def editable_plan_areas(*, user: Any) -> QuerySet[Area]:
    """Areas whose plans the person may change: their own as an area officer, or any as a
    site admin (the same people who may update the area's providers from GIAS)."""
    return managed_areas(user=user)


def can_edit(*, user: Any, area: Area) -> bool:
    return editable_plan_areas(user=user).filter(pk=area.pk).exists()


def area_for(*, user: Any, code: str) -> Area | None:
    return plan_areas(user=user).filter(code=code).first()


def area_plans(*, area: Area) -> QuerySet[InclusionPlan]:
    """Every version of the area's plans, newest year and version first."""
    return (
        InclusionPlan.objects.filter(area=area)
        .select_related("published_by", "created_by")
        .annotate(
            entry_count=Count("places", distinct=True),
            unconfirmed_count=Count("places", filter=Q(places__confirmed=False), distinct=True),
        )
        .order_by("-academic_year", "-version")
    )


def plan_for(*, area: Area, pk: int) -> InclusionPlan | None:
    return (
        InclusionPlan.objects.select_related("area", "published_by")
        .filter(area=area, pk=pk)
        .first()
    )


@dataclass
class PlanContents:
    plan: InclusionPlan
    places: list[SpecialistPlace]
    common_settings: list[CommonSetting]

    @property
    def unconfirmed(self) -> int:
        return sum(1 for p in self.places if not p.confirmed)

    @property
    def over_capacity(self) -> int:
        return sum(1 for p in self.places if p.over_capacity)


def plan_contents(*, plan: InclusionPlan) -> PlanContents:
    places = list(
        SpecialistPlace.objects.filter(plan=plan)
        .select_related("provider")
        .order_by("confirmed", "kind", "provider__name", "pk")
    )
    common = list(
        CommonSetting.objects.filter(plan=plan)
        .select_related("provider")
        .order_by("provider__name")
    )
    return PlanContents(plan=plan, places=places, common_settings=common)


def plan_history(*, plan: InclusionPlan, limit: int = 200) -> list[AuditEvent]:
    """The plan's audit trail, newest first."""
    return list(
        AuditEvent.objects.filter(
            object_type=InclusionPlan._meta.label_lower, object_id=str(plan.pk)
        ).order_by("-at", "-id")[:limit]
    )


def provider_by_reference(*, reference: str) -> Provider | None:
    """A provider by its URN, or by its UKPRN."""
    text = reference.strip()
    if not text:
        return None
    return Provider.objects.filter(Q(urn=text) | Q(ukprn=text)).select_related("area").first()


def latest_published_plan(*, area_code: str) -> InclusionPlan | None:
    """The area's published plan for the latest academic year that has one (public)."""
    return (
        InclusionPlan.objects.filter(area__code=area_code, status=PlanStatus.PUBLISHED)
        .select_related("area")
        .order_by("-academic_year", "-version")
        .first()
    )
