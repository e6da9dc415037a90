"""Report pages: thin, over the reports' selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from dashboards.selectors import NotFound, area_for
from reports import selectors, services
from reports.models import AreaReport, ReportStatus


@never_cache
@login_required
@require_GET
def provider_report(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        name, pdf = services.provider_report_pdf(
            user=request.user, provider_id=pk, base_url=request.build_absolute_uri("/")
        )
    except ObjectDoesNotExist as exc:
        raise Http404("Not found") from exc
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def area_report(request: HttpRequest, code: str) -> HttpResponse:
    try:
        board = selectors.area_board(user=request.user, code=code)
    except NotFound as exc:
        raise Http404("Not found") from exc
    if request.method == "POST":
        try:
            services.request_area_report(user=request.user, code=code)
        except ValueError as exc:
            messages.error(request, str(exc))
        return redirect("reports:area", code=board.area.code)
    report = selectors.area_report(board=board)
    latest = selectors.latest_area_report(board=board)
    return render(
        request,
        "reports/area_page.html",
        {
            "board": board,
            "area": board.area,
            "context": board.context,
            "report": report,
            "latest": latest if latest is not None and latest != report else None,
            "status_url": reverse("reports:area_status", args=[board.area.code, report.pk])
            if report
            else "",
        },
    )


def _report(request: HttpRequest, code: str, report_id: int) -> AreaReport:
    try:
        area = area_for(user=request.user, code=code)
    except NotFound as exc:
        raise Http404("Not found") from exc
    report = AreaReport.objects.filter(pk=report_id, area=area).first()
    if report is None:
        raise Http404("Not found")
    return report


@never_cache
@login_required
@require_GET
def area_report_status(request: HttpRequest, code: str, report_id: int) -> JsonResponse:
    return JsonResponse(selectors.report_progress(_report(request, code, report_id)))


@never_cache
@login_required
@require_GET
def area_report_file(request: HttpRequest, code: str, report_id: int) -> FileResponse:
    report = _report(request, code, report_id)
    if report.status != ReportStatus.DONE or not report.file:
        raise Http404("Not found")
    name = f"{report.area.code}-{report.area.name}-report.pdf".replace(" ", "-")
    return FileResponse(
        report.file.open("rb"), as_attachment=True, filename=name, content_type="application/pdf"
    )
