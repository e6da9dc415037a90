"""Scoring declarations through the services: pinned runs, current results, idempotency and
storage that grows only with change."""

import datetime as dt

import pytest
from django.utils import timezone

from audits.models import Answer
from scoring import services
from scoring.engine import ENGINE_VERSION, Outcome
from scoring.models import CurrentResult, OutcomeLayout, ScoringRun
from tests.audits.factories import make_declaration
from tests.providers.factories import ProviderFactory
from tests.scoring.builders import (
    ON,
    WORKED_LEADERSHIP,
    WORKED_OFFER,
    WORKED_OVERALL,
    current_run,
    declare,
    row_counts,
    score,
    worked_document,
    worked_version,
)

pytestmark = pytest.mark.django_db


def outcomes_by_key(run):
    layout = OutcomeLayout.objects.get(pk=run.layout_id)
    return dict(zip(layout.keys, run.outcome_list(), strict=True))


def test_a_submitted_declaration_gets_a_pinned_run_with_the_worked_example_numbers(version, school):
    declaration = declare(school, version)
    result = score(declaration)
    assert result.runs_written == 1
    run = current_run(school, version)
    assert (
        run.declaration_id,
        run.version_id,
        run.content_hash,
        run.engine_version,
        run.assessed_on,
    ) == (
        declaration.pk,
        version.pk,
        version.content_hash,
        ENGINE_VERSION,
        ON,
    )
    assert outcomes_by_key(run) == {
        "L1-POLICY": Outcome.PASS,
        "L2-REVIEWED": Outcome.FAIL,
        "L3-WEBSITE": Outcome.NOT_ANSWERED,
        "L4-EXCEPTION": Outcome.NOT_APPLICABLE,
        "O1-COVERAGE": Outcome.PASS,
        "O2-SENCO": Outcome.ERROR,
        "O3-NEW-DUTY": Outcome.NOT_YET_DUE,
        "O4-HEALTH": Outcome.NOT_ANSWERED,
    }
    assert run.score == pytest.approx(WORKED_OVERALL, abs=1e-6)
    assert run.section_scores["LEADERSHIP"][0] == pytest.approx(WORKED_LEADERSHIP, abs=1e-6)
    assert run.section_scores["OFFER"][0] == pytest.approx(WORKED_OFFER)
    assert run.all_musts_met is False
    assert (run.pass_count, run.fail_count) == (2, 3)
    assert "does not allow" in run.errors["O2-SENCO"]


def test_scoring_the_same_inputs_again_writes_nothing(version, school):
    declaration = declare(school, version)
    score(declaration)
    before = row_counts()
    again = score(declaration)
    assert again.runs_written == 0 and again.unchanged == 1
    assert row_counts() == before


def test_a_later_day_with_the_same_outcomes_writes_no_new_run(version, school):
    declaration = declare(school, version)
    score(declaration)
    before = row_counts()
    # L2's review date (1 June 2025) is already too old; nothing flips between these days.
    assert score(declaration, on=ON + dt.timedelta(days=30)).runs_written == 0
    assert row_counts() == before


def test_the_passage_of_time_writes_a_new_run_only_when_an_outcome_changes(version, school):
    declaration = declare(school, version, {**_good(), "L2-REVIEWED": "2026-01-15"})
    score(declaration)
    first = current_run(school, version)
    assert outcomes_by_key(first)["L2-REVIEWED"] is Outcome.PASS
    later = dt.date(2027, 1, 16)  # more than 12 months after the review
    assert score(declaration, on=later).runs_written == 1
    second = current_run(school, version)
    assert second.pk != first.pk and second.assessed_on == later
    assert outcomes_by_key(second)["L2-REVIEWED"] is Outcome.FAIL
    assert CurrentResult.objects.filter(provider=school).count() == 1


def test_a_new_revision_becomes_the_current_result(version, school):
    first = declare(school, version, submitted_at=timezone.now() - dt.timedelta(days=2))
    score(first)
    second = declare(school, version, _good(), revision=2)
    score(second)
    run = current_run(school, version)
    assert run.declaration_id == second.pk
    assert run.all_musts_met is True
    # Scoring the older revision again (a late task or the sweep) never takes over.
    ScoringRun.objects.filter(declaration=first).delete()
    score(first)
    assert current_run(school, version).declaration_id == second.pk
    assert ScoringRun.objects.filter(declaration=first).count() == 1


def test_a_draft_is_not_scored(version, school):
    draft = make_declaration(provider=school, version=version, answers=_good())
    assert services.score_declaration(declaration_id=draft.pk, on=ON).scored == 0
    assert not ScoringRun.objects.exists()


def test_each_run_keeps_its_outcomes_in_one_compact_row(version, school):
    score(declare(school, version))
    run = ScoringRun.objects.get()
    assert run.outcomes == "pfunpedu"
    assert OutcomeLayout.objects.get(pk=run.layout_id).keys[0] == "L1-POLICY"


def test_storage_grows_with_change_not_with_rescores(version, area):
    schools = [ProviderFactory(area=area) for _ in range(6)]
    for school in schools:
        declare(school, version, _good())
    job = services.start_rescore(standard_slug=version.standard.slug, on=ON, enqueue=False)
    services.run_job_inline(job_id=job.pk)
    after_first = row_counts()
    assert after_first["ScoringRun"] == 6
    for _ in range(3):
        job = services.start_rescore(standard_slug=version.standard.slug, on=ON, enqueue=False)
        services.run_job_inline(job_id=job.pk)
    after = row_counts()
    # Only the re-scores' own progress rows were added.
    assert {k: v for k, v in after.items() if k not in ("RescoreJob", "RescoreChunk")} == {
        k: v for k, v in after_first.items() if k not in ("RescoreJob", "RescoreChunk")
    }
    # One answer changes in a new revision: one new run.
    changed = declare(schools[0], version, {**_good(), "O1-COVERAGE": 10}, revision=2)
    job = services.start_rescore(standard_slug=version.standard.slug, on=ON, enqueue=False)
    services.run_job_inline(job_id=job.pk)
    assert ScoringRun.objects.count() == 7
    assert current_run(schools[0], version).declaration_id == changed.pk


def test_a_new_version_maps_answers_by_key_and_a_changed_type_counts_as_not_answered(
    version, school
):
    declaration = declare(school, version, _good())
    score(declaration)
    doc = worked_document()
    doc["version"] = "2.0"
    o1 = doc["sections"][1]["requirements"][0]
    o1["answer"] = {"type": "yes_no"}
    o1["rule"] = {"op": "is_yes"}
    v2 = worked_version(doc)
    # The published version now is v2: scoring the v1 declaration scores it against both.
    result = score(declaration)
    assert result.runs_written == 1
    run = current_run(school, v2)
    outcomes = outcomes_by_key(run)
    assert outcomes["O1-COVERAGE"] is Outcome.NOT_ANSWERED
    assert outcomes["L1-POLICY"] is Outcome.PASS
    assert run.declaration_id == declaration.pk and run.content_hash == v2.content_hash


def test_results_follow_a_provider_type(version, area):
    la = ProviderFactory(area=area, local_authority=True)
    declaration = declare(la, version, {})
    score(declaration)
    # The worked standard has no local authority requirements: an empty, valid result.
    run = current_run(la, version)
    assert run.outcomes == "" and run.score == 0.0 and run.all_musts_met is True


def test_answers_are_loaded_with_their_types(version, school):
    declaration = declare(school, version, {**_good(), "L3-WEBSITE": "https://x.example.org"})
    loaded = services.load_answers([declaration.pk])[declaration.pk]
    assert loaded["L1-POLICY"] == ("yes_no", True, False)
    assert str(loaded["O1-COVERAGE"][1]) in ("95", "95.0000")
    assert loaded["L2-REVIEWED"][1] == dt.date(2026, 6, 1)
    assert loaded["L3-WEBSITE"][1] == "https://x.example.org"
    assert loaded["O2-SENCO"] == ("yes_no", None, True)
    assert Answer.objects.filter(declaration=declaration).count() == len(loaded)


def _good():
    return {
        "L1-POLICY": True,
        "L2-REVIEWED": "2026-06-01",
        "L3-WEBSITE": "https://school.example.org",
        "O1-COVERAGE": 95,
        "O2-SENCO": True,
        "O3-NEW-DUTY": True,
        "O4-HEALTH": True,
    }
