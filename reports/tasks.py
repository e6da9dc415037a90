"""Celery tasks: thin wrappers around the reports' services. Safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(
    name="reports.build_area_report",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=3,
    soft_time_limit=600,
    time_limit=660,
)
def build_area_report_task(report_id: int) -> str:
    from reports.services import build_area_report

    report = build_area_report(report_id=report_id)
    return report.status if report else "gone"
