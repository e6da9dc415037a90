"""The preview's figures are what publishing then does, provider by provider."""

from __future__ import annotations

from unittest import mock

import pytest

from dashboards.models import AreaSnapshot
from impact.models import ImpactPreview, ProviderImpact
from impact.services import run_preview_inline, start_preview
from scoring import services as scoring
from scoring.models import CurrentResult, Gap, GapEvent, GapStatus, RescoreJob, ScoringRun
from scoring.services import rescore
from standards.services import publish_version
from tests.impact.scenario import SLUG, build, gap_states

pytestmark = pytest.mark.django_db

ACTIVE = {GapStatus.OPEN, GapStatus.IN_PROGRESS, GapStatus.ACCEPTED}


def written() -> tuple:
    return (
        list(ScoringRun.objects.values_list("id", "created_at")),
        list(CurrentResult.objects.values_list("id", "run_id", "updated_at")),
        list(Gap.objects.values_list("id", "status", "updated_at", "row_version")),
        GapEvent.objects.count(),
        RescoreJob.objects.count(),
        list(AreaSnapshot.objects.values_list("id", "refreshed_at")),
    )


def preview_then_publish() -> None:
    scenario = build()
    before_rows = written()
    before = gap_states()
    preview = start_preview(slug=SLUG, version="2.0", enqueue=False, size=2)
    assert preview.chunk_count == 3  # six providers re-scored, in chunks of two
    preview = run_preview_inline(preview_id=preview.pk)
    assert preview.status == "done"
    # The preview wrote no result, gap, event, job or dashboard figure.
    assert written() == before_rows

    publish_version(slug=SLUG, version="2.0")
    with mock.patch.object(rescore, "_enqueue_chunks"):
        job = scoring.on_version_published(version_id=scenario.draft.pk)
    scoring.run_job_inline(job_id=job.pk)
    after = gap_states()

    rows = {row.provider_id: row for row in ProviderImpact.objects.filter(preview=preview)}
    names = {p.pk: name for name, p in scenario.providers.items()}
    assert sorted(names[pid] for pid in rows) == [
        "coverage",
        "good",
        "nursery",
        "planned",
        "revised",
        "worked",
    ]
    results = {
        c.provider_id: c.run
        for c in CurrentResult.objects.select_related("run").filter(version=scenario.draft)
    }
    assert set(results) == set(rows)
    for pid, row in rows.items():
        run = results[pid]
        assert (row.new_score, row.new_all_musts_met) == (run.score, run.all_musts_met), names[pid]
        keys = {key for (provider_id, key) in after if provider_id == pid}
        opened = {k for k in keys if (pid, k) not in before and after[(pid, k)] == "open"}
        reopened = {
            k
            for k in keys
            if before.get((pid, k)) in {"resolved", "superseded", "accepted"}
            and after[(pid, k)] == "open"
        }
        resolved = {
            k for k in keys if before.get((pid, k)) in ACTIVE and after[(pid, k)] == "resolved"
        }
        superseded = {
            k for k in keys if before.get((pid, k)) in ACTIVE and after[(pid, k)] == "superseded"
        }
        assert set(row.opened or []) == opened, names[pid]
        assert set(row.reopened or []) == reopened, names[pid]
        assert set(row.resolved or []) == resolved, names[pid]
        assert set(row.superseded or {}) == superseded, names[pid]
    # Every kind of change happened, so the comparison above means something.
    kinds = {
        "opened": sum(len(r.opened or []) for r in rows.values()),
        "reopened": sum(len(r.reopened or []) for r in rows.values()),
        "resolved": sum(len(r.resolved or []) for r in rows.values()),
        "superseded": sum(len(r.superseded or {}) for r in rows.values()),
    }
    assert all(kinds.values()), kinds
    # The closed school is not re-scored, but its gaps close as superseded, as predicted.
    closed = scenario.providers["closed"].pk
    closed_superseded = {k for (pid, k), s in after.items() if pid == closed and s == "superseded"}
    other = ImpactPreview.objects.get(pk=preview.pk).other_superseded
    assert closed_superseded == {"L2-REVIEWED", "O2-SENCO"}
    assert {k: sum(v.values()) for k, v in other.items()} == {"L2-REVIEWED": 1, "O2-SENCO": 1}
    # Old scores are the results on the published version.
    for pid, row in rows.items():
        old = CurrentResult.objects.filter(provider_id=pid, version=scenario.published).first()
        assert row.old_score == (old.run.score if old else None)


@pytest.mark.postgres
def test_preview_equals_publishing_on_postgresql():
    preview_then_publish()


def test_preview_equals_publishing():
    preview_then_publish()
