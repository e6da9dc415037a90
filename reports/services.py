"""Writes for reports: PDFs of a provider's result (for its governors) and of an area's figures
(for the local partnership board), made with WeasyPrint as tagged PDF (PDF/UA-1).

A provider's report is small and made when asked for. An area's is built by a Celery task that
records its progress; the finished file is kept in the "reports" storage until the figures
change, and then replaced by the next report asked for.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from common.tasks import send
from reports import selectors
from reports.models import AreaReport, ReportStatus

logger = logging.getLogger(__name__)

PDF_VARIANT = "pdf/ua-1"
# A queued report that has not started by then is queued again when someone asks for it.
STALE_AFTER_SECONDS = 600


def render_pdf(*, html: str, base_url: str | None = None) -> bytes:
    """Tagged, accessible PDF from HTML: headings, tables and figures become PDF structure,
    and the document's language and title come from the HTML."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf(pdf_variant=PDF_VARIANT)


def provider_report_pdf(
    *, user: Any, provider_id: int, base_url: str | None = None
) -> tuple[str, bytes]:
    """(file name, PDF) of a provider's result report, as the user's result page shows it.
    Raises Provider.DoesNotExist for a provider the user may not see."""
    report = selectors.provider_report(user=user, provider_id=provider_id)
    html = render_to_string(
        "reports/provider.html", {"report": report, "generated_at": timezone.now()}
    )
    provider = report.result.provider
    name = f"{slugify(provider.name)[:60]}-result-{timezone.localdate():%Y-%m-%d}.pdf"
    return name, render_pdf(html=html, base_url=base_url)


def area_report_html(*, board: Any, generated_at: Any | None = None) -> str:
    return render_to_string(
        "reports/area.html", {"board": board, "generated_at": generated_at or timezone.now()}
    )


def request_area_report(*, user: Any, code: str) -> AreaReport:
    """The report of the area's figures as they are now: the one already built or being built,
    or a new one queued. Raises dashboards.selectors.NotFound for an area the user may not see,
    and ValueError when there is no published standard to report on."""
    board = selectors.area_board(user=user, code=code)
    standard = board.context.standard
    if standard is None:
        raise ValueError("There is no published standard to report on.")
    digest = selectors.figures_digest(board)
    with transaction.atomic():
        try:
            with transaction.atomic():
                report, created = AreaReport.objects.get_or_create(
                    area=board.area,
                    standard=standard,
                    figures_digest=digest,
                    defaults={
                        "version": board.context.version,
                        "requested_by": user,
                        "figures_as_at": board.context.as_at,
                    },
                )
        except IntegrityError:  # asked for twice at once
            report, created = (
                AreaReport.objects.get(area=board.area, standard=standard, figures_digest=digest),
                False,
            )
        stale = (
            report.status == ReportStatus.QUEUED
            and (timezone.now() - report.created_at).total_seconds() > STALE_AFTER_SECONDS
        )
        if not created and report.status != ReportStatus.FAILED and not stale:
            return report
        if not created:
            report.status, report.progress, report.step, report.error = (
                ReportStatus.QUEUED,
                0,
                "",
                "",
            )
            report.requested_by = user
            report.created_at = timezone.now()
            report.save(
                update_fields=["status", "progress", "step", "error", "requested_by", "created_at"]
            )
        report_id = report.pk
        transaction.on_commit(lambda: queue_area_report(report_id=report_id))
    return report


def queue_area_report(*, report_id: int) -> bool:
    """Queue the build. Never raises: a report left queued is queued again when next asked for."""
    try:
        send(
            "reports.build_area_report",
            kwargs={"report_id": report_id},
            queue="default",
            retry=False,
        )
    except Exception:
        logger.warning("Could not queue area report %s", report_id, exc_info=True)
        return False
    return True


def _step(report: AreaReport, progress: int, step: str) -> None:
    report.progress, report.step = progress, step
    AreaReport.objects.filter(pk=report.pk).update(progress=progress, step=step)


def build_area_report(*, report_id: int) -> AreaReport | None:
    """Build a queued report: read the figures with the access of whoever asked, lay out the
    PDF and store it. Running it again for a finished report does nothing."""
    started = AreaReport.objects.filter(
        pk=report_id, status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING]
    ).update(status=ReportStatus.RUNNING, started_at=timezone.now(), progress=5)
    report = AreaReport.objects.select_related("area", "requested_by").filter(pk=report_id).first()
    if not started or report is None:
        return report
    try:
        _step(report, 10, "Reading the figures")
        if report.requested_by is None:
            raise PermissionError("the person who asked for the report no longer exists")
        board = selectors.area_board(user=report.requested_by, code=report.area.code)
        _step(report, 35, "Laying out the pages")
        html = area_report_html(board=board)
        _step(report, 60, "Making the PDF")
        pdf = render_pdf(html=html)
        _step(report, 90, "Saving the file")
        name = f"{report.area.code}-{slugify(report.area.name)}-{report.figures_digest[:12]}.pdf"
        report.file.save(name, ContentFile(pdf), save=False)
        report.size = len(pdf)
        report.figures_as_at = board.context.as_at
        report.status, report.progress, report.step = ReportStatus.DONE, 100, "Ready"
        report.finished_at = timezone.now()
        report.save(
            update_fields=[
                "file",
                "size",
                "figures_as_at",
                "status",
                "progress",
                "step",
                "finished_at",
            ]
        )
    except Exception as exc:
        logger.exception("Area report %s could not be built", report_id)
        AreaReport.objects.filter(pk=report_id).update(
            status=ReportStatus.FAILED,
            step="",
            error=str(exc)[:2000] or exc.__class__.__name__,
            finished_at=timezone.now(),
        )
        report.refresh_from_db()
        return report
    discard_older_reports(report=report)
    return report


def discard_older_reports(*, report: AreaReport) -> int:
    """Figures changed: the area's earlier finished reports, and their files, go."""
    older = (
        AreaReport.objects.filter(area_id=report.area_id, standard_id=report.standard_id)
        .exclude(pk=report.pk)
        .filter(
            status__in=[ReportStatus.DONE, ReportStatus.FAILED], created_at__lte=report.created_at
        )
    )
    count = 0
    for old in older:
        if old.file:
            old.file.delete(save=False)
        old.delete()
        count += 1
    return count
