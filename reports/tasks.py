"""Celery tasks: thin wrappers around the reports' services. Safe to run twice."""

from __future__ import annotations

from celery import shared_task

from common.tasks import RETRY_POLICY


@shared_task(
    name="reports.build_area_report",
    ignore_result=True,
    soft_time_limit=600,
    time_limit=660,
    **{**RETRY_POLICY, "max_retries": 3},
)
def build_area_report_task(report_id: int) -> str:
    from reports.services import build_area_report

    report = build_area_report(report_id=report_id)
    return report.status if report else "gone"
