"""The aggregates the dashboards read: kept up to date from what scoring announces, rebuilt by the command, and
equal to what adding up the results by hand gives."""

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from common import tasks as celery_policy
from dashboards import selectors, services, tasks
from dashboards.models import (
    AreaRefreshRequest,
    AreaSnapshot,
    AreaTrendPoint,
    ProviderRefreshRequest,
    ProviderSnapshot,
    ScoreBand,
    TrendLabel,
)
from providers.models import Phase, ProviderStatus
from scoring import services as scoring
from scoring.models import CurrentResult, Gap, GapStatus, ScoringRun
from scoring.signals import gaps_changed
from tests.dashboards.builders import ALL_YES, current_period, declare, declare_and_score, score
from tests.providers.factories import AreaFactory, IcbProviderFactory, ProviderFactory

pytestmark = pytest.mark.django_db

# L1 must fails, L2 should fails, H1 health must fails: 2 of 5 met (score: sections 1/3 and 1/2).
WEAK = {
    "L1-POLICY": False,
    "L2-REVIEW": False,
    "L3-GOVERNOR": True,
    "H1-NURSE": False,
    "H2-THERAPY": True,
}


@pytest.fixture
def area():
    return AreaFactory(name="Ownshire")


def snapshot(provider):
    return ProviderSnapshot.objects.get(provider=provider)


def test_a_provider_row_holds_its_result_status_and_gaps(version, area):
    school = ProviderFactory(area=area, name="Weak School", phase=Phase.SECONDARY)
    declare_and_score(school, version, WEAK)
    services.refresh_provider_snapshots(provider_ids=[school.pk])
    row = snapshot(school)
    run = CurrentResult.objects.get(provider=school).run
    assert row.score == pytest.approx(run.score)
    assert row.score_band == ScoreBand.UNDER_50
    assert row.all_musts_met is False
    assert row.declaration_status == "submitted"
    assert row.period == current_period()
    assert row.last_submitted_at is not None
    assert row.section_scores == {"LEADERSHIP": pytest.approx(100 / 3, abs=1e-3), "HEALTH": 50.0}
    assert (row.health_met, row.health_failed, row.health_must_failed) == (1, 1, 1)
    # Gaps: L1 (must), L2 (should), H1 (must, health) are open.
    assert (row.open_gaps, row.open_must_gaps, row.health_open_gaps) == (3, 2, 1)
    assert row.phase == Phase.SECONDARY
    # An accepted gap is no longer open: not for must gaps, not for health gaps either.
    Gap.objects.filter(provider=school, theme="health").update(
        status=GapStatus.ACCEPTED,
        accepted_reason="Commissioned from April",
        accepted_until=dt.date.today() + dt.timedelta(days=90),
    )
    services.refresh_provider_snapshots(provider_ids=[school.pk])
    row = snapshot(school)
    assert (row.open_must_gaps, row.health_open_gaps) == (1, 0)


def test_statuses_drafts_and_no_declaration(version, area):
    drafting = ProviderFactory(area=area)
    declare(drafting, version, submitted=False)
    idle = ProviderFactory(area=area)
    last_year = ProviderFactory(area=area)
    year = int(current_period()[:4]) - 1
    declare_and_score(last_year, version, period=f"{year}/{(year + 1) % 100:02d}")
    services.refresh_provider_snapshots(provider_ids=[drafting.pk, idle.pk, last_year.pk])
    assert snapshot(drafting).declaration_status == "in_progress"
    assert snapshot(idle).declaration_status == "not_started"
    # Declared last year: not declared for this year, but its result still counts.
    row = snapshot(last_year)
    assert (row.declaration_status, row.score) == ("not_started", 100.0)


def test_the_area_adds_up_its_providers(version, area):
    strong = ProviderFactory(area=area, phase=Phase.PRIMARY)
    weak = ProviderFactory(area=area, phase=Phase.PRIMARY)
    special = ProviderFactory(area=area, provider_type="special_school", phase=Phase.ALL_THROUGH)
    ProviderFactory(area=area)  # not declared
    ProviderFactory(area=area, status=ProviderStatus.CLOSED)  # not counted
    ProviderFactory(area=area, provider_type="early_years_setting")  # the standard does not apply
    declare_and_score(strong, version)
    declare_and_score(weak, version, WEAK)
    declare_and_score(special, version, {**ALL_YES, "L2-REVIEW": False})
    report = services.refresh_all()
    assert report.areas >= 1
    area_row = AreaSnapshot.objects.get(area=area)
    assert (area_row.provider_count, area_row.declared_count, area_row.result_count) == (4, 3, 3)
    assert area_row.musts_met_count == 2
    scores = [snapshot(p).score for p in (strong, weak, special)]
    assert area_row.average_score == pytest.approx(sum(scores) / 3, abs=1e-3)
    assert area_row.declared_pct == pytest.approx(75.0)
    assert area_row.by_type["mainstream_school"]["providers"] == 3
    assert area_row.by_type["special_school"]["musts_met"] == 1
    assert area_row.by_phase["primary"]["results"] == 2
    # L2 is not met by the weak school and the special school; L1 by the weak one only.
    assert area_row.requirements["L2-REVIEW"] == {"p": 1, "f": 2}
    assert area_row.requirements["L1-POLICY"] == {"p": 2, "f": 1}
    assert area_row.sections["HEALTH"] == {"results": 3, "score_sum": 250.0, "full": 2}
    assert area_row.gaps == {"open": 4, "in_progress": 0, "accepted": 0, "open_must": 2}
    assert area_row.health == {
        "providers": 3,
        "met": 5,
        "failed": 1,
        "all_musts_met": 2,
        "open_gaps": 1,
    }
    assert area_row.open_must_gaps == 2


def test_scoring_records_the_change_and_the_task_refreshes(
    version, area, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(services, "queue_refresh", lambda **kw: queued.append(kw) or True)
    school = ProviderFactory(area=area)
    declaration = declare(school, version)
    with django_capture_on_commit_callbacks(execute=True):
        score(declaration)  # scoring announces results_changed
    # In the scoring transaction: one row saying what changed, nothing else.
    assert list(ProviderRefreshRequest.objects.values_list("provider_id", "reason")) == [
        (school.pk, "submission")
    ]
    assert not ProviderSnapshot.objects.exists()
    assert queued == [{"rescore": False}]
    done = services.refresh_requested()
    assert (done.providers, done.areas, done.waiting) == (1, 1, False)
    assert snapshot(school).score == 100.0
    area_row = AreaSnapshot.objects.get(area=area)
    assert (area_row.result_count, area_row.musts_met_count) == (1, 1)
    assert not ProviderRefreshRequest.objects.exists()
    assert not AreaRefreshRequest.objects.exists()
    point = AreaTrendPoint.objects.get(area=area, day=timezone.localdate())
    assert (point.result_count, point.average_score, point.label) == (
        1,
        100.0,
        TrendLabel.SUBMISSIONS,
    )


def test_a_rescore_is_added_up_once_it_has_finished(version, monkeypatch):
    monkeypatch.setattr(services, "queue_refresh", lambda **kw: True)
    schools = [ProviderFactory(area=AreaFactory()) for _ in range(3)]
    for school in schools:
        declare(school, version)
    job = scoring.start_rescore(standard_slug=version.standard.slug, enqueue=False, size=2)
    scoring.run_chunk(chunk_id=job.chunks.order_by("number").first().pk)
    assert set(ProviderRefreshRequest.objects.values_list("reason", flat=True)) == {"rescore"}
    # Still running: what the re-score asked for waits; a submission does not.
    late = ProviderFactory(area=AreaFactory())
    score(declare(late, version))
    done = services.refresh_requested()
    assert (done.providers, done.areas, done.waiting) == (1, 1, True)
    assert AreaSnapshot.objects.get(area=late.area).result_count == 1
    assert ProviderSnapshot.objects.count() == 1
    scoring.run_job_inline(job_id=job.pk)
    done = services.refresh_requested()
    assert (done.providers, done.areas, done.waiting) == (3, 3, False)
    assert AreaSnapshot.objects.filter(result_count=1).count() == 4
    assert AreaTrendPoint.objects.filter(label=TrendLabel.RESCORE).count() == 3


def test_the_task_is_queued_at_most_once_a_moment(monkeypatch):
    sent = []
    monkeypatch.setattr(celery_policy, "send", lambda name, **kw: sent.append((name, kw)))
    cache.delete(services.QUEUED_KEY)
    assert services.queue_refresh() is True
    assert services.queue_refresh(rescore=True) is False
    assert sent == [
        (
            "dashboards.refresh",
            {"queue": "default", "countdown": services.SUBMISSION_DELAY, "retry": False},
        )
    ]
    cache.delete(services.QUEUED_KEY)


def test_the_task_does_the_work(version, area, monkeypatch):
    monkeypatch.setattr(services, "queue_refresh", lambda **kw: True)
    school = ProviderFactory(area=area)
    score(declare(school, version))
    assert tasks.refresh_areas_task.apply().get() == {"providers": 1, "areas": 1}
    assert AreaSnapshot.objects.get(area=area).result_count == 1


def test_a_failing_listener_never_undoes_the_scoring(version, area, monkeypatch):
    school = ProviderFactory(area=area)
    declaration = declare(school, version)

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "note_changes", broken)
    score(declaration)  # the listener fails and logs
    assert CurrentResult.objects.filter(provider=school).exists()
    assert not ProviderRefreshRequest.objects.exists()


def test_a_new_draft_shows_as_in_progress(
    version, area, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(services, "queue_refresh", lambda **kw: True)
    school = ProviderFactory(area=area)
    services.refresh_all()
    assert snapshot(school).declaration_status == "not_started"
    with django_capture_on_commit_callbacks(execute=True):
        declare(school, version, submitted=False)
    services.refresh_requested()
    assert snapshot(school).declaration_status == "in_progress"
    assert AreaSnapshot.objects.get(area=area).in_progress_count == 1


def test_gap_changes_reach_the_dashboards(
    version, area, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(services, "queue_refresh", lambda **kw: True)
    school = ProviderFactory(area=area)
    declare_and_score(school, version, WEAK)
    services.refresh_all()
    gap = Gap.objects.get(provider=school, requirement_key="L1-POLICY")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Gap.objects.filter(pk=gap.pk).update(
        status=GapStatus.IN_PROGRESS, action_plan="Write it", owner="Head", due_date=yesterday
    )
    with django_capture_on_commit_callbacks(execute=True):
        gaps_changed.send(sender=None, provider_ids=[school.pk], standard_id=None)
    services.refresh_requested()
    row = snapshot(school)
    assert (row.open_gaps, row.in_progress_gaps, row.open_must_gaps) == (2, 1, 2)
    assert row.earliest_due == yesterday
    assert AreaSnapshot.objects.get(area=area).gaps["in_progress"] == 1


def test_closing_or_moving_a_provider_leaves_its_old_area(version, area):
    other = AreaFactory(name="Othershire")
    moving = ProviderFactory(area=area)
    closing = ProviderFactory(area=area)
    declare_and_score(moving, version)
    declare_and_score(closing, version)
    services.refresh_all()
    assert AreaSnapshot.objects.get(area=area).provider_count == 2
    type(moving).objects.filter(pk=moving.pk).update(area=other)
    type(closing).objects.filter(pk=closing.pk).update(status=ProviderStatus.CLOSED)
    touched = services.refresh_provider_snapshots(provider_ids=[moving.pk, closing.pk])
    assert touched == {area.pk, other.pk}
    services.refresh_requested_areas()
    assert AreaSnapshot.objects.get(area=area).provider_count == 0
    assert AreaSnapshot.objects.get(area=other).result_count == 1
    assert not ProviderSnapshot.objects.filter(provider=closing).exists()


def test_an_icb_keeps_its_own_row_without_an_area(version):
    icb_provider = IcbProviderFactory()
    declare_and_score(icb_provider, version, WEAK)
    services.refresh_provider_snapshots(provider_ids=[icb_provider.pk])
    row = snapshot(icb_provider)
    assert (row.area_id, row.icb_id, row.all_musts_met) == (None, icb_provider.icb_id, False)


def test_the_trend_is_rebuilt_from_the_scoring_history(version, area):
    school = ProviderFactory(area=area)
    now = timezone.now()
    first = declare(school, version, WEAK, submitted_at=now - dt.timedelta(days=10))
    score(first)
    ScoringRun.objects.filter(declaration=first).update(created_at=now - dt.timedelta(days=9))
    second = declare(school, version, ALL_YES, submitted_at=now - dt.timedelta(days=3), revision=2)
    score(second)
    call_command("refresh_dashboards", "--rebuild-trend", stdout=io.StringIO())
    points = list(AreaTrendPoint.objects.filter(area=area).order_by("day"))
    labels = [p.label for p in points]
    assert labels[0] == TrendLabel.DECLARED
    assert TrendLabel.SUBMISSIONS in labels
    scored = [p for p in points if p.result_count]
    assert scored[0].average_score < scored[-1].average_score == 100.0
    assert scored[0].musts_met_count == 0 and scored[-1].musts_met_count == 1


def test_a_trend_point_is_kept_per_day_and_only_when_something_changed(version, area):
    school = ProviderFactory(area=area)
    declare_and_score(school, version)
    today = timezone.localdate()
    services.refresh_all(on=today)
    services.refresh_all(on=today)
    assert AreaTrendPoint.objects.filter(area=area, day=today).count() == 1
    tomorrow = today + dt.timedelta(days=1)
    services.refresh_area(area_id=area.pk, standard_id=version.standard_id, on=tomorrow)
    assert not AreaTrendPoint.objects.filter(area=area, day=tomorrow).exists()
    services.refresh_area(
        area_id=area.pk, standard_id=version.standard_id, reasons={"rescore"}, on=tomorrow
    )
    assert AreaTrendPoint.objects.get(area=area, day=tomorrow).label == TrendLabel.RESCORE


def test_score_bands_follow_the_score_as_shown():
    assert selectors.score_band(None) == ScoreBand.NO_RESULT
    assert selectors.score_band(49.4) == ScoreBand.UNDER_50
    assert selectors.score_band(49.5) == ScoreBand.FROM_50
    assert selectors.score_band(89.6) == ScoreBand.FROM_90
    assert selectors.score_band(100) == ScoreBand.FROM_90


def test_refresh_reads_no_answers(version, area):
    schools = [ProviderFactory(area=area) for _ in range(5)]
    for school in schools:
        declare_and_score(school, version)
    services.refresh_all()
    with CaptureQueriesContext(connection) as queries:
        services.refresh_provider_snapshots(provider_ids=[s.pk for s in schools])
        services.refresh_requested_areas()
    assert not [q for q in queries.captured_queries if "audits_answer" in q["sql"]]
    assert len(queries.captured_queries) < 30


def test_adding_up_an_area_counts_providers_nothing_was_scored_for(version, area, monkeypatch):
    monkeypatch.setattr(services, "queue_refresh", lambda **kw: True)
    scored = ProviderFactory(area=area)
    idle = ProviderFactory(area=area)
    gone = ProviderFactory(area=area)
    score(declare(gone, version))
    services.refresh_requested()
    type(gone).objects.filter(pk=gone.pk).update(status=ProviderStatus.CLOSED)
    score(declare(scored, version))
    services.refresh_requested()
    row = AreaSnapshot.objects.get(area=area)
    assert (row.provider_count, row.declared_count, row.result_count) == (2, 1, 1)
    assert set(ProviderSnapshot.objects.values_list("provider_id", flat=True)) == {
        scored.pk,
        idle.pk,
    }
