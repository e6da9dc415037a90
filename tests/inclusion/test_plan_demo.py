"""The demo's provider ages and locations and its published local inclusion plans."""

import pytest

from inclusion.demo import seed_demo_inclusion
from inclusion.models import InclusionPlan, PlanStatus
from providers.demo import load_demo_providers
from providers.models import LocationSource, Provider

pytestmark = pytest.mark.django_db
CODES = ["213", "846"]


def test_the_demo_places_providers_and_publishes_a_plan_per_area_once():
    load_demo_providers(area_codes=CODES)
    school = Provider.objects.get(urn="101110")  # Edward Wilson Primary School
    assert (school.statutory_low_age, school.statutory_high_age) == (3, 11)
    seed_demo_inclusion(area_codes=CODES)
    school.refresh_from_db()
    assert school.easting is not None
    assert school.location_source in (
        LocationSource.POSTCODE,
        LocationSource.SECTOR,
        LocationSource.DISTRICT,
    )
    plans = InclusionPlan.objects.filter(status=PlanStatus.PUBLISHED)
    assert sorted(plans.values_list("area__code", flat=True)) == CODES
    for plan in plans:
        assert plan.places.exists() and not plan.places.filter(confirmed=False).exists()
        assert plan.places.filter(kind="special_school").exists()
        assert len(plan.content_hash) == 64
    hashes = dict(plans.values_list("area__code", "content_hash"))
    seed_demo_inclusion(area_codes=CODES)
    assert InclusionPlan.objects.count() == 2
    assert dict(InclusionPlan.objects.values_list("area__code", "content_hash")) == hashes
