"""Gaps: raised by failed must and should requirements, kept across re-scores and versions,
resolved by a pass, re-opened by a new failure, planned and accepted by people."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role
from accounts.services import grant_role
from providers.models import ProviderStatus
from scoring import services
from scoring.models import Gap, GapEvent, GapStatus
from standards.format import parse_version_text
from standards.services import publish_version, store_draft
from tests.accounts.factories import UserFactory
from tests.providers.factories import ProviderFactory, ProviderLinkFactory
from tests.scoring.builders import ON, current_run, declare, score, worked_document, worked_version
from tests.standards.builders import as_yaml

pytestmark = pytest.mark.django_db

GOOD = {
    "L1-POLICY": True,
    "L2-REVIEWED": "2026-06-01",
    "L3-WEBSITE": "https://school.example.org",
    "O1-COVERAGE": 95,
    "O2-SENCO": True,
    "O3-NEW-DUTY": True,
    "O4-HEALTH": True,
}


def gaps(provider):
    return {g.requirement_key: g for g in Gap.objects.filter(provider=provider)}


@pytest.fixture
def editor(school):
    user = UserFactory(email="head@example.org", password="pw-for-tests-123", full_name="Hana Head")
    grant_role(user=user, role=Role.PROVIDER_EDITOR, scope=school)
    return user


def test_failed_must_and_should_requirements_raise_gaps_and_good_practice_does_not(version, school):
    score(declare(school, version))
    found = gaps(school)
    # L2 fail (should), O2 error (should), O4 not answered (must); L3 good practice is left alone.
    assert set(found) == {"L2-REVIEWED", "O2-SENCO", "O4-HEALTH"}
    gap = found["O4-HEALTH"]
    run = current_run(school, version)
    assert (gap.status, gap.strength, gap.theme, gap.opened_by_run_id) == (
        "open",
        "must",
        "health",
        run.pk,
    )
    assert gap.standard_id == version.standard_id


def test_a_rescore_keeps_the_same_gap_with_its_plan(version, school, editor):
    declaration = declare(school, version)
    score(declaration)
    gap = gaps(school)["L2-REVIEWED"]
    services.update_gap(
        gap_id=gap.pk,
        actor=editor,
        status=GapStatus.IN_PROGRESS,
        action_plan="Review the SEN policy at the next governors' meeting",
        owner="Jo Smith, SENCO",
        due_date=dt.date(2027, 1, 31),
        row_version=gap.row_version,
        on=ON,
    )
    # A later re-score in which L2 still fails (other outcomes changed too).
    later = declare(school, version, {**GOOD, "L2-REVIEWED": "2020-01-01"}, revision=2)
    score(later)
    kept = Gap.objects.get(pk=gap.pk)
    assert kept.status == GapStatus.IN_PROGRESS
    assert (kept.owner, kept.due_date) == ("Jo Smith, SENCO", dt.date(2027, 1, 31))
    assert Gap.objects.filter(provider=school, requirement_key="L2-REVIEWED").count() == 1


def test_a_pass_resolves_the_gap_naming_the_run_and_a_new_failure_reopens_it(version, school):
    score(declare(school, version))
    gap = gaps(school)["O4-HEALTH"]
    passing = declare(school, version, GOOD, revision=2)
    score(passing)
    gap.refresh_from_db()
    run = current_run(school, version)
    assert gap.status == GapStatus.RESOLVED
    assert gap.resolved_by_run_id == run.pk and gap.resolved_at is not None
    assert GapEvent.objects.get(gap=gap, action="resolved").run_id == run.pk
    failing = declare(school, version, {**GOOD, "O4-HEALTH": False}, revision=3)
    score(failing)
    gap.refresh_from_db()
    assert gap.status == GapStatus.OPEN and gap.resolved_by_run_id is None
    assert GapEvent.objects.filter(gap=gap, action="reopened").count() == 1
    assert Gap.objects.filter(provider=school, requirement_key="O4-HEALTH").count() == 1


def test_planning_needs_a_plan_an_owner_and_a_due_date(version, school, editor):
    score(declare(school, version))
    gap = gaps(school)["L2-REVIEWED"]
    with pytest.raises(ValidationError) as raised:
        services.update_gap(gap_id=gap.pk, actor=editor, status=GapStatus.IN_PROGRESS, on=ON)
    assert set(raised.value.message_dict) == {"action_plan", "owner", "due_date"}
    services.update_gap(
        gap_id=gap.pk,
        actor=editor,
        status=GapStatus.IN_PROGRESS,
        action_plan="Plan",
        owner="Jo",
        due_date=dt.date(2027, 3, 1),
        on=ON,
    )
    event = GapEvent.objects.get(gap=gap)
    assert (event.action, event.actor, event.status) == ("action planned", editor, "in_progress")


def test_accepting_needs_a_reason_and_a_future_expiry_and_expiry_reopens(version, school, editor):
    score(declare(school, version))
    gap = gaps(school)["O2-SENCO"]
    with pytest.raises(ValidationError) as raised:
        services.update_gap(
            gap_id=gap.pk, actor=editor, status=GapStatus.ACCEPTED, accepted_until=ON, on=ON
        )
    assert set(raised.value.message_dict) == {"accepted_reason", "accepted_until"}
    services.update_gap(
        gap_id=gap.pk,
        actor=editor,
        status=GapStatus.ACCEPTED,
        accepted_reason="The SENCO post is being recruited",
        accepted_until=dt.date(2027, 1, 31),
        on=ON,
    )
    assert services.expire_acceptances(on=dt.date(2027, 1, 31)) == 0
    assert services.expire_acceptances(on=dt.date(2027, 2, 1)) == 1
    gap.refresh_from_db()
    assert gap.status == GapStatus.OPEN
    assert GapEvent.objects.filter(
        gap=gap, action="reopened", note="The acceptance expired"
    ).exists()


def test_a_rescore_after_expiry_reopens_an_accepted_gap(version, school, editor):
    declaration = declare(school, version)
    score(declaration)
    gap = gaps(school)["O2-SENCO"]
    services.update_gap(
        gap_id=gap.pk,
        actor=editor,
        status=GapStatus.ACCEPTED,
        accepted_reason="Recruiting",
        accepted_until=dt.date(2026, 12, 31),
        on=ON,
    )
    # A new revision (so a new run) scored after the acceptance ended, still failing.
    score(declare(school, version, {**GOOD, "O2-SENCO": False}, revision=2), on=dt.date(2027, 1, 5))
    gap.refresh_from_db()
    assert gap.status == GapStatus.OPEN


def test_a_stale_change_is_refused(version, school, editor):
    score(declare(school, version))
    gap = gaps(school)["L2-REVIEWED"]
    with pytest.raises(services.GapChanged):
        services.update_gap(
            gap_id=gap.pk,
            actor=editor,
            status=GapStatus.OPEN,
            row_version=gap.row_version + 5,
            on=ON,
        )


def test_people_without_the_right_cannot_change_a_gap(version, school, area):
    score(declare(school, version))
    gap = gaps(school)["L2-REVIEWED"]
    analyst = UserFactory(email="analyst@example.org", password="pw-for-tests-123")
    grant_role(user=analyst, role=Role.NATIONAL_ANALYST)
    officer = UserFactory(email="officer@example.org", password="pw-for-tests-123")
    grant_role(user=officer, role=Role.AREA_OFFICER, scope=area)
    with pytest.raises(PermissionDenied):
        services.update_gap(gap_id=gap.pk, actor=analyst, status=GapStatus.OPEN, on=ON)
    # The area officer of the school's area may.
    services.update_gap(gap_id=gap.pk, actor=officer, status=GapStatus.OPEN, on=ON)


def test_closed_gaps_cannot_be_planned(version, school, editor):
    score(declare(school, version))
    score(declare(school, version, GOOD, revision=2))
    gap = gaps(school)["L2-REVIEWED"]
    assert gap.status == GapStatus.RESOLVED
    with pytest.raises(ValidationError):
        services.update_gap(gap_id=gap.pk, actor=editor, status=GapStatus.OPEN, on=ON)


def _next_version(doc):
    version = store_draft(document=parse_version_text(as_yaml(doc))).version
    return publish_version(slug=version.standard.slug, version=version.version)


def test_a_new_version_carries_gaps_over_by_key_and_supersedes_withdrawn_ones(version, school):
    declaration = declare(school, version)
    score(declaration)
    before = gaps(school)
    doc = worked_document()
    doc["version"] = "2.0"
    offer = doc["sections"][1]["requirements"]
    doc["sections"][1]["requirements"] = [r for r in offer if r["key"] != "O2-SENCO"]
    doc["sections"][0]["requirements"][1]["title"] = "SEN policy reviewed this year"
    v2 = _next_version(doc)
    counts = services.carry_over_gaps(version=v2)
    assert counts == {"superseded": 1, "carried_with_changes": 1}
    after = gaps(school)
    assert after["O2-SENCO"].status == GapStatus.SUPERSEDED
    assert after["O2-SENCO"].superseded_by_version_id == v2.pk
    assert "Version 2.0" in GapEvent.objects.get(gap=after["O2-SENCO"]).note
    carried = after["L2-REVIEWED"]
    assert carried.pk == before["L2-REVIEWED"].pk and carried.status == GapStatus.OPEN
    assert carried.title == "SEN policy reviewed this year"
    # Re-scoring against v2 keeps the carried gaps and does not reopen the superseded one.
    score(declaration)
    assert current_run(school, v2).declaration_id == declaration.pk
    assert gaps(school)["O2-SENCO"].status == GapStatus.SUPERSEDED
    assert gaps(school)["L2-REVIEWED"].pk == before["L2-REVIEWED"].pk


def test_a_run_against_a_version_without_the_key_supersedes_its_gap_too(version, school):
    score(declare(school, version))
    doc = worked_document()
    doc["version"] = "2.0"
    doc["sections"][1]["requirements"] = [
        r for r in doc["sections"][1]["requirements"] if r["key"] != "O4-HEALTH"
    ]
    v2 = worked_version(doc)  # published, without carry_over_gaps having run
    score(declare(school, v2, GOOD))
    gap = gaps(school)["O4-HEALTH"]
    assert (gap.status, gap.superseded_by_version_id) == (GapStatus.SUPERSEDED, v2.pk)


def test_a_requirement_that_stops_applying_resolves_its_gap_and_a_new_failure_reopens_it(
    version, school
):
    # L4 (must): if the SEN policy is not in place, explain why. No policy and no reason: a gap.
    score(declare(school, version, {**GOOD, "L1-POLICY": False}))
    gap = gaps(school)["L4-EXCEPTION"]
    assert gap.status == GapStatus.OPEN
    # The policy is now in place, so L4 does not apply: the gap closes, naming the run.
    score(declare(school, version, GOOD, revision=2))
    gap.refresh_from_db()
    assert gap.status == GapStatus.RESOLVED
    assert gap.resolved_by_run_id == current_run(school, version).pk
    event = GapEvent.objects.get(gap=gap, action="resolved")
    assert event.note == "The requirement does not apply on this run"
    score(declare(school, version, {**GOOD, "L1-POLICY": False}, revision=3))
    gap.refresh_from_db()
    assert gap.status == GapStatus.OPEN


def _without_schools(doc):
    doc["sections"][1]["requirements"][1]["applies_to"] = ["special_school"]  # O2-SENCO


def _good_practice(doc):
    doc["sections"][0]["requirements"][1]["strength"] = "good_practice"  # L2-REVIEWED


@pytest.mark.parametrize(
    "change, key, why",
    [
        (
            _without_schools,
            "O2-SENCO",
            "no longer applies this requirement to this type of provider",
        ),
        (_good_practice, "L2-REVIEWED", "makes this requirement good practice"),
    ],
)
@pytest.mark.parametrize("carried_over", [True, False], ids=["on publishing", "on re-scoring"])
def test_a_new_version_that_no_longer_makes_a_requirement_a_gap_supersedes_its_gap(
    version, school, change, key, why, carried_over
):
    declaration = declare(school, version)
    score(declaration)
    assert gaps(school)[key].status == GapStatus.OPEN
    doc = worked_document()
    doc["version"] = "2.0"
    change(doc)
    if carried_over:
        v2 = _next_version(doc)
        services.carry_over_gaps(version=v2)
    else:
        v2 = worked_version(doc)  # published, without carry_over_gaps having run
        score(declaration)
    gap = gaps(school)[key]
    assert (gap.status, gap.superseded_by_version_id) == (GapStatus.SUPERSEDED, v2.pk)
    assert (
        GapEvent.objects.get(gap=gap, action="superseded").note
        == f"Version 2.0 of the standard {why}"
    )
    # A later re-score against the new version leaves it closed.
    score(declaration)
    assert gaps(school)[key].status == GapStatus.SUPERSEDED


def test_gaps_follow_a_provider_to_its_successor_after_an_academy_conversion(version, area):
    old = ProviderFactory(area=area, name="Old Community School", status=ProviderStatus.OPEN)
    score(declare(old, version))
    opened = gaps(old)
    assert set(opened) == {"L2-REVIEWED", "O2-SENCO", "O4-HEALTH"}
    # The school converts: closed, with an academy as its successor.
    old.status = ProviderStatus.CLOSED
    old.save()
    academy = ProviderFactory(area=area, name="New Academy")
    ProviderLinkFactory(provider=old, linked_provider=academy, link_type="Successor")
    # The academy declares; its own L2 still fails, O4 passes.
    score(declare(academy, version, {**GOOD, "L2-REVIEWED": "2020-01-01"}))
    moved = gaps(academy)
    assert moved["L2-REVIEWED"].pk == opened["L2-REVIEWED"].pk
    assert moved["L2-REVIEWED"].status == GapStatus.OPEN
    assert moved["O4-HEALTH"].pk == opened["O4-HEALTH"].pk
    assert moved["O4-HEALTH"].status == GapStatus.RESOLVED
    assert not Gap.objects.filter(provider=old).exists()
    assert GapEvent.objects.filter(gap=moved["L2-REVIEWED"], action="moved to successor").exists()


def test_the_sweep_moves_gaps_of_closed_providers_to_the_provider_carrying_on(version, area):
    old = ProviderFactory(area=area)
    score(declare(old, version))
    old.status = ProviderStatus.CLOSED
    old.save()
    academy = ProviderFactory(area=area)
    ProviderLinkFactory(provider=academy, linked_provider=old, link_type="Predecessor")
    assert services.move_gaps_of_closed_providers() == 3
    assert set(gaps(academy)) == {"L2-REVIEWED", "O2-SENCO", "O4-HEALTH"}


def test_a_successor_with_its_own_open_gap_takes_on_the_predecessors_plan(version, area, editor):
    old = ProviderFactory(area=area, name="Old Community School")
    score(declare(old, version))
    planned = gaps(old)["L2-REVIEWED"]
    grant_role(user=editor, role=Role.PROVIDER_EDITOR, scope=old)
    services.update_gap(
        gap_id=planned.pk,
        actor=editor,
        status=GapStatus.IN_PROGRESS,
        action_plan="Governors review the policy in January",
        owner="Jo Smith, SENCO",
        due_date=dt.date(2027, 1, 31),
        on=ON,
    )
    academy = ProviderFactory(area=area, name="New Academy")
    score(declare(academy, version))  # the academy's own gaps, before the conversion is known
    old.status = ProviderStatus.CLOSED
    old.save()
    ProviderLinkFactory(provider=academy, linked_provider=old, link_type="Predecessor")
    services.move_gaps_of_closed_providers()
    carried = gaps(academy)["L2-REVIEWED"]
    assert (carried.status, carried.owner, carried.due_date, carried.action_plan) == (
        GapStatus.IN_PROGRESS,
        "Jo Smith, SENCO",
        dt.date(2027, 1, 31),
        "Governors review the policy in January",
    )
    event = GapEvent.objects.get(gap=carried, action="plan carried over")
    assert event.note.startswith("From the gap of Old Community School")
    planned.refresh_from_db()
    assert planned.status == GapStatus.SUPERSEDED
    # An open gap of the predecessor's leaves the successor's own gap as it was.
    assert gaps(academy)["O4-HEALTH"].status == GapStatus.OPEN
    assert not GapEvent.objects.filter(gap=gaps(academy)["O4-HEALTH"], action="plan carried over")


def test_a_rescore_that_changes_nothing_writes_no_gap_rows(version, school):
    score(declare(school, version))
    events = GapEvent.objects.count()
    updated = list(Gap.objects.values_list("pk", "row_version", "updated_at"))
    job = services.start_rescore(standard_slug=version.standard.slug, on=ON, enqueue=False)
    services.run_job_inline(job_id=job.pk)
    assert GapEvent.objects.count() == events
    assert list(Gap.objects.values_list("pk", "row_version", "updated_at")) == updated
