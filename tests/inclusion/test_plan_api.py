"""GET /api/v1/areas/{code}/inclusion-plan/: public, published plans only, throttled per address."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from inclusion.services.plans import (
    PlanDetails,
    confirm_place,
    publish_plan,
    start_plan,
    update_details,
)
from tests.inclusion.plan_factories import YEAR

pytestmark = pytest.mark.django_db
URL = "/api/v1/areas/213/inclusion-plan/"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def publish(world, **details):
    plan = start_plan(area=world["area"], academic_year=YEAR, actor=world["officer"])
    for place in plan.places.all():
        confirm_place(place=place, actor=None)
    if details:
        update_details(plan=plan, details=PlanDetails(**details), actor=None)
    return publish_plan(plan=plan, actor=world["officer"])


def test_anyone_reads_the_latest_published_plan(world):
    plan = publish(world, local_offer_url="https://example.org/offer")
    start_plan(area=world["area"], academic_year=YEAR, actor=None)  # a draft: never shown
    response = APIClient().get(URL)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    body = response.json()
    assert (body["academic_year"], body["version"], body["content_hash"]) == (
        YEAR,
        1,
        plan.content_hash,
    )
    assert body["contacts"]["local_offer_url"] == "https://example.org/offer"
    places = {(p["setting"]["urn"], p["kind"]): p for p in body["specialist_places"]}
    assert len(places) == 5
    rp = places[("700001", "resourced_provision")]
    assert rp["need_types"] == ["ASD", "SLCN"]
    assert rp["broad_areas"] == ["communication_interaction"]
    assert (rp["places"], rp["on_roll"], rp["more_on_roll_than_places"]) == (14, 16, True)
    assert "officer@example.org" not in response.content.decode()


def test_a_newer_version_replaces_the_old(world):
    publish(world)
    second = start_plan(area=world["area"], academic_year=YEAR, actor=None)
    second.places.filter(kind="alternative_provision").delete()
    publish_plan(plan=second, actor=None)
    body = APIClient().get(URL).json()
    assert body["version"] == 2 and len(body["specialist_places"]) == 4


@pytest.mark.parametrize("path", [URL, "/api/v1/areas/999/inclusion-plan/"])
def test_no_published_plan_is_404_in_the_error_shape(world, path):
    start_plan(area=world["area"], academic_year=YEAR, actor=None)
    response = APIClient().get(path)
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_it_is_read_only(world):
    publish(world)
    assert APIClient().post(URL, {}, format="json").status_code == 405


def test_it_is_throttled_per_address(world, settings):
    publish(world)
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "inclusion_plan": "2/minute",
        },
    }
    from rest_framework.settings import api_settings

    api_settings.reload()
    try:
        one, other = APIClient(REMOTE_ADDR="10.0.0.1"), APIClient(REMOTE_ADDR="10.0.0.2")
        assert [one.get(URL).status_code for _ in range(3)] == [200, 200, 429]
        assert other.get(URL).status_code == 200
    finally:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK}
        api_settings.reload()


def test_it_is_in_the_openapi_schema():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml").read_text()
    assert "/api/v1/areas/{code}/inclusion-plan/:" in text
    assert "operationId: areas_inclusion_plan" in text
