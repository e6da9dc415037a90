"""Published plans are frozen in the database itself, whatever writes to it (SQLite and
PostgreSQL; deletes are guarded by the database on PostgreSQL only)."""

import pytest
from django.db import DatabaseError, connection, transaction

from inclusion.models import CommonSetting, InclusionPlan, PlanStatus, SpecialistPlace
from inclusion.services.plans import confirm_place, publish_plan, start_plan
from tests.inclusion.plan_factories import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(world):
    plan = start_plan(area=world["area"], academic_year=YEAR, actor=None)
    for place in plan.places.all():
        confirm_place(place=place, actor=None)
    return publish_plan(plan=plan, actor=world["officer"])


def refused(action):
    with pytest.raises(DatabaseError), transaction.atomic():
        action()


@pytest.mark.parametrize(
    "change",
    [
        {"send_team_contact": "changed"},
        {"ordinarily_available_summary": "changed"},
        {"content_hash": "0" * 64},
        {"version": 9},
        {"status": PlanStatus.DRAFT},
    ],
)
def test_a_published_plans_columns_cannot_change(published, change):
    refused(lambda: InclusionPlan.objects.filter(pk=published.pk).update(**change))
    published.refresh_from_db()
    assert published.status == PlanStatus.PUBLISHED


def test_its_entries_cannot_be_added_or_changed(published, world):
    place = published.places.first()
    refused(lambda: SpecialistPlace.objects.filter(pk=place.pk).update(places=999))
    refused(
        lambda: SpecialistPlace.objects.create(
            plan=published, provider=world["plain"], kind="sen_unit", source="officer"
        )
    )
    refused(
        lambda: CommonSetting.objects.create(
            plan=published, provider=world["plain"], kind="cross_border"
        )
    )
    assert published.places.count() == 5


def test_it_may_only_move_to_superseded(published):
    InclusionPlan.objects.filter(pk=published.pk).update(status=PlanStatus.SUPERSEDED)
    refused(
        lambda: InclusionPlan.objects.filter(pk=published.pk).update(status=PlanStatus.PUBLISHED)
    )


def test_a_draft_changes_freely(world):
    plan = start_plan(area=world["area"], academic_year=YEAR, actor=None)
    SpecialistPlace.objects.filter(plan=plan).update(places=3)
    InclusionPlan.objects.filter(pk=plan.pk).update(send_team_contact="x")
    plan.delete()
    assert not SpecialistPlace.objects.exists()


@pytest.mark.postgres
def test_postgres_refuses_deleting_a_published_plan_or_its_entries(published):
    assert connection.vendor == "postgresql"
    refused(lambda: SpecialistPlace.objects.filter(plan=published).delete())
    refused(lambda: InclusionPlan.objects.filter(pk=published.pk).delete())
    assert published.places.count() == 5
