"""A new national version: the officers of each area whose local standard extends the old one
are told what no longer fits, by email and on the area's page."""

from __future__ import annotations

import copy

import pytest
from django.core import mail
from django.test import Client

from notifications import tasks
from notifications.models import Kind, OptOut
from standards.services import load_version, publish_version
from tests.notifications.conftest import recipients
from tests.standards.builders import as_yaml, make_version
from tests.standards.test_local_standards import local_doc, national_with_thresholds, raised

pytestmark = pytest.mark.django_db


@pytest.fixture
def local(world):
    make_version(national_with_thresholds(), publish=True)
    load_version(
        text=as_yaml(
            local_doc(
                raised(),
                raised(
                    key="TESTSHIRE-REVIEW-DATE",
                    raises="SCH-POLICY-REVIEWED",
                    strength="should",
                    rule={"op": "date_within", "period": "P6M"},
                ),
                area=world.area.code,
            )
        )
    )
    return publish_version(slug="testshire-local", version="1.0")


def national_1_1(*, threshold: int, drop_review: bool = False):
    doc = copy.deepcopy(national_with_thresholds())
    doc["version"] = "1.1"
    staff = next(r for r in doc["sections"][0]["requirements"] if r["key"] == "SCH-STAFF-TRAINED")
    staff["rule"]["value"] = threshold
    if drop_review:
        doc["sections"][0]["requirements"] = [
            r for r in doc["sections"][0]["requirements"] if r["key"] != "SCH-POLICY-REVIEWED"
        ]
    return doc


def test_the_areas_officers_are_told_what_no_longer_fits(world, local, eager):
    new = eager(make_version, national_1_1(threshold=95, drop_review=True), publish=True)
    mine = [m for m in mail.outbox if m.to == [world.officer.email]]
    assert len(mine) == 1, recipients()
    body = mine[0].body
    assert "TESTSHIRE-STAFF-TRAINED: lowers the threshold of SCH-STAFF-TRAINED" in body
    assert "TESTSHIRE-REVIEW-DATE: there is no requirement SCH-POLICY-REVIEWED" in body
    assert "providers in your area declare against the national standard only" in body
    # Only the area's own officers; and only once.
    assert world.far_officer.email not in recipients()
    tasks.version_published_task.apply(kwargs={"version_id": new.pk})
    assert len([m for m in mail.outbox if m.to == [world.officer.email]]) == 1


def test_a_threshold_now_equal_to_the_local_one_no_longer_fits(world, local, eager):
    eager(make_version, national_1_1(threshold=90), publish=True)
    body = next(m for m in mail.outbox if m.to == [world.officer.email]).body
    assert "TESTSHIRE-STAFF-TRAINED: is the same as the rule of SCH-STAFF-TRAINED" in body
    assert "SCH-POLICY-REVIEWED" not in body


def test_an_officer_who_turned_it_off_hears_nothing(world, local, eager):
    OptOut.objects.create(user=world.officer, kind=Kind.LOCAL_STANDARD_OUTDATED)
    eager(make_version, national_1_1(threshold=95), publish=True)
    assert world.officer.email not in recipients()


def test_the_areas_page_says_what_no_longer_fits(world, local):
    client = Client()
    client.force_login(world.officer)
    html = client.get(f"/areas/{world.area.code}/").content.decode()
    assert "Testshire version 1.0" in html and "no longer fits" not in html
    make_version(national_1_1(threshold=95, drop_review=True), publish=True)
    html = client.get(f"/areas/{world.area.code}/").content.decode()
    assert "providers in Ownshire declare the national part only" in html
    assert "What no longer fits Test standard version 1.1" in html
    assert "TESTSHIRE-STAFF-TRAINED: lowers the threshold of SCH-STAFF-TRAINED" in html
    assert "TESTSHIRE-REVIEW-DATE: there is no requirement SCH-POLICY-REVIEWED" in html


def test_the_sweep_tells_the_officers_if_the_task_was_lost(world, local, eager):
    from notifications import services

    make_version(national_1_1(threshold=95), publish=True)  # no task ran
    assert world.officer.email not in recipients()
    eager(services.sweep)
    assert world.officer.email in recipients()
    eager(services.sweep)
    assert len([m for m in mail.outbox if m.to == [world.officer.email]]) == 1
