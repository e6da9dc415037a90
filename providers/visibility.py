"""The one place that decides which areas, providers, trusts and ICBs a person may see or edit.

Every page, export and API endpoint that lists or shows these gets its queryset from here.
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


def importable_areas(*, user: Any) -> QuerySet[Area]:
    """Areas for which the person may upload a GIAS extract."""
    access = access_for(user)
    if access.site_admin:
        return Area.objects.all()
    return Area.objects.filter(pk__in=access.area_ids)
