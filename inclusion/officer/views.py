"""The officers' pages for local inclusion plans.

Area officers of the area (and site admins) read and edit; national analysts read; everyone
else gets 404. Every change goes through `inclusion.services.plans`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import User
from audits.periods import next_period, period_for
from inclusion.models import CommonSetting, InclusionPlan, PlanStatus, SpecialistPlace
from inclusion.officer.forms import (
    CommonSettingForm,
    DetailsForm,
    PlaceForm,
    StartPlanForm,
    UploadForm,
    need_groups,
)
from inclusion.selectors import plans as selectors
from inclusion.services import plans as services
from inclusion.services import spreadsheets
from inclusion.services.plans import PlanDetails, PlanError
from providers.models import Area

View = Callable[..., HttpResponse]


def _area(request: HttpRequest, code: str, *, edit: bool) -> Area:
    area = selectors.area_for(user=request.user, code=code)
    if area is None or (edit and not selectors.can_edit(user=request.user, area=area)):
        raise Http404("No such page")
    return area


def plan_page(*, edit: bool) -> Callable[[View], View]:
    """Signed in; the area readable (or editable); the plan, of that area, a draft to edit."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, code: str, pk: int, **kwargs: Any) -> HttpResponse:
            area = _area(request, code, edit=edit)
            plan = selectors.plan_for(area=area, pk=pk)
            if plan is None:
                raise Http404("No such plan")
            if edit and plan.status != PlanStatus.DRAFT:
                messages.info(
                    request,
                    f"Version {plan.version} is {plan.get_status_display().lower()}: it cannot be changed.",
                )
                return redirect(_plan_url(plan))
            try:
                return view(request, plan, **kwargs)
            except PlanError as exc:  # published meanwhile, by someone else
                messages.info(request, str(exc))
                return redirect(_plan_url(plan))

        return wrapped

    return decorate


def _actor(request: HttpRequest) -> User:
    """The signed-in person (every page here needs one)."""
    assert isinstance(request.user, User)
    return request.user


def _plan_url(plan: InclusionPlan) -> str:
    return reverse("inclusion_plans:plan", args=[plan.area.code, plan.pk])


def _years(plans: list[InclusionPlan]) -> list[tuple[str, str]]:
    """This academic year and the next, each said with what starting it would do."""
    current = period_for(timezone.localdate())
    choices = []
    for year in (current, next_period(current)):
        mine = [p for p in plans if p.academic_year == year]
        draft = next((p for p in mine if p.status == PlanStatus.DRAFT), None)
        published = next((p for p in mine if p.status == PlanStatus.PUBLISHED), None)
        if draft is not None:
            label = f"{year}: version {draft.version} is already a draft"
        elif published is not None:
            label = f"{year}: version {max(p.version for p in mine) + 1}, a copy of version {published.version}"
        else:
            label = f"{year}: version 1, proposed from GIAS"
        choices.append((year, label))
    return choices


@login_required
def plan_list(request: HttpRequest, code: str) -> HttpResponse:
    area = _area(request, code, edit=False)
    can_edit = selectors.can_edit(user=request.user, area=area)
    plans = list(selectors.area_plans(area=area))
    form = StartPlanForm(request.POST or None, years=_years(plans))
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise Http404("No such page")
        if form.is_valid():
            try:
                plan = services.start_plan(
                    area=area,
                    academic_year=form.cleaned_data["academic_year"],
                    actor=_actor(request),
                )
            except PlanError as exc:
                form.add_error("academic_year", str(exc))
            else:
                messages.success(
                    request, f"Version {plan.version} of the {plan.academic_year} plan started"
                )
                return redirect(_plan_url(plan))
        status = 400
    return render(
        request,
        "inclusion/officer/plan_list.html",
        {
            "area": area,
            "plans": plans,
            "form": form,
            "can_edit": can_edit,
        },
        status=status,
    )


def _form_page(
    request: HttpRequest, template: str, plan: InclusionPlan, form: Any, **extra: Any
) -> HttpResponse:
    """A plan's form page, answering 400 while the form shows errors."""
    return render(
        request,
        f"inclusion/officer/{template}.html",
        {"plan": plan, "area": plan.area, "form": form, **extra},
        status=400 if form.errors else 200,
    )


@plan_page(edit=False)
def plan_detail(request: HttpRequest, plan: InclusionPlan) -> HttpResponse:
    contents = selectors.plan_contents(plan=plan)
    can_edit = plan.is_draft and selectors.can_edit(user=request.user, area=plan.area)
    return render(
        request,
        "inclusion/officer/plan_detail.html",
        {"plan": plan, "area": plan.area, "contents": contents, "can_edit": can_edit},
    )


@plan_page(edit=False)
def plan_history(request: HttpRequest, plan: InclusionPlan) -> HttpResponse:
    return render(
        request,
        "inclusion/officer/plan_history.html",
        {"plan": plan, "area": plan.area, "events": selectors.plan_history(plan=plan)},
    )


@plan_page(edit=False)
def plan_download(request: HttpRequest, plan: InclusionPlan, fmt: str) -> HttpResponse:
    if fmt == "xlsx":
        response = HttpResponse(
            spreadsheets.xlsx_bytes(plan=plan), content_type=spreadsheets.XLSX_TYPE
        )
    elif fmt == "csv":
        response = HttpResponse(
            spreadsheets.csv_bytes(plan=plan), content_type=spreadsheets.CSV_TYPE
        )
    else:
        raise Http404("No such format")
    name = f"inclusion-plan-{plan.area.code}-{plan.academic_year.replace('/', '-')}-v{plan.version}"
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


@plan_page(edit=True)
def plan_details(request: HttpRequest, plan: InclusionPlan) -> HttpResponse:
    initial = {name: getattr(plan, name) for name in DetailsForm.base_fields}
    form = DetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_details(
                plan=plan, details=PlanDetails(**form.cleaned_data), actor=_actor(request)
            )
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, "Summary and contacts saved")
            return redirect(_plan_url(plan))
    return _form_page(request, "plan_details", plan, form)


def _place_form_page(
    request: HttpRequest, plan: InclusionPlan, form: PlaceForm, place: SpecialistPlace | None
) -> HttpResponse:
    return _form_page(request, "place_form", plan, form, place=place, need_groups=need_groups())


def _service_errors(form: Any, exc: ValidationError) -> None:
    for field, problems in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


@plan_page(edit=True)
def place_add(request: HttpRequest, plan: InclusionPlan) -> HttpResponse:
    form = PlaceForm(request.POST or None, adding=True)
    if request.method == "POST" and form.is_valid():
        assert form.provider is not None
        try:
            services.add_place(
                plan=plan, provider=form.provider, values=form.values(), actor=_actor(request)
            )
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, f"Entry for {form.provider.name} added")
            return redirect(_plan_url(plan) + "#places")
    return _place_form_page(request, plan, form, None)


def _place(plan: InclusionPlan, place_pk: int) -> SpecialistPlace:
    return get_object_or_404(
        SpecialistPlace.objects.select_related("provider", "plan"), plan=plan, pk=place_pk
    )


@plan_page(edit=True)
def place_change(request: HttpRequest, plan: InclusionPlan, place_pk: int) -> HttpResponse:
    place = _place(plan, place_pk)
    initial = {
        "kind": place.kind,
        "need_types": place.need_types,
        "age_low": "" if place.age_low is None else place.age_low,
        "age_high": "" if place.age_high is None else place.age_high,
        "places": "" if place.places is None else place.places,
        "on_roll": "" if place.on_roll is None else place.on_roll,
    }
    form = PlaceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_place(place=place, values=form.values(), actor=_actor(request))
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, f"Entry for {place.provider.name} saved and confirmed")
            return redirect(_plan_url(plan) + "#places")
    return _place_form_page(request, plan, form, place)


@require_POST
@plan_page(edit=True)
def place_confirm(request: HttpRequest, plan: InclusionPlan, place_pk: int) -> HttpResponse:
    place = _place(plan, place_pk)
    services.confirm_place(place=place, actor=_actor(request))
    messages.success(request, f"{place.get_kind_display()} at {place.provider.name} confirmed")
    return redirect(_plan_url(plan) + "#places")


@plan_page(edit=True)
def place_remove(request: HttpRequest, plan: InclusionPlan, place_pk: int) -> HttpResponse:
    place = _place(plan, place_pk)
    if request.method == "POST":
        services.remove_place(place=place, actor=_actor(request))
        messages.success(request, f"{place.get_kind_display()} at {place.provider.name} removed")
        return redirect(_plan_url(plan) + "#places")
    return render(
        request,
        "inclusion/officer/confirm_remove.html",
        {
            "plan": plan,
            "area": plan.area,
            "what": f"{place.get_kind_display()} at {place.provider.name}",
        },
    )


@plan_page(edit=True)
def setting_add(request: HttpRequest, plan: InclusionPlan) -> HttpResponse:
    form = CommonSettingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assert form.provider is not None
        try:
            services.add_common_setting(
                plan=plan,
                provider=form.provider,
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
                actor=_actor(request),
            )
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, f"{form.provider.name} added")
            return redirect(_plan_url(plan) + "#common")
    return _form_page(request, "setting_form", plan, form)


@plan_page(edit=True)
def setting_remove(request: HttpRequest, plan: InclusionPlan, setting_pk: int) -> HttpResponse:
    setting = get_object_or_404(
        CommonSetting.objects.select_related("provider"), plan=plan, pk=setting_pk
    )
    if request.method == "POST":
        services.remove_common_setting(setting=setting, actor=_actor(request))
        messages.success(request, f"{setting.provider.name} removed")
        return redirect(_plan_url(plan) + "#common")
    return render(
        request,
        "inclusion/officer/confirm_remove.html",
        {"plan": plan, "area": plan.area, "what": setting.provider.name},
    )


@plan_page(edit=True)
def plan_upload(request: HttpRequest, plan: InclusionPlan) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["spreadsheet"]
        report = spreadsheets.upload_plan(
            plan=plan, source=upload, file_name=upload.name, actor=_actor(request)
        )
        if report.ok:
            messages.success(request, f"{report.added} entries uploaded and confirmed")
            return redirect(_plan_url(plan) + "#places")
        for problem in report.problems[:100]:
            form.add_error("spreadsheet", str(problem))
        if len(report.problems) > 100:
            form.add_error("spreadsheet", f"and {len(report.problems) - 100} more problems")
    return _form_page(request, "plan_upload", plan, form)


@plan_page(edit=True)
def plan_publish(request: HttpRequest, plan: InclusionPlan) -> HttpResponse:
    contents = selectors.plan_contents(plan=plan)
    error = ""
    if request.method == "POST":
        try:
            services.publish_plan(plan=plan, actor=_actor(request))
        except PlanError as exc:
            error = str(exc)
        else:
            messages.success(
                request, f"Version {plan.version} of the {plan.academic_year} plan published"
            )
            return redirect(_plan_url(plan))
    elif contents.unconfirmed:
        error = (
            f"{contents.unconfirmed} {'entry is' if contents.unconfirmed == 1 else 'entries are'} not"
            " confirmed yet: confirm, change or remove each entry proposed from GIAS before publishing"
        )
    return render(
        request,
        "inclusion/officer/plan_publish.html",
        {"plan": plan, "area": plan.area, "contents": contents, "error": error},
        status=400 if error and request.method == "POST" else 200,
    )
