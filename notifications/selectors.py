"""Reads for notifications: who should hear of an event, and what each person has chosen."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from accounts.access import access_for
from accounts.models import Role, RoleGrant, User
from notifications.models import Kind, OptOut
from providers.models import IcbAreaCoverage

PROVIDER_KINDS = (
    Kind.ROUND_OPENED,
    Kind.DEADLINE,
    Kind.REVIEWED,
    Kind.GAP_OVERDUE,
    Kind.VERSION_PUBLISHED,
)
OFFICER_KINDS = (Kind.DIGEST,)
AREA_OFFICER_KINDS = (Kind.LOCAL_STANDARD_OUTDATED,)
# Providers per query when looking up editors.
BATCH = 2000


def kinds_for(*, user: Any) -> list[Kind]:
    """The kinds of email this person can receive, from their roles, in the order shown."""
    access = access_for(user)
    kinds: list[Kind] = []
    if access.edit_provider_ids:
        kinds += PROVIDER_KINDS
    if access.area_ids or access.icb_ids:
        kinds += OFFICER_KINDS
    if access.area_ids:
        kinds += AREA_OFFICER_KINDS
    return kinds


def turned_off(*, user: Any) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(OptOut.objects.filter(user=user).values_list("kind", flat=True))


def wants(*, user: User, kind: str) -> bool:
    return user.is_active and not OptOut.objects.filter(user=user, kind=kind).exists()


def editors_by_provider(*, provider_ids: Iterable[int], kind: str) -> dict[int, list[User]]:
    """The active editors of each provider who have not turned this kind of email off."""
    ids = sorted(set(provider_ids))
    editors: dict[int, list[User]] = defaultdict(list)
    for start in range(0, len(ids), BATCH):
        grants = (
            RoleGrant.objects.filter(
                role=Role.PROVIDER_EDITOR,
                provider_id__in=ids[start : start + BATCH],
                user__is_active=True,
            )
            .exclude(user__notification_opt_outs__kind=kind)
            .select_related("user")
            .order_by("provider_id", "user_id")
        )
        for grant in grants:
            editors[grant.provider_id].append(grant.user)  # type: ignore[index]
    return editors


def officers_with_areas(*, kind: str) -> dict[User, set[int]]:
    """Area officers and ICB officers who want this kind, with the areas each looks after
    (an ICB officer's are the areas their ICB covers)."""
    grants = (
        RoleGrant.objects.filter(
            role__in=(Role.AREA_OFFICER, Role.ICB_OFFICER), user__is_active=True
        )
        .exclude(user__notification_opt_outs__kind=kind)
        .select_related("user")
    )
    icb_areas: dict[int, set[int]] = defaultdict(set)
    for icb_id, area_id in IcbAreaCoverage.objects.values_list("icb_id", "area_id"):
        icb_areas[icb_id].add(area_id)
    officers: dict[User, set[int]] = defaultdict(set)
    for grant in grants:
        if grant.role == Role.AREA_OFFICER and grant.area_id:
            officers[grant.user].add(grant.area_id)
        elif grant.icb_id:
            officers[grant.user] |= icb_areas.get(grant.icb_id, set())
    return {user: areas for user, areas in officers.items() if areas}
