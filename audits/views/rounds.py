"""Declaration rounds: an area's list, opening one, and who has declared for it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from audits import selectors, services
from audits.forms import RoundForm
from audits.models import Declaration, DeclarationStatus
from audits.periods import period_for
from audits.views.common import (
    user_of,
)
from providers.visibility import managed_areas, visible_areas, visible_providers
from standards.models import StandardVersion, VersionStatus


@login_required
def round_list(request: HttpRequest, code: str) -> HttpResponse:
    user = user_of(request)
    area = get_object_or_404(visible_areas(user=user), code=code)
    rounds = [
        selectors.round_status(declaration_round=r)
        for r in selectors.visible_rounds(user=user).filter(area=area).order_by("-deadline")
    ]
    return render(
        request,
        "audits/round_list.html",
        {
            "area": area,
            "rounds": rounds,
            "today": services.today(),
            "can_open": managed_areas(user=user).filter(pk=area.pk).exists(),
        },
    )


@login_required
def round_new(request: HttpRequest, code: str) -> HttpResponse:
    user = user_of(request)
    area = get_object_or_404(managed_areas(user=user), code=code)
    versions = list(
        StandardVersion.objects.select_related("standard")
        .filter(status=VersionStatus.PUBLISHED)
        .order_by("standard__title", "-effective_from")
    )
    status = 200
    if request.method == "POST":
        form = RoundForm(versions=versions, period=period_for(services.today()), data=request.POST)
        version, period, deadline = form.clean()
        if not form.errors and version is not None and deadline is not None:
            try:
                declaration_round = services.open_round(
                    area=area, version=version, period=period, deadline=deadline, user=user
                )
            except ValidationError as exc:
                form.add_service_errors(exc.message_dict)
            else:
                messages.success(
                    request,
                    f"Round opened. Providers in {area.name} will see the deadline of "
                    f"{deadline.day} {deadline:%B %Y} on their self-audit page.",
                )
                return redirect("audits:round", declaration_round.pk)
        status = 400
    else:
        form = RoundForm(versions=versions, period=period_for(services.today()))
    return render(request, "audits/round_new.html", {"area": area, "form": form}, status=status)


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    declaration_round = get_object_or_404(selectors.visible_rounds(user=user), pk=pk)
    status = selectors.round_status(declaration_round=declaration_round)
    visible_ids = set(
        visible_providers(user=user)
        .filter(area=declaration_round.area)
        .values_list("pk", flat=True)
    )
    # Declarations against any version of the round's standard count for the round.
    for_round = Declaration.objects.filter(
        provider__area=declaration_round.area,
        version__standard_id=declaration_round.version.standard_id,
        period=declaration_round.period,
    )
    drafts = {d.provider_id: d for d in for_round.filter(status=DeclarationStatus.DRAFT)}
    latest = {}
    for d in for_round.filter(status=DeclarationStatus.SUBMITTED).order_by("submitted_at", "pk"):
        latest[d.provider_id] = d
    submitted = [(p, latest.get(p.pk)) for p in status.submitted if p.pk in visible_ids]
    outstanding = [(p, drafts.get(p.pk)) for p in status.outstanding if p.pk in visible_ids]
    return render(
        request,
        "audits/round_detail.html",
        {
            "round": declaration_round,
            "area": declaration_round.area,
            "submitted": submitted,
            "outstanding": outstanding,
            "total": len(submitted) + len(outstanding),
            "today": services.today(),
            "overdue": declaration_round.deadline < services.today(),
        },
    )
