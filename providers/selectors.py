"""Reads for areas, ICBs and providers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from providers.models import (
    OPEN_STATUSES,
    Area,
    AreaCodeAlias,
    IcbAreaCoverage,
    IcbCodeAlias,
    IntegratedCareBoard,
    LinkDirection,
    Provider,
    ProviderLink,
)


def area_by_code(code: str) -> Area | None:
    """The area with this 3-digit LA code, 9-character code or alias code, if any."""
    code = (code or "").strip().upper()
    if not code:
        return None
    area = Area.objects.filter(Q(code=code) | Q(gss_code=code)).first()
    if area is not None:
        return area
    alias = AreaCodeAlias.objects.select_related("area").filter(code=code).first()
    return alias.area if alias else None


def icb_by_code(code: str) -> IntegratedCareBoard | None:
    """The ICB with this ONS code (current or former) or NHS code, if any."""
    code = (code or "").strip().upper()
    if not code:
        return None
    icb = IntegratedCareBoard.objects.filter(Q(code=code) | Q(nhs_code=code)).first()
    if icb is not None:
        return icb
    alias = IcbCodeAlias.objects.select_related("icb").filter(code=code).first()
    return alias.icb if alias else None


def icb_coverage_for_area(area: Area) -> QuerySet[IcbAreaCoverage]:
    """The ICBs covering an area, largest share first."""
    return IcbAreaCoverage.objects.filter(area=area).select_related("icb").order_by("-share")


def providers_in_area(
    area: Area, *, provider_types: Iterable[str] | None = None, open_only: bool = True
) -> QuerySet[Provider]:
    providers = Provider.objects.filter(area=area)
    if provider_types is not None:
        providers = providers.filter(provider_type__in=list(provider_types))
    if open_only:
        providers = providers.filter(status__in=OPEN_STATUSES)
    return providers.order_by("name")


def provider_by_urn(urn: str) -> Provider | None:
    return Provider.objects.filter(urn=urn.strip()).first() if urn and urn.strip() else None


def _neighbours(ids: set[int], direction: str) -> dict[int, set[int]]:
    """For each provider id, the ids linked to it in `direction`, read from both ends."""
    opposite = (
        LinkDirection.PREDECESSOR
        if direction == LinkDirection.SUCCESSOR
        else LinkDirection.SUCCESSOR
    )
    found: dict[int, set[int]] = {pk: set() for pk in ids}
    # A's link says "B is my successor" …
    for source, target in ProviderLink.objects.filter(
        provider_id__in=ids, direction=direction, linked_provider__isnull=False
    ).values_list("provider_id", "linked_provider_id"):
        found[source].add(target)
    # … or B's link says "A is my predecessor".
    for source, target in ProviderLink.objects.filter(
        linked_provider_id__in=ids, direction=opposite
    ).values_list("linked_provider_id", "provider_id"):
        found[source].add(target)
    return found


def _chain(provider: Provider, direction: str) -> list[Provider]:
    seen = {provider.pk}
    order: list[int] = []
    frontier = {provider.pk}
    while frontier:
        following: set[int] = set()
        for targets in _neighbours(frontier, direction).values():
            following |= targets - seen
        seen |= following
        order.extend(sorted(following))
        frontier = following
    by_id = Provider.objects.in_bulk(order)
    return [by_id[pk] for pk in order if pk in by_id]


def successor_chain(provider: Provider) -> list[Provider]:
    """Every provider that succeeded this one, directly or in turn, nearest first.

    Follows GIAS links both ways round ("B is A's successor" on A, or "A is B's predecessor"
    on B), stops at providers already seen, so cycles in the data are harmless.
    """
    return _chain(provider, LinkDirection.SUCCESSOR)


def predecessor_chain(provider: Provider) -> list[Provider]:
    """Every provider this one succeeded, directly or in turn, nearest first. Cycle-safe."""
    return _chain(provider, LinkDirection.PREDECESSOR)


def current_provider_for(provider: Provider) -> Provider | None:
    """The provider that carries on this one's work today.

    The provider itself while it is open (or open but proposed to close); otherwise the open
    successor in its chain that opened last (the furthest along when dates tie or are missing);
    None if it has closed and no successor is open.
    """
    if provider.is_open:
        return provider
    chain = successor_chain(provider)
    open_ones = [(position, p) for position, p in enumerate(chain) if p.status in OPEN_STATUSES]
    if not open_ones:
        return None

    def latest(item: tuple[int, Provider]) -> tuple[dt.date, int]:
        position, p = item
        return (p.opened_on or dt.date.min, position)

    return max(open_ones, key=latest)[1]
