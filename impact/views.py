"""The impact preview page of a draft version, and its downloads. Standards admins only."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from impact import selectors
from impact.exports import CSV_TYPE, XLSX_TYPE, csv_bytes, xlsx_bytes
from impact.services import PreviewError, start_preview
from standards.models import StandardVersion


def _version(request: HttpRequest, slug: str, version: str) -> StandardVersion:
    try:
        return selectors.previewable_version(user=request.user, slug=slug, version=version)
    except StandardVersion.DoesNotExist as exc:
        raise Http404("No such draft") from exc


@require_http_methods(["GET", "POST"])
def preview_page(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    target = _version(request, slug, version)
    error = ""
    if request.method == "POST":
        try:
            start_preview(slug=slug, version=version, requested_by=request.user)  # type: ignore[arg-type]
        except PreviewError as exc:
            error = str(exc)
        else:
            return redirect("impact:preview", slug=slug, version=version)
    preview = selectors.latest_preview(version=target)
    done = total = 0
    if preview is not None:
        done, total = selectors.progress(preview=preview)
    return render(
        request,
        "impact/preview.html",
        {
            "version": target,
            "preview": preview,
            "done": done,
            "total": total,
            "running": preview is not None and preview.status != "done",
            "stale": selectors.why_not_current(version=target, preview=preview)
            if target.is_draft
            else "",
            "summary": selectors.summary_lines(preview=preview)
            if preview and preview.report
            else [],
            "tables": selectors.report_tables(preview=preview)
            if preview and preview.report
            else [],
            "error": error,
        },
        status=400 if error else 200,
    )


def preview_download(request: HttpRequest, slug: str, version: str, fmt: str) -> HttpResponse:
    target = _version(request, slug, version)
    preview = selectors.latest_preview(version=target)
    if preview is None or not preview.report:
        raise Http404("No finished preview")
    tables = selectors.report_tables(preview=preview)
    heading = selectors.summary_lines(preview=preview)
    name = f"impact-{slug}-{version}"
    if fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(tables, heading), content_type=XLSX_TYPE)
    else:
        chosen = request.GET.get("table", "areas")
        table = next((t for t in tables if t.slug == chosen), None)
        if table is None:
            raise Http404("No such table")
        response = HttpResponse(csv_bytes(table, heading), content_type=CSV_TYPE)
        name += f"-{table.slug}"
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response
