"""Publishing a local inclusion plan of 500 specialist place entries.

Builds an area with 500 providers, a draft plan for each of three academic years holding one
confirmed entry per provider, and times `publish_plan` on each (the canonical JSON, its SHA-256,
superseding, the audit event, and the database triggers on PostgreSQL). Reports the slowest.
"""

from __future__ import annotations

import os
import sys
import time

from bench.runner import ROOT, Context

ENTRIES = int(os.environ.get("BENCH_INCLUSION_ENTRIES", "500"))
YEARS = ("2030/31", "2031/32", "2032/33")
TARGET_SECONDS = 2.0


def _setup_django(context: Context) -> None:
    os.environ["DATABASE_URL"] = context.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "settings.local"
    os.environ["DEBUG"] = "0"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _build() -> tuple[object, list[object]]:
    from inclusion.models import EntrySource, InclusionPlan, PlaceKind, SpecialistPlace
    from providers.models import Area, Provider
    from standards.vocabulary import ProviderType

    area, _ = Area.objects.get_or_create(
        code="990",
        defaults={
            "gss_code": "E99000990",
            "name": "Bench area",
            "region_code": "E12000007",
            "region_name": "London",
        },
    )
    Provider.objects.bulk_create(
        [
            Provider(
                provider_type=ProviderType.SPECIAL_SCHOOL,
                name=f"Bench Special School {n:04d}",
                urn=f"99{n:05d}",
                area=area,
                statutory_low_age=4,
                statutory_high_age=19,
            )
            for n in range(ENTRIES)
        ],
        batch_size=500,
    )
    providers = list(Provider.objects.filter(area=area).order_by("urn"))
    kinds = list(PlaceKind.values)
    plans = []
    for year in YEARS:
        plan = InclusionPlan.objects.create(area=area, academic_year=year, version=1)
        SpecialistPlace.objects.bulk_create(
            [
                SpecialistPlace(
                    plan=plan,
                    provider=provider,
                    kind=kinds[n % len(kinds)],
                    need_types=["ASD", "SLCN", "SEMH"][: 1 + n % 3],
                    age_low=4,
                    age_high=19,
                    places=10 + n % 20,
                    on_roll=8 + n % 25,
                    source=EntrySource.GIAS,
                    confirmed=True,
                )
                for n, provider in enumerate(providers)
            ],
            batch_size=500,
        )
        plans.append(plan)
    return area, plans


def run(context: Context) -> None:
    _setup_django(context)
    from django.db import connections

    from inclusion.services.plans import publish_plan

    _, plans = _build()
    timings = []
    for plan in plans:
        started = time.perf_counter()
        publish_plan(plan=plan, actor=None)
        timings.append(time.perf_counter() - started)
    slowest = max(timings)
    print(f"inclusion_plan_entries: {ENTRIES}")
    print(f"inclusion_plan_publish_runs_s: {', '.join(f'{t:.3f}' for t in timings)}")
    print(f"inclusion_plan_publish_s: {slowest:.3f}", flush=True)
    context.target(
        "inclusion_plan_publish_s",
        slowest <= TARGET_SECONDS,
        f"{slowest:.3f} s > {TARGET_SECONDS} s",
    )
    connections.close_all()
