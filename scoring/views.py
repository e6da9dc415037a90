"""Pages for results, gaps and re-scores. Thin: selectors read, services write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from audits.views import home as self_audit_home
from providers.models import Provider
from scoring import selectors, services
from scoring.engine import STRENGTHS
from scoring.forms import AreaGapFilter, GapForm
from scoring.models import ACTIVE_GAP_STATUSES, Gap, GapStatus

PAGE_SIZE = 50


def _summary(user: Any, provider: Provider) -> dict[str, Any] | None:
    return selectors.provider_score_summary(user=user, provider=provider)


@login_required
def self_audit(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider's self-audit start page (audits), with its latest result (scoring)."""
    return self_audit_home.provider_home(request, pk, summary=_summary)


def _or_404(read: Any, **kwargs: Any) -> Any:
    try:
        return read(**kwargs)
    except ObjectDoesNotExist as exc:
        raise Http404("Not found") from exc


@login_required
@require_GET
def result(request: HttpRequest, pk: int) -> HttpResponse:
    found = _or_404(
        selectors.result_for,
        user=request.user,
        provider_id=pk,
        standard_slug=request.GET.get("standard") or None,
        version_label=request.GET.get("version") or None,
    )
    return render(
        request,
        "scoring/result.html",
        {
            "result": found,
            "provider": found.provider,
            "strengths": STRENGTHS,
            "status_url": reverse("scoring:result_status", args=[pk]),
        },
    )


@never_cache
@login_required
@require_GET
def result_status(request: HttpRequest, pk: int) -> JsonResponse:
    status = _or_404(
        selectors.result_status,
        user=request.user,
        provider_id=pk,
        standard_slug=request.GET.get("standard") or None,
    )
    return JsonResponse(status)


@login_required
@require_GET
def gaps(request: HttpRequest, pk: int) -> HttpResponse:
    include_closed = request.GET.get("show") == "all"
    found = _or_404(
        selectors.gaps_for, user=request.user, provider_id=pk, include_closed=include_closed
    )
    return render(request, "scoring/gaps.html", {"found": found, "provider": found.provider})


@login_required
@require_http_methods(["GET", "POST"])
def gap(request: HttpRequest, pk: int, gap_id: int) -> HttpResponse:
    detail = _or_404(selectors.gap_for, user=request.user, provider_id=pk, gap_id=gap_id)
    gap = detail.gap
    form = GapForm(gap=gap)
    conflict = False
    status = 200
    note, note_error = "", ""
    if request.method == "POST" and request.POST.get("form") == "note":
        if not detail.can_change:
            raise PermissionDenied("You cannot change this provider's gaps")
        note = request.POST.get("note", "")
        try:
            services.add_gap_note(gap_id=gap.pk, actor=request.user, note=note)  # type: ignore[arg-type]
        except ValidationError as exc:
            note_error = exc.message_dict["note"][0]
            status = 400
        else:
            messages.success(request, "Note added")
            return redirect(f"{reverse('scoring:gap', args=[pk, gap.pk])}#history")
    elif request.method == "POST":
        if not detail.can_change:
            raise PermissionDenied("You cannot change this provider's gaps")
        form = GapForm(gap=gap, data=request.POST)
        due, until = form.parse_dates()
        # Every problem at once: the dates as typed, then what the service would refuse.
        form.add_errors(
            services.validate_gap_change(
                gap=gap,
                status=form.status,
                action_plan=form.action_plan,
                owner=form.owner,
                due_date=due,
                accepted_reason=form.accepted_reason,
                accepted_until=until,
                on=services.assessment_date(),
            )
        )
        if not form.errors:
            try:
                services.update_gap(
                    gap_id=gap.pk,
                    actor=request.user,  # type: ignore[arg-type]
                    status=form.status,
                    action_plan=form.action_plan,
                    owner=form.owner,
                    due_date=due,
                    accepted_reason=form.accepted_reason,
                    accepted_until=until,
                    row_version=form.row_version,
                )
            except services.GapChanged:
                conflict = True
            except ValidationError as exc:
                form.add_errors({k: v[0] for k, v in exc.message_dict.items()})
            else:
                messages.success(request, f"Gap updated: {gap.title}")
                return redirect("scoring:gaps", pk=pk)
        status = 409 if conflict else 400
        if conflict:
            detail = selectors.gap_for(user=request.user, provider_id=pk, gap_id=gap_id)
    return render(
        request,
        "scoring/gap.html",
        {
            "detail": detail,
            "gap": detail.gap,
            "provider": detail.provider,
            "form": form,
            "conflict": conflict,
            "settable": gap.status in ACTIVE_GAP_STATUSES,
            "note": note,
            "note_error": note_error,
            "note_max_length": services.NOTE_MAX_LENGTH,
        },
        status=status,
    )


@login_required
@require_GET
def area_gaps(request: HttpRequest, code: str) -> HttpResponse:
    filters = AreaGapFilter(request.GET, queryset=Gap.objects.none())
    # A status that is not one of the list's is ignored here; the API refuses it.
    wanted = filters.form.cleaned_data.get("status") or None if filters.form.is_valid() else None
    found = _or_404(selectors.gaps_for_area, user=request.user, area_code=code, status=wanted)
    page = Paginator(found.gaps, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "scoring/area_gaps.html",
        {
            "found": found,
            "area": found.area,
            "page": page,
            "status": wanted,
            "statuses": [
                (s.value, s.label, found.by_status.get(s.value, 0)) for s in ACTIVE_GAP_STATUSES
            ],
            "query": f"status={wanted}" if wanted else "",
            "open_label": GapStatus.OPEN.label,
        },
    )


@login_required
@require_GET
def rescore_list(request: HttpRequest) -> HttpResponse:
    if not selectors.can_see_rescores(request.user):
        raise Http404("Not found")
    page = Paginator(selectors.rescore_jobs(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "scoring/rescore_list.html", {"page": page, "query": ""})


@login_required
@require_GET
def rescore_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _or_404(selectors.rescore_job, user=request.user, job_id=job_id)
    return render(
        request,
        "scoring/rescore_detail.html",
        {
            "job": job,
            "progress": selectors.job_progress(job_id=job.pk),
            "chunks": selectors.chunk_counts(job=job),
            "failed_chunks": selectors.failed_chunks(job_id=job.pk),
            "status_url": reverse("scoring:rescore_status", args=[job.pk]),
        },
    )


@never_cache
@login_required
@require_GET
def rescore_status(request: HttpRequest, job_id: int) -> JsonResponse:
    job = _or_404(selectors.rescore_job, user=request.user, job_id=job_id)
    return JsonResponse(selectors.job_progress(job_id=job.pk).as_json())
