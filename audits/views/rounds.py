"""Declaration rounds: an area's list, opening one, and who has declared for it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from audits import selectors, services
from audits.forms import RoundForm
from audits.periods import period_for
from audits.views.common import (
    user_of,
)
from providers.visibility import managed_areas, visible_areas
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
    submitted, outstanding = selectors.round_providers(
        user=user, declaration_round=declaration_round, status=status
    )
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
