"""The permissions module: what a person may see and change, deny by default.

- Roles: a person's role grants, read once per request by `accounts.access.access_for`.
- Scope: the areas and providers they may see (`visible_*`), and from those every declaration,
  result and gap (their provider's scope).
- Can change: the providers whose declarations they may edit (`editable_providers`,
  `can_edit_provider`), whose gaps they may plan and accept (`can_change_gaps`), the areas whose officers' work they may do (`managed_areas`: GIAS
  uploads and declaration rounds), and what they review (`review_scope`).

Every page, export and API endpoint gets its queryset or its yes/no from here; the API reaches
it through `api.permissions` (a DRF permission class and a filter backend).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from accounts.access import access_for
from providers.models import Area, IcbAreaCoverage, Provider
from standards.vocabulary import ProviderType


def _icb_area_ids(icb_ids: frozenset[int]) -> QuerySet[IcbAreaCoverage, Any]:
    return IcbAreaCoverage.objects.filter(icb_id__in=icb_ids).values("area_id")


def visible_providers(*, user: Any) -> QuerySet[Provider]:
    access = access_for(user)
    providers = Provider.objects.select_related("area", "trust", "icb")
    if access.reads_everything:
        return providers
    if not (access.view_provider_ids or access.trust_ids or access.area_ids or access.icb_ids):
        return providers.none()
    condition = Q(pk__in=access.view_provider_ids)
    if access.trust_ids:
        condition |= Q(trust_id__in=access.trust_ids)
    if access.area_ids:
        condition |= Q(area_id__in=access.area_ids)
    if access.icb_ids:
        condition |= Q(area_id__in=_icb_area_ids(access.icb_ids)) | Q(icb_id__in=access.icb_ids)
    return providers.filter(condition)


def editable_providers(*, user: Any) -> QuerySet[Provider]:
    """Providers whose declarations this person may edit and submit."""
    access = access_for(user)
    providers = Provider.objects.select_related("area", "trust", "icb")
    if access.site_admin:
        return providers
    condition = Q(pk__in=access.edit_provider_ids)
    if access.area_ids:
        condition |= Q(provider_type=ProviderType.LOCAL_AUTHORITY, area_id__in=access.area_ids)
    if access.icb_ids:
        condition |= Q(provider_type=ProviderType.INTEGRATED_CARE_BOARD, icb_id__in=access.icb_ids)
    if not (access.edit_provider_ids or access.area_ids or access.icb_ids):
        return providers.none()
    return providers.filter(condition)


def health_only(*, user: Any, provider: Provider) -> bool:
    """True when the person sees this provider only as an ICB officer: health requirements only."""
    access = access_for(user)
    if access.reads_everything or provider.pk in access.view_provider_ids:
        return False
    if provider.trust_id in access.trust_ids or provider.area_id in access.area_ids:
        return False
    if provider.icb_id and provider.icb_id in access.icb_ids:
        return False
    return bool(access.icb_ids)


def visible_areas(*, user: Any) -> QuerySet[Area]:
    """Areas whose pages the person may open: their own as an officer, or all for national roles."""
    access = access_for(user)
    if access.reads_everything:
        return Area.objects.all()
    if not (access.area_ids or access.icb_ids):
        return Area.objects.none()
    return Area.objects.filter(Q(pk__in=access.area_ids) | Q(pk__in=_icb_area_ids(access.icb_ids)))


def can_edit_provider(*, user: Any, provider: Provider) -> bool:
    return editable_providers(user=user).filter(pk=provider.pk).exists()


def can_change_gaps(*, user: Any, provider: Provider) -> bool:
    """Whether the person may plan, accept and note this provider's gaps: its editors, its
    area's officers and site admins."""
    access = access_for(user)
    if access.site_admin or (provider.area_id is not None and provider.area_id in access.area_ids):
        return True
    return can_edit_provider(user=user, provider=provider)


def managed_areas(*, user: Any) -> QuerySet[Area]:
    """Areas whose officers' work the person may do: upload a GIAS extract, open a declaration
    round. Their own as an area officer; all for a site admin."""
    access = access_for(user)
    if access.site_admin:
        return Area.objects.all()
    return Area.objects.filter(pk__in=access.area_ids)


def reviews_declarations(*, user: Any) -> bool:
    """Whether the person has declarations to review: area and ICB officers, site admins."""
    access = access_for(user)
    return bool(access.site_admin or access.area_ids or access.icb_ids)


def review_scope(*, user: Any, provider: Provider) -> str | None:
    """What of this provider's declarations the person reviews: "all" (its area's officers and
    site admins), "health" (ICB officers who see it), or None."""
    access = access_for(user)
    if access.site_admin or provider.area_id in access.area_ids:
        return "all"
    if access.icb_ids and visible_providers(user=user).filter(pk=provider.pk).exists():
        return "health"
    return None
