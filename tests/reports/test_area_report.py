"""An area's report for the local partnership board: built by a task with its progress on the
page, kept until the figures change, stored through the storage API, with the dashboard's
numbers, for those who may see the dashboard."""

import re

import pytest
from django.core.files.storage import storages
from django.urls import reverse

from dashboards.services import refresh_all
from reports import services
from reports.models import AreaReport, ReportStatus
from tests.dashboards.builders import ALL_YES, declare_and_score
from tests.providers.factories import ProviderFactory
from tests.reports.pdf import is_marked, language, structure, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client, world):
    client.force_login(world["users"]["officer"])
    return client


def ask(client, code="213"):
    response = client.post(reverse("reports:area", args=[code]))
    assert response.status_code == 302
    return AreaReport.objects.order_by("-pk").first()


def build(report):
    built = services.build_area_report(report_id=report.pk)
    assert built is not None and built.status == ReportStatus.DONE, built.error
    return built


def download(client, report, code="213"):
    response = client.get(reverse("reports:area_file", args=[code, report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def test_a_report_is_asked_for_built_with_progress_and_downloaded(officer_client, world):
    page = officer_client.get(reverse("dashboards:area", args=["213"])).content.decode()
    assert reverse("reports:area", args=["213"]) in page
    page = officer_client.get(reverse("reports:area", args=["213"]))
    assert page.status_code == 200 and "Make the report" in page.content.decode()

    report = ask(officer_client)
    assert report.status == ReportStatus.QUEUED and report.progress == 0
    waiting = officer_client.get(reverse("reports:area", args=["213"])).content.decode()
    assert "Your report is being made" in waiting and 'role="status"' in waiting
    status_url = reverse("reports:area_status", args=["213", report.pk])
    assert status_url in waiting
    assert officer_client.get(status_url).json() == {
        "report": report.pk,
        "status": "queued",
        "status_label": "Waiting to start",
        "progress": 0,
        "step": "",
        "finished": False,
    }

    build(report)
    status = officer_client.get(status_url).json()
    assert status["finished"] and status["progress"] == 100 and status["status"] == "done"
    ready = officer_client.get(reverse("reports:area", args=["213"])).content.decode()
    assert "Your report is ready" in ready
    report.refresh_from_db()
    # Stored through the "reports" storage.
    assert storages["reports"].exists(report.file.name)
    assert report.size == storages["reports"].size(report.file.name)
    data = download(officer_client, report)
    assert len(data) == report.size


def test_the_report_has_the_dashboards_numbers(officer_client, world):
    html = officer_client.get(reverse("dashboards:area", args=["213"])).content.decode()
    figures = re.findall(r'<span class="app-headline__figure">([^<]+)</span>', html)
    assert len(figures) == 4 and figures[0] == "7"
    words = text(download(officer_client, build(ask(officer_client))))
    assert "SEND provision in Westminster" in words
    labels = [
        "open providers the standard applies to",
        "have declared for",
        "meet every must requirement",
        "average score out of 100",
    ]
    for figure, label in zip(figures, labels, strict=True):
        assert f"{figure} {label}" in words, (figure, label)
    # The providers table's total row, as the page shows it.
    row = re.search(
        r'<th scope="row" class="govuk-table__header">All providers</th>(.*?)</tr>', html
    )
    cells = re.findall(r">([^<>]+)</td>", row[1])
    assert f"All providers {' '.join(cells)}" in words
    # Sections, requirements not met, gaps, overdue actions, the trend and the statistics.
    for heading in (
        "Compliance by section",
        "Requirements not met",
        "Gaps by status",
        "Overdue actions",
        "Trend",
        "By academic year",
        "Official statistics for the area",
    ):
        assert heading in words, heading
    assert "SEND policy published" in words
    assert "61.3%" in words and "46.4%" in words
    # Which version, its hash and when the figures were calculated.
    version = world["version"]
    assert "SEND statutory baseline, version 1.0" in words
    assert version.content_hash in words.replace(" ", "")
    assert "Figures calculated" in words


def test_the_report_is_tagged_with_chart_alternative_text(officer_client, world):
    data = download(officer_client, build(ask(officer_client)))
    tags, alts = structure(data)
    assert language(data) == "en-GB" and is_marked(data)
    assert tags.count("H1") == 1 and tags.count("H2") >= 5
    assert {"Table", "TH", "TD", "Figure"} <= set(tags)
    assert any(alt.startswith("Average score in each section") for alt in alts), alts
    assert any(
        alt.startswith("Share of the providers assessed that do not meet each requirement")
        for alt in alts
    ), alts


def test_a_report_is_kept_until_the_figures_change(officer_client, world):
    first = build(ask(officer_client))
    # Asked for again with the same figures: the same report, not built again.
    assert ask(officer_client).pk == first.pk
    assert AreaReport.objects.count() == 1
    old_file = first.file.name
    # The figures change: a new report; once built, the old one and its file go.
    declare_and_score(
        ProviderFactory(area=world["area"], name="A new school"), world["version"], ALL_YES
    )
    refresh_all()
    second = ask(officer_client)
    assert second.pk != first.pk and second.status == ReportStatus.QUEUED
    page = officer_client.get(reverse("reports:area", args=["213"])).content.decode()
    assert "Your report is being made" in page
    build(second)
    assert list(AreaReport.objects.values_list("pk", flat=True)) == [second.pk]
    assert not storages["reports"].exists(old_file)


def test_building_twice_does_nothing_more(officer_client, world):
    report = build(ask(officer_client))
    name = report.file.name
    again = services.build_area_report(report_id=report.pk)
    assert again.status == ReportStatus.DONE and again.file.name == name


def test_a_failed_build_says_so_and_can_be_tried_again(officer_client, world, monkeypatch):
    report = ask(officer_client)

    def broken(**kwargs):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(services, "render_pdf", broken)
    failed = services.build_area_report(report_id=report.pk)
    assert failed.status == ReportStatus.FAILED and "no fonts" in failed.error
    page = officer_client.get(reverse("reports:area", args=["213"])).content.decode()
    assert "The report could not be made" in page and "Try again" in page
    monkeypatch.undo()
    again = ask(officer_client)
    assert again.pk == report.pk and again.status == ReportStatus.QUEUED
    build(again)


@pytest.mark.parametrize(("who", "status"), [("officer", 200), ("other", 404), ("nobody", 404)])
def test_only_those_who_see_the_area_get_its_report(client, world, who, status):
    client.force_login(world["users"]["officer"])
    report = build(ask(client))
    client.force_login(world["users"][who])
    assert client.get(reverse("reports:area", args=["213"])).status_code == status
    posted = client.post(reverse("reports:area", args=["213"])).status_code
    assert posted == (302 if status == 200 else 404)
    for name in ("reports:area_status", "reports:area_file"):
        assert client.get(reverse(name, args=["213", report.pk])).status_code == status
    # A report of one area is never found through another's address.
    if who == "other":
        assert client.get(reverse("reports:area_file", args=["846", report.pk])).status_code == 404


def test_asking_queues_the_build_task_once_committed(
    officer_client, world, monkeypatch, django_capture_on_commit_callbacks
):
    from reports import services, tasks

    queued = []
    monkeypatch.setattr(
        services, "send", lambda name, **kwargs: queued.append({"name": name, **kwargs})
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = ask(officer_client)
    assert queued == [
        {
            "name": "reports.build_area_report",
            "kwargs": {"report_id": report.pk},
            "queue": "default",
            "retry": False,
        }
    ]
    # The task does what the worker would.
    assert tasks.build_area_report_task.run(report.pk) == "done"
    # Asked for again while it is ready: nothing more is queued.
    with django_capture_on_commit_callbacks(execute=True):
        ask(officer_client)
    assert len(queued) == 1
