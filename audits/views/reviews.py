"""Reviewing submitted declarations: the list to review and one declaration's review."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from audits import selectors, services
from audits.forms import ReviewForm
from audits.views.common import (
    user_of,
    visible_or_404,
)
from providers.visibility import own_work, reviews_declarations

REVIEW_PAGE_SIZE = 50


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    declaration = visible_or_404(request, pk)
    if declaration.is_draft:
        raise Http404("Only a submitted declaration can be reviewed")
    try:
        keys = services.reviewable_keys(user=user, declaration=declaration)
    except PermissionDenied as exc:
        raise Http404("No such page") from exc
    try:
        services.require_reviewer(user=user, declaration=declaration)
    except services.ReviewRefused as exc:
        # Theirs to see but not to review (their own work): say why, with no form.
        return render(
            request,
            "audits/review_refused.html",
            {"declaration": declaration, "provider": declaration.provider, "reason": str(exc)},
            status=403,
        )
    later = selectors.later_submitted_revision(declaration)
    if later is not None:
        messages.info(
            request,
            f"Revision {later.revision} of this declaration has been submitted since: review that instead.",
        )
        return redirect("audits:declaration", later.pk)
    answers_qs = selectors.declaration_answers(user=user, declaration=declaration)
    if keys is not None:
        answers_qs = answers_qs.filter(requirement_key__in=keys)
    answers = list(answers_qs)
    status = 200
    if request.method == "POST":
        form = ReviewForm(answers=answers, data=request.POST)
        challenges = form.clean()
        if not form.errors:
            try:
                services.review_declaration(
                    declaration=declaration,
                    reviewer=user,
                    accept=form.decision == "accept",
                    challenges=challenges,
                    comment=form.comment,
                )
            except ValidationError as exc:
                form.add_service_errors(
                    exc.message_dict if hasattr(exc, "error_dict") else {"decision": exc.messages}
                )
            else:
                if form.decision == "accept":
                    text = f"You accepted the declaration from {declaration.provider.name}."
                else:
                    text = (
                        f"You returned the declaration to {declaration.provider.name} with "
                        f"{len(challenges)} challenged answer{'s' if len(challenges) != 1 else ''}."
                    )
                messages.success(request, text)
                return redirect("audits:declaration", declaration.pk)
        status = 400
    else:
        form = ReviewForm(answers=answers)
    progress = selectors.declaration_progress(declaration=declaration, answers=answers_qs)
    return render(
        request,
        "audits/review.html",
        {
            "declaration": declaration,
            "provider": declaration.provider,
            "progress": progress,
            "form": form,
            "health_only": keys is not None,
        },
        status=status,
    )


REVIEW_FILTERS = [
    ("not_reviewed", "Not reviewed"),
    ("returned", "Returned for changes"),
    ("accepted", "Accepted"),
    ("all", "All"),
]


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if not reviews_declarations(user=user):
        raise Http404("No such page")
    declarations = selectors.reviewable_declarations(user=user)
    counts = {
        row["queue_status"]: row["n"]
        for row in declarations.values("queue_status")  # type: ignore[misc]
        .annotate(n=Count("pk"))
        .order_by()
    }
    chosen = request.GET.get("status", "not_reviewed")
    if chosen not in dict(REVIEW_FILTERS):
        chosen = "not_reviewed"
    if chosen != "all":
        declarations = declarations.filter(queue_status=chosen)  # type: ignore[misc]
    declarations = declarations.order_by("submitted_at", "pk")
    page = Paginator(declarations, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    filters = [
        {
            "value": value,
            "label": label,
            "count": sum(counts.values()) if value == "all" else counts.get(value, 0),
            "current": value == chosen,
        }
        for value, label in REVIEW_FILTERS
    ]
    return render(
        request,
        "audits/review_list.html",
        {
            "page": page,
            "filters": filters,
            "chosen": chosen,
            "query": f"status={chosen}",
            # Their own work (submitted by them, or with answers they changed): not theirs to
            # review, so the row says so instead of offering the review.
            "own_work": own_work(user=user, declarations=page.object_list),
        },
    )
