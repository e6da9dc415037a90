from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.services import record
from providers import selectors, services, visibility
from providers.filters import ProviderFilter
from providers.forms import GiasUploadForm, LocalStandardUploadForm
from providers.models import Area, Provider
from standards.format import StandardFormatError
from standards.selectors import local_standard_status, local_versions_for_area
from standards.services import load_local_version

PAGE_SIZE = 50


@login_required
def provider_list(request: HttpRequest) -> HttpResponse:
    """The providers the person may see, filtered by the same FilterSet as the API's list."""
    filterset = ProviderFilter(
        request.GET or None, queryset=visibility.visible_providers(user=request.user)
    )
    area = None
    if filterset.is_bound and filterset.form.is_valid() and filterset.form.cleaned_data["area"]:
        code = filterset.form.cleaned_data["area"].strip().upper()
        area = visibility.visible_areas(user=request.user).filter(code=code).first()
    page = Paginator(filterset.qs.order_by("name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "providers/provider_list.html",
        {"page": page, "form": filterset.form, "area": area, "query": query.urlencode()},
    )


@login_required
def provider_detail(request: HttpRequest, pk: int) -> HttpResponse:
    provider = get_object_or_404(visibility.visible_providers(user=request.user), pk=pk)
    visible = visibility.visible_providers(user=request.user)
    visible_ids = set(
        visible.filter(
            pk__in=[p.pk for p in selectors.predecessor_chain(provider)]
            + [p.pk for p in selectors.successor_chain(provider)]
        ).values_list("pk", flat=True)
    )
    return render(
        request,
        "providers/provider_detail.html",
        {
            "provider": provider,
            "predecessors": [
                p for p in selectors.predecessor_chain(provider) if p.pk in visible_ids
            ],
            "successors": [p for p in selectors.successor_chain(provider) if p.pk in visible_ids],
            "can_edit": visibility.can_edit_provider(user=request.user, provider=provider),
        },
    )


@login_required
def area_list(request: HttpRequest) -> HttpResponse:
    areas = (
        visibility.visible_areas(user=request.user)
        .annotate(provider_count=Count("providers"))
        .order_by("region_name", "name")
    )
    if not areas.exists():
        raise Http404("No areas")
    return render(request, "providers/area_list.html", {"areas": areas})


def _area_or_404(request: HttpRequest, code: str) -> Area:
    return get_object_or_404(visibility.visible_areas(user=request.user), code=code)


@login_required
def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    area = _area_or_404(request, code)
    by_type = (
        visibility.visible_providers(user=request.user)
        .filter(area=area)
        .values("provider_type")
        .annotate(count=Count("pk"))
        .order_by("provider_type")
    )
    labels = dict(Provider._meta.get_field("provider_type").choices or [])
    return render(
        request,
        "providers/area_detail.html",
        {
            "area": area,
            "counts": [
                (labels.get(row["provider_type"], row["provider_type"]), row["count"])
                for row in by_type
            ],
            "coverage": selectors.icb_coverage_for_area(area),
            "can_import": visibility.managed_areas(user=request.user).filter(pk=area.pk).exists(),
            "can_load_local": visibility.local_standard_areas(user=request.user)
            .filter(pk=area.pk)
            .exists(),
            "local_versions": local_versions_for_area(area_code=area.code),
            "local_status": local_standard_status(area_code=area.code),
        },
    )


@login_required
def area_local_standard(request: HttpRequest, code: str) -> HttpResponse:
    """Load a local standard file for the area as a draft, with load_standard's own checks."""
    area = get_object_or_404(visibility.local_standard_areas(user=request.user), code=code)
    loaded = None
    form = (
        LocalStandardUploadForm(request.POST, request.FILES)
        if request.method == "POST"
        else LocalStandardUploadForm()
    )
    if request.method == "POST" and form.is_valid():
        try:
            loaded = load_local_version(
                text=form.cleaned_data["standard_file"],
                area_code=area.code,
                loaded_by=request.user,  # type: ignore[arg-type]
            )
        except StandardFormatError as exc:
            for problem in exc.problems:
                form.add_error("standard_file", str(problem))
        else:
            record(
                actor=request.user,  # type: ignore[arg-type]
                action="Local standard loaded",
                obj=area,
                changes={"standard": str(loaded.version), "requirements": loaded.requirements},
            )
    return render(
        request,
        "providers/area_local_standard.html",
        {"area": area, "form": form, "loaded": loaded},
        status=400 if form.errors else 200,
    )


@login_required
def area_import(request: HttpRequest, code: str) -> HttpResponse:
    area = _area_or_404(request, code)
    if not visibility.managed_areas(user=request.user).filter(pk=area.pk).exists():
        raise Http404("No such page")
    report = None
    form = (
        GiasUploadForm(request.POST, request.FILES)
        if request.method == "POST"
        else GiasUploadForm()
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["extract"]
        report = services.import_gias(
            source=upload,
            file_name=upload.name,
            only_area=area,
            actor=request.user,  # type: ignore[arg-type]
        )
        record(
            actor=request.user,  # type: ignore[arg-type]
            action="GIAS extract imported" if report.ok else "GIAS extract refused",
            obj=area,
            changes={"file": upload.name, "summary": report.summary_line()},
        )
        if not report.ok:
            for problem in report.errors[:50]:
                form.add_error("extract", str(problem))
            if len(report.errors) > 50:
                form.add_error("extract", f"and {len(report.errors) - 50} more problems")
    status = 400 if form.errors else 200
    return render(
        request,
        "providers/area_import.html",
        {"area": area, "form": form, "report": report if report and report.ok else None},
        status=status,
    )
