"""A declaration, read-only; starting its revision; its history of changes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audits import selectors, services
from audits.views.common import (
    can_review,
    editable_or_404,
    review_refused_because,
    user_of,
    visible_or_404,
)
from providers.visibility import can_edit_provider, health_only


@login_required
def declaration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    declaration = visible_or_404(request, pk)
    answers = selectors.declaration_answers(user=user, declaration=declaration)
    progress = selectors.declaration_progress(declaration=declaration, answers=answers)
    can_edit = can_edit_provider(user=user, provider=declaration.provider)
    later = selectors.later_revision(declaration)
    return render(
        request,
        "audits/declaration.html",
        {
            "declaration": declaration,
            "provider": declaration.provider,
            "progress": progress,
            "can_edit": can_edit,
            "can_review": can_review(user, declaration),
            "review_refused": review_refused_because(user, declaration),
            "later": later,
            "health_only": health_only(user=user, provider=declaration.provider),
        },
    )


@login_required
@require_POST
def revise(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = editable_or_404(request, pk)
    result = services.start_revision(declaration=declaration, user=user_of(request))
    revision = result.declaration
    if result.created:
        messages.success(
            request,
            f"Revision {revision.revision} started. Your answers have been copied from revision {revision.revision - 1}.",
        )
    # From a question whose answer was not saved: back to that question, to enter it again.
    key = request.POST.get("question", "")
    if key and revision.answers.filter(requirement_key=key).exists():
        return redirect("audits:question", revision.pk, key)
    return redirect("audits:tasks", revision.pk)


@login_required
def history(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = visible_or_404(request, pk)
    changes = selectors.answer_history(user=user_of(request), declaration=declaration)
    page = Paginator(changes, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audits/history.html",
        {"declaration": declaration, "provider": declaration.provider, "page": page},
    )
