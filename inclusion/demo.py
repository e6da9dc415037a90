"""The demo's locations and local inclusion plans. Idempotent: running it again changes nothing.

- Each demo provider without a location is placed from its postcode (exact, sector or
  district average: `inclusion.locations`), with the source recorded.
- Each demo area gets a published local inclusion plan for this academic year, started from
  its schools' GIAS SEN data like any plan, every entry confirmed. GIAS gives no number of
  places for the demo schools, so the places commissioned and the number on roll are made up,
  deterministically, and the plan's summary says so.
"""

from __future__ import annotations

import random

from django.db import transaction
from django.utils import timezone

from audits.periods import period_for
from common.output import Output
from inclusion.locations import try_place_postcode
from inclusion.models import CommonSetting, CommonSettingKind, InclusionPlan, PlanStatus
from inclusion.services.plans import (
    PlanDetails,
    add_common_setting,
    publish_plan,
    start_plan,
    update_details,
)
from providers.models import Area, Provider
from standards.vocabulary import ProviderType

DEMO_SUMMARY = (
    "This is a demonstration plan: the places and numbers on roll are made up.\n"
    "Every mainstream school in {area} adapts teaching, gives extra help in small groups, and "
    "works with parents and carers. A child does not need an EHC plan to get this help."
)


def place_demo_providers(*, area_codes: list[str]) -> int:
    """Give each provider of these areas without a location one from its postcode."""
    unplaced = list(
        Provider.objects.filter(area__code__in=area_codes, easting__isnull=True).exclude(
            postcode=""
        )
    )
    placed = []
    for provider in unplaced:
        placement = try_place_postcode(provider.postcode)
        if placement is None:
            continue
        provider.easting, provider.northing = placement.easting, placement.northing
        provider.location_source = placement.source
        placed.append(provider)
    Provider.objects.bulk_update(placed, ["easting", "northing", "location_source"], batch_size=500)
    return len(placed)


def _made_up_figures(plan: InclusionPlan) -> None:
    for place in plan.places.select_related("provider"):
        rng = random.Random(f"demo-places-{place.provider.urn}-{place.kind}")
        if place.places is None:
            place.places = (
                rng.choice([8, 10, 12, 14, 16, 20])
                if place.kind != "special_school"
                else rng.randrange(60, 180, 10)
            )
        if place.on_roll is None:
            place.on_roll = max(0, place.places + rng.randrange(-4, 3))
        place.confirmed = True
        place.save(update_fields=["places", "on_roll", "confirmed"])


@transaction.atomic
def seed_demo_plans(*, area_codes: list[str], stdout: Output | None = None) -> dict[str, int]:
    """A published plan for this academic year in each demo area that has none."""
    year = period_for(timezone.localdate())
    counts = {"published": 0, "unchanged": 0}
    areas = list(Area.objects.filter(code__in=area_codes).order_by("code"))
    for area in areas:
        plans = InclusionPlan.objects.filter(area=area, academic_year=year)
        if plans.filter(status=PlanStatus.PUBLISHED).exists():
            counts["unchanged"] += 1
            continue
        plan = plans.filter(status=PlanStatus.DRAFT).first() or start_plan(
            area=area, academic_year=year, actor=None
        )
        _made_up_figures(plan)
        slug = area.name.lower().replace(" ", "-")
        update_details(
            plan=plan,
            details=PlanDetails(
                ordinarily_available_summary=DEMO_SUMMARY.format(area=area.name),
                ordinarily_available_url=f"https://example.org/demo/{slug}/ordinarily-available-provision",
                send_team_contact=f"{area.name} SEND team (demonstration): send@example.org",
                sendiass_contact=f"{area.name} SENDIASS (demonstration): sendiass@example.org",
                local_offer_url=f"https://example.org/demo/{slug}/local-offer",
            ),
            actor=None,
        )
        neighbour = (
            Provider.objects.filter(
                area__code__in=area_codes, provider_type=ProviderType.SPECIAL_SCHOOL, status="open"
            )
            .exclude(area=area)
            .order_by("urn")
            .first()
        )
        if (
            neighbour is not None
            and not CommonSetting.objects.filter(plan=plan, provider=neighbour).exists()
        ):
            add_common_setting(
                plan=plan,
                provider=neighbour,
                kind=CommonSettingKind.CROSS_BORDER,
                note="Demonstration: a special school in another area that families here use.",
                actor=None,
            )
        publish_plan(plan=plan, actor=None)
        counts["published"] += 1
    if stdout is not None:
        stdout.write(
            f"Demo local inclusion plans ({year}): published: {counts['published']}"
            f" unchanged: {counts['unchanged']}\n"
        )
    return counts


def seed_demo_inclusion(*, area_codes: list[str], stdout: Output | None = None) -> None:
    """Locations for the demo providers, then a published plan for each demo area."""
    placed = place_demo_providers(area_codes=area_codes)
    if stdout is not None:
        stdout.write(f"Demo providers placed from their postcodes: {placed}\n")
    seed_demo_plans(area_codes=area_codes, stdout=stdout)
