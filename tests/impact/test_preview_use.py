"""Previewing a draft: the command, the page and its downloads, the admin's actions, and
publishing that waits for a current preview."""

from __future__ import annotations

import io
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from accounts.models import Role, User
from accounts.services import grant_role
from impact import tasks
from impact.models import ImpactPreview, PreviewChunk, ProviderImpact
from impact.services import previews, start_preview
from standards.models import Requirement, StandardVersion, VersionStatus
from tests.impact.scenario import SLUG, build

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def scenario():
    return build()


def standards_admin(client: Client) -> Client:
    user = User.objects.create_user("standards@example.org", "pw-for-tests-123")
    grant_role(user=user, role=Role.STANDARDS_ADMIN)
    client.force_login(User.objects.get(pk=user.pk))
    return client


def test_the_command_prints_the_report_and_writes_xlsx_and_csv(scenario, tmp_path):
    out, _ = run(
        "preview_standard",
        SLUG,
        "2.0",
        "--xlsx",
        str(tmp_path / "r.xlsx"),
        "--csv",
        str(tmp_path / "g.csv"),
        "--table",
        "gaps",
    )
    assert f"Impact preview of {SLUG} 2.0 against 1.0" in out
    assert "providers scored: 6 (without a result on the published version: 1)" in out
    assert "scores up " in out and "median change" in out
    assert "Answers to check (1)" in out and "N1-NEW-DUTY | N1 new duty | New question | 6" in out
    assert "Requirements no provider could pass now" in out
    csv_text = (tmp_path / "g.csv").read_bytes().decode("utf-8-sig")
    assert "O2-SENCO" in csv_text and "no longer has this requirement" in csv_text
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == [
        "By area",
        "By provider type",
        "Gaps by requirement",
        "Answers to check",
        "Requirements no provider could",
    ]
    assert ProviderImpact.objects.count() == 6


def test_the_report_counts_by_area_and_type(scenario):
    run("preview_standard", SLUG, "2.0")
    report = ImpactPreview.objects.get().report
    own = next(r for r in report["by_area"] if r["name"] == "Ownshire")
    other = next(r for r in report["by_area"] if r["name"] == "Otherham")
    # Otherham's school passes the lower coverage threshold but not the new must.
    assert other["providers"] == 1 and other["up"] + other["down"] + other["same"] == 1
    assert own["providers"] == 5 and own["new_results"] == 1
    types = {r["code"]: r for r in report["by_type"]}
    assert types["early_years_setting"]["new_results"] == 1
    assert types["mainstream_school"]["lose_musts"] >= 1  # the new must is unanswered
    assert any(u["key"] == "N1-NEW-DUTY" for u in report["unpassable"])
    gaps = {g["key"]: g for g in report["gaps"]}
    assert gaps["N1-NEW-DUTY"]["opened"] == 6
    assert gaps["O1-COVERAGE"]["resolved"] == 1
    assert gaps["O4-HEALTH"]["reopened"] == 1
    assert gaps["O2-SENCO"]["superseded"] == 2  # a re-scored school and the closed one


def test_publishing_waits_for_a_current_preview(scenario):
    with pytest.raises(CommandError, match=r"there is no impact preview of scoring-test 2\.0"):
        run("publish_standard", SLUG, "2.0")
    run("preview_standard", SLUG, "2.0")
    # A requirement edited in the admin afterwards makes the preview out of date.
    requirement = Requirement.objects.get(version=scenario.draft, key="N1-NEW-DUTY")
    requirement.title = "A new duty, reworded"
    requirement.save()
    with pytest.raises(CommandError, match=r"changed at .* after its impact preview"):
        run("publish_standard", SLUG, "2.0")
    assert StandardVersion.objects.get(pk=scenario.draft.pk).status == VersionStatus.DRAFT
    run("preview_standard", SLUG, "2.0")
    with mock.patch("scoring.services.rescore._enqueue_chunks"):
        out, _ = run("publish_standard", SLUG, "2.0")
    assert "Impact preview of scoring-test 2.0 against 1.0" in out
    assert "Published scoring-test 2.0" in out


def test_force_publishes_without_a_preview(scenario):
    with mock.patch("scoring.services.rescore._enqueue_chunks"):
        out, err = run("publish_standard", SLUG, "2.0", "--force")
    assert "Published scoring-test 2.0" in out
    assert "Publishing anyway (--force): there is no impact preview" in err


def test_a_chunk_task_runs_once_and_the_preview_finishes(scenario):
    with mock.patch.object(previews, "_enqueue") as queued:
        with_commit = start_preview(slug=SLUG, version="2.0", size=4)
    chunk_ids = list(PreviewChunk.objects.filter(preview=with_commit).values_list("pk", flat=True))
    assert len(chunk_ids) == 2
    assert tasks.preview_chunk_task.time_limit < 3600
    assert tasks.preview_chunk_task.apply(kwargs={"chunk_id": chunk_ids[0]}).get() == 4
    assert tasks.preview_chunk_task.apply(kwargs={"chunk_id": chunk_ids[0]}).get() is None
    assert ImpactPreview.objects.get().status == "running"
    assert tasks.preview_chunk_task.apply(kwargs={"chunk_id": chunk_ids[1]}).get() == 2
    preview = ImpactPreview.objects.get()
    assert preview.status == "done" and preview.report["total"]["providers"] == 6
    assert queued.call_count == 0  # queued only once the transaction commits


def test_only_a_draft_can_be_previewed(scenario):
    with pytest.raises(CommandError, match=r"1\.0 of scoring-test is published"):
        run("preview_standard", SLUG, "1.0")


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 404), ("provider editor", 404), ("standards admin", 200)]
)
def test_only_standards_admins_see_the_page(scenario, client, who, status):
    if who == "standards admin":
        standards_admin(client)
    elif who == "provider editor":
        user = User.objects.create_user("head@example.org", "pw-for-tests-123")
        grant_role(user=user, role=Role.PROVIDER_EDITOR, scope=scenario.providers["good"])
        client.force_login(user)
    url = f"/impact/{SLUG}/2.0/"
    assert client.get(url).status_code == status
    assert client.get(url + "download.xlsx").status_code == 404
    assert client.post(url).status_code in {status, 302}
    assert ImpactPreview.objects.exists() == (who == "standards admin")


def test_the_page_starts_a_preview_and_shows_its_report(scenario, client):
    standards_admin(client)
    url = f"/impact/{SLUG}/2.0/"
    assert "has not been previewed yet" in client.get(url).content.decode()
    with mock.patch.object(previews, "_enqueue"):
        response = client.post(url)
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "Preview under way: 0 of 1 parts done (6 providers)" in html
    for chunk in PreviewChunk.objects.all():
        previews.run_chunk(chunk_id=chunk.pk)
    html = client.get(url).content.decode()
    assert "providers scored: 6" in html and "N1-NEW-DUTY" in html
    assert 'class="app-table-scroll"' in html
    csv_response = client.get(url + "download.csv?table=answers")
    assert csv_response.status_code == 200
    assert "N1-NEW-DUTY" in csv_response.content.decode("utf-8-sig")
    xlsx = client.get(url + "download.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get(url + "download.csv?table=nope").status_code == 404


def test_the_admin_previews_and_publishes_after_showing_the_summary(scenario, client):
    standards_admin(client)
    changelist = "/admin/standards/standardversion/"
    draft = scenario.draft
    response = client.post(changelist, {"action": "publish_draft", "_selected_action": [draft.pk]})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Not ready to publish: there is no impact preview" in html
    assert "Yes, publish" not in html
    with mock.patch.object(previews, "_enqueue"):
        response = client.post(
            changelist, {"action": "preview_impact", "_selected_action": [draft.pk]}, follow=True
        )
    assert "follow its progress" in response.content.decode()
    previews.run_preview_inline(preview_id=ImpactPreview.objects.get().pk)
    response = client.post(changelist, {"action": "publish_draft", "_selected_action": [draft.pk]})
    html = response.content.decode()
    assert "Impact preview of scoring-test 2.0 against 1.0" in html and "Yes, publish" in html
    assert StandardVersion.objects.get(pk=draft.pk).status == VersionStatus.DRAFT
    with mock.patch("scoring.services.rescore._enqueue_chunks"):
        response = client.post(
            changelist,
            {"action": "publish_draft", "_selected_action": [draft.pk], "confirm": "yes"},
            follow=True,
        )
    assert response.status_code == 200
    assert StandardVersion.objects.get(pk=draft.pk).status == VersionStatus.PUBLISHED


def test_chunks_not_finished_in_time_are_queued_again(scenario):
    import datetime as dt

    from django.utils import timezone

    from impact.services import requeue_stale_chunks

    with mock.patch.object(previews, "_enqueue"):
        preview = start_preview(slug=SLUG, version="2.0", size=4)
    chunks = PreviewChunk.objects.filter(preview=preview)
    chunks.update(queued_at=timezone.now() - dt.timedelta(hours=1))
    previews.run_chunk(chunk_id=chunks.first().pk)
    with mock.patch.object(previews.celery_policy, "send") as send:
        assert requeue_stale_chunks() == 1
    assert send.call_args.kwargs["kwargs"] == {"chunk_id": chunks.last().pk}
    assert send.call_args.kwargs["queue"] == "rescore"
    assert tasks.requeue_stale_chunks_task.time_limit < 3600
