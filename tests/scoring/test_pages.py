"""The result, gaps and re-score pages: content, GOV.UK form patterns, the status endpoint."""

import datetime as dt
import re

import pytest
from django.test import Client

from accounts.models import Role
from accounts.services import grant_role
from scoring import services
from scoring.models import Gap, GapStatus
from tests.accounts.factories import UserFactory
from tests.providers.factories import IcbAreaCoverageFactory, IcbFactory
from tests.scoring.builders import ON, declare, score, worked_document, worked_version

pytestmark = pytest.mark.django_db


def signed_in(role, scope=None, email=None):
    user = UserFactory(email=email or f"{role}@example.org", full_name="Pat Person")
    grant_role(user=user, role=role, scope=scope)
    client = Client()
    client.force_login(user)
    return client, user


@pytest.fixture
def editor(school):
    return signed_in(Role.PROVIDER_EDITOR, school)


@pytest.fixture
def scored(version, school):
    declaration = declare(school, version)
    score(declaration)
    return declaration


def text(response, status=200):
    """The page's text, once it is the page asked for (an error page would not do)."""
    assert response.status_code == status, response.status_code
    return re.sub(r"\s+", " ", response.content.decode())


def test_result_page_shows_scores_by_section_and_every_requirement_with_why(editor, school, scored):
    client, _ = editor
    page = text(client.get(f"/providers/{school.pk}/result/"))
    assert "<title>Result – Own Primary School" in page
    assert "All must requirements met" in page and 'govuk-tag--red">No' in page
    assert "51.1</span> out of 100" in page
    # Sections, with their scores.
    assert "Leadership" in page and "66.7" in page and ">20<" in page
    # Every requirement, its outcome, the rule in plain English, why, and its points.
    for key in (
        "L1-POLICY",
        "L2-REVIEWED",
        "L3-WEBSITE",
        "L4-EXCEPTION",
        "O1-COVERAGE",
        "O2-SENCO",
        "O3-NEW-DUTY",
        "O4-HEALTH",
    ):
        assert key in page
    assert "The answer must be a date in the 12 months before the assessment." in page
    assert "Could not be checked" in page and "does not allow" in page
    assert "This duty starts on 1 September 2027" in page
    assert "The condition in the rule is not met" in page
    assert "44.4 of 44.4" in page  # L1's points
    assert "0 of 6.7" in page  # O4's points
    assert "Gaps and action plans" in page
    assert "scoring/result-status.js" not in page


def test_result_page_says_when_the_versions_grace_period_ends(editor, school):
    doc = worked_document()
    doc["grace_period_days"] = 120  # from 1 September 2026: failures count from 30 December
    declaration = declare(school, worked_version(doc))
    score(declaration)
    client, _ = editor
    page = text(client.get(f"/providers/{school.pk}/result/"))
    assert "Grace period" in page and "Until 29 December 2026" in page
    assert "Not yet due" in page
    score(declaration, on=dt.date(2026, 12, 30))
    assert "Grace period" not in text(client.get(f"/providers/{school.pk}/result/"))


def test_result_page_says_scoring_is_under_way_and_polls(editor, school, version):
    client, _ = editor
    declare(school, version)
    page = text(client.get(f"/providers/{school.pk}/result/"))
    assert "Scoring is under way" in page
    assert f'data-scoring-status-url="/providers/{school.pk}/result/status.json"' in page
    assert '<script type="module" src="/static/scoring/result-status.js"></script>' in page
    assert "Check whether the result is ready" in page  # works without JavaScript
    assert client.get(f"/providers/{school.pk}/result/status.json").json()["state"] == "pending"


def test_status_endpoint_says_ready_once_scored(editor, school, scored):
    client, _ = editor
    response = client.get(f"/providers/{school.pk}/result/status.json")
    assert response.status_code == 200
    assert response.json() == {"state": "ready", "declaration": scored.pk}
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-cache", "no-store", "max-age=0"} <= directives


def test_result_page_without_a_declaration(editor, school, version):
    client, _ = editor
    page = text(client.get(f"/providers/{school.pk}/result/"))
    assert "has not submitted a declaration" in page
    assert client.get(f"/providers/{school.pk}/result/status.json").json() == {"state": "none"}


def test_icb_officers_see_only_health_requirements_and_no_scores(school, area, scored):
    icb = IcbFactory()
    IcbAreaCoverageFactory(icb=icb, area=area)
    client, _ = signed_in(Role.ICB_OFFICER, icb)
    page = text(client.get(f"/providers/{school.pk}/result/"))
    assert "only its health requirements" in page
    assert "O4-HEALTH" in page and "L1-POLICY" not in page and "O2-SENCO" not in page
    assert "out of 100" not in page
    gaps_page = text(client.get(f"/providers/{school.pk}/gaps/"))
    assert "O4-HEALTH" in gaps_page and "L2-REVIEWED" not in gaps_page
    assert "Plan action" not in gaps_page


def test_gaps_page_lists_open_gaps_with_plan_links(editor, school, scored):
    client, _ = editor
    page = text(client.get(f"/providers/{school.pk}/gaps/"))
    assert "Open gaps (3)" in page
    for key in ("L2-REVIEWED", "O2-SENCO", "O4-HEALTH"):
        assert key in page
    assert page.count("Plan action") == 3


def test_planning_action_follows_the_govuk_error_pattern_and_keeps_input(editor, school, scored):
    client, _ = editor
    gap = Gap.objects.get(provider=school, requirement_key="L2-REVIEWED")
    url = f"/providers/{school.pk}/gaps/{gap.pk}/"
    response = client.post(
        url,
        {
            "status": "in_progress",
            "action_plan": "Review it at the next meeting",
            "owner": "",
            "due_date-day": "31",
            "due_date-month": "2",
            "due_date-year": "2027",
            "row_version": gap.row_version,
        },
    )
    assert response.status_code == 400
    page = text(response, 400)
    assert "<title>Error: " in page
    assert "There is a problem" in page
    assert '<a href="#owner">Enter who owns the action</a>' in page
    assert '<a href="#due_date-day">The due date must be a real date</a>' in page
    assert 'id="owner-error"' in page and 'id="due_date-error"' in page
    assert "Review it at the next meeting</textarea>" in page  # input kept
    assert 'name="due_date-day" type="text" inputmode="numeric" value="31"' in page
    gap.refresh_from_db()
    assert gap.status == GapStatus.OPEN


def test_every_wrong_part_of_a_date_is_highlighted(editor, school, scored):
    client, _ = editor
    gap = Gap.objects.get(provider=school, requirement_key="L2-REVIEWED")
    response = client.post(
        f"/providers/{school.pk}/gaps/{gap.pk}/",
        {
            "status": "in_progress",
            "action_plan": "Review it",
            "owner": "Jo Smith",
            "due_date-day": "a",
            "due_date-month": "b",
            "due_date-year": "2027",
            "row_version": gap.row_version,
        },
    )
    page = text(response, 400)
    assert response.status_code == 400
    assert 'govuk-input--error" id="due_date-day"' in page
    assert 'govuk-input--error" id="due_date-month"' in page
    assert 'govuk-input--error" id="due_date-year"' not in page
    assert '<a href="#due_date-day">' in page


def test_planning_action_saves_and_shows_history(editor, school, scored):
    client, _ = editor
    gap = Gap.objects.get(provider=school, requirement_key="L2-REVIEWED")
    url = f"/providers/{school.pk}/gaps/{gap.pk}/"
    assert "What is happening with this gap?" in text(client.get(url))
    response = client.post(
        url,
        {
            "status": "in_progress",
            "action_plan": "Review it at the next meeting",
            "owner": "Jo Smith, SENCO",
            "due_date-day": "28",
            "due_date-month": "2",
            "due_date-year": "2027",
            "row_version": gap.row_version,
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/providers/{school.pk}/gaps/"
    gap.refresh_from_db()
    assert (gap.status, gap.owner, gap.due_date) == (
        "in_progress",
        "Jo Smith, SENCO",
        dt.date(2027, 2, 28),
    )
    listing = text(client.get(f"/providers/{school.pk}/gaps/"))
    assert "Gap updated" in listing and "Jo Smith, SENCO" in listing
    page = text(client.get(url))
    assert "Action planned by Pat Person" in page


def test_notes_are_added_to_the_history_and_an_empty_one_is_refused(editor, school, scored):
    client, _ = editor
    gap = Gap.objects.get(provider=school, requirement_key="L2-REVIEWED")
    url = f"/providers/{school.pk}/gaps/{gap.pk}/"
    assert 'for="note">Add a note</label>' in text(client.get(url))
    empty = client.post(url, {"form": "note", "note": "   "})
    assert empty.status_code == 400
    page = text(empty, 400)
    assert "<title>Error: " in page and '<a href="#note">Enter a note</a>' in page
    assert 'id="note-error"' in page
    too_long = client.post(url, {"form": "note", "note": "x" * 2001})
    assert too_long.status_code == 400
    assert "The note must be 2,000 characters or fewer" in text(too_long, 400)
    assert "x" * 2001 + "</textarea>" in text(too_long, 400)  # input kept
    saved = client.post(url, {"form": "note", "note": "Governors agreed a date for the review."})
    assert saved.status_code == 302 and saved["Location"] == f"{url}#history"
    page = text(client.get(url))
    assert "Note added by Pat Person" in page
    assert "Governors agreed a date for the review." in page
    before = gap.row_version
    gap.refresh_from_db()
    assert (gap.status, gap.row_version) == (GapStatus.OPEN, before)  # nothing else changed


def test_a_superseded_gap_says_why_it_closed(editor, school, scored):
    gap = Gap.objects.get(provider=school, requirement_key="O2-SENCO")
    doc = worked_document()
    doc["version"] = "2.0"
    doc["sections"][1]["requirements"][1]["applies_to"] = ["special_school"]
    services.carry_over_gaps(version=worked_version(doc))
    client, _ = editor
    page = text(client.get(f"/providers/{school.pk}/gaps/{gap.pk}/"))
    assert (
        "Version 2.0 of the standard no longer applies this requirement to this type of provider"
        in page
    )
    # Notes can still be added to a closed gap.
    assert 'for="note">Add a note</label>' in page


def test_accepting_needs_a_reason_and_a_date(editor, school, scored):
    client, _ = editor
    gap = Gap.objects.get(provider=school, requirement_key="O2-SENCO")
    response = client.post(
        f"/providers/{school.pk}/gaps/{gap.pk}/",
        {
            "status": "accepted",
            "accepted_reason": "",
            "accepted_until-month": "13",
            "row_version": gap.row_version,
        },
    )
    page = text(response, 400)
    assert response.status_code == 400
    assert '<a href="#accepted_reason">Enter why the gap is accepted</a>' in page
    assert "The date the acceptance ends must include a day and year" in page


def test_a_change_made_meanwhile_is_reported_not_overwritten(editor, school, scored):
    client, _ = editor
    gap = Gap.objects.get(provider=school, requirement_key="O2-SENCO")
    response = client.post(
        f"/providers/{school.pk}/gaps/{gap.pk}/",
        {"status": "open", "row_version": gap.row_version - 1},
    )
    assert response.status_code == 409
    assert "Someone else changed this gap" in text(response, 409)


def test_a_status_must_be_chosen(editor, school, scored):
    client, _ = editor
    gap = Gap.objects.get(provider=school, requirement_key="O2-SENCO")
    response = client.post(
        f"/providers/{school.pk}/gaps/{gap.pk}/", {"row_version": gap.row_version}
    )
    assert '<a href="#status">Select what is happening with this gap</a>' in text(response, 400)


def test_closed_gaps_are_shown_on_request(editor, school, version, scored):
    client, _ = editor
    score(
        declare(
            school,
            version,
            {
                "L1-POLICY": True,
                "L2-REVIEWED": "2026-06-01",
                "O1-COVERAGE": 95,
                "O2-SENCO": True,
                "O4-HEALTH": True,
            },
            not_applicable={},
            revision=2,
        )
    )
    page = text(client.get(f"/providers/{school.pk}/gaps/"))
    assert "There are no open gaps." in page and "Show resolved and closed gaps too (3)" in page
    page = text(client.get(f"/providers/{school.pk}/gaps/?show=all"))
    assert "All gaps (3)" in page and "Resolved" in page


def test_area_officers_see_their_providers_gaps(school, area, scored):
    client, _ = signed_in(Role.AREA_OFFICER, area)
    page = text(client.get(f"/areas/{area.code}/gaps/"))
    assert "Gaps in the area" in page and "Own Primary School" in page and "3 gaps" in page
    page = text(client.get(f"/areas/{area.code}/gaps/?status=in_progress"))
    assert "There are no gaps with this status." in page


def test_rescore_pages_show_progress(version, school, scored):
    client, _ = signed_in(Role.NATIONAL_ANALYST)
    job = services.start_rescore(standard_slug=version.standard.slug, on=ON, enqueue=False)
    page = text(client.get(f"/rescores/{job.pk}/"))
    assert '0</span> of <span data-field="total_chunks">1</span> chunks done' in page
    assert "scoring/rescore-progress.js" in page
    assert client.get(f"/rescores/{job.pk}/status.json").json()["state"] == "running"
    services.run_job_inline(job_id=job.pk)
    status = client.get(f"/rescores/{job.pk}/status.json").json()
    assert (status["done_chunks"], status["total_chunks"], status["finished"]) == (1, 1, True)
    assert "Finished" in text(client.get("/rescores/"))
