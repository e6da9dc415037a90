"""The permissions module: what a person may see and change, deny by default.

- Roles: a person's role grants, read once per request by `accounts.access.access_for`.
- Scope: the areas and providers they may see (`visible_*`), and from those every declaration,
  result and gap (their provider's scope).
- Can change: the providers whose declarations they may edit (`editable_providers`,
  `can_edit_provider`), whose gaps they may plan and accept (`can_change_gaps`), the areas whose officers' work they may do (`managed_areas`: GIAS
  uploads and declaration rounds), and what they review (`review_scope`).
- Separation of duties: no one reviews a declaration they submitted or whose answers they
  changed (`review_refusal`, `may_review`); an ICB's own declaration has its health answers
  reviewed by another officer of that ICB only.

Every page, export and API endpoint gets its queryset or its yes/no from here; the API reaches
it through `api.permissions` (a DRF permission class and a filter backend).
"""

from __future__ import annotations

from collections.abc import Iterable
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


def local_standard_areas(*, user: Any) -> QuerySet[Area]:
    """Areas whose local standard the person may load: their own as an area officer (or all as a
    site admin), and every area as a standards admin."""
    if access_for(user).standards_admin:
        return Area.objects.all()
    return managed_areas(user=user)


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
    if provider.provider_type == ProviderType.INTEGRATED_CARE_BOARD:
        # An ICB's own declaration: its health answers are reviewed by its own officers.
        return "health" if provider.icb_id in access.icb_ids else None
    if access.icb_ids and visible_providers(user=user).filter(pk=provider.pk).exists():
        return "health"
    return None


def _reviewer_elsewhere(provider: Provider, scope: str) -> str:
    if scope == "health":
        return "another officer of the integrated care board"
    if provider.provider_type == ProviderType.INTEGRATED_CARE_BOARD:
        return "an officer of the integrated care board, or another site admin"
    return "another officer of the area, or a site admin"


def review_refusal(*, user: Any, declaration: Any) -> str | None:
    """Why this person may not review this declaration, or None when they may.

    Besides the scope (`review_scope`), the duties are kept apart: no one reviews a declaration
    they submitted, or one whose answers they changed (in it, or in an earlier revision of it
    that its answers were copied from). An authority's own declaration is then reviewed by
    another officer of the area or a site admin; an ICB's by another officer of that ICB.
    """
    provider = declaration.provider
    scope = review_scope(user=user, provider=provider)
    if scope is None:
        return "You cannot review this declaration."
    elsewhere = _reviewer_elsewhere(provider, scope)
    if declaration.submitted_by_id is not None and declaration.submitted_by_id == user.pk:
        return f"You submitted this declaration, so it must be reviewed by {elsewhere}."
    if declaration.pk in changed_answers_of(user=user, declarations=[declaration]):
        return f"You changed answers in this declaration, so it must be reviewed by {elsewhere}."
    return None


def changed_answers_of(*, user: Any, declarations: Iterable[Any]) -> set[int]:
    """The ids of those declarations whose answers this person changed: in the declaration, or
    in an earlier revision of it (same provider, version and year) that its answers were copied
    from. One query, however many declarations (a page of the review list)."""
    wanted = list(declarations)
    if not wanted or user.pk is None:
        return set()
    touched = set(
        Provider.objects.filter(pk__in={d.provider_id for d in wanted})
        .filter(
            Q(declarations__answers__updated_by=user.pk)
            | Q(declarations__answers__changes__changed_by=user.pk)
        )
        .values_list(
            "pk", "declarations__version_id", "declarations__period", "declarations__revision"
        )
        .distinct()
    )
    return {
        d.pk
        for d in wanted
        if any(
            (provider, version, period) == (d.provider_id, d.version_id, d.period)
            and revision <= d.revision
            for provider, version, period, revision in touched
        )
    }


def own_work(*, user: Any, declarations: Iterable[Any]) -> set[int]:
    """The ids of those declarations this person may not review as their own work: submitted by
    them, or with answers they changed (see `review_refusal`)."""
    wanted = list(declarations)
    submitted = {d.pk for d in wanted if d.submitted_by_id and d.submitted_by_id == user.pk}
    return submitted | changed_answers_of(user=user, declarations=wanted)


def may_review(*, user: Any, declaration: Any) -> bool:
    """Whether this person may review this declaration (see `review_refusal`)."""
    return review_refusal(user=user, declaration=declaration) is None
