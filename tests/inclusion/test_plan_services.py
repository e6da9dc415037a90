"""Starting, editing and publishing a local inclusion plan."""

import hashlib
import json

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from audits.periods import next_period
from inclusion.canonical import canonical_bytes, plan_document
from inclusion.entries import PlaceValues
from inclusion.models import EntrySource, InclusionPlan, PlaceKind, PlanStatus, SpecialistPlace
from inclusion.selectors.plans import latest_published_plan
from inclusion.services.plans import (
    PlanDetails,
    PlanError,
    add_common_setting,
    add_place,
    change_place,
    confirm_place,
    publish_plan,
    remove_place,
    start_plan,
    update_details,
)
from tests.inclusion.plan_factories import YEAR
from tests.providers.factories import AreaFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def entries(plan):
    return {
        (p.provider.urn, p.kind): p
        for p in SpecialistPlace.objects.filter(plan=plan).select_related("provider")
    }


def confirm_all(plan, actor):
    for place in plan.places.all():
        confirm_place(place=place, actor=actor)


def test_version_1_proposes_every_specialist_place_from_gias(world):
    plan = start_plan(area=world["area"], academic_year=YEAR, actor=world["officer"])
    assert (plan.version, plan.status) == (1, PlanStatus.DRAFT)
    found = entries(plan)
    assert set(found) == {
        ("700001", PlaceKind.RESOURCED_PROVISION),
        ("700001", PlaceKind.SEN_UNIT),
        ("700002", PlaceKind.SPECIAL_SCHOOL),
        ("700003", PlaceKind.ALTERNATIVE_PROVISION),
        ("700004", PlaceKind.SPECIALIST_POST16),
    }
    rp = found[("700001", PlaceKind.RESOURCED_PROVISION)]
    assert (rp.places, rp.on_roll, rp.need_types) == (14, 16, ["ASD", "SLCN"])
    assert (rp.age_low, rp.age_high, rp.inside_area) == (4, 11, True)
    unit = found[("700001", PlaceKind.SEN_UNIT)]
    assert (unit.places, unit.on_roll) == (8, 6)
    special = found[("700002", PlaceKind.SPECIAL_SCHOOL)]
    assert (special.need_types, special.age_low, special.age_high) == (["PMLD", "SLD"], 2, 19)
    assert all(not p.confirmed and p.source == EntrySource.GIAS for p in found.values())
    event = AuditEvent.objects.get(action="inclusion plan started")
    assert event.changes == {"proposed_from_gias": 5}
    assert event.actor == world["officer"]


def test_closed_providers_are_not_proposed(world):
    world["special"].status = "closed"
    world["special"].save()
    plan = start_plan(area=world["area"], academic_year=YEAR, actor=None)
    assert ("700002", PlaceKind.SPECIAL_SCHOOL) not in entries(plan)


def test_publishing_refuses_while_an_entry_is_unconfirmed(world):
    plan = start_plan(area=world["area"], academic_year=YEAR, actor=None)
    with pytest.raises(PlanError, match="5 entries are not confirmed yet"):
        publish_plan(plan=plan, actor=world["officer"])
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and plan.content_hash == ""


def test_confirm_change_remove_add_and_publish(world):
    officer = world["officer"]
    plan = start_plan(area=world["area"], academic_year=YEAR, actor=officer)
    found = entries(plan)
    confirm_place(place=found[("700001", PlaceKind.RESOURCED_PROVISION)], actor=officer)
    change_place(
        place=found[("700001", PlaceKind.SEN_UNIT)],
        values=PlaceValues(
            kind=PlaceKind.SEN_UNIT, need_types=["HI"], age_low=5, age_high=11, places=9, on_roll=9
        ),
        actor=officer,
    )
    remove_place(place=found[("700003", PlaceKind.ALTERNATIVE_PROVISION)], actor=officer)
    confirm_place(place=found[("700002", PlaceKind.SPECIAL_SCHOOL)], actor=officer)
    confirm_place(place=found[("700004", PlaceKind.SPECIALIST_POST16)], actor=officer)
    elsewhere = ProviderFactory(area=AreaFactory(), urn="800001", name="Far School")
    added = add_place(
        plan=plan,
        provider=elsewhere,
        values=PlaceValues(kind=PlaceKind.SPECIAL_SCHOOL, need_types=["VI"], places=3),
        actor=officer,
    )
    assert (added.inside_area, added.confirmed, added.source) == (False, True, "officer")
    add_common_setting(
        plan=plan, provider=elsewhere, kind="cross_border", note="Often used", actor=officer
    )
    update_details(
        plan=plan,
        details=PlanDetails(
            ordinarily_available_summary="Every school offers...",
            ordinarily_available_url="https://example.org/oap",
            send_team_contact="send@example.org",
            sendiass_contact="sendiass@example.org",
            local_offer_url="https://example.org/local-offer",
        ),
        actor=officer,
    )
    plan = publish_plan(plan=plan, actor=officer)
    assert plan.status == PlanStatus.PUBLISHED
    assert plan.published_by == officer and plan.published_at is not None
    expected = hashlib.sha256(canonical_bytes(plan_document(plan))).hexdigest()
    assert plan.content_hash == expected
    unit = entries(plan)[("700001", PlaceKind.SEN_UNIT)]
    assert (unit.need_types, unit.places, unit.confirmed) == (["HI"], 9, True)
    actions = list(
        AuditEvent.objects.filter(object_id=str(plan.pk)).values_list("action", flat=True)
    )
    for action in (
        "inclusion plan started",
        "inclusion plan entry confirmed",
        "inclusion plan entry changed",
        "inclusion plan entry removed",
        "inclusion plan entry added",
        "inclusion plan common setting added",
        "inclusion plan details changed",
        "inclusion plan published",
    ):
        assert action in actions
    assert latest_published_plan(area_code="213") == plan


def test_the_canonical_json_is_stable_and_sorted(world):
    plan = start_plan(area=world["area"], academic_year=YEAR, actor=None)
    data = canonical_bytes(plan_document(plan))
    assert data == canonical_bytes(plan_document(plan))
    document = json.loads(data)
    assert list(document) == sorted(document)
    kinds = [p["kind"] for p in document["specialist_places"]]
    assert kinds == sorted(kinds)
    assert b" " not in data.replace(b"Oak Primary School", b"").replace(
        b"Willow Special School", b""
    ).replace(b"Elm Pupil Referral Unit", b"").replace(b"Ash Specialist College", b"")
    assert document["format"] == "inclusion-plan/1"


def test_version_2_copies_the_published_version_and_supersedes_it(world):
    officer = world["officer"]
    first = start_plan(area=world["area"], academic_year=YEAR, actor=officer)
    confirm_all(first, officer)
    update_details(
        plan=first, details=PlanDetails(send_team_contact="0207 000 0000"), actor=officer
    )
    publish_plan(plan=first, actor=officer)
    second = start_plan(area=world["area"], academic_year=YEAR, actor=officer)
    assert second.version == 2 and second.send_team_contact == "0207 000 0000"
    assert set(entries(second)) == set(entries(first))
    assert all(p.confirmed for p in second.places.all())
    with pytest.raises(PlanError, match="already a draft"):
        start_plan(area=world["area"], academic_year=YEAR, actor=officer)
    publish_plan(plan=second, actor=officer)
    first.refresh_from_db()
    assert first.status == PlanStatus.SUPERSEDED
    assert latest_published_plan(area_code="213") == second
    # Another year starts again from GIAS.
    other_year = start_plan(area=world["area"], academic_year=next_period(YEAR), actor=officer)
    assert other_year.version == 1 and not any(p.confirmed for p in other_year.places.all())


def test_a_published_plan_cannot_be_changed_through_the_services(world):
    officer = world["officer"]
    plan = start_plan(area=world["area"], academic_year=YEAR, actor=officer)
    confirm_all(plan, officer)
    publish_plan(plan=plan, actor=officer)
    place = plan.places.first()
    with pytest.raises(PlanError, match="is published, so it cannot be changed"):
        remove_place(place=place, actor=officer)
    with pytest.raises(PlanError):
        update_details(plan=plan, details=PlanDetails(send_team_contact="x"), actor=officer)
    with pytest.raises(PlanError):
        publish_plan(plan=plan, actor=officer)
    assert plan.places.count() == 5


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (PlaceValues(kind="nursery"), "kind", "Select the kind of place"),
        (
            PlaceValues(kind="sen_unit", need_types=["XYZ"]),
            "need_types",
            "XYZ is not a GIAS need type",
        ),
        (
            PlaceValues(kind="sen_unit", age_low=11, age_high=4),
            "age_high",
            "The oldest age must be",
        ),
        (PlaceValues(kind="sen_unit", places=-1), "places", "must be 0 or more"),
        (PlaceValues(kind="sen_unit", age_low=40), "age_low", "between 0 and 25"),
    ],
)
def test_bad_entries_are_refused_and_change_nothing(world, values, field, message):
    plan = start_plan(area=world["area"], academic_year=YEAR, actor=None)
    with pytest.raises(ValidationError) as caught:
        add_place(plan=plan, provider=world["plain"], values=values, actor=None)
    assert message in caught.value.message_dict[field][0]
    assert plan.places.count() == 5


def test_more_on_roll_than_places_is_accepted_and_flagged(world):
    plan = start_plan(area=world["area"], academic_year=YEAR, actor=None)
    place = add_place(
        plan=plan,
        provider=world["plain"],
        values=PlaceValues(kind="resourced_provision", places=5, on_roll=9),
        actor=None,
    )
    assert place.over_capacity


def test_an_invalid_year_is_refused(world):
    with pytest.raises(PlanError, match="academic year"):
        start_plan(area=world["area"], academic_year="2026", actor=None)
    assert not InclusionPlan.objects.exists()
