"""Area reports (PDF) on the scoring benchmark's dataset.

Reuses the national dataset the dashboards benchmark builds and scores (building it first when
this benchmark runs on its own), takes the area whose number of providers is closest to 500,
and measures, in this process, what the Celery task does to build its report for the local
partnership board: reading the dashboard's figures with a national analyst's access, laying out
the tagged PDF with WeasyPrint and saving it through the "reports" storage.

- area_report_pdf_s: the median of three builds, from a queued report to a stored file;
- area_report_pages, area_report_kib: the size of the result.
"""

from __future__ import annotations

import io
import statistics
import time
from typing import Any

from bench.runner import Context

RUNS = 3
AREA_SIZE = 500
TARGETS = {"area_report_pdf_s": 10.0}


def say(name: str, value: Any) -> None:
    print(f"{name}: {value}", flush=True)


def run(context: Context) -> None:
    from bench import dashboards as dashboards_bench
    from bench import scoring as scoring_bench

    scoring_bench._setup_django(context)
    from django.conf import settings
    from django.db.models import F, Func, Value
    from pypdf import PdfReader

    from accounts.models import Role, User
    from accounts.services import grant_role
    from dashboards.models import AreaSnapshot
    from dashboards.services import import_statistics, refresh_all
    from reports import selectors, services
    from reports.models import AreaReport, ReportStatus

    dashboards_bench._ensure_dataset(context)
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(context.work / "reports")},
        },
    }
    if not AreaSnapshot.objects.filter(result_count__gt=0).exists():
        import_statistics()
        refresh_all()
    snapshot = (
        AreaSnapshot.objects.select_related("area")
        .annotate(distance=Func(F("provider_count") - Value(AREA_SIZE), function="ABS"))
        .order_by("distance", "area__code")
        .first()
    )
    assert snapshot is not None
    area = snapshot.area
    say("area_report_area", f"{area.name} ({area.code}), {snapshot.provider_count} providers")

    analyst, _ = User.objects.get_or_create(email="bench-analyst@example.org")
    grant_role(user=analyst, role=Role.NATIONAL_ANALYST, scope=None)
    board = selectors.area_board(user=analyst, code=area.code)
    assert board.context.standard is not None
    digest = selectors.figures_digest(board)

    times: list[float] = []
    size = 0
    for _ in range(RUNS):
        for old in AreaReport.objects.filter(area=area):
            if old.file:
                old.file.delete(save=False)
            old.delete()
        report = AreaReport.objects.create(
            area=area,
            standard=board.context.standard,
            version=board.context.version,
            figures_digest=digest,
            requested_by=analyst,
        )
        started = time.perf_counter()
        built = services.build_area_report(report_id=report.pk)
        times.append(time.perf_counter() - started)
        assert built is not None and built.status == ReportStatus.DONE, built and built.error
        size = built.size
        with built.file.open("rb") as handle:
            data = handle.read()
    seconds = statistics.median(times)
    say("area_report_pdf_s", f"{seconds:.2f}")
    say("area_report_kib", round(size / 1024))
    say("area_report_pages", len(PdfReader(io.BytesIO(data)).pages))
    target = TARGETS["area_report_pdf_s"]
    context.target(
        "area_report_pdf_s", seconds <= target, f"{seconds:.2f} s is over the {target:.0f} s target"
    )
